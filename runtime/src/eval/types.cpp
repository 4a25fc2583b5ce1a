#include "eval/types.hpp"

#include <charconv>

#include "base/decimal.hpp"
#include "base/time_util.hpp"

namespace vigil {

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kError: return "<error>";
    case Kind::kBool: return "bool";
    case Kind::kInt: return "int";
    case Kind::kDecimal: return "decimal";
    case Kind::kFloat: return "float";
    case Kind::kString: return "string";
    case Kind::kTime: return "time";
    case Kind::kDuration: return "duration";
    case Kind::kTuple: return "tuple";
  }
  return "<error>";
}

std::string TypeName(Type t) {
  if (t.is_set) return std::string("set<") + KindName(t.kind) + ">";
  return KindName(t.kind);
}

std::optional<int64_t> ParseNumericValue(Kind kind, std::string_view text) {
  switch (kind) {
    case Kind::kInt: {
      int64_t x = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
      if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
      return x;
    }
    case Kind::kDecimal:
      if (std::optional<Decimal> d = ParseDecimal(text)) return d->units;
      return std::nullopt;
    case Kind::kTime:
      return ParseTimeOrDate(text);
    case Kind::kDuration:
      return ParseDuration(text);
    default:
      return std::nullopt;
  }
}

}  // namespace vigil
