// The exact form of impact counts (`vigil.impact-exact/1`): written by
// `vigil impact --exact`, read and added by `vigil impact merge`.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>

#include "base/json_value.hpp"
#include "impact/impact.hpp"

namespace vigil::impact {

using json::Value;

namespace {

Value CountsToJson(const std::map<std::string, int64_t>& m) {
  Value o = Value::Object();
  for (const auto& [k, n] : m) o.Set(k, Value::Int(n));
  return o;
}

Value DurationsToJson(const Durations& d) {
  Value o = Value::Object();
  for (const auto& [typ, hist] : d) {
    Value h = Value::Object();
    for (const auto& [hours, n] : hist) h.Set(std::to_string(hours), Value::Int(n));
    o.Set(typ, std::move(h));
  }
  return o;
}

// Reads {key: {key: ... count}} nested `depth` objects deep, calling `put`
// with the keys and the count; counts must be whole numbers >= 0.
template <typename Fn>
bool ReadNested(const Value& v, const std::string& path, int depth, std::vector<std::string>& keys,
                Fn&& put, std::string* error) {
  if (depth == 0) {
    std::optional<int64_t> n = v.is_number() ? v.AsInt() : std::nullopt;
    if (!n || *n < 0) {
      *error = fmt::format("member '{}': expected a whole number >= 0", path);
      return false;
    }
    return put(keys, *n, path, error);
  }
  if (!v.is_object()) {
    *error = fmt::format("member '{}': expected an object, found {}", path, json::TypeName(v.type()));
    return false;
  }
  for (const auto& [k, child] : v.members()) {
    keys.push_back(k);
    if (!ReadNested(child, path + "." + k, depth - 1, keys, put, error)) return false;
    keys.pop_back();
  }
  return true;
}

// Every count of `e` added up; nullopt above kMaxCountSum.
std::optional<int64_t> CountSum(const Exact& e) {
  int64_t sum = 0;
  bool ok = true;
  auto add = [&](int64_t n) { ok = ok && !__builtin_add_overflow(sum, n, &sum) && sum <= kMaxCountSum; };
  for (const auto& [name, table] : e.tables) {
    for (const auto& [p, row] : table) {
      for (const auto& [col, n] : row) add(n);
    }
  }
  for (const Durations* d : {&e.alert_to_report, &e.report_to_feedback}) {
    for (const auto& [typ, hist] : *d) {
      for (const auto& [h, n] : hist) add(n);
    }
  }
  for (const auto& [rule, versions] : e.rules) {
    for (const auto& [v, periods] : versions) {
      for (const auto& [p, c] : periods) {
        add(c.confirmed);
        add(c.false_positives);
      }
    }
  }
  if (!ok) return std::nullopt;
  return sum;
}

bool ParsePeriod(const std::string& text, Period* out) {
  if (text == "month") *out = Period::kMonth;
  else if (text == "week") *out = Period::kWeek;
  else return false;
  return true;
}

}  // namespace

std::string WriteExact(const Exact& e) {
  Value o = Value::Object();
  o.Set("format", Value::String(kExactFormat));
  o.Set("period", Value::String(PeriodName(e.period)));
  o.Set("members", Value::Int(e.members));
  Value tables = Value::Object();
  for (const auto& [name, table] : e.tables) {
    Value t = Value::Object();
    for (const auto& [period, row] : table) t.Set(period, CountsToJson(row));
    tables.Set(name, std::move(t));
  }
  o.Set("tables", std::move(tables));
  o.Set("alert_to_report", DurationsToJson(e.alert_to_report));
  o.Set("report_to_feedback", DurationsToJson(e.report_to_feedback));
  Value rules = Value::Object();
  for (const auto& [rule, versions] : e.rules) {
    Value vs = Value::Object();
    for (const auto& [version, periods] : versions) {
      Value ps = Value::Object();
      for (const auto& [p, c] : periods) {
        Value pair = Value::Object();
        pair.Set("confirmed", Value::Int(c.confirmed));
        pair.Set("false_positives", Value::Int(c.false_positives));
        ps.Set(p, std::move(pair));
      }
      vs.Set(version, std::move(ps));
    }
    rules.Set(rule, std::move(vs));
  }
  o.Set("rules", std::move(rules));
  std::string out;
  json::WritePretty(o, out);
  out += '\n';
  return out;
}

bool ReadExact(std::string_view text, const std::string& name, Exact* out, std::string* error) {
  Value doc;
  json::ParseError perr;
  if (!json::Parse(text, &doc, &perr)) {
    *error = fmt::format("{}:{}:{}: {}", name, perr.line, perr.column, perr.message);
    return false;
  }
  auto fail = [&](const std::string& why) {
    *error = fmt::format("{}: {}", name, why);
    return false;
  };
  const Value* format = doc.is_object() ? doc.Find("format") : nullptr;
  if (format == nullptr || !format->is_string()) return fail("member 'format': missing");
  if (format->text() == "vigil.impact/1") {
    return fail("this is a published impact file, whose small cells are hidden: merging those "
                "would add up hidden and complementary cells unsoundly. Merge the members' exact "
                "files (`vigil impact ... --exact FILE`) instead (docs/impact.md, \"Merging\")");
  }
  if (format->text() != kExactFormat) {
    return fail(fmt::format("member 'format': expected \"{}\", found \"{}\"", kExactFormat,
                            format->text()));
  }
  Exact e;
  for (const auto& [key, v] : doc.members()) {
    std::string why;
    std::vector<std::string> keys;
    if (key == "format") continue;
    if (key == "period") {
      if (!v.is_string() || !ParsePeriod(v.text(), &e.period)) {
        return fail("member 'period': expected \"month\" or \"week\"");
      }
    } else if (key == "members") {
      std::optional<int64_t> n = v.is_number() ? v.AsInt() : std::nullopt;
      if (!n || *n < 1 || *n > kMaxMembers) {
        return fail(fmt::format("member 'members': expected a whole number from 1 to {}",
                                kMaxMembers));
      }
      e.members = *n;
    } else if (key == "tables") {
      if (!v.is_object()) return fail("member 'tables': expected an object");
      for (const auto& member : v.members()) {
        // Not a structured binding: clang 14 cannot capture one in a lambda.
        const std::string& tname = member.first;
        const auto& t = member.second;
        if (std::none_of(std::begin(kTables), std::end(kTables),
                         [&](const char* known) { return tname == known; })) {
          return fail(fmt::format("member 'tables.{}': not a table of impact files", tname));
        }
        Table& table = e.tables[tname];
        if (!ReadNested(t, "tables." + tname, 2, keys,
                        [&](const std::vector<std::string>& k, int64_t n, const std::string&,
                            std::string*) {
                          table[k[0]][k[1]] = n;
                          return true;
                        },
                        &why)) {
          return fail(why);
        }
      }
    } else if (key == "alert_to_report" || key == "report_to_feedback") {
      Durations& d = key == "alert_to_report" ? e.alert_to_report : e.report_to_feedback;
      if (!ReadNested(v, key, 2, keys,
                      [&](const std::vector<std::string>& k, int64_t n, const std::string& path,
                          std::string* err) {
                        int64_t hours = 0;
                        auto r = std::from_chars(k[1].data(), k[1].data() + k[1].size(), hours);
                        if (r.ec != std::errc() || r.ptr != k[1].data() + k[1].size() ||
                            hours < 0) {
                          *err = fmt::format("member '{}': expected whole hours as the key", path);
                          return false;
                        }
                        d[k[0]][hours] = n;
                        return true;
                      },
                      &why)) {
        return fail(why);
      }
    } else if (key == "rules") {
      if (!ReadNested(v, "rules", 4, keys,
                      [&](const std::vector<std::string>& k, int64_t n, const std::string& path,
                          std::string* err) {
                        RuleCounts& rc = e.rules[k[0]][k[1]][k[2]];
                        if (k[3] == "confirmed") {
                          rc.confirmed = n;
                        } else if (k[3] == "false_positives") {
                          rc.false_positives = n;
                        } else {
                          *err = fmt::format("member '{}': expected confirmed or false_positives",
                                             path);
                          return false;
                        }
                        return true;
                      },
                      &why)) {
        return fail(why);
      }
    } else {
      return fail(fmt::format("member '{}': not a member of a {} file", key, kExactFormat));
    }
  }
  if (!CountSum(e)) {
    return fail(fmt::format("the counts add up to more than {}: not the counts of real cases",
                            kMaxCountSum));
  }
  for (const char* t : kTables) e.tables[t];
  *out = std::move(e);
  return true;
}

bool MergeExact(Exact* a, const Exact& b, std::string* error) {
  if (a->period != b.period) {
    *error = fmt::format("one file counts by {}, another by {}: count both by the same period",
                         PeriodName(a->period), PeriodName(b.period));
    return false;
  }
  const std::optional<int64_t> sum_a = CountSum(*a), sum_b = CountSum(b);
  if (!sum_a || !sum_b || *sum_a + *sum_b > kMaxCountSum) {
    *error = fmt::format("the counts added up would be more than {}: not the counts of real cases",
                         kMaxCountSum);
    return false;
  }
  if (a->members + b.members > kMaxMembers) {
    *error = fmt::format("more than {} members added up", kMaxMembers);
    return false;
  }
  a->members += b.members;
  for (const auto& [name, table] : b.tables) {
    for (const auto& [p, row] : table) {
      for (const auto& [col, n] : row) a->tables[name][p][col] += n;
    }
  }
  for (const auto& [typ, hist] : b.alert_to_report) {
    for (const auto& [h, n] : hist) a->alert_to_report[typ][h] += n;
  }
  for (const auto& [typ, hist] : b.report_to_feedback) {
    for (const auto& [h, n] : hist) a->report_to_feedback[typ][h] += n;
  }
  for (const auto& [rule, versions] : b.rules) {
    for (const auto& [v, periods] : versions) {
      for (const auto& [p, c] : periods) {
        RuleCounts& rc = a->rules[rule][v][p];
        rc.confirmed += c.confirmed;
        rc.false_positives += c.false_positives;
      }
    }
  }
  return true;
}

}  // namespace vigil::impact
