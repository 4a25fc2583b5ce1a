#include "report/paths.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>

#include "base/decimal.hpp"
#include "base/time_util.hpp"
#include "base/tz.hpp"

namespace vigil::report {

namespace {

constexpr std::string_view kCaseMembers[] = {
    "case_id",     "subject",           "subject_field", "window",
    "opened",      "last_alert",        "decision",      "alert_count",
    "transaction_count", "typologies",  "rulesets",      "first_transaction",
    "last_transaction",  "total_amount",
};
constexpr std::string_view kReportMembers[] = {"date", "currency"};
constexpr std::string_view kAlertMembers[] = {"event", "time", "decision", "score"};
constexpr std::string_view kRuleMembers[] = {"id",       "name",   "title", "version",
                                             "severity", "reason", "tags",  "alerts"};

template <size_t N>
bool OneOf(std::string_view s, const std::string_view (&list)[N]) {
  for (std::string_view x : list) {
    if (x == s) return true;
  }
  return false;
}

template <size_t N>
std::string Join(const std::string_view (&list)[N]) {
  std::string out;
  for (std::string_view x : list) {
    if (!out.empty()) out += ", ";
    out += x;
  }
  return out;
}

const char* ScopeName(PathScope scope) {
  switch (scope) {
    case PathScope::kReport: return "the report header and parties";
    case PathScope::kTransaction: return "a transaction";
    case PathScope::kNarrative: return "narrative.text";
    case PathScope::kNarrativeRule: return "narrative.rule";
    case PathScope::kNarrativeAlert: return "narrative.alert";
    case PathScope::kNarrativeAlertRule: return "narrative.alert_rule";
  }
  return "this place";
}

}  // namespace

bool ValidPath(const Profile& profile, PathScope scope, std::string_view path, std::string* why) {
  size_t dot = path.find('.');
  if (dot == std::string_view::npos) {
    // Placeholders of the narrative that stand for a list.
    std::string_view allowed;
    if (path == "alerts" || path == "typologies") {
      if (scope == PathScope::kNarrative) return true;
      allowed = "narrative.text";
    } else if (path == "rules") {
      if (scope == PathScope::kNarrative || scope == PathScope::kNarrativeAlert) return true;
      allowed = "narrative.text and narrative.alert";
    } else if (path == "evidence") {
      if (scope == PathScope::kNarrativeRule || scope == PathScope::kNarrativeAlertRule) return true;
      allowed = "narrative.rule and narrative.alert_rule";
    }
    if (!allowed.empty()) {
      *why = fmt::format("{{{}}} is only available in {}", path, allowed);
    } else {
      *why = fmt::format("'{}' is not a path: expected event.FIELD, case.MEMBER, report.MEMBER "
                         "or LOOKUP.MEMBER", path);
    }
    return false;
  }
  std::string_view root = path.substr(0, dot), member = path.substr(dot + 1);
  if (member.empty()) {
    *why = fmt::format("'{}' names no member after the dot", path);
    return false;
  }
  if (root == "event") return true;
  if (root == "case") {
    if (OneOf(member, kCaseMembers)) return true;
    *why = fmt::format("'{}': a case has no member '{}' (it has {})", path, member,
                       Join(kCaseMembers));
    return false;
  }
  if (root == "report") {
    if (OneOf(member, kReportMembers)) return true;
    *why = fmt::format("'{}': the report has no member '{}' (it has {})", path, member,
                       Join(kReportMembers));
    return false;
  }
  const bool rule_scope = scope == PathScope::kNarrativeRule || scope == PathScope::kNarrativeAlertRule;
  if (root == "alert") {
    if (scope != PathScope::kNarrativeAlert && !rule_scope) {
      *why = fmt::format("'{}' is only available in narrative.alert, narrative.alert_rule and "
                         "narrative.rule, not in {}", path, ScopeName(scope));
      return false;
    }
    if (OneOf(member, kAlertMembers)) return true;
    *why = fmt::format("'{}': an alert has no member '{}' (it has {})", path, member,
                       Join(kAlertMembers));
    return false;
  }
  if (root == "rule") {
    if (!rule_scope) {
      *why = fmt::format("'{}' is only available in narrative.rule and narrative.alert_rule, not in "
                         "{}", path, ScopeName(scope));
      return false;
    }
    if (member == "alerts" && scope != PathScope::kNarrativeRule) {
      *why = fmt::format("'{}' is only available in narrative.rule (a rule of the case)", path);
      return false;
    }
    if (OneOf(member, kRuleMembers)) return true;
    *why = fmt::format("'{}': a fired rule has no member '{}' (it has {})", path, member,
                       Join(kRuleMembers));
    return false;
  }
  if (!LookupOfPath(profile, path).empty()) return true;
  *why = fmt::format("'{}': unknown source '{}' (event, case, report, alert, rule, or a lookup "
                     "declared in \"lookups\")", path, root);
  return false;
}

bool TemplatePlaceholders(std::string_view text, std::vector<std::string_view>* names,
                          std::string* why) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{') {
      if (i + 1 < text.size() && text[i + 1] == '{') {
        ++i;
        continue;
      }
      size_t end = text.find('}', i + 1);
      if (end == std::string_view::npos) {
        *why = fmt::format("the template has a '{{' at character {} without its '}}' (write "
                           "'{{{{' for a brace)", i + 1);
        return false;
      }
      std::string_view name = text.substr(i + 1, end - i - 1);
      if (name.empty() || name.find('{') != std::string_view::npos) {
        *why = fmt::format("the template has an empty or broken placeholder at character {}", i + 1);
        return false;
      }
      names->push_back(name);
      i = end;
    } else if (text[i] == '}') {
      if (i + 1 < text.size() && text[i + 1] == '}') {
        ++i;
        continue;
      }
      *why = fmt::format("the template has a '}}' at character {} without its '{{' (write '}}}}' "
                         "for a brace)", i + 1);
      return false;
    }
  }
  return true;
}

