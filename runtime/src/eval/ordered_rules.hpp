// The compact form of a rule set evaluated in order (EvalStrategy::kOrdered,
// plan/strategy.hpp): each rule's conjuncts as a run of small tests, read in
// sequence. The commonest conjuncts (a number field compared with a
// constant, a string field equal or not to a constant, or in a one-value set)
// are tested inline from the test itself, with no node to read and no
// operator to dispatch on; any other conjunct is a node the evaluator runs.
// Built once by the planner; the results are those of the nodes they come
// from (tests/unit/plan/strategy_test.cpp).
#pragma once

#include <cstdint>
#include <vector>

#include "eval/value.hpp"

namespace vigil::eval {

struct OrderedTest {
  enum Kind : uint8_t {
    kIntRange,   // field[index] (int, decimal units, time, duration) in [lo, lo + span]
    kStrEq,      // field[index] (string) == str[0 .. len)
    kIntIn,      // field[index] is one of OrderedRules::ints[lo .. lo + len)
    kStrIn,      // field[index] is one of OrderedRules::strs[lo .. lo + len)
    kStrFields,  // field[index] == field[len] (strings)
    kNode,       // nodes[index] is true
  };
  // Sets of at most this many values are tested inline (kIntIn, kStrIn):
  // comparing with each costs less than hashing.
  static constexpr size_t kMaxInlineSet = 4;
  Kind kind = kNode;
  bool negated = false;  // true when the field is present and the test does NOT hold
  uint32_t len = 0;      // kStrEq, kIntIn, kStrIn; kStrFields: the second slot
  uint32_t index = 0;    // field slot, or node for kNode
  int64_t lo = 0;        // kIntRange; kIntIn, kStrIn: the first value
  uint64_t span = 0;     // kIntRange: hi - lo, as unsigned
  // kStrEq: bytes owned by the program (its constant strings or a set's
  // values), which is immutable once planned, so they never move.
  const char* str = nullptr;
};

struct OrderedRules {
  struct Rule {
    uint32_t begin = 0;  // into tests
    uint32_t count = 0;
  };
  std::vector<Rule> rules;  // one per Program::rules entry
  std::vector<OrderedTest> tests;
  std::vector<int64_t> ints;  // kIntIn's values
  std::vector<StrView> strs;  // kStrIn's values (program-owned bytes)
};

}  // namespace vigil::eval
