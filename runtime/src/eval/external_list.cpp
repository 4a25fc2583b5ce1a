#include "eval/external_list.hpp"

#include <fmt/format.h>

#include <charconv>

#include "base/decimal.hpp"
#include "base/time_util.hpp"

namespace vigil::eval {

bool ReplaceExternalList(const ExternalList& list, const std::vector<std::string_view>& values,
                         std::string* error) {
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
    } else {
      switch (list.kind) {
        case Kind::kString:
          strs.emplace_back(v);
          break;
        case Kind::kInt: {
          int64_t x = 0;
          auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
          ok = ec == std::errc() && p == v.data() + v.size();
          if (ok) ints.push_back(x);
          break;
        }
        case Kind::kDecimal: {
          std::optional<Decimal> d = ParseDecimal(v);
          ok = d.has_value();
          if (ok) ints.push_back(d->units);
          break;
        }
        case Kind::kTime:
        case Kind::kDuration: {
          std::optional<int64_t> t = list.kind == Kind::kTime ? ParseTime(v) : ParseDuration(v);
          ok = t.has_value();
          if (ok) ints.push_back(*t);
          break;
        }
        default:
          ok = false;
          break;
      }
    }
    if (!ok) {
      *error = fmt::format("value {} (\"{}\") is not {} for list '{}'", i,
                           std::string(v.substr(0, 40)),
                           list.hashed ? "a SHA-256 digest (64 hex digits)"
                                       : std::string("a ") + KindName(list.kind),
                           list.name);
      return false;
    }
  }
  set->strs.Build(std::move(strs));
  set->ints.Build(std::move(ints));
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