bool ReadLookupFile(const std::string& path, LookupTable* table, std::string* error) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (file == nullptr) {
    *error = fmt::format("cannot read \"{}\"", path);
    return false;
  }
  table->file = path;
  constexpr size_t kMaxLine = size_t{1} << 20;
  std::unordered_map<std::string, size_t> first_line;
  std::string line;
  size_t number = 0;
  int c = 0;
  bool more = true;
  while (more) {
    line.clear();
    bool too_long = false;
    while ((c = std::fgetc(file.get())) != EOF && c != '\n') {
      if (line.size() < kMaxLine) {
        line += static_cast<char>(c);
      } else {
        too_long = true;
      }
    }
    more = c != EOF;
    ++number;
    if (too_long) {
      *error = fmt::format("{}:{}: the line is longer than {} bytes", path, number, kMaxLine);
      return false;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    json::Value record;
    json::ParseError perr;
    if (!json::Parse(line, &record, &perr)) {
      *error = fmt::format("{}:{}:{}: {}", path, number, perr.column, perr.message);
      return false;
    }
    if (!record.is_object()) {
      *error = fmt::format("{}:{}: expected a JSON object, found {}", path, number,
                           json::TypeName(record.type()));
      return false;
    }
    const json::Value* key = record.Find(table->key);
    std::optional<std::string> key_text = key == nullptr ? std::nullopt : ScalarText(*key);
    if (!key_text || key_text->empty()) {
      *error = fmt::format("{}:{}: the record has no '{}' (the key of lookup '{}')", path, number,
                           table->key, table->name);
      return false;
    }
    auto [it, inserted] = first_line.emplace(*key_text, number);
    if (!inserted) {
      *error = fmt::format("{}:{}: a second record with {} {} (the first is on line {})", path,
                           number, table->key, *key_text, it->second);
      return false;
    }
    table->records.emplace(*key_text, std::move(record));
  }
  if (std::ferror(file.get())) {
    *error = fmt::format("cannot read \"{}\"", path);
    return false;
  }
  return true;
}

