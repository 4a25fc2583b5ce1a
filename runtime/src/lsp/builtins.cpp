#include "lsp/builtins.hpp"

namespace vigil::lsp {

const std::vector<BuiltinDoc>& Builtins() {
  static const std::vector<BuiltinDoc> kBuiltins = {
      {"lower", "lower(s: string) -> string", "lower(${1:s})",
       "lower case (ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic)"},
      {"upper", "upper(s: string) -> string", "upper(${1:s})",
       "upper case (ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic)"},
      {"len", "len(s: string) -> int", "len(${1:s})", "length in code points, not bytes"},
      {"contains", "contains(s: string, sub: string) -> bool", "contains(${1:s}, ${2:sub})",
       "whether s contains sub (case-sensitive, byte-wise)"},
      {"starts_with", "starts_with(s: string, prefix: string) -> bool",
       "starts_with(${1:s}, ${2:prefix})", "whether s starts with prefix (case-sensitive)"},
      {"ends_with", "ends_with(s: string, suffix: string) -> bool", "ends_with(${1:s}, ${2:suffix})",
       "whether s ends with suffix (case-sensitive)"},
      {"abs", "abs(x: int | decimal | float | duration) -> like x", "abs(${1:x})",
       "absolute value"},
      {"min", "min(a, b) -> common type", "min(${1:a}, ${2:b})",
       "the smaller of two numbers, strings, times or durations"},
      {"max", "max(a, b) -> common type", "max(${1:a}, ${2:b})",
       "the larger of two numbers, strings, times or durations"},
      {"hour", "hour(t: time [, zone: string]) -> int", "hour(${1:t})",
       "hour of the day 0-23, in UTC or in the IANA zone given"},
      {"weekday", "weekday(t: time [, zone: string]) -> int", "weekday(${1:t})",
       "ISO 8601 weekday: 1 = Monday ... 7 = Sunday"},
      {"days_between", "days_between(t1: time, t2: time) -> int", "days_between(${1:t1}, ${2:t2})",
       "whole days from t1 to t2, truncated toward zero"},
      {"coalesce", "coalesce(a, b) -> common type", "coalesce(${1:a}, ${2:b})",
       "a if present, else b"},
      {"sha256", "sha256(s: string) -> string", "sha256(${1:s})", "SHA-256 of s, lowercase hex"},
      {"to_int", "to_int(b: bool) -> int", "to_int(${1:b})",
       "1 when b is true, 0 when false, missing when unknown (weights of indicators)"},
      {"count", "count(by: KEY, within: DURATION [, where: COND]) -> int",
       "count(by: ${1:key}, within: ${2:24h})",
       "events of this key in the window (t - within, t]", true},
      {"sum", "sum(x, by: KEY, within: DURATION [, where: COND]) -> like x",
       "sum(${1:x}, by: ${2:key}, within: ${3:24h})",
       "sum of x over the key's events in the window; 0 over none", true},
      {"avg", "avg(x, by: KEY, within: DURATION [, where: COND]) -> decimal | like x",
       "avg(${1:x}, by: ${2:key}, within: ${3:24h})",
       "mean of x over the key's events in the window; missing over none", true},
      {"min", "min(x, by: KEY, within: DURATION [, where: COND]) -> like x",
       "min(${1:x}, by: ${2:key}, within: ${3:24h})",
       "smallest x over the key's events in the window; missing over none", true},
      {"max", "max(x, by: KEY, within: DURATION [, where: COND]) -> like x",
       "max(${1:x}, by: ${2:key}, within: ${3:24h})",
       "largest x over the key's events in the window; missing over none", true},
      {"distinct", "distinct(x, by: KEY, within: DURATION [, where: COND]) -> int",
       "distinct(${1:x}, by: ${2:key}, within: ${3:24h})",
       "how many different values of x the key's events in the window have", true},
      {"median",
       "median(x, by: KEY, within: DURATION [, where: COND, offset: DURATION, current: BOOL])"
       " -> decimal | like x",
       "median(${1:x}, by: ${2:key}, within: ${3:30d})",
       "exact median of x over the key's events in the window; missing over none", true},
      {"percentile",
       "percentile(x, P, by: KEY, within: DURATION [, where: COND, offset: DURATION, current: "
       "BOOL]) -> like x",
       "percentile(${1:x}, ${2:90}, by: ${3:key}, within: ${4:30d})",
       "the P-th percentile of x (nearest rank, exact) over the key's events in the window", true},
      {"since_previous", "since_previous(by: KEY, within: DURATION [, where: COND]) -> duration",
       "since_previous(by: ${1:key}, within: ${2:30d})",
       "time since the key's previous event in the window; missing when there is none", true},
  };
  return kBuiltins;
}

std::vector<const BuiltinDoc*> FindBuiltin(std::string_view name) {
  std::vector<const BuiltinDoc*> out;
  for (const auto& b : Builtins()) {
    if (b.name == name) out.push_back(&b);
  }
  return out;
}

const std::vector<std::string_view>& Keywords() {
  static const std::vector<std::string_view> kKeywords = {
      "and", "or", "not", "in", "matches", "is", "missing", "present", "true", "false",
      "ruleset", "uses", "schema", "const", "list", "param", "let", "rule", "test", "import",
      "override", "when", "then", "version", "from", "external", "hashed", "set", "disable",
      "severity", "title", "tags", "mode", "score", "decide", "tag", "reason", "decisions", "reversal",
      "event", "repeat", "every", "expect", "fires", "decision",
  };
  return kKeywords;
}

const std::vector<std::string_view>& DurationUnits() {
  static const std::vector<std::string_view> kUnits = {"us", "ms", "s", "m", "h", "d"};
  return kUnits;
}

}  // namespace vigil::lsp
