#include "referral/policy.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "base/json_members.hpp"
#include "referral/countries.hpp"

namespace vigil::referral {

using json::Members;
using json::Value;

namespace {

constexpr std::string_view kFtmSchemas[] = {"Person", "LegalEntity", "Company", "Organization"};

bool ReadField(Members& m, std::string_view member, FieldRef* out) {
  if (!m.String(member, &out->name)) return false;
  out->where = m.Path(member);
  return true;
}

// A property's fields: one name or an array of names.
bool ReadFields(Members& m, std::string_view member, std::vector<FieldRef>* out) {
  const Value* v = m.object().Find(member);
  if (v != nullptr && v->is_string()) {
    m.Get(member, json::Type::kString);
    if (v->text().empty()) return m.Fail(m.Path(member), "expected a field name");
    out->push_back(FieldRef{v->text(), m.Path(member)});
    return true;
  }
  std::vector<std::string> names;
  if (!m.Strings(member, &names)) return false;
  if (names.empty()) return m.Fail(m.Path(member), "expected at least one field name");
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) return m.Fail(fmt::format("{}[{}]", m.Path(member), i), "expected a field name");
    out->push_back(FieldRef{names[i], fmt::format("{}[{}]", m.Path(member), i)});
  }
  return true;
}

bool ReadCountry(Members& m, std::string_view member, std::string* out) {
  if (!m.String(member, out)) return false;
  if (FindCountry(*out) == nullptr) {
    return m.Fail(m.Path(member), fmt::format("'{}' is not an ISO 3166-1 alpha-2 country code",
                                              *out));
  }
  return true;
}

// Members of `base` overridden by those present.
bool ReadHandling(Members& m, const Handling& base, Handling* out) {
  *out = base;
  std::string text;
  if (!m.OptionalString("recipient", &out->recipient)) return false;
  if (m.Has("tlp")) {
    if (!m.String("tlp", &text)) return false;
    std::optional<std::string> tlp = ParseTlp(text);
    if (!tlp) {
      return m.Fail(m.Path("tlp"), fmt::format("'{}' is not a TLP 2.0 marking (TLP:RED, "
                                               "TLP:AMBER+STRICT, TLP:AMBER, TLP:GREEN, "
                                               "TLP:CLEAR)", text));
    }
    out->tlp = *tlp;
  } else {
    m.Get("tlp", json::Type::kString, true);
  }
  if (m.Has("handling")) {
    if (!m.String("handling", &text)) return false;
    if (text != "H0" && text != "H1" && text != "H2" && text != "H3") {
      return m.Fail(m.Path("handling"),
                    fmt::format("'{}' is not a handling code (H0, H1, H2 or H3)", text));
    }
    out->code = text;
  } else {
    m.Get("handling", json::Type::kString, true);
  }
  if (m.Has("source_reliability")) {
    if (!m.String("source_reliability", &text)) return false;
    if (text != "A" && text != "B" && text != "C" && text != "X") {
      return m.Fail(m.Path("source_reliability"),
                    fmt::format("'{}' is not a source reliability grade (A, B, C or X)", text));
    }
    out->source_reliability = text;
  } else {
    m.Get("source_reliability", json::Type::kString, true);
  }
  if (m.Has("information_accuracy")) {
    if (!m.String("information_accuracy", &text)) return false;
    if (text != "1" && text != "2" && text != "3" && text != "4") {
      return m.Fail(m.Path("information_accuracy"),
                    fmt::format("'{}' is not an information accuracy grade (1, 2, 3 or 4)", text));
    }
    out->information_accuracy = text;
  } else {
    m.Get("information_accuracy", json::Type::kString, true);
  }
  if (m.Has("identifiers")) {
    if (!m.String("identifiers", &text)) return false;
    if (text == "keyed") {
      out->identifiers = Identifiers::kKeyed;
    } else if (text == "plaintext") {
      out->identifiers = Identifiers::kPlaintext;
    } else {
      return m.Fail(m.Path("identifiers"),
                    fmt::format("expected \"keyed\" or \"plaintext\", found \"{}\"", text));
    }
  } else {
    m.Get("identifiers", json::Type::kString, true);
  }
  return true;
}

// "properties": {"firstName": "customer_first_name", "address": ["street", "city"]}
bool ReadPropertyMaps(Members& m, std::vector<PropertyMap>* out) {
  const Value* props = m.Get("properties", json::Type::kObject);
  if (props == nullptr) return false;
  for (const auto& [key, value] : props->members()) {
    const std::string path = m.Path("properties") + "." + key;
    PropertyMap p;
    p.property = key;
    if (value.is_string()) {
      if (value.text().empty()) return m.Fail(path, "expected a field name");
      p.fields.push_back(FieldRef{value.text(), path});
    } else if (value.is_array() && !value.items().empty()) {
      for (size_t i = 0; i < value.items().size(); ++i) {
        const Value& item = value.items()[i];
        if (!item.is_string() || item.text().empty()) {
          return m.Fail(fmt::format("{}[{}]", path, i), "expected a field name");
        }
        p.fields.push_back(FieldRef{item.text(), fmt::format("{}[{}]", path, i)});
      }
    } else {
      return m.Fail(path, "expected a field name or an array of field names");
    }
    out->push_back(std::move(p));
  }
  std::sort(out->begin(), out->end(),
            [](const PropertyMap& a, const PropertyMap& b) { return a.property < b.property; });
  return true;
}

