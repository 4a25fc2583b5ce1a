// The compact form of a rule set evaluated in order (EvalStrategy::kOrdered,
// plan/strategy.hpp): each rule's conjuncts as a run of small tests, read in
// sequence. The commonest conjuncts (a number field compared with a
// constant, a string field equal or not to a constant, or in a small set)
// are tested inline from the test itself, with no node to read and no
// operator to dispatch on; any other conjunct is a node the evaluator runs.
// Built once by the planner; the results are those of the nodes they come
// from (tests/unit/plan/strategy_test.cpp). Evaluated by
// Session::RunOrdered (eval/session.cpp).
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "eval/value.hpp"

namespace vigil::eval {

// One test in 32 bytes, two to a cache line, each costing few instructions:
// the field's byte offset in the event's values (no multiply by the slot),
// the negation in the kind's low bit (no separate flag to load), and the
// tests of all rules in one run ending in kEnd, each holding the bytes to
// the next rule's first test: a test that fails skips there, one that holds
// goes on to the next test, and the last of a rule that holds fires it (no
// loop over rules, no branch on the outcome besides the rare firing).
struct OrderedTest {
  enum Kind : uint8_t {
    // Each even kind holds when the field is present and its test holds;
    // the odd kind after it when the field is present and the test does NOT
    // hold (`!=`, `not in`, `not (...)`): kind & 1 is the negation.
    // field (int, decimal units, time, duration) in [lo, lo + span], the
    // unsigned difference, so that a range may wrap round: `x != 5` is
    // [6, 4], lo 6 and span 2^64 - 2. kIntOutside is only of every value
    // (span 2^64 - 1), which no range can leave out.
    kIntRange = 0,
    kIntOutside = 1,
    kStrEq = 2,        // field (string) == str[0 .. span)
    kStrNe = 3,
    kIntIn = 4,        // field is one of OrderedRules::ints[lo .. lo + kMaxInlineSet)
    kIntNotIn = 5,
    kStrIn = 6,        // field is one of OrderedRules::strs[lo .. lo + span)
    kStrNotIn = 7,
    kStrFields = 8,    // field == the field at byte offset span (strings)
    kStrFieldsNe = 9,
    kNode = 10,        // nodes[lo] is true
    kTrue = 12,        // holds: the one test of a rule without conjuncts
    kEnd = 14,         // after the last rule's tests: evaluation is over
    // An aggregate compared with a constant (`count(...) >= 30`, a velocity
    // rule's usual test): kIntRange's test on the session's aggregate
    // values, `at` bytes from the first, instead of a node that made an
    // evaluator per test (what Evaluator::Fused gives: the compare of the
    // int or decimal units when the value is present).
    kAggRange = 16,
    // field (int, or string) is in Program::int_sets[lo] (str_sets[lo]): a
    // set of more than kMaxInlineSet values, tested by its own inline
    // Contains instead of a node (an aggregate's rule: `mcc in {...}`).
    kIntSet = 18,
    kIntNotSet = 19,
    kStrSet = 20,
    kStrNotSet = 21,
    // A session's own (Session::GroupRules, never planned): the rules after
    // it, up to its skip, all start with a test of this field that holds
    // only for a few values (`mcc == 5300`, `mcc in {4829, 5815}`), whose
    // union is this bitmap's set bits: field - lo is at most span and its
    // bit is set in the session's gate bits, `rule` words from their first.
    // When it does not hold, none of those rules can fire: one test, not
    // one a rule, for most events.
    kGate = 22,
    // A session's own (Session::ShortStrings, never planned): kStrEq of a
    // constant of 2 or 3 bytes (country and currency codes, `atm`), whose
    // bytes are in lo as TwoOrThreeBytesKey gives them, compared with the
    // field's in one compare, without the constant's pointer or SameBytes'
    // branches on the length.
    kStrEq2 = 24,
  };
  // Sets of at most this many values are tested inline (kIntIn, kStrIn):
  // comparing with each costs less than hashing.
  static constexpr size_t kMaxInlineSet = 4;

  Kind kind = kNode;
  // The test's cost in units of an integer compare (plan::NodeCost, more
  // for a node the evaluator runs), at least 1: Session::AdaptOrder weighs
  // a test's failures against it. In the bytes kind's alignment leaves.
  uint8_t cost = 1;
  // The bytes from this test to the next rule's first: (how many tests of
  // the same rule follow this one + 1) * sizeof(OrderedTest). In bytes, not
  // tests, so that a failed test (about ten an event at the ten generated
  // rules) skips the rest of its rule with one add, not an add, a shift and
  // an add. A test whose skip is kStride (the last of its rule) fires the
  // rule when it holds.
  uint32_t skip = 0;
  static constexpr uint32_t kStride = 32;  // sizeof(OrderedTest), checked below
  // The field's Value in the event's values: slot * sizeof(Value) bytes
  // from the first (0 for kNode, kTrue, kEnd and kIntOutside, which read
  // nothing); kAggRange: the aggregate's in the session's aggregate values.
  uint32_t at = 0;
  // The rule (Program::rules) this test is of; kGate (a session's own): not
  // a rule but the first word of its bitmap in the session's gate bits.
  uint32_t rule = 0;
  union {
    // kIntRange, kAggRange, kGate; kIntSet, kStrSet: the set; kIntIn, kStrIn: the first
    // value's index; kNode: the node; kStrEq2 (a session's own): the constant's
    // TwoOrThreeBytesKey, over the kStrEq's `str` it came from.
    int64_t lo = 0;
    // kStrEq: bytes owned by the program (its constant strings or a set's
    // values), which is immutable once planned, so they never move.
    const char* str;
    // kIntIn and kIntNotIn in a Session's copy (Session::ordered_tests):
    // OrderedRules::ints + lo, the set's first value, so that the test loads
    // no base pointer (lo, the index, is then overwritten).
    const int64_t* ints;
  };
  // kIntRange, kAggRange, kGate: hi - lo, as unsigned; kStrEq, kStrEq2: the constant's
  // length; kIntIn, kStrIn: the number of values; kStrFields: the second field's byte offset.
  uint64_t span = 0;
};
static_assert(sizeof(OrderedTest) == OrderedTest::kStride);

// The first two bytes and the last two (the same two for 2 bytes) of a
// string of 2 or 3 bytes, as one number: two strings of one such length
// are equal exactly when their keys are (kStrEq2).
[[gnu::always_inline]] inline uint32_t TwoOrThreeBytesKey(const char* p, uint64_t len) {
  uint16_t first, last;
  std::memcpy(&first, p, 2);
  std::memcpy(&last, p + len - 2, 2);
  return uint32_t{first} | uint32_t{last} << 16;
}

struct OrderedRules {
  struct Rule {
    uint32_t begin = 0;  // into tests
    uint32_t count = 0;
  };
  std::vector<Rule> rules;  // one per Program::rules entry
  std::vector<OrderedTest> tests;  // the rules' tests in rule order, then one kEnd
  std::vector<int64_t> ints;  // kIntIn's values, kMaxInlineSet a test (the first repeated)
  std::vector<StrView> strs;  // kStrIn's values (program-owned bytes)
};

}  // namespace vigil::eval
