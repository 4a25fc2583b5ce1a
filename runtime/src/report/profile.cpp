#include "report/profile.hpp"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "base/decimal.hpp"
#include "base/file_io.hpp"
#include "base/json_value.hpp"
#include "report/paths.hpp"
#include "sema/suggest.hpp"

namespace vigil::report {

const char* ReportKindName(ReportKind kind) {
  return kind == ReportKind::kGoaml ? "goaml" : "fincen-sar";
}

namespace {

using json::Value;

constexpr std::string_view kFormat = "vigil.report-profile/1";

// Reads the members of one profile object, remembering which were read so
// that Done() refuses the others (a misspelt member must not be ignored).
class Reader {
 public:
  Reader(const Value& object, std::string path, std::string* error)
      : object_(object), path_(std::move(path)), error_(error) {}

  const std::string& path() const { return path_; }
  std::string Path(std::string_view member) const {
    return path_.empty() ? std::string(member) : fmt::format("{}.{}", path_, member);
  }
  bool ok() const { return error_->empty(); }
  std::string* error() const { return error_; }

  bool Fail(const std::string& path, const std::string& what) {
    if (error_->empty()) *error_ = fmt::format("member '{}': {}", path, what);
    return false;
  }

  const Value* Get(std::string_view member) {
    seen_.insert(std::string(member));
    return object_.Find(member);
  }

  const Value* Need(std::string_view member, json::Type type, bool optional = false) {
    const Value* v = Get(member);
    if (v == nullptr) {
      if (!optional) Missing(member);
      return nullptr;
    }
    if (v->type() != type) {
      Fail(Path(member), fmt::format("expected {}, found {}", Describe(type), json::TypeName(v->type())));
      return nullptr;
    }
    return v;
  }

  // A string member; `optional` leaves *out untouched when absent.
  bool String(std::string_view member, std::string* out, bool optional = false) {
    const Value* v = Need(member, json::Type::kString, optional);
    if (v == nullptr) return optional && ok();
    if (v->text().empty()) return Fail(Path(member), "expected a non-empty string");
    *out = v->text();
    return true;
  }

  // A string that may also be written as a JSON integer (ids, codes).
  bool Code(std::string_view member, std::string* out, bool optional = false) {
    const Value* v = Get(member);
    if (v == nullptr) return optional || Missing(member);
    if (v->is_number() && v->AsInt()) {
      *out = v->text();
      return true;
    }
    if (!v->is_string() || v->text().empty()) {
      return Fail(Path(member), fmt::format("expected a non-empty string or an integer, found {}",
                                            json::TypeName(v->type())));
    }
    *out = v->text();
    return true;
  }

  bool Bool(std::string_view member, bool* out) {
    const Value* v = Need(member, json::Type::kBool, true);
    if (v != nullptr) *out = v->boolean();
    return ok();
  }

  bool Int(std::string_view member, int64_t* out, int64_t min, int64_t max) {
    const Value* v = Get(member);
    if (v == nullptr) return true;
    std::optional<int64_t> i = v->is_number() ? v->AsInt() : std::nullopt;
    if (!i || *i < min || *i > max) {
      return Fail(Path(member), fmt::format("expected an integer from {} to {}, found {}", min, max,
                                            v->is_number() ? v->text() : json::TypeName(v->type())));
    }
    *out = *i;
    return true;
  }

  // "missing", or "missing (found 'narative': a misspelling?)" when a member
  // of the object is close to the name.
  bool Missing(std::string_view member) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : object_.members()) keys.push_back(key);
    std::vector<std::string> close = sema::Suggest(member, keys);
    if (close.empty()) return Fail(Path(member), "missing");
    return Fail(Path(member), fmt::format("missing (found '{}': a misspelling?)", close.front()));
  }

  bool Done(std::string_view what) {
    if (!ok()) return false;
    for (const auto& [key, value] : object_.members()) {
      if (seen_.count(key) == 0) return Fail(Path(key), fmt::format("not a member of {}", what));
    }
    return true;
  }

  static const char* Describe(json::Type t) {
    switch (t) {
      case json::Type::kString: return "a string";
      case json::Type::kObject: return "an object";
      case json::Type::kArray: return "an array";
      case json::Type::kBool: return "true or false";
      default: return json::TypeName(t);
    }
  }

 private:
  const Value& object_;
  std::string path_;
  std::string* error_;
  std::set<std::string> seen_;
};

// Which paths a value may read where it is used (paths.hpp).
struct Scope {
  const Profile* profile;
  PathScope scope;
};

bool CheckPath(Reader& r, const std::string& where, std::string_view path, const Scope& scope) {
  std::string why;
  if (!ValidPath(*scope.profile, scope.scope, path, &why)) return r.Fail(where, why);
  return true;
}

bool CheckTemplateText(Reader& r, const std::string& where, std::string_view text,
                       const Scope& scope) {
  std::string why;
  std::vector<std::string_view> names;
  if (!TemplatePlaceholders(text, &names, &why)) return r.Fail(where, why);
  for (std::string_view name : names) {
    if (!CheckPath(r, where, name, scope)) return false;
  }
  return true;
}