bool ReadRole(Members& m, std::string_view member, bool needs_key, bool party,
              const char* default_schema, Role* role) {
  return m.Object(
      member,
      [&](Members& r) {
        role->present = true;
        role->schema = default_schema;
        if (party) {
          if (!r.OptionalString("schema", &role->schema)) return false;
          if (std::find(std::begin(kFtmSchemas), std::end(kFtmSchemas), role->schema) ==
              std::end(kFtmSchemas)) {
            return r.Fail(r.Path("schema"),
                          fmt::format("expected Person, LegalEntity, Company or Organization, "
                                      "found \"{}\"", role->schema));
          }
        }
        if (needs_key) {
          FieldRef key;
          if (!ReadField(r, "key", &key)) return false;
          role->key = std::move(key);
        }
        if (r.Has("person_if")) {
          if (!r.Object("person_if", [&](Members& c) {
                FieldRef f;
                if (!ReadField(c, "field", &f) || !c.Strings("values", &role->person_values)) {
                  return false;
                }
                role->person_if = std::move(f);
                return true;
              })) {
            return false;
          }
        }
        return ReadPropertyMaps(r, &role->properties);
      },
      true);
}

}  // namespace

std::optional<std::string> ParseTlp(std::string_view text) {
  if (text.starts_with("TLP:")) text.remove_prefix(4);
  if (text == "RED" || text == "AMBER+STRICT" || text == "AMBER" || text == "GREEN" ||
      text == "CLEAR") {
    return "TLP:" + std::string(text);
  }
  return std::nullopt;
}

const Handling& Policy::For(const std::string& jurisdiction) const {
  if (jurisdiction == kUnassigned) return unassigned;
  auto it = jurisdictions.find(jurisdiction);
  return it == jurisdictions.end() ? defaults : it->second;
}

