#include "case/alert_reader.hpp"

#include <fmt/format.h>

#include "base/time_util.hpp"

namespace vigil::cases {

// A member's value as an id or a subject: a string, or an integer's digits.
std::optional<std::string> IdText(const json::Value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_string() && !v->text().empty()) return v->text();
  if (v->is_number() && v->AsInt()) return v->text();
  return std::nullopt;
}

json::ParseOptions AlertParseOptions() {
  json::ParseOptions options;
  options.raw = {{"explain"}};
  return options;
}

namespace {

bool Fail(std::string* error, const std::string& where, const std::string& what) {
  *error = fmt::format("{}: {}", where, what);
  return false;
}

const json::Value* Member(const json::Value& o, const char* name, json::Type type,
                          const std::string& where, std::string* error) {
  const json::Value* v = o.Find(name);
  if (v == nullptr || v->type() != type) {
    Fail(error, where, fmt::format("member 'explain.{}': expected {}", name,
                                   json::TypeName(type)));
    return nullptr;
  }
  return v;
}

bool Text(const json::Value& o, const char* name, std::string* out) {
  const json::Value* v = o.is_object() ? o.Find(name) : nullptr;
  if (v == nullptr || !v->is_string()) return false;
  *out = v->text();
  return true;
}

bool Texts(const json::Value& o, const char* name, std::vector<std::string>* out) {
  const json::Value* v = o.is_object() ? o.Find(name) : nullptr;
  if (v == nullptr || !v->is_array()) return false;
  for (const json::Value& x : v->items()) {
    if (!x.is_string()) return false;
    out->push_back(x.text());
  }
  return true;
}

}  // namespace

bool ReadAlert(const json::Value& r, const std::string& subject_field, const std::string& where,
               bool* alert, AlertInput* in, std::string* id_member, std::string* error) {
  const json::Value* fired = r.Find("fired");
  if (fired == nullptr || !fired->is_array()) {
    return Fail(error, where, "expected a result of vigil eval (an array 'fired')");
  }
  *alert = !fired->items().empty();
  if (!*alert) return true;
  const json::Value* ev = r.Find("explain");
  // Read as raw text (AlertParseOptions), it is the evidence as the case
  // keeps it; only its members other than the condition trees are needed
  // as a tree here.
  const json::Value* raw = ev != nullptr && ev->is_raw() ? ev : nullptr;
  json::Value tree;
  if (raw != nullptr) {
    json::ParseOptions options;
    options.raw = {{"rules"}, {"lets"}};
    json::ParseError ignored;  // checked when the line was read
    if (!json::Parse(raw->text(), &tree, &ignored, options)) {
      return Fail(error, where, "member 'explain': " + ignored.message);
    }
    ev = &tree;
  }
  if (ev == nullptr) {
    return Fail(error, where,
                "the result has fired rules but no evidence record; run vigil eval with "
                "--explain or --explain=fired");
  }
  const json::Value* format = ev->is_object() ? ev->Find("format") : nullptr;
  if (format == nullptr || !format->is_string() || format->text() != kEvidenceFormat) {
    std::string found = format != nullptr && format->is_string() ? "\"" + format->text() + "\""
                                                                  : "another record";
    return Fail(error, where,
                fmt::format("member 'explain.format': expected \"{}\", found {} (evaluate "
                            "again with this vigil)",
                            kEvidenceFormat, found));
  }
  const json::Value* event = Member(*ev, "event", json::Type::kObject, where, error);
  if (event == nullptr) return false;
  std::optional<std::string> id = IdText(event->Find("id"));
  const json::Value* id_field = event->Find("id_field");
  if (!id || id_field == nullptr || !id_field->is_string()) {
    return Fail(error, where,
                "the event has no id; give the schema an @id field (docs/language.md, "
                "\"Event ids\")");
  }
  *id_member = id_field->text();
  const json::Value* time = event->Find("time");
  std::optional<int64_t> us = time != nullptr && time->is_string() ? ParseTime(time->text())
                                                                    : std::nullopt;
  if (!us) return Fail(error, where, "member 'explain.event.time': the event has no time");
  if (!subject_field.empty()) {
    in->subject.field = subject_field;
  } else {
    const json::Value* subject = event->Find("subject");
    const json::Value* field = subject != nullptr && subject->is_object()
                                   ? subject->Find("field")
                                   : nullptr;
    if (field == nullptr || !field->is_string()) {
      return Fail(error, where,
                  "no subject: mark the schema field that names the customer, account, card "
                  "or merchant @subject, or give --subject FIELD");
    }
    in->subject.field = field->text();
  }
  Alert& a = in->alert;
  a.event = *id;
  a.time = time->text();
  a.time_us = *us;
  const json::Value* decision = Member(*ev, "decision", json::Type::kString, where, error);
  const json::Value* score = Member(*ev, "score", json::Type::kNumber, where, error);
  const json::Value* efired = Member(*ev, "fired", json::Type::kArray, where, error);
  const json::Value* rulesets = Member(*ev, "rulesets", json::Type::kArray, where, error);
  const json::Value* decisions = Member(*ev, "decisions", json::Type::kArray, where, error);
  if (decision == nullptr || score == nullptr || efired == nullptr || rulesets == nullptr ||
      decisions == nullptr) {
    return false;
  }
  a.decision = decision->text();
  a.score = score->AsInt().value_or(0);
  for (const json::Value& f : efired->items()) {
    FiredRule rule;
    if (!Text(f, "rule", &rule.rule) || !Text(f, "version", &rule.version) ||
        !Text(f, "severity", &rule.severity) || !Text(f, "title", &rule.title) ||
        !Text(f, "reason", &rule.reason) || !Texts(f, "tags", &rule.tags)) {
      return Fail(error, where, "member 'explain.fired': expected rules with rule, version, "
                                "severity, title, reason and tags");
    }
    a.fired.push_back(std::move(rule));
  }
  if (a.fired.empty()) {
    return Fail(error, where, "the result's rules fired but its evidence record lists none");
  }
  for (const json::Value& x : rulesets->items()) {
    RulesetRef rs;
    if (!Text(x, "name", &rs.name) || !Text(x, "version", &rs.version) ||
        !Text(x, "sources_digest", &rs.sources_digest)) {
      return Fail(error, where, "member 'explain.rulesets': expected name, version and "
                                "sources_digest");
    }
    if (const json::Value* p = x.Find("pack"); p != nullptr) {
      PackRef pack;
      if (!Text(*p, "file", &pack.file) || !Text(*p, "version", &pack.version) ||
          !Text(*p, "sha256", &pack.sha256) || !Texts(*p, "signers", &pack.signers)) {
        return Fail(error, where, "member 'explain.rulesets[].pack': expected file, version, "
                                  "sha256 and signers");
      }
      rs.pack = std::move(pack);
    }
    in->rulesets.push_back(std::move(rs));
  }
  for (const json::Value& d : decisions->items()) {
    if (!d.is_string()) return Fail(error, where, "member 'explain.decisions': expected strings");
    in->decisions.push_back(d.text());
  }
  // Held until the case closes: compact.
  a.evidence = raw != nullptr ? *raw : json::Value::Raw(*ev);
  return true;
}

}  // namespace vigil::cases
