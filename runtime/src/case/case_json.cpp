#include "case/case_json.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "base/decimal.hpp"
#include "base/file_io.hpp"
#include "base/json_members.hpp"
#include "base/time_util.hpp"

namespace vigil::cases {

using json::Members;
using json::Value;

namespace {

// ---------------------------------------------------------------- writing

Value Str(const std::string& s) { return Value::String(s); }

Value StrList(const std::vector<std::string>& items) {
  Value a = Value::Array();
  for (const std::string& s : items) a.Push(Str(s));
  return a;
}

Value FiredToJson(const FiredRule& f) {
  Value o = Value::Object();
  o.Set("rule", Str(f.rule));
  o.Set("version", Str(f.version));
  o.Set("severity", Str(f.severity));
  o.Set("title", Str(f.title));
  o.Set("reason", Str(f.reason));
  o.Set("tags", StrList(f.tags));
  return o;
}


// ---------------------------------------------------------------- reading

bool ReadFired(Members& m, FiredRule* f) {
  return m.String("rule", &f->rule) && m.String("version", &f->version) &&
         m.String("severity", &f->severity) && m.String("title", &f->title, false) &&
         m.String("reason", &f->reason, false) && m.Strings("tags", &f->tags);
}

bool ReadRuleset(Members& m, RulesetRef* r) {
  if (!m.String("name", &r->name) || !m.String("version", &r->version) ||
      !m.String("sources_digest", &r->sources_digest)) {
    return false;
  }
  return m.Object(
      "pack",
      [&](Members& p) {
        PackRef pack;
        if (!p.String("file", &pack.file) || !p.String("version", &pack.version) ||
            !p.String("sha256", &pack.sha256) || !p.Strings("signers", &pack.signers)) {
          return false;
        }
        r->pack = std::move(pack);
        return true;
      },
      true);
}

bool ReadAlert(Members& m, Alert* a) {
  if (!m.String("event", &a->event) || !m.Time("time", &a->time, &a->time_us) ||
      !m.String("decision", &a->decision) || !m.Int("score", &a->score)) {
    return false;
  }
  if (!m.Objects("fired", [&](Members& f, size_t) {
        a->fired.emplace_back();
        return ReadFired(f, &a->fired.back());
      })) {
    return false;
  }
  // Read as raw text (ReadCaseJson). What vigil case writes starts with its
  // format; anything else is read as a tree to be checked.
  const Value* raw = m.Any("evidence");
  if (raw == nullptr) return false;
  static const std::string kStart = fmt::format("{{\"format\":\"{}\"", kEvidenceFormat);
  if (raw->is_raw() && raw->text().starts_with(kStart) && raw->text().size() > kStart.size() &&
      (raw->text()[kStart.size()] == ',' || raw->text()[kStart.size()] == '}')) {
    a->evidence = *raw;
    return true;
  }
  const Value tree = raw->is_raw() ? ExpandEvidence(*raw) : *raw;
  if (tree.type() != json::Type::kObject) {
    return m.Fail(m.Path("evidence"), fmt::format("expected {}, found {}",
                                                  json::TypeName(json::Type::kObject),
                                                  json::TypeName(tree.type())));
  }
  const Value* evidence = &tree;
  const Value* format = evidence->Find("format");
  if (format == nullptr || !format->is_string() || format->text() != kEvidenceFormat) {
    return m.Fail(m.Path("evidence.format"),
                  fmt::format("expected \"{}\", found {}", kEvidenceFormat,
                              format == nullptr ? "nothing"
                              : format->is_string()
                                  ? "\"" + format->text() + "\""
                                  : std::string(json::TypeName(format->type()))));
  }
  a->evidence = *raw;
  return true;
}

bool ReadTransaction(Members& m, Transaction* t) {
  if (!m.String("event", &t->event) || !m.Time("time", &t->time, &t->time_us)) return false;
  const Value* data = m.Get("data", json::Type::kObject);
  if (data == nullptr) return false;
  t->data = std::move(const_cast<Value&>(*data));  // as for evidence above
  return true;
}

bool ReadTotal(Members& m, CurrencyTotal* t) {
  if (!m.OptionalString("currency", &t->currency) ||
      !m.Int("transactions", &t->transactions, 0) || !m.String("amount", &t->amount)) {
    return false;
  }
  if (!ParseDecimal(t->amount)) {
    return m.Fail(m.Path("amount"), fmt::format("expected a decimal number, found \"{}\"", t->amount));
  }
  return true;
}

bool ReadRuleSummary(Members& m, RuleSummary* r) {
  return m.String("rule", &r->rule) && m.String("version", &r->version) &&
         m.String("severity", &r->severity) && m.String("title", &r->title, false) &&
         m.Strings("tags", &r->tags) && m.Int("alerts", &r->alerts, 0);
}

bool ReadCase(Members& m, Case* c) {
  std::string format;
  if (!m.String("format", &format)) return false;
  if (format != kCaseFormat) {
    return m.Fail("format", fmt::format("expected \"{}\", found \"{}\" (a file of another format "
                                        "or a newer version of vigil)",
                                        kCaseFormat, format));
  }
  if (!m.String("case_id", &c->case_id)) return false;
  if (!c->case_id.starts_with("case-") || c->case_id.size() != 37 ||
      c->case_id.find_first_not_of("0123456789abcdef", 5) != std::string::npos) {
    return m.Fail("case_id", fmt::format("expected \"case-\" and 32 lowercase hex digits, found "
                                         "\"{}\"", c->case_id));
  }
  if (!m.Object("subject", [&](Members& s) {
        return s.String("field", &c->subject.field) && s.String("value", &c->subject.value);
      })) {
    return false;
  }
  int64_t ignored = 0;
  if (!m.String("window", &c->window)) return false;
  if (!ParseDuration(c->window)) {
    return m.Fail("window", fmt::format("expected a duration such as \"30d\", found \"{}\"",
                                        c->window));
  }
  if (!m.Time("opened", &c->opened, &ignored) || !m.Time("last_alert", &c->last_alert, &ignored) ||
      !m.String("decision", &c->decision) || !m.Strings("decisions", &c->decisions)) {
    return false;
  }
  if (std::find(c->decisions.begin(), c->decisions.end(), c->decision) == c->decisions.end()) {
    return m.Fail("decision", fmt::format("\"{}\" is not one of 'decisions'", c->decision));
  }
  return m.Objects("rulesets",
                   [&](Members& r, size_t) {
                     c->rulesets.emplace_back();
                     return ReadRuleset(r, &c->rulesets.back());
                   }) &&
         m.Objects("alerts",
                   [&](Members& a, size_t) {
                     c->alerts.emplace_back();
                     return ReadAlert(a, &c->alerts.back());
                   }) &&
         m.Objects("transactions",
                   [&](Members& t, size_t) {
                     c->transactions.emplace_back();
                     return ReadTransaction(t, &c->transactions.back());
                   }) &&
         m.Objects("totals",
                   [&](Members& t, size_t) {
                     c->totals.emplace_back();
                     return ReadTotal(t, &c->totals.back());
                   }) &&
         m.Strings("typologies", &c->typologies) &&
         m.Objects("rules", [&](Members& r, size_t) {
           c->rules.emplace_back();
           return ReadRuleSummary(r, &c->rules.back());
         });
}

}  // namespace

Value RulesetToJson(const RulesetRef& r) {
  Value o = Value::Object();
  o.Set("name", Str(r.name));
  o.Set("version", Str(r.version));
  o.Set("sources_digest", Str(r.sources_digest));
  if (r.pack) {
    Value p = Value::Object();
    p.Set("file", Str(r.pack->file));
    p.Set("version", Str(r.pack->version));
    p.Set("sha256", Str(r.pack->sha256));
    p.Set("signers", StrList(r.pack->signers));
    o.Set("pack", std::move(p));
  }
  return o;
}

Value CaseToJson(const Case& c) {
  Value o = Value::Object();
  o.Set("format", Str(kCaseFormat));
  o.Set("case_id", Str(c.case_id));
  Value subject = Value::Object();
  subject.Set("field", Str(c.subject.field));
  subject.Set("value", Str(c.subject.value));
  o.Set("subject", std::move(subject));
  o.Set("window", Str(c.window));
  o.Set("opened", Str(c.opened));
  o.Set("last_alert", Str(c.last_alert));
  o.Set("decision", Str(c.decision));
  o.Set("decisions", StrList(c.decisions));
  Value& rulesets = o.Set("rulesets", Value::Array());
  for (const RulesetRef& r : c.rulesets) rulesets.Push(RulesetToJson(r));
  Value& alerts = o.Set("alerts", Value::Array());
  for (const Alert& a : c.alerts) {
    Value x = Value::Object();
    x.Set("event", Str(a.event));
    x.Set("time", Str(a.time));
    x.Set("decision", Str(a.decision));
    x.Set("score", Value::Int(a.score));
    Value& fired = x.Set("fired", Value::Array());
    for (const FiredRule& f : a.fired) fired.Push(FiredToJson(f));
    x.Set("evidence", a.evidence);
    alerts.Push(std::move(x));
  }
  Value& transactions = o.Set("transactions", Value::Array());
  for (const Transaction& t : c.transactions) {
    Value x = Value::Object();
    x.Set("event", Str(t.event));
    x.Set("time", Str(t.time));
    x.Set("data", t.data);
    transactions.Push(std::move(x));
  }
  Value& totals = o.Set("totals", Value::Array());
  for (const CurrencyTotal& t : c.totals) {
    Value x = Value::Object();
    x.Set("currency", t.currency.empty() ? Value::Null() : Str(t.currency));
    x.Set("transactions", Value::Int(t.transactions));
    x.Set("amount", Str(t.amount));
    totals.Push(std::move(x));
  }
  o.Set("typologies", StrList(c.typologies));
  Value& rules = o.Set("rules", Value::Array());
  for (const RuleSummary& r : c.rules) {
    Value x = Value::Object();
    x.Set("rule", Str(r.rule));
    x.Set("version", Str(r.version));
    x.Set("severity", Str(r.severity));
    x.Set("title", Str(r.title));
    x.Set("tags", StrList(r.tags));
    x.Set("alerts", Value::Int(r.alerts));
    rules.Push(std::move(x));
  }
  return o;
}

std::string WriteCaseJson(const Case& c) {
  std::string out;
  // Each evidence record and each event on one line: a case stays readable
  // (and diffable) alert by alert.
  json::WritePretty(CaseToJson(c), out, {"evidence", "data"});
  out += '\n';
  return out;
}

bool ReadCaseJson(std::string_view text, const std::string& name, Case* out, std::string* error) {
  Value doc;
  json::ParseError perr;
  // Evidence records are checked but kept as text: case files carry them
  // through, and reports read them only for some rules (ExpandEvidence).
  json::ParseOptions options;
  options.raw = {{"alerts", "[]", "evidence"}};
  if (!json::Parse(text, &doc, &perr, options)) {
    *error = fmt::format("{}:{}:{}: {}", name, perr.line, perr.column, perr.message);
    return false;
  }
  if (!doc.is_object()) {
    *error = fmt::format("{}: expected a JSON object (a vigil.case/1 file), found {}", name,
                         json::TypeName(doc.type()));
    return false;
  }
  Case c;
  std::string why;
  Members m(doc, "", &why, kCaseFormat);
  if (!ReadCase(m, &c) || !m.Done()) {
    *error = fmt::format("{}: {}", name, why);
    return false;
  }
  *out = std::move(c);
  return true;
}

bool ReadCaseFile(const std::string& path, Case* out, std::string* error) {
  std::string text;
  std::string why;
  if (!ReadWholeFile(path, kMaxCaseFileBytes, &text, &why)) {
    *error = fmt::format("cannot read \"{}\": {}", path, why);
    return false;
  }
  return ReadCaseJson(text, path, out, error);
}

json::Value ExpandEvidence(const json::Value& evidence) {
  // Raw text was checked when it was read (or written by Value::Raw): it
  // parses.
  auto expand = [](const json::Value& raw) {
    json::Value tree;
    json::ParseError ignored;
    return json::Parse(raw.text(), &tree, &ignored) ? tree : raw;
  };
  if (evidence.is_raw()) return expand(evidence);
  json::Value out = evidence;
  for (auto& [key, value] : out.members()) {
    if (value.is_raw()) value = expand(value);
  }
  return out;
}

}  // namespace vigil::cases