std::optional<std::string> ScalarText(const json::Value& v) {
  switch (v.type()) {
    case json::Type::kString:
    case json::Type::kNumber:
      return v.text();
    case json::Type::kBool:
      return std::string(v.boolean() ? "true" : "false");
    case json::Type::kArray: {
      std::string out;
      for (const json::Value& item : v.items()) {
        std::optional<std::string> t = ScalarText(item);
        if (!t || item.is_array()) return std::nullopt;
        if (!out.empty()) out += ", ";
        out += *t;
      }
      if (out.empty()) return std::nullopt;
      return out;
    }
    default:
      return std::nullopt;
  }
}

namespace {

// The transaction a path reads in this context: the current one, or the
// case's first.
const cases::Transaction* EventOf(const Context& ctx) {
  if (ctx.txn != nullptr) return ctx.txn;
  if (ctx.alert != nullptr) {
    for (const auto& t : ctx.c->transactions) {
      if (t.event == ctx.alert->event) return &t;
    }
  }
  return ctx.c->transactions.empty() ? nullptr : &ctx.c->transactions.front();
}

std::string JoinStrings(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::optional<std::string> CaseMember(const Context& ctx, std::string_view m) {
  const cases::Case& c = *ctx.c;
  if (m == "case_id") return c.case_id;
  if (m == "subject") return c.subject.value;
  if (m == "subject_field") return c.subject.field;
  if (m == "window") return c.window;
  if (m == "opened") return c.opened;
  if (m == "last_alert") return c.last_alert;
  if (m == "decision") return c.decision;
  if (m == "alert_count") return std::to_string(c.alerts.size());
  if (m == "transaction_count") return std::to_string(c.transactions.size());
  if (m == "typologies") return c.typologies.empty() ? std::nullopt
                                                     : std::optional(JoinStrings(c.typologies, ", "));
  if (m == "rulesets") {
    std::vector<std::string> sets;
    for (const auto& r : c.rulesets) sets.push_back(r.name + " " + r.version);
    return JoinStrings(sets, ", ");
  }
  if (m == "first_transaction") {
    return c.transactions.empty() ? std::nullopt : std::optional(c.transactions.front().time);
  }
  if (m == "last_transaction") {
    return c.transactions.empty() ? std::nullopt : std::optional(c.transactions.back().time);
  }
  if (m == "total_amount") {
    return ctx.total_amount.empty() ? std::nullopt : std::optional(ctx.total_amount);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> ResolvePath(const Context& ctx, std::string_view path, std::string* why) {
  size_t dot = path.find('.');
  std::string_view root = path.substr(0, dot), member = path.substr(dot + 1);
  if (root == "case") {
    std::optional<std::string> v = CaseMember(ctx, member);
    if (!v || v->empty()) *why = fmt::format("the case has no {}", member);
    return v && !v->empty() ? v : std::nullopt;
  }
  if (root == "report") {
    if (member == "date") return ctx.report_date;
    if (member == "currency") return ctx.profile->local_currency;
    return std::nullopt;
  }
  if (root == "alert") {
    if (ctx.alert == nullptr) return std::nullopt;
    if (member == "event") return ctx.alert->event;
    if (member == "time") return ctx.alert->time;
    if (member == "decision") return ctx.alert->decision;
    if (member == "score") return std::to_string(ctx.alert->score);
    return std::nullopt;
  }
  if (root == "rule") {
    if (ctx.rule == nullptr) return std::nullopt;
    const cases::FiredRule& r = *ctx.rule;
    std::optional<std::string> v;
    if (member == "id") v = r.rule;
    if (member == "name") v = r.rule.substr(r.rule.find('/') + 1);
    if (member == "alerts" && ctx.summary != nullptr) v = std::to_string(ctx.summary->alerts);
    if (member == "title") v = r.title;
    if (member == "version") v = r.version;
    if (member == "severity") v = r.severity;
    if (member == "reason") v = r.reason;
    if (member == "tags") v = JoinStrings(r.tags, ", ");
    if (!v || v->empty()) {
      *why = fmt::format("rule '{}' has no {}", r.rule, member);
      return std::nullopt;
    }
    return v;
  }
  const cases::Transaction* txn = EventOf(ctx);
  if (txn == nullptr) {
    *why = "the case has no transactions";
    return std::nullopt;
  }
  if (root == "event") {
    const json::Value* v = txn->data.Find(member);
    std::optional<std::string> text = v == nullptr ? std::nullopt : ScalarText(*v);
    if (!text || text->empty()) {
      *why = fmt::format("event '{}' has no field '{}'", txn->event, member);
      return std::nullopt;
    }
    return text;
  }
  // A lookup: the record whose key equals the event's.
  auto it = ctx.lookups->find(std::string(root));
  if (it == ctx.lookups->end()) {
    *why = fmt::format("lookup '{}' was not supplied (--lookup {}=FILE)", root, root);
    return std::nullopt;
  }
  const LookupTable& table = it->second;
  const json::Value* key = txn->data.Find(table.key);
  std::optional<std::string> key_text = key == nullptr ? std::nullopt : ScalarText(*key);
  if (!key_text) {
    *why = fmt::format("event '{}' has no field '{}' (the key of lookup '{}')", txn->event,
                       table.key, table.name);
    return std::nullopt;
  }
  auto rec = table.records.find(*key_text);
  if (rec == table.records.end()) {
    *why = fmt::format("lookup '{}' ({}) has no record with {} {} (event '{}')", table.name,
                       table.file, table.key, *key_text, txn->event);
    return std::nullopt;
  }
  const json::Value* v = rec->second.Find(member);
  std::optional<std::string> text = v == nullptr ? std::nullopt : ScalarText(*v);
  if (!text || text->empty()) {
    *why = fmt::format("lookup '{}' ({}) has no '{}' for {} {}", table.name, table.file, member,
                       table.key, *key_text);
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> RenderTemplate(const Context& ctx, std::string_view text,
                                          const SpecialFn& special, std::string* why) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      out += c;
      ++i;
      continue;
    }
    if (c != '{') {
      out += c;
      continue;
    }
    size_t end = text.find('}', i + 1);
    if (end == std::string_view::npos) {
      *why = "the template has an unbalanced '{'";
      return std::nullopt;
    }
    std::string_view name = text.substr(i + 1, end - i - 1);
    std::optional<std::string> v;
    if (name.find('.') == std::string_view::npos) {
      if (special) v = special(name, why);
      if (!v && why->empty()) *why = fmt::format("nothing for {{{}}} here", name);
    } else {
      v = ResolvePath(ctx, name, why);
    }
    if (!v) return std::nullopt;
    out += *v;
    i = end;
  }
  return out;
}

namespace {

std::string TwoDigits(unsigned v) { return fmt::format("{:02}", v); }

// "YYYY-MM-DD" at the start of `s`.
bool ParseDay(std::string_view s, int64_t* y, unsigned* m, unsigned* d) {
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  *y = std::stoi(std::string(s.substr(0, 4)));
  *m = static_cast<unsigned>(std::stoi(std::string(s.substr(5, 2))));
  *d = static_cast<unsigned>(std::stoi(std::string(s.substr(8, 2))));
  if (*m < 1 || *m > 12 || *d < 1) return false;
  // The day must exist: round-trip through days since the epoch.
  int64_t yy;
  unsigned mm, dd;
  CivilFromDays(DaysFromCivil(*y, *m, *d), &yy, &mm, &dd);
  return yy == *y && mm == *m && dd == *d;
}

// Local date and time of `text`: an RFC 3339 instant (shifted to the
// profile's zone), a zone-less "YYYY-MM-DDTHH:MM:SS" (taken as local), or a
// date "YYYY-MM-DD" (midnight).
bool LocalParts(const Context& ctx, std::string_view text, int64_t* y, unsigned* mo, unsigned* d,
                int* h, int* mi, int* s) {
  *h = *mi = *s = 0;
  if (std::optional<int64_t> t = ParseTime(text)) {
    int64_t offset = ctx.zone != nullptr ? ctx.zone->OffsetSeconds(*t) : 0;
    int64_t secs = *t / 1000000 - (*t % 1000000 < 0 ? 1 : 0) + offset;
    int64_t days = secs / 86400 - (secs % 86400 < 0 ? 1 : 0);
    int64_t rem = secs - days * 86400;
    CivilFromDays(days, y, mo, d);
    *h = static_cast<int>(rem / 3600);
    *mi = static_cast<int>(rem / 60 % 60);
    *s = static_cast<int>(rem % 60);
    return true;
  }
  if (!ParseDay(text, y, mo, d)) return false;
  if (text.size() == 10) return true;
  // Zone-less local time.
  if (std::optional<int64_t> t = ParseTime(std::string(text) + "Z")) {
    int64_t secs = *t / 1000000;
    int64_t rem = secs - (secs / 86400 - (secs % 86400 < 0 ? 1 : 0)) * 86400;
    *h = static_cast<int>(rem / 3600);
    *mi = static_cast<int>(rem / 60 % 60);
    *s = static_cast<int>(rem % 60);
    return true;
  }
  return false;
}

}  // namespace

bool LocalYmd(const Context& ctx, std::string_view time, std::string* out) {
  if (!ParseTime(time)) return false;
  int64_t y;
  unsigned mo, d;
  int h, mi, s;
  if (!LocalParts(ctx, time, &y, &mo, &d, &h, &mi, &s)) return false;
  *out = fmt::format("{:04}{}{}", y, TwoDigits(mo), TwoDigits(d));
  return true;
}

namespace {

// value × factor, both exact; false on overflow.
bool Multiply(Decimal value, std::string_view factor, Decimal* out) {
  std::optional<Decimal> f = ParseDecimal(factor);
  return f && DecimalMul(value, *f, out);
}

// Rounds half away from zero to `digits` decimals (0..6).
Decimal Round(Decimal d, int digits) {
  int64_t step = 1;
  for (int i = digits; i < kDecimalMaxScale; ++i) step *= 10;
  int64_t rem = d.units % step;
  d.units -= rem;
  if (rem * 2 >= step) d.units += step;
  if (-rem * 2 >= step) d.units -= step;
  d.scale = static_cast<uint8_t>(digits);
  return d;
}

}  // namespace

bool ApplyFormat(const Context& ctx, ValueFormat format, const DecimalOps& ops,
                 std::string_view in, std::string* out, std::string* why) {
  switch (format) {
    case ValueFormat::kText:
      *out = std::string(in);
      return true;
    case ValueFormat::kUpper:
      *out = std::string(in);
      for (char& c : *out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return true;
    case ValueFormat::kDateTime: {
      int64_t y;
      unsigned mo, d;
      int h, mi, s;
      if (!LocalParts(ctx, in, &y, &mo, &d, &h, &mi, &s) || y < 1 || y > 9999) {
        *why = fmt::format("'{}' is not a date or an RFC 3339 time", in);
        return false;
      }
      *out = fmt::format("{:04}-{}-{}T{:02}:{:02}:{:02}", y, TwoDigits(mo), TwoDigits(d), h, mi, s);
      return true;
    }
    case ValueFormat::kDate:
    case ValueFormat::kYmd: {
      // The day as written: a date of birth stored as midnight UTC must not
      // move to the day before in a zone west of Greenwich.
      int64_t y;
      unsigned mo, d;
      if (!ParseDay(in, &y, &mo, &d) || (in.size() > 10 && !ParseTime(in) &&
                                         !ParseTime(std::string(in) + "Z"))) {
        *why = fmt::format("'{}' is not a date or an RFC 3339 time", in);
        return false;
      }
      *out = format == ValueFormat::kYmd
                 ? fmt::format("{:04}{}{}", y, TwoDigits(mo), TwoDigits(d))
                 : fmt::format("{:04}-{}-{}T00:00:00", y, TwoDigits(mo), TwoDigits(d));
      return true;
    }
    case ValueFormat::kDecimal: {
      std::optional<Decimal> v = ParseDecimal(in);
      if (!v) {
        *why = fmt::format("'{}' is not a decimal number", in);
        return false;
      }
      int digits = 0;
      for (int64_t x = ops.divide; x > 1; x /= 10) ++digits;
      if (digits > 0) {
        if (v->units % ops.divide != 0 && v->scale + digits > kDecimalMaxScale) {
          *why = fmt::format("'{}' divided by {} has more than {} decimals", in, ops.divide,
                             kDecimalMaxScale);
          return false;
        }
        v->units /= ops.divide;
        v->scale = static_cast<uint8_t>(std::min(v->scale + digits, kDecimalMaxScale));
      }
      if (!ops.multiply.empty() && !Multiply(*v, ops.multiply, &*v)) {
        *why = fmt::format("'{}' × {} is out of range", in, ops.multiply);
        return false;
      }
      if (ops.digits >= 0) *v = Round(*v, ops.digits);
      *out = DecimalToString(*v);
      return true;
    }
  }
  return false;
}

ValueStatus EvalValue(const Context& ctx, const ValueSpec& spec, std::string* out, std::string* why) {
  std::optional<std::string> raw;
  std::string first_why;
  switch (spec.kind) {
    case ValueSpec::Kind::kConstant:
      raw = spec.constant;
      break;
    case ValueSpec::Kind::kPath:
      for (const std::string& p : spec.paths) {
        std::string w;
        raw = ResolvePath(ctx, p, &w);
        if (raw) break;
        if (first_why.empty()) first_why = w;
      }
      break;
    case ValueSpec::Kind::kTemplate:
      raw = RenderTemplate(ctx, spec.text, nullptr, &first_why);
      break;
  }
  if (!raw) {
    if (spec.has_default) {
      raw = spec.default_value;
    } else {
      *why = first_why;
      return ValueStatus::kMissing;
    }
  } else if (!spec.map.empty()) {
    bool found = false;
    for (const auto& [from, to] : spec.map) {
      if (from == *raw) {
        raw = to;
        found = true;
        break;
      }
    }
    if (!found) {
      if (!spec.has_default) {
        *why = fmt::format("'{}' is not in the map of {}", *raw, spec.where);
        // An optional value with no code for what was read is left out.
        return spec.optional ? ValueStatus::kMissing : ValueStatus::kInvalid;
      }
      raw = spec.default_value;
    }
  }
  if (!ApplyFormat(ctx, spec.format, spec.decimal, *raw, out, why)) return ValueStatus::kInvalid;
  return ValueStatus::kOk;
}

bool MatchHolds(const Context& ctx, const Match& match) {
  for (const auto& [path, accepted] : match.conditions) {
    std::string why;
    std::optional<std::string> v = ResolvePath(ctx, path, &why);
    if (!v || std::find(accepted.begin(), accepted.end(), *v) == accepted.end()) return false;
  }
  return true;
}

std::vector<std::string> CaseTags(const cases::Case& c) {
  std::vector<std::string> tags;
  for (const cases::RuleSummary& r : c.rules) {
    for (const std::string& t : r.tags) {
      if (std::find(tags.begin(), tags.end(), t) == tags.end()) tags.push_back(t);
    }
  }
  return tags;
}

}  // namespace vigil::report
