// The planner: a checked Module → an immutable eval::Program. Chooses a
// typed opcode for every operator, inserts numeric promotions, builds the
// constant sets once, and folds constant sub-expressions.
#pragma once

#include <memory>

#include "base/source.hpp"
#include "eval/program.hpp"
#include "plan/strategy.hpp"
#include "sema/module.hpp"

namespace vigil::plan {

// `sources_digest` identifies the sources in explanations (SHA-256, hex).
// `index_rules`: whether to build the rule index (eval/rule_index.hpp). It
// only makes evaluation faster; without it every conjunct stays with the
// evaluator, which gives the same results. A compilation that will not
// evaluate (a check) saves its cost: a tenth to a fifth of a large check;
// its rules are evaluated in order. `strategy`: how the rules are evaluated
// (plan/strategy.hpp); kAuto chooses by the estimated cost per event.
std::shared_ptr<const eval::Program> Plan(sema::Module module, const SourceManager& sources,
                                          std::string sources_digest, bool index_rules = true,
                                          StrategyChoice strategy = StrategyChoice::kAuto);

}  // namespace vigil::plan