bool ReadPolicy(std::string_view text, const std::string& name, Policy* out, std::string* error) {
  Value doc;
  json::ParseError perr;
  if (!json::Parse(text, &doc, &perr)) {
    *error = fmt::format("{}:{}:{}: {}", name, perr.line, perr.column, perr.message);
    return false;
  }
  if (!doc.is_object()) {
    *error = fmt::format("{}: expected a JSON object (a {} file), found {}", name, kPolicyFormat,
                         json::TypeName(doc.type()));
    return false;
  }
  Policy p;
  std::string why;
  Members m(doc, "", &why, kPolicyFormat);
  auto read = [&]() {
    std::string format;
    if (!m.String("format", &format)) return false;
    if (format != kPolicyFormat) {
      return m.Fail("format", fmt::format("expected \"{}\", found \"{}\"", kPolicyFormat, format));
    }
    if (!m.Object("sender", [&](Members& s) {
          return s.String("name", &p.sender.name) && ReadCountry(s, "country", &p.sender.country) &&
                 s.OptionalString("contact", &p.sender.contact);
        })) {
      return false;
    }
    if (!m.String("schema", &p.schema)) return false;
    if (!m.Objects("precedence", [&](Members& s, size_t) {
          PrecedenceStep step;
          if (!s.String("name", &step.name) || !ReadField(s, "field", &step.field)) return false;
          if (s.Has("when")) {
            FieldRef when;
            if (!ReadField(s, "when", &when)) return false;
            step.when = std::move(when);
          } else {
            s.Get("when", json::Type::kString, true);
          }
          p.precedence.push_back(std::move(step));
          return true;
        })) {
      return false;
    }
    if (p.precedence.empty()) return m.Fail("precedence", "expected at least one step");
    if (p.precedence.size() > kMaxPrecedenceSteps) {
      return m.Fail("precedence", fmt::format("expected at most {} steps, found {}",
                                              kMaxPrecedenceSteps, p.precedence.size()));
    }
    if (m.Has("related") && !ReadFields(m, "related", &p.related)) return false;
    if (!m.Has("related")) m.Get("related", json::Type::kArray, true);
    if (m.Has("default")) {
      if (!m.Object("default", [&](Members& h) { return ReadHandling(h, Handling{}, &p.defaults); })) {
        return false;
      }
    } else {
      m.Get("default", json::Type::kObject, true);
    }
    if (!m.EachObject(
            "jurisdictions",
            [&](Members& h, const std::string& code) {
              if (FindCountry(code) == nullptr) {
                return h.Fail(h.path(),
                              fmt::format("'{}' is not an ISO 3166-1 alpha-2 country code{}",
                                          code,
                                          code == "UK" ? " (the United Kingdom is 'GB')" : ""));
              }
              Handling handling;
              if (!ReadHandling(h, p.defaults, &handling)) return false;
              p.jurisdictions.emplace(code, std::move(handling));
              return true;
            },
            true)) {
      return false;
    }
    p.unassigned = p.defaults;
    if (!m.Object("unassigned", [&](Members& h) { return ReadHandling(h, p.defaults, &p.unassigned); },
                  true)) {
      return false;
    }
    if (!m.Object("entities", [&](Members& e) {
          Entities& en = p.entities;
          if (!ReadRole(e, "subject", false, true, "Person", &en.subject) ||
              !ReadRole(e, "subject_account", true, false, "BankAccount", &en.subject_account) ||
              !ReadRole(e, "counterparty", true, true, "LegalEntity", &en.counterparty) ||
              !ReadRole(e, "counterparty_account", true, false, "BankAccount",
                        &en.counterparty_account) ||
              !ReadRole(e, "merchant", true, true, "LegalEntity", &en.merchant)) {
            return false;
          }
          return e.Object("payment", [&](Members& pay) {
            en.payment.present = true;
            en.payment.schema = "Payment";
            if (pay.Has("incoming_if")) {
              if (!pay.Object("incoming_if", [&](Members& c) {
                    FieldRef f;
                    if (!ReadField(c, "field", &f) || !c.Strings("values", &en.incoming_values)) {
                      return false;
                    }
                    en.incoming_if = std::move(f);
                    return true;
                  })) {
                return false;
              }
            } else {
              pay.Get("incoming_if", json::Type::kObject, true);
            }
            return ReadPropertyMaps(pay, &en.payment.properties);
          });
        })) {
      return false;
    }
    if (!p.entities.subject.present) {
      return m.Fail("entities.subject", "missing (how the subject becomes an entity)");
    }
    if (m.Has("normalize")) {
      const Value* n = m.Get("normalize", json::Type::kObject);
      if (n == nullptr) return false;
      for (const auto& [field, value] : n->members()) {
        const std::string path = m.Path("normalize") + "." + field;
        std::optional<Normalization> norm =
            value.is_string() ? ParseNormalization(value.text()) : std::nullopt;
        if (!norm) {
          return m.Fail(path, fmt::format("expected a normalisation ({})", NormalizationNames()));
        }
        p.normalize[field] = *norm;
      }
    } else {
      m.Get("normalize", json::Type::kObject, true);
    }
    if (m.Has("keyed_fields")) {
      if (!ReadFields(m, "keyed_fields", &p.keyed_fields)) return false;
    } else {
      m.Get("keyed_fields", json::Type::kArray, true);
    }
    return true;
  };
  if (!read() || !m.Done()) {
    *error = fmt::format("{}: {}", name, why);
    return false;
  }
  *out = std::move(p);
  return true;
}

bool CheckPolicyFields(const Policy& policy, const std::string& name,
                       const std::map<std::string, bool>& fields, std::set<std::string>* keyed,
                       std::string* error) {
  auto check = [&](const FieldRef& f) {
    if (fields.count(f.name)) return true;
    *error = fmt::format("{}: member '{}': '{}' is not a field of the events' schema ({})", name,
                         f.where, f.name, policy.schema);
    return false;
  };
  for (const PrecedenceStep& s : policy.precedence) {
    if (!check(s.field) || (s.when && !check(*s.when))) return false;
  }
  for (const FieldRef& f : policy.related) {
    if (!check(f)) return false;
  }
  for (const FieldRef& f : policy.keyed_fields) {
    if (!check(f)) return false;
  }
  const Entities& e = policy.entities;
  for (const Role* r : {&e.subject, &e.subject_account, &e.counterparty, &e.counterparty_account,
                        &e.merchant, &e.payment}) {
    if (!r->present) continue;
    if (r->key && !check(*r->key)) return false;
    if (r->person_if && !check(*r->person_if)) return false;
    for (const PropertyMap& p : r->properties) {
      for (const FieldRef& f : p.fields) {
        if (!check(f)) return false;
      }
    }
  }
  if (e.incoming_if && !check(*e.incoming_if)) return false;
  for (const auto& [field, norm] : policy.normalize) {
    if (!fields.count(field)) {
      *error = fmt::format("{}: member 'normalize.{}': '{}' is not a field of the events' schema "
                           "({})", name, field, field, policy.schema);
      return false;
    }
  }
  keyed->clear();
  for (const auto& [field, pii] : fields) {
    if (pii) keyed->insert(field);
  }
  for (const FieldRef& f : policy.keyed_fields) keyed->insert(f.name);
  return true;
}

}  // namespace vigil::referral