bool ReadFormat(Reader& r, const std::string& where, std::string_view name, ValueFormat* out) {
  static constexpr std::pair<std::string_view, ValueFormat> kFormats[] = {
      {"text", ValueFormat::kText},       {"datetime", ValueFormat::kDateTime},
      {"date", ValueFormat::kDate},       {"yyyymmdd", ValueFormat::kYmd},
      {"decimal", ValueFormat::kDecimal}, {"upper", ValueFormat::kUpper},
  };
  for (const auto& [n, f] : kFormats) {
    if (n == name) {
      *out = f;
      return true;
    }
  }
  return r.Fail(where, fmt::format("unknown format \"{}\" (text, datetime, date, yyyymmdd, decimal "
                                   "or upper)", name));
}

bool IsValueObject(const Value& v) {
  return v.is_object() &&
         (v.Find("from") != nullptr || v.Find("text") != nullptr || v.Find("value") != nullptr);
}

// A value: "constant", 12, true, or {"from" | "text" | "value", options...}.
bool ReadValue(Reader& parent, const std::string& path, const Value& v, const Scope& scope,
               ValueSpec* out) {
  out->where = path;
  if (v.is_string()) {
    out->kind = ValueSpec::Kind::kConstant;
    out->constant = v.text();
    return true;
  }
  if (v.is_number()) {
    out->kind = ValueSpec::Kind::kConstant;
    out->constant = v.text();
    return true;
  }
  if (v.is_bool()) {
    out->kind = ValueSpec::Kind::kConstant;
    out->constant = v.boolean() ? "true" : "false";
    return true;
  }
  if (!v.is_object()) {
    return parent.Fail(path, fmt::format("expected a value (a string, a number, or an object with "
                                         "\"from\", \"text\" or \"value\"), found {}",
                                         json::TypeName(v.type())));
  }
  Reader m(v, path, parent.error());
  int kinds = 0;
  if (const Value* from = m.Get("from")) {
    ++kinds;
    out->kind = ValueSpec::Kind::kPath;
    if (from->is_string()) {
      out->paths.push_back(from->text());
    } else if (from->is_array() && !from->items().empty()) {
      for (const Value& item : from->items()) {
        if (!item.is_string()) {
          return parent.Fail(m.Path("from"), "expected a path or an array of paths");
        }
        out->paths.push_back(item.text());
      }
    } else {
      return parent.Fail(m.Path("from"), "expected a path (\"event.merchant_name\") or an array "
                                         "of paths, the first present wins");
    }
    for (const std::string& p : out->paths) {
      if (!CheckPath(parent, m.Path("from"), p, scope)) return false;
    }
  }
  if (const Value* text = m.Get("text")) {
    ++kinds;
    out->kind = ValueSpec::Kind::kTemplate;
    if (!text->is_string()) return parent.Fail(m.Path("text"), "expected a string");
    out->text = text->text();
    if (!CheckTemplateText(parent, m.Path("text"), out->text, scope)) return false;
  }
  if (const Value* value = m.Get("value")) {
    ++kinds;
    out->kind = ValueSpec::Kind::kConstant;
    if (!value->is_string()) return parent.Fail(m.Path("value"), "expected a string");
    out->constant = value->text();
  }
  if (kinds != 1) {
    return parent.Fail(path, "expected exactly one of \"from\", \"text\" and \"value\"");
  }
  if (!m.Bool("optional", &out->optional)) return false;
  if (const Value* map = m.Get("map")) {
    if (!map->is_object()) return parent.Fail(m.Path("map"), "expected an object of value → code");
    for (const auto& [key, code] : map->members()) {
      if (!code.is_string() && !code.is_number()) {
        return parent.Fail(m.Path("map") + "." + key, "expected a string");
      }
      out->map.emplace_back(key, code.text());
    }
  }
  if (const Value* def = m.Get("default")) {
    if (!def->is_string() && !def->is_number()) {
      return parent.Fail(m.Path("default"), "expected a string");
    }
    out->has_default = true;
    out->default_value = def->text();
  }
  std::string format;
  if (!m.String("format", &format, true)) return false;
  if (!format.empty() && !ReadFormat(parent, m.Path("format"), format, &out->format)) return false;
  int64_t divide = 1, digits = -1;
  if (!m.Int("divide", &divide, 1, 1000000) || !m.Int("digits", &digits, 0, 6)) return false;
  for (int64_t d = divide; d > 1; d /= 10) {
    if (d % 10 != 0) return parent.Fail(m.Path("divide"), "expected a power of ten (1, 10, 100, ...)");
  }
  out->decimal.divide = divide;
  out->decimal.digits = static_cast<int>(digits);
  if (const Value* mul = m.Get("multiply")) {
    if (!(mul->is_string() || mul->is_number()) || !ParseDecimal(mul->text())) {
      return parent.Fail(m.Path("multiply"), "expected a decimal number (\"3.6725\")");
    }
    out->decimal.multiply = mul->text();
  }
  const bool arithmetic = divide != 1 || digits >= 0 || !out->decimal.multiply.empty();
  if (arithmetic && out->format != ValueFormat::kDecimal) {
    return parent.Fail(path, "divide, multiply and digits need \"format\": \"decimal\"");
  }
  if (!m.Done("a value (from, text, value, optional, map, default, format, divide, multiply, digits)")) {
    return false;
  }
  return true;
}

