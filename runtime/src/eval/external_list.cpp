#include "eval/external_list.hpp"

#include <fmt/format.h>

namespace vigil::eval {

const ExternalList* FindExternalList(const std::deque<ExternalList>& lists, std::string_view name) {
  for (const ExternalList& l : lists) {
    if (l.name == name) return &l;
  }
  return nullptr;
}

bool ReplaceExternalList(const ExternalList& list, const std::vector<std::string_view>& values,
                         std::string* error, size_t* bad_index) {
  auto set = std::make_shared<ExternalSet>();
  std::vector<std::string> strs;
  std::vector<int64_t> ints;
  std::string digest;
  for (size_t i = 0; i < values.size(); ++i) {
    std::string_view v = values[i];
    bool ok = true;
    if (list.hashed) {
      ok = ParseDigestHex(v, &digest);
      if (ok) strs.push_back(digest);
    } else if (list.kind == Kind::kString) {
      strs.emplace_back(v);
    } else if (std::optional<int64_t> x = ParseNumericValue(list.kind, v)) {
      ints.push_back(*x);
    } else {
      ok = false;
    }
    if (!ok) {
      *error = fmt::format("value {} (\"{}\") is not {} for list '{}'", i,
                           std::string(v.substr(0, 40)),
                           list.hashed ? "a SHA-256 digest (64 hex digits)"
                                       : std::string("a ") + KindName(list.kind),
                           list.name);
      if (bad_index != nullptr) *bad_index = i;
      return false;
    }
  }
  set->strs.Build(std::move(strs));
  set->ints.Build(std::move(ints));
  const bool numeric = !list.hashed && list.kind != Kind::kString;
  set->digest = numeric ? SetDigest(set->ints) : SetDigest(set->strs);
  set->size = numeric ? set->ints.size() : set->strs.size();
  std::shared_ptr<const ExternalSet> old;
  {
    std::lock_guard<std::mutex> lock(list.mu);
    old = std::move(list.current);
    list.current = std::move(set);
  }
  list.version.fetch_add(1, std::memory_order_acq_rel);
  return true;  // `old` is freed here, outside the lock, unless a session still uses it
}

}  // namespace vigil::eval
