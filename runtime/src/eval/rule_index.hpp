// The rule index: which rules can fire for an event, found for all rules at
// once, so that per-event cost grows with the rules that match, not with the
// size of the rule set.
//
// A rule's condition is a conjunction (the operands of its top-level `and`).
// Conjuncts that compare one field with constants (`F == c`, `F != c`,
// `F in S`, `not (F in S)`, `F >= c`, ... on a string, int, decimal, time or
// duration field) are *atoms*. Per field, the constants of every rule's atoms
// split the field's values into classes: each constant, for numbers also the
// open intervals between constants, for strings "any other string", and
// "missing". Every value in a class makes every atom on the field equally
// true or false, so one bitmap per class records which rules have all their
// atoms on that field true there. An event looks up its class in each indexed
// field (a hash probe for strings, a binary search for numbers) and ANDs the
// bitmaps: the set bits are exactly the rules whose atoms are all true, and
// only their remaining conjuncts are evaluated (Program::residuals).
//
// Exact by construction: an atom is false or unknown exactly where its bit is
// clear, and a rule fires only when every conjunct is true. The differential
// tests (tests/unit/eval/index_test.cpp, tests/e2e/differential_test.py)
// compare against evaluating every condition in full.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "eval/sets.hpp"
#include "eval/value.hpp"
#include "plan/ir.hpp"

namespace vigil::eval {

class RuleIndex {
 public:
  // One indexable conjunct of one rule.
  struct Atom {
    uint32_t rule = 0;
    uint32_t slot = 0;
    bool is_string = false;
    bool is_set = false;   // F in S (values in strs/ints); otherwise F cmp value
    bool negated = false;  // not (...)
    plan::CmpOp cmp = plan::CmpOp::kEq;
    std::vector<std::string> strs;
    std::vector<int64_t> ints;  // ints, decimal units, times, durations
  };

  // Limits that keep the index small: a field whose constants would make
  // more classes than this is left to the evaluator, and so is the whole
  // index past kMaxBytes (rule sets with very large inline sets).
  static constexpr size_t kMaxClassesPerField = 4096;
  static constexpr size_t kMaxBytes = size_t{256} << 20;
  // A field whose classes admit on average more than this share of the
  // rules is not indexed (see Build).
  static constexpr double kMaxDensity = 0.9;

  // Builds the index; returns, per atom, whether the index decides it (an
  // atom not decided must stay in its rule's residual conjuncts).
  std::vector<bool> Build(const std::vector<Atom>& atoms, size_t rule_count);

  // Writes words() words into `out`: bit r is set when every atom of rule r
  // is true for this event (always, for a rule without atoms). Returns
  // whether any bit is set (most events of a large rule set leave none).
  bool Candidates(const Value* fields, uint64_t* out) const;
  // The same bits by the plain way: each field's class by its sorted
  // constants (a hash probe, a binary search), every row ANDed. For tests,
  // which compare Candidates' lookups with it.
  void CandidatesReference(const Value* fields, uint64_t* out) const;

  size_t words() const { return words_; }
  size_t indexed_fields() const { return fields_.size(); }
  size_t indexed_rules() const { return indexed_rules_; }
  size_t memory_bytes() const {
    return (bits_.size() + tables_.size()) * sizeof(uint64_t) + ranges_.size() * sizeof(uint16_t);
  }
  // Indexed string fields whose constants all fit the short strings' table
  // (MakeLookups); the others are probed in their StrSet.
  size_t short_string_fields() const {
    return static_cast<size_t>(std::count_if(lookups_.begin(), lookups_.end(), [](const Lookup& l) {
      return l.kind == kShortString;
    }));
  }

  // Indexed number fields whose points are close enough together for a
  // class table over their range (MakeLookups); the others are searched.
  size_t small_range_fields() const {
    return static_cast<size_t>(std::count_if(lookups_.begin(), lookups_.end(), [](const Lookup& l) {
      return l.kind == kSmallRange;
    }));
  }

  // What an event's lookup in each indexed field costs depends on this (the
  // planner's estimate, plan/strategy.hpp).
  struct FieldShape {
    bool is_string = false;
    size_t constants = 0;
  };
  std::vector<FieldShape> field_shapes() const;

 private:
  struct FieldIndex {
    uint32_t slot = 0;
    bool is_string = false;
    StrSet strings;               // class of a string: its rank; others: n; missing: n + 1
    std::vector<int64_t> points;  // numbers: 2i + 1 = points[i], 2i below it, 2m above all,
                                  // missing 2m + 1
    size_t offset = 0;            // first word of class 0 in bits_
    uint32_t classes = 0;
    double density = 0;  // mean share of rules a class admits
  };
  uint32_t ClassOf(const FieldIndex& f, const Value& v) const;

  // What Candidates reads of one indexed field, in fields_' order: 32
  // bytes, contiguous, so that an event's lookups touch a cache line or two
  // of them and none of FieldIndex's vectors. Offsets, not pointers, so that
  // a copied index stays valid.
  enum LookupKind : uint8_t {
    kNumber,       // tables_[table ...]: the points, then INT64_MAX up to 2^shift entries
    kShortString,  // every constant of at most 8 bytes: a perfect hash, below
    kString,       // fields_[field].strings (a constant longer than 8 bytes)
    // Points spanning at most kMaxRangeEntries values: ranges_[table + x -
    // lo] is the class of x, clamped to [lo, lo + n] (one below the first
    // point, one above the last), lo in `mult`.
    kSmallRange,
  };
  static constexpr size_t kMaxRangeEntries = 8192;
  static constexpr size_t kMaxRangeEntriesPerPoint = 512;
  struct Lookup {
    uint32_t at = 0;      // the field's Value: slot * sizeof(Value) bytes from the first
    LookupKind kind = kNumber;
    // kShortString: 64 - log2(its table's slots); kNumber: log2 of its
    // table's entries (a power of two, more than the points).
    uint8_t shift = 0;
    uint16_t field = 0;   // kString: the FieldIndex
    uint32_t n = 0;       // kNumber: the points; kShortString: its class "any other";
                          // kSmallRange: the table's entries less one
    uint32_t missing = 0;  // the class of a missing value
    uint32_t table = 0;   // first word in tables_
    uint32_t rows = 0;    // first word of class 0 in bits_
    uint64_t mult = 0;    // kShortString: the hash's multiplier; kSmallRange: lo
  };
  static_assert(sizeof(Lookup) == 32);
  void MakeLookups();
  static bool SmallRange(const std::vector<int64_t>& points);
  template <size_t kWords, bool kStrSet>
  bool CandidatesOf(const Value* fields, uint64_t* out) const;
  template <bool kStrSet>
  bool CandidatesSized(const Value* fields, uint64_t* out) const;

  std::vector<FieldIndex> fields_;
  std::vector<Lookup> lookups_;
  // kNumber: a field's points as int64 then INT64_MAX; kShortString: two
  // words a slot: the string's bytes (zero-padded, little-endian), then its
  // length (low half; 0xFFFFFFFF for an empty slot) and class (high half).
  std::vector<uint64_t> tables_;
  std::vector<uint16_t> ranges_;  // kSmallRange's classes, up to kMaxRangeEntries a field
  std::vector<uint64_t> bits_;
  std::vector<uint64_t> all_rules_;  // used when no field is indexed
  size_t words_ = 0;
  size_t indexed_rules_ = 0;
  bool str_set_lookups_ = false;  // some lookup is kString (MakeLookups)
};

}  // namespace vigil::eval