bool ValidElementName(std::string_view name) {
  if (name.empty()) return false;
  auto first = static_cast<unsigned char>(name[0]);
  if (!(std::isalpha(first) || first == '_')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

bool ReadElements(Reader& parent, const std::string& path, const Value& v, const Scope& scope,
                  std::vector<ElementSpec>* out, bool* optional);

bool ReadElement(Reader& parent, const std::string& path, const std::string& name,
                 const Value& v, const Scope& scope, ElementSpec* out) {
  out->name = name;
  if (v.is_object() && !IsValueObject(v)) {
    out->leaf = false;
    return ReadElements(parent, path, v, scope, &out->children, &out->optional);
  }
  out->leaf = true;
  return ReadValue(parent, path, v, scope, &out->value);
}

// A template: element name → value, nested template, or an array of either
// (the element repeated). Members keep the profile's order: the XSD's.
bool ReadElements(Reader& parent, const std::string& path, const Value& v, const Scope& scope,
                  std::vector<ElementSpec>* out, bool* optional) {
  if (!v.is_object()) {
    return parent.Fail(path, fmt::format("expected an object of elements in the XSD's order, "
                                         "found {}", json::TypeName(v.type())));
  }
  for (const auto& [key, child] : v.members()) {
    const std::string child_path = path + "." + key;
    if (key == "$optional") {
      if (!child.is_bool()) return parent.Fail(child_path, "expected true or false");
      if (optional != nullptr) *optional = child.boolean();
      continue;
    }
    if (!ValidElementName(key)) {
      return parent.Fail(child_path, "not an XML element name");
    }
    if (child.is_array()) {
      if (child.items().empty()) return parent.Fail(child_path, "expected at least one item");
      for (size_t i = 0; i < child.items().size(); ++i) {
        ElementSpec e;
        if (!ReadElement(parent, fmt::format("{}[{}]", child_path, i), key, child.items()[i],
                         scope, &e)) {
          return false;
        }
        out->push_back(std::move(e));
      }
      continue;
    }
    ElementSpec e;
    if (!ReadElement(parent, child_path, key, child, scope, &e)) return false;
    out->push_back(std::move(e));
  }
  return true;
}

bool ReadTemplate(Reader& r, std::string_view member, const Scope& scope,
                  std::vector<ElementSpec>* out, bool optional_member) {
  const Value* v = r.Get(member);
  if (v == nullptr) return optional_member || r.Missing(member);
  bool ignored = false;
  if (!ReadElements(r, r.Path(member), *v, scope, out, &ignored)) return false;
  if (out->empty()) return r.Fail(r.Path(member), "expected at least one element");
  return true;
}

bool ReadValueMember(Reader& r, std::string_view member, const Scope& scope, ValueSpec* out,
                     bool* present = nullptr) {
  const Value* v = r.Get(member);
  if (present != nullptr) *present = v != nullptr;
  if (v == nullptr) return present != nullptr || r.Missing(member);
  return ReadValue(r, r.Path(member), *v, scope, out);
}

bool ReadMatch(Reader& r, std::string_view member, const Scope& scope, Match* out) {
  const Value* v = r.Need(member, json::Type::kObject, true);
  if (v == nullptr) return r.ok();  // no match: always holds
  for (const auto& [key, accepted] : v->members()) {
    const std::string where = r.Path(member) + "." + key;
    const std::string path = key.find('.') == std::string::npos ? "event." + key : key;
    if (!CheckPath(r, where, path, scope)) return false;
    std::vector<std::string> values;
    if (accepted.is_string() || accepted.is_number()) {
      values.push_back(accepted.text());
    } else if (accepted.is_array() && !accepted.items().empty()) {
      for (const Value& item : accepted.items()) {
        if (!item.is_string() && !item.is_number()) {
          return r.Fail(where, "expected a value or an array of values");
        }
        values.push_back(item.text());
      }
    } else {
      return r.Fail(where, "expected a value or an array of values");
    }
    out->conditions.emplace_back(path, std::move(values));
  }
  return true;
}

bool ReadCodeMap(Reader& r, std::string_view member, CodeMap* out) {
  const Value* v = r.Need(member, json::Type::kObject);
  if (v == nullptr) return false;
  Reader m(*v, r.Path(member), r.error());
  const Value* map = m.Need("map", json::Type::kObject);
  if (map != nullptr) {
    for (const auto& [tag, codes] : map->members()) {
      std::vector<std::string> list;
      if (codes.is_string()) {
        list.push_back(codes.text());
      } else if (codes.is_array()) {
        for (const Value& c : codes.items()) {
          if (!c.is_string() || c.text().empty()) {
            return r.Fail(m.Path("map") + "." + tag, "expected a code or an array of codes");
          }
          list.push_back(c.text());
        }
      } else {
        return r.Fail(m.Path("map") + "." + tag, "expected a code or an array of codes");
      }
      out->map.emplace_back(tag, std::move(list));
    }
  }
  if (const Value* def = m.Get("default")) {
    out->has_fallback = true;
    if (def->is_string()) {
      out->fallback.push_back(def->text());
    } else if (def->is_array() && !def->items().empty()) {
      for (const Value& c : def->items()) {
        if (!c.is_string()) return r.Fail(m.Path("default"), "expected a code or an array of codes");
        out->fallback.push_back(c.text());
      }
    } else {
      return r.Fail(m.Path("default"), "expected a code or an array of codes");
    }
  }
  if (!m.Done("a code map (map, default)")) return false;
  return true;
}

bool ReadFitRules(Reader& r, const Value& v, std::vector<FitRule>* out) {
  if (!v.is_array()) return r.Fail(r.Path("text"), "expected an array of rules");
  for (size_t i = 0; i < v.items().size(); ++i) {
    const std::string path = fmt::format("{}[{}]", r.Path("text"), i);
    const Value& item = v.items()[i];
    if (!item.is_object()) return r.Fail(path, "expected an object");
    Reader m(item, path, r.error());
    FitRule rule;
    const Value* elements = m.Need("elements", json::Type::kArray);
    if (elements == nullptr) return false;
    for (const Value& e : elements->items()) {
      if (!e.is_string() || e.text().empty()) {
        return r.Fail(m.Path("elements"), "expected element names (\"first_name\", "
                                          "\"to_entity/name\", \"*\")");
      }
      rule.elements.push_back(e.text());
    }
    if (rule.elements.empty()) return r.Fail(m.Path("elements"), "expected at least one element");
    if (const Value* except = m.Need("except", json::Type::kArray, true)) {
      for (const Value& e : except->items()) {
        if (!e.is_string() || e.text().empty()) {
          return r.Fail(m.Path("except"), "expected element names");
        }
        rule.except.push_back(e.text());
      }
    }
    std::string allowed, pattern;
    int64_t max = 0, min = 0;
    if (!m.Bool("transliterate", &rule.transliterate) || !m.Bool("single_line", &rule.single_line) ||
        !m.String("allowed", &allowed, true) || !m.String("pattern", &pattern, true) ||
        !m.Int("max", &max, 1, 1000000) || !m.Int("min", &min, 0, 1000000) ||
        !m.Done("a text rule (elements, except, transliterate, single_line, allowed, max, min, pattern)")) {
      return false;
    }
    rule.Compile();
    rule.max_chars = static_cast<size_t>(max);
    rule.min_chars = static_cast<size_t>(min);
    if (!allowed.empty()) {
      std::string why;
      if (!CharSet::Parse(allowed, &rule.allowed, &why)) return r.Fail(m.Path("allowed"), why);
    }
    if (!pattern.empty()) {
      rule.pattern = pattern;
      rule.regex = std::make_shared<re2::RE2>(pattern, re2::RE2::Quiet);
      if (!rule.regex->ok()) {
        return r.Fail(m.Path("pattern"), fmt::format("not a regular expression: {}",
                                                     rule.regex->error()));
      }
    }
    out->push_back(std::move(rule));
  }
  return true;
}

bool ReadNarrative(Reader& r, const Profile& profile, Narrative* out) {
  const Value* v = r.Need("narrative", json::Type::kObject);
  if (v == nullptr) return false;
  Reader m(*v, r.Path("narrative"), r.error());
  auto text = [&](std::string_view member, std::string* dst, PathScope scope, bool optional) {
    if (!m.String(member, dst, optional)) return false;
    if (dst->empty()) return true;
    Scope s{&profile, scope};
    return CheckTemplateText(r, m.Path(member), *dst, s);
  };
  if (!text("text", &out->text, PathScope::kNarrative, false) ||
      !text("rule", &out->rule, PathScope::kNarrativeRule, true) ||
      !text("alert", &out->alert, PathScope::kNarrativeAlert, true) ||
      !text("alert_rule", &out->alert_rule, PathScope::kNarrativeAlertRule, true) ||
      !text("action", &out->action, PathScope::kNarrative, true)) {
    return false;
  }
  for (auto [member, dst] : {std::pair<std::string_view, std::string*>{"rule_separator", &out->rule_separator},
                             {"alert_rule_separator", &out->alert_rule_separator},
                             {"alert_separator", &out->alert_separator},
                             {"typology_separator", &out->typology_separator}}) {
    if (const Value* s = m.Get(member)) {
      if (!s->is_string()) return r.Fail(m.Path(member), "expected a string");
      *dst = s->text();
    }
  }
  // A placeholder whose template is absent would render nothing useful.
  std::vector<std::string_view> names;
  std::string why;
  TemplatePlaceholders(out->text, &names, &why);
  for (std::string_view n : names) {
    if (n == "rules" && out->rule.empty()) {
      return r.Fail(m.Path("text"), "{rules} needs narrative.rule, the template of one rule");
    }
    if (n == "alerts" && out->alert.empty()) {
      return r.Fail(m.Path("text"), "{alerts} needs narrative.alert, the template of one alert");
    }
  }
  if (const Value* t = m.Need("typologies", json::Type::kObject, true)) {
    for (const auto& [code, paragraph] : t->members()) {
      if (!paragraph.is_string()) return r.Fail(m.Path("typologies") + "." + code, "expected a string");
      Scope s{&profile, PathScope::kNarrative};
      if (!CheckTemplateText(r, m.Path("typologies") + "." + code, paragraph.text(), s)) return false;
      out->typologies.emplace_back(code, paragraph.text());
    }
  }
  if (!m.Done("narrative (text, rule, alert, alert_rule, action, rule_separator, "
              "alert_rule_separator, alert_separator, typologies, typology_separator)")) {
    return false;
  }
  return true;
}

// goAML ---------------------------------------------------------------------

bool ReadParty(Reader& r, const std::string& name, const Value& v, const Profile& profile,
               GoamlParty* out) {
  Reader m(v, r.Path("parties") + "." + name, r.error());
  Scope scope{&profile, PathScope::kTransaction};
  out->name = name;
  std::string node;
  if (!m.String("node", &node) || !m.Bool("my_client", &out->my_client)) {
    return false;
  }
  if (node == "account") {
    out->node = PartyNode::kAccount;
  } else if (node == "person") {
    out->node = PartyNode::kPerson;
  } else if (node == "entity") {
    out->node = PartyNode::kEntity;
  } else {
    return r.Fail(m.Path("node"), fmt::format("expected \"account\", \"person\" or \"entity\", "
                                              "found \"{}\"", node));
  }
  if (!ReadValueMember(m, "country", scope, &out->country) ||
      !ReadTemplate(m, "element", scope, &out->element, false) ||
      !m.Done("a party (node, my_client, country, element)")) {
    return false;
  }
  return true;
}

bool ReadChannel(Reader& r, size_t index, const Value& v, const Profile& profile, ChannelRow* out) {
  const std::string path = fmt::format("{}[{}]", r.Path("channels"), index);
  if (!v.is_object()) return r.Fail(path, "expected an object");
  Reader m(v, path, r.error());
  Scope scope{&profile, PathScope::kTransaction};
  out->where = path;
  std::string side = "from";
  if (!ReadMatch(m, "match", scope, &out->match) ||
      !ReadValueMember(m, "transmode_code", scope, &out->transmode_code) ||
      !ReadValueMember(m, "transmode_comment", scope, &out->transmode_comment,
                       &out->has_transmode_comment) ||
      !m.String("client_side", &side, true) ||
      !ReadValueMember(m, "client_funds_code", scope, &out->client_funds_code) ||
      !ReadValueMember(m, "counterparty_funds_code", scope, &out->counterparty_funds_code) ||
      !m.String("counterparty", &out->counterparty) ||
      !ReadValueMember(m, "description", scope, &out->description, &out->has_description) ||
      !ReadValueMember(m, "location", scope, &out->location, &out->has_location) ||
      !m.Done("a channel row (match, transmode_code, transmode_comment, client_side, "
              "client_funds_code, counterparty_funds_code, counterparty, description, location)")) {
    return false;
  }
  if (side != "from" && side != "to") {
    return r.Fail(m.Path("client_side"), fmt::format("expected \"from\" or \"to\", found \"{}\"", side));
  }
  out->client_is_sender = side == "from";
  return true;
}

bool ReadGoaml(Reader& r, Profile* p) {
  const Value* v = r.Need("goaml", json::Type::kObject);
  if (v == nullptr) return false;
  Reader m(*v, "goaml", r.error());
  GoamlProfile& g = p->goaml;
  Scope report_scope{p, PathScope::kReport};
  Scope txn_scope{p, PathScope::kTransaction};
  if (!m.Code("rentity_id", &g.rentity_id) || !m.String("rentity_branch", &g.rentity_branch, true) ||
      !m.String("submission_code", &g.submission_code, true) ||
      !m.String("report_code", &g.report_code) ||
      !ReadValueMember(m, "entity_reference", report_scope, &g.entity_reference,
                       &g.has_entity_reference) ||
      !ReadTemplate(m, "reporting_person", report_scope, &g.reporting_person, true) ||
      !ReadTemplate(m, "location", report_scope, &g.location, true) ||
      !ReadCodeMap(m, "indicators", &g.indicators) || !m.String("client", &g.client, true)) {
    return false;
  }
  if (g.client.empty()) g.client = "client";
  // The transaction's own elements.
  const Value* t = m.Need("transaction", json::Type::kObject);
  if (t == nullptr) return false;
  {
    Reader tm(*t, "goaml.transaction", m.error());
    bool has_description = false, has_location = false;
    if (!ReadValueMember(tm, "number", txn_scope, &g.number) ||
        !ReadValueMember(tm, "internal_ref", txn_scope, &g.internal_ref, &g.has_internal_ref) ||
        !ReadValueMember(tm, "date", txn_scope, &g.date) ||
        !ReadValueMember(tm, "amount", txn_scope, &g.amount) ||
        !ReadValueMember(tm, "description", txn_scope, &g.description, &has_description) ||
        !ReadValueMember(tm, "location", txn_scope, &g.location_text, &has_location) ||
        !ReadValueMember(tm, "comments", txn_scope, &g.comments, &g.has_comments)) {
      return false;
    }
    if (const Value* fx = tm.Need("foreign_currency", json::Type::kObject, true)) {
      Reader fm(*fx, "goaml.transaction.foreign_currency", m.error());
      g.has_foreign = true;
      if (!ReadValueMember(fm, "code", txn_scope, &g.foreign_code) ||
          !ReadValueMember(fm, "amount", txn_scope, &g.foreign_amount) ||
          !fm.Bool("rate", &g.foreign_rate) ||
          !fm.Done("goaml.transaction.foreign_currency (code, amount, rate)")) {
        return false;
      }
    }
    if (!tm.Done("goaml.transaction (number, internal_ref, date, amount, description, location, "
                 "comments, foreign_currency)")) {
      return false;
    }
    if (!has_location) {  // goAML requires the element; it may be empty
      g.location_text.kind = ValueSpec::Kind::kConstant;
      g.location_text.where = "goaml.transaction.location";
    }
    if (!has_description) {
      return r.Fail("goaml.transaction.description", "missing (the default transaction_description)");
    }
  }
  const Value* channels = m.Need("channels", json::Type::kArray);
  if (channels == nullptr) return false;
  if (channels->items().empty()) return r.Fail("goaml.channels", "expected at least one row");
  for (size_t i = 0; i < channels->items().size(); ++i) {
    ChannelRow row;
    if (!ReadChannel(m, i, channels->items()[i], *p, &row)) return false;
    g.channels.push_back(std::move(row));
  }
  const Value* parties = m.Need("parties", json::Type::kObject);
  if (parties == nullptr) return false;
  for (const auto& [name, party] : parties->members()) {
    if (!party.is_object()) return r.Fail("goaml.parties." + name, "expected an object");
    GoamlParty gp;
    if (!ReadParty(m, name, party, *p, &gp)) return false;
    g.parties.push_back(std::move(gp));
  }
  auto find_party = [&](const std::string& name) {
    return std::find_if(g.parties.begin(), g.parties.end(),
                        [&](const GoamlParty& gp) { return gp.name == name; });
  };
  auto client = find_party(g.client);
  if (client == g.parties.end()) {
    return r.Fail("goaml.parties", fmt::format("no party '{}' (the bank's customer, named by "
                                               "goaml.client)", g.client));
  }
  for (const ChannelRow& row : g.channels) {
    if (find_party(row.counterparty) == g.parties.end()) {
      return r.Fail(row.where + ".counterparty",
                    fmt::format("no party '{}' in goaml.parties", row.counterparty));
    }
  }
  if (!m.Done("goaml (rentity_id, rentity_branch, submission_code, report_code, entity_reference, "
              "reporting_person, location, indicators, client, transaction, channels, parties)")) {
    return false;
  }
  return true;
}

// FinCEN --------------------------------------------------------------------

bool ReadClassifications(Reader& r, const Value& list, const std::string& path,
                         std::vector<FincenClassification>* out) {
  if (!list.is_array() || list.items().empty()) {
    return r.Fail(path, "expected an array of {\"type\", \"subtype\", \"other\"}");
  }
  for (size_t i = 0; i < list.items().size(); ++i) {
    const std::string item_path = fmt::format("{}[{}]", path, i);
    const Value& item = list.items()[i];
    if (!item.is_object()) return r.Fail(item_path, "expected an object");
    Reader m(item, item_path, r.error());
    FincenClassification c;
    if (!m.Code("type", &c.type) || !m.Code("subtype", &c.subtype) ||
        !m.String("other", &c.other, true) ||
        !m.Done("a classification (type, subtype, other)")) {
      return false;
    }
    out->push_back(std::move(c));
  }
  return true;
}

bool ReadFincen(Reader& r, Profile* p) {
  const Value* v = r.Need("fincen", json::Type::kObject);
  if (v == nullptr) return false;
  Reader m(*v, "fincen", r.error());
  FincenProfile& f = p->fincen;
  Scope report_scope{p, PathScope::kReport};
  Scope txn_scope{p, PathScope::kTransaction};
  if (!m.String("association", &f.association, true) ||
      !m.Code("prior_document", &f.prior_document, true)) {
    return false;
  }
  if (f.association != "initial" && f.association != "corrects" &&
      f.association != "continuing" && f.association != "joint") {
    return r.Fail("fincen.association", fmt::format("expected \"initial\", \"corrects\", "
                                                    "\"continuing\" or \"joint\", found \"{}\"",
                                                    f.association));
  }
  const Value* parties = m.Need("parties", json::Type::kArray);
  if (parties == nullptr) return false;
  for (size_t i = 0; i < parties->items().size(); ++i) {
    const std::string path = fmt::format("fincen.parties[{}]", i);
    std::vector<ElementSpec> party;
    bool ignored = false;
    if (!ReadElements(m, path, parties->items()[i], report_scope, &party, &ignored)) {
      return false;
    }
    if (party.empty() || party[0].name != "ActivityPartyTypeCode" || !party[0].leaf ||
        party[0].value.kind != ValueSpec::Kind::kConstant) {
      return r.Fail(path, "expected \"ActivityPartyTypeCode\" first, with a constant code");
    }
    f.parties.push_back(std::move(party));
  }
  const Value* subjects = m.Need("subjects", json::Type::kArray);
  if (subjects == nullptr) return false;
  if (subjects->items().empty()) return r.Fail("fincen.subjects", "expected at least one row");
  for (size_t i = 0; i < subjects->items().size(); ++i) {
    const std::string path = fmt::format("fincen.subjects[{}]", i);
    const Value& item = subjects->items()[i];
    if (!item.is_object()) return r.Fail(path, "expected an object");
    Reader sm(item, path, m.error());
    FincenSubjectRow row;
    row.where = path;
    if (!ReadMatch(sm, "match", report_scope, &row.match) ||
        !ReadTemplate(sm, "party", report_scope, &row.party, false) ||
        !sm.Done("a subject row (match, party)")) {
      return false;
    }
    f.subjects.push_back(std::move(row));
  }
  if (!ReadValueMember(m, "amount", txn_scope, &f.amount)) return false;
  if (const Value* c = m.Need("classifications", json::Type::kObject)) {
    Reader cm(*c, "fincen.classifications", m.error());
    if (const Value* map = cm.Need("map", json::Type::kObject)) {
      for (const auto& [tag, list] : map->members()) {
        std::vector<FincenClassification> cls;
        if (!ReadClassifications(r, list, "fincen.classifications.map." + tag, &cls)) return false;
        f.classifications.emplace_back(tag, std::move(cls));
      }
    }
    if (const Value* def = cm.Get("default")) {
      f.has_default_classifications = true;
      if (!ReadClassifications(r, *def, "fincen.classifications.default",
                               &f.default_classifications)) {
        return false;
      }
    }
    if (!cm.Done("fincen.classifications (map, default)")) return false;
  } else {
    return false;
  }
  if (const Value* notes = m.Need("notes", json::Type::kObject, true)) {
    for (const auto& [tag, term] : notes->members()) {
      if (!term.is_string() || term.text().empty()) {
        return r.Fail("fincen.notes." + tag, "expected a key term such as \"FIN-2025-SEXTORTION\"");
      }
      f.notes.emplace_back(tag, term.text());
    }
  }
  if (const Value* assets = m.Need("assets", json::Type::kArray, true)) {
    for (size_t i = 0; i < assets->items().size(); ++i) {
      const std::string path = fmt::format("fincen.assets[{}]", i);
      const Value& item = assets->items()[i];
      if (!item.is_object()) return r.Fail(path, "expected an object");
      Reader am(item, path, m.error());
      FincenAssetRow row;
      if (!ReadMatch(am, "match", txn_scope, &row.match)) return false;
      const Value* list = am.Need("assets", json::Type::kArray);
      if (list == nullptr) return false;
      for (size_t k = 0; k < list->items().size(); ++k) {
        const std::string ap = fmt::format("{}.assets[{}]", path, k);
        if (!list->items()[k].is_object()) return r.Fail(ap, "expected {\"type\", \"subtype\"}");
        Reader tm(list->items()[k], ap, m.error());
        std::string type, subtype;
        if (!tm.Code("type", &type) || !tm.Code("subtype", &subtype) ||
            !tm.Done("an asset (type, subtype)")) {
          return false;
        }
        row.assets.emplace_back(type, subtype);
      }
      if (!am.Done("an asset row (match, assets)")) return false;
      f.assets.push_back(std::move(row));
    }
  }
  if (!m.Done("fincen (association, prior_document, parties, subjects, amount, classifications, "
              "notes, assets)")) {
    return false;
  }
  // The five fixed parties FinCEN requires besides the subject (REPORTING.md §2.1).
  static constexpr std::pair<std::string_view, std::string_view> kRequired[] = {
      {"35", "transmitter"}, {"37", "transmitter contact"}, {"30", "filing institution"},
      {"8", "contact office"}, {"34", "financial institution where the activity occurred"}};
  for (const auto& required : kRequired) {
    // Not a structured binding: clang 14 cannot capture one in a lambda.
    const std::string_view code = required.first, what = required.second;
    bool found = std::any_of(f.parties.begin(), f.parties.end(), [&](const auto& party) {
      return party[0].value.constant == code;
    });
    if (!found) {
      return r.Fail("fincen.parties", fmt::format("no party with ActivityPartyTypeCode {} ({}); "
                                                  "FinCEN requires parties 35, 37, 30, 8 and 34 "
                                                  "besides the subject (33)", code, what));
    }
  }
  for (const auto& party : f.parties) {
    if (party[0].value.constant == "33") {
      return r.Fail("fincen.parties", "the subject (33) comes from fincen.subjects, for each case");
    }
  }
  return true;
}

}  // namespace

bool ReadProfile(std::string_view text, const std::string& name, Profile* out, std::string* error) {
  Value root;
  json::ParseError perr;
  if (!json::Parse(text, &root, &perr)) {
    *error = fmt::format("{}:{}:{}: {}", name, perr.line, perr.column, perr.message);
    return false;
  }
  if (!root.is_object()) {
    *error = fmt::format("{}: a profile is a JSON object, found {}", name, json::TypeName(root.type()));
    return false;
  }
  Profile p;
  p.name = name;
  std::string err;
  Reader r(root, "", &err);
  auto fail = [&] {
    *error = fmt::format("{}: {}", name, err);
    return false;
  };
  std::string format, kind;
  if (!r.String("format", &format)) return fail();
  if (format != kFormat) {
    r.Fail("format", fmt::format("expected \"{}\", found \"{}\"", kFormat, format));
    return fail();
  }
  if (!r.String("kind", &kind)) return fail();
  if (kind == "goaml") {
    p.kind = ReportKind::kGoaml;
  } else if (kind == "fincen-sar") {
    p.kind = ReportKind::kFincenSar;
  } else {
    r.Fail("kind", fmt::format("expected \"goaml\" or \"fincen-sar\", found \"{}\"", kind));
    return fail();
  }
  if (!r.String("title", &p.title, true) || !r.String("time_zone", &p.time_zone, true) ||
      !r.String("local_currency", &p.local_currency, p.kind == ReportKind::kFincenSar)) {
    return fail();
  }
  if (p.kind == ReportKind::kFincenSar && p.local_currency.empty()) p.local_currency = "USD";
  if (const Value* lookups = r.Need("lookups", json::Type::kObject, true)) {
    for (const auto& [lname, spec] : lookups->members()) {
      const std::string path = "lookups." + lname;
      if (lname == "event" || lname == "case" || lname == "report" || lname == "alert" ||
          lname == "rule" || !ValidElementName(lname) || lname.find('.') != std::string::npos) {
        r.Fail(path, "a lookup name must be a plain name other than event, case, report, "
                     "alert and rule");
        return fail();
      }
      if (!spec.is_object()) {
        r.Fail(path, "expected {\"key\": EVENT_FIELD}");
        return fail();
      }
      Reader lm(spec, path, &err);
      std::string key;
      if (!lm.String("key", &key) || !lm.Done("a lookup (key)")) return fail();
      p.lookups.emplace_back(lname, key);
    }
  }
  if (const Value* t = r.Get("text")) {
    if (!ReadFitRules(r, *t, &p.text)) return fail();
  }
  if (!ReadNarrative(r, p, &p.narrative)) return fail();
  if (p.kind == ReportKind::kGoaml) {
    if (!ReadGoaml(r, &p)) return fail();
    r.Get("fincen");
    if (root.Find("fincen") != nullptr) {
      r.Fail("fincen", "a goaml profile has no fincen section");
      return fail();
    }
  } else {
    if (!ReadFincen(r, &p)) return fail();
    if (root.Find("goaml") != nullptr) {
      r.Fail("goaml", "a fincen-sar profile has no goaml section");
      return fail();
    }
    r.Get("goaml");
  }
  if (!r.Done("a profile (format, kind, title, time_zone, local_currency, lookups, text, "
              "narrative, goaml, fincen)")) {
    return fail();
  }
  *out = std::move(p);
  return true;
}

bool ReadProfileFile(const std::string& path, Profile* out, std::string* error) {
  std::string text, why;
  if (!ReadWholeFile(path, kMaxProfileBytes, &text, &why)) {
    *error = fmt::format("cannot read the profile \"{}\": {}", path, why);
    return false;
  }
  return ReadProfile(text, path, out, error);
}

std::string LookupOfPath(const Profile& profile, std::string_view path) {
  size_t dot = path.find('.');
  if (dot == std::string_view::npos) return "";
  std::string_view root = path.substr(0, dot);
  for (const auto& [name, key] : profile.lookups) {
    if (name == root) return name;
  }
  return "";
}

}  // namespace vigil::report
