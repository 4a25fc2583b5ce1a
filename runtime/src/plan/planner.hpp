// The planner: a checked Module → an immutable eval::Program. Chooses a
// typed opcode for every operator, inserts numeric promotions, builds the
// constant sets once, and folds constant sub-expressions.
#pragma once

#include <memory>

#include "base/source.hpp"
#include "eval/program.hpp"
#include "sema/module.hpp"

namespace vigil::plan {

// `sources_digest` identifies the sources in explanations (SHA-256, hex).
std::shared_ptr<const eval::Program> Plan(sema::Module module, const SourceManager& sources,
                                          std::string sources_digest);

}  // namespace vigil::plan
