#include "eval/rule_index.hpp"

namespace vigil::eval {

void RuleIndex::Add(uint32_t rule, uint32_t slot, bool is_string,
                    const std::vector<std::string>& strings, const std::vector<int64_t>& ints) {
  FieldIndex* field = nullptr;
  for (auto& f : fields_) {
    if (f.slot == slot) field = &f;
  }
  if (field == nullptr) {
    fields_.emplace_back();
    field = &fields_.back();
    field->slot = slot;
    field->is_string = is_string;
  }
  if (is_string) {
    for (const auto& s : strings) field->by_string[s].push_back(rule);
  } else {
    for (int64_t v : ints) field->by_int[v].push_back(rule);
  }
  // Remember that this rule is indexed: Finish() clears its "always" bit.
  if (unindexed_.size() <= rule / 64) unindexed_.resize(rule / 64 + 1, 0);
  unindexed_[rule / 64] |= uint64_t{1} << (rule % 64);
  ++indexed_count_;
}

void RuleIndex::Finish(size_t rule_count) {
  // Add() set the bits of indexed rules; the stored bitmap is the complement.
  std::vector<uint64_t> always((rule_count + 63) / 64, ~uint64_t{0});
  for (size_t w = 0; w < always.size() && w < unindexed_.size(); ++w) always[w] &= ~unindexed_[w];
  if (rule_count % 64 != 0 && !always.empty()) {
    always.back() &= (uint64_t{1} << (rule_count % 64)) - 1;
  }
  unindexed_ = std::move(always);
}

void RuleIndex::Candidates(const Value* fields, std::vector<uint64_t>& candidates) const {
  candidates.assign(unindexed_.begin(), unindexed_.end());
  for (const FieldIndex& f : fields_) {
    const Value& v = fields[f.slot];
    if (!v.present) continue;
    const std::vector<uint32_t>* rules = nullptr;
    if (f.is_string) {
      auto it = f.by_string.find(v.str());
      if (it != f.by_string.end()) rules = &it->second;
    } else {
      auto it = f.by_int.find(v.i);
      if (it != f.by_int.end()) rules = &it->second;
    }
    if (rules == nullptr) continue;
    for (uint32_t r : *rules) candidates[r / 64] |= uint64_t{1} << (r % 64);
  }
}

}  // namespace vigil::eval
