// How a rule set finds the rules that fire, chosen once per rule set at
// plan time by an estimate of the cost per event of each way
// (docs/architecture.md, "Plan"; the figures behind the estimate are in
// docs/performance.md, "Small rule sets").
//
// - The rule index (eval/rule_index.hpp) looks up every indexed field of the
//   event and ANDs one bitmap row per field, then evaluates the residual
//   conjuncts of the few rules that survive. Its cost barely grows with the
//   rules, but every event pays for every lookup.
// - Ordered evaluation runs every rule's conjuncts in turn, the likeliest to
//   be false for its cost first, and stops at the first that is not true:
//   what a programmer writes by hand. Its cost grows with the rules, but with
//   a few rules it is a few comparisons per rule.
//
// Both give the same results: a rule fires exactly when every conjunct is
// true, whichever finds it (tests/unit/plan/strategy_test.cpp).
#pragma once

#include <cstdint>
#include <vector>

#include "eval/program.hpp"

namespace vigil::plan {

// What the compiler may choose (CompileOptions::strategy): tests and
// benchmarks force one to compare them.
enum class StrategyChoice : uint8_t { kAuto, kIndex, kOrdered };

// A rough cost of evaluating a node, in units of an integer comparison.
// (Measured on the generated workloads: a string comparison costs about
// three, a substring search six, a regex or a hash forty.)
uint32_t NodeCost(const eval::Program& program, uint32_t node);

// The estimated chance that a condition is true for an event, from its shape
// alone (the planner sees no events): `F == c` is rarely true, `F != c`
// nearly always, an order comparison half the time.
double PassChance(const eval::Program& program, uint32_t node);

// Sorts one rule's conjuncts for ordered evaluation: ascending cost over the
// chance of being false, the order that minimises the expected cost of
// stopping at the first false one. Stable, so equal ranks keep the
// planner's order.
void OrderConjuncts(const eval::Program& program, std::vector<uint32_t>& conjuncts);

// The expected cost of `conjuncts` (in order), stopping at the first that is
// not true.
double ConjunctionCost(const eval::Program& program, const std::vector<uint32_t>& conjuncts);

// The compact tests of ordered evaluation (eval/ordered_rules.hpp) for
// each rule's conjuncts, in the order given.
eval::OrderedRules CompileOrdered(const eval::Program& program,
                                  const std::vector<std::vector<uint32_t>>& conjuncts);

// Per-event estimates of both strategies, in NodeCost units.
// `ordered`: each rule's conjuncts in OrderConjuncts order.
// `residuals` and `candidate_chance`: with the index built, each rule's
// residual conjuncts and the chance that its decided atoms all hold.
eval::StrategyEstimate EstimateStrategies(const eval::Program& program,
                                          const std::vector<std::vector<uint32_t>>& ordered,
                                          const std::vector<std::vector<uint32_t>>& residuals,
                                          const std::vector<double>& candidate_chance);

}  // namespace vigil::plan
