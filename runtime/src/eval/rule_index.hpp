// A prefilter that skips rules which cannot fire for an event. A rule whose
// condition is `... and F == c and ...` or `... and F in S and ...` (F a
// string or int field) can only be true when the event's F is c or in S; the
// index maps each such value to the rules it admits. Rules without such a
// predicate are always evaluated. Skipping is exact: a skipped rule's
// condition is false or unknown, and only `true` fires.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "eval/value.hpp"

namespace vigil::eval {

class RuleIndex {
 public:
  struct FieldIndex {
    uint32_t slot = 0;
    bool is_string = false;
    struct Hash {
      using is_transparent = void;
      size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
    };
    std::unordered_map<std::string, std::vector<uint32_t>, Hash, std::equal_to<>> by_string;
    std::unordered_map<int64_t, std::vector<uint32_t>> by_int;
  };

  // Builds the index from each rule's chosen predicate (see plan/planner.cpp).
  void Add(uint32_t rule, uint32_t slot, bool is_string, const std::vector<std::string>& strings,
           const std::vector<int64_t>& ints);
  void Finish(size_t rule_count);

  bool empty() const { return fields_.empty(); }
  // Marks in `candidates` (one bit per rule) the indexed rules this event
  // admits, and every rule that is not indexed.
  void Candidates(const Value* fields, std::vector<uint64_t>& candidates) const;
  size_t indexed_rules() const { return indexed_count_; }

 private:
  std::vector<FieldIndex> fields_;
  std::vector<uint64_t> unindexed_;  // bitmap of rules that are always evaluated
  size_t indexed_count_ = 0;
};

}  // namespace vigil::eval
