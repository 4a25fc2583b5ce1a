#include "referral/entities.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "base/json_writer.hpp"

namespace vigil::referral {

using json::Value;

namespace {

using Properties = std::map<std::string, std::set<std::string>>;

// {"id":…,"schema":…,"properties":{…}} on one line, as json::Write would
// write it, without building the tree.
std::string EntityLine(const std::string& id, const std::string& schema, const Properties& props) {
  std::string out = "{\"id\":";
  AppendJsonString(id, out);
  out += ",\"schema\":";
  AppendJsonString(schema, out);
  out += ",\"properties\":{";
  bool first = true;
  for (const auto& [name, values] : props) {
    if (values.empty()) continue;
    if (!first) out += ',';
    first = false;
    AppendJsonString(name, out);
    out += ":[";
    bool first_value = true;
    for (const std::string& v : values) {
      if (!first_value) out += ',';
      first_value = false;
      AppendJsonString(v, out);
    }
    out += ']';
  }
  out += "}}\n";
  return out;
}

bool OneOf(const Value* v, const std::vector<std::string>& values) {
  if (v == nullptr) return false;
  const std::string t = ScalarText(*v);
  return std::find(values.begin(), values.end(), t) != values.end();
}

const char* Prefix(const Role& r, const std::string& schema) {
  if (schema == "BankAccount") return "account";
  if (schema == "Person") return "person";
  (void)r;
  return "entity";
}

}  // namespace

std::string ScalarText(const Value& v) {
  switch (v.type()) {
    case json::Type::kString:
    case json::Type::kNumber:
      return v.text();
    case json::Type::kBool:
      return v.boolean() ? "true" : "false";
    default:
      return "";
  }
}

std::string EntityWriter::SubjectId(const cases::Subject& s) const {
  return keyer_.EntityId("subject", "subject", s.field, s.value);
}

std::string EntityWriter::Out(const std::string& field, std::string_view text,
                              bool keyed_ids) const {
  if (keyed_ids && keyed_.count(field)) return keyer_.Keyed(field, text);
  return std::string(text);
}

// Evidence records carry event values: a field node's value, an
// aggregate's key, the event's subject. In keyed packages those of keyed
// fields are keyed too (masked values, "****", stay as they are).
Value EntityWriter::Rewrite(const Value& v, bool keyed_ids, bool pii_shown) const {
  if (v.is_array()) {
    Value out = Value::Array();
    for (const Value& item : v.items()) out.Push(Rewrite(item, keyed_ids, pii_shown));
    return out;
  }
  if (!v.is_object()) return v;
  const Value* field = v.Find("field");
  const bool keyed_node = keyed_ids && field != nullptr && field->is_string() &&
                          keyed_.count(field->text()) != 0;
  Value out = Value::Object();
  for (const auto& [key, member] : v.members()) {
    if (keyed_node && key == "value" && !member.is_null() && !member.is_object() &&
        !member.is_array() && ScalarText(member) != "****") {
      out.Set(key, Value::String(Out(field->text(), ScalarText(member), true)));
    } else if (pii_shown && key == "reason" && member.is_string()) {
      // A reason evaluated with PII shown may quote any field in clear.
      out.Set(key, Value::String("(withheld: evaluated with PII shown)"));
    } else if (keyed_ids && key == "key" && member.is_object()) {
      Value k = Value::Object();
      for (const auto& [f, kv] : member.members()) {
        const std::string t = ScalarText(kv);
        if (keyed_.count(f) && !t.empty() && t != "****") {
          k.Set(f, Value::String(Out(f, t, true)));
        } else {
          k.Set(f, kv);
        }
      }
      out.Set(key, std::move(k));
    } else {
      out.Set(key, Rewrite(member, keyed_ids, pii_shown));
    }
  }
  return out;
}

void EntityWriter::WriteSubject(const std::vector<cases::Case>& cases, bool keyed_ids,
                                const std::string& country, const std::vector<std::string>& notes,
                                std::unordered_set<std::string>* emitted, std::string* entities,
                                std::string* evidence, SubjectStats* stats) const {
  const Entities& en = policy_.entities;
  const cases::Subject& subject = cases.front().subject;
  const std::string subject_id = SubjectId(subject);
  // The same values recur in every transaction of a subject: key each once.
  std::map<std::pair<std::string, std::string>, std::string> keyed_cache;
  auto out = [&](const std::string& field, const std::string& text) -> const std::string& {
    auto [it, fresh] = keyed_cache.try_emplace({field, text});
    if (fresh) it->second = Out(field, text, keyed_ids);
    return it->second;
  };

  // Values of a property map over one event, keyed as the package needs.
  auto fill = [&](const std::vector<PropertyMap>& maps, const Value& event, Properties* props) {
    for (const PropertyMap& pm : maps) {
      for (const FieldRef& f : pm.fields) {
        const Value* v = event.Find(f.name);
        if (v == nullptr) continue;
        if (v->is_array()) {
          for (const Value& item : v->items()) {
            std::string t = ScalarText(item);
            if (!t.empty()) (*props)[pm.property].insert(out(f.name, t));
          }
          continue;
        }
        std::string t = ScalarText(*v);
        if (!t.empty()) (*props)[pm.property].insert(out(f.name, t));
      }
    }
  };
  std::unordered_map<std::string, std::string> id_cache;  // role, schema, key → entity id
  // A role's entity for one event: its id ("" when the event has no key).
  auto role_entity = [&](const Role& role, const char* name, const Value& event) -> std::string {
    if (!role.present || !role.key) return "";
    const Value* k = event.Find(role.key->name);
    const std::string key = k == nullptr ? "" : ScalarText(*k);
    if (key.empty()) return "";
    std::string schema = role.schema;
    if (role.person_if && OneOf(event.Find(role.person_if->name), role.person_values)) {
      schema = "Person";
    }
    // A subject's account, counterparties and merchants recur from one
    // transaction to the next: each id is keyed once per subject.
    std::string cache_key;
    cache_key.reserve(std::strlen(name) + schema.size() + key.size() + 2);
    cache_key.append(name).append(1, '\n').append(schema).append(1, '\n').append(key);
    auto [cached, fresh] = id_cache.try_emplace(std::move(cache_key));
    if (!fresh) return cached->second;
    const std::string id = keyer_.EntityId(Prefix(role, schema), name, role.key->name, key);
    cached->second = id;
    if (emitted->insert(id).second) {
      Properties props;
      fill(role.properties, event, &props);
      *entities += EntityLine(id, schema, props);
      ++stats->entities;
    }
    return id;
  };

  // The subject: its properties over all its transactions.
  Properties subject_props;
  std::string subject_schema = en.subject.schema;
  std::set<std::string> seen_events;
  for (const cases::Case& c : cases) {
    for (const cases::Transaction& t : c.transactions) {
      fill(en.subject.properties, t.data, &subject_props);
      if (en.subject.person_if && OneOf(t.data.Find(en.subject.person_if->name),
                                        en.subject.person_values)) {
        subject_schema = "Person";
      }
    }
  }
  subject_props["keywords"].insert(subject.field + ":" +
                                   Out(subject.field, subject.value, keyed_ids));
  if (!country.empty()) subject_props["country"].insert(country);
  for (const std::string& n : notes) subject_props["notes"].insert(n);
  if (emitted->insert(subject_id).second) {
    *entities += EntityLine(subject_id, subject_schema, subject_props);
    ++stats->entities;
  }

  for (const cases::Case& c : cases) {
    ++stats->cases;
    for (const std::string& t : c.typologies) stats->typologies.insert(t);
    for (const cases::Transaction& t : c.transactions) {
      if (!seen_events.insert(t.event).second) continue;
      const Value& ev = t.data;
      const std::string account = role_entity(en.subject_account, "subject_account", ev);
      std::string party = role_entity(en.counterparty, "counterparty", ev);
      const std::string party_account =
          role_entity(en.counterparty_account, "counterparty_account", ev);
      const std::string merchant = role_entity(en.merchant, "merchant", ev);
      if (party.empty()) party = merchant;
      if (!en.payment.present) continue;
      Properties props;
      fill(en.payment.properties, ev, &props);
      const bool incoming = en.incoming_if && OneOf(ev.Find(en.incoming_if->name),
                                                    en.incoming_values);
      auto put = [&](const char* name, const std::string& id) {
        if (!id.empty()) props[name].insert(id);
      };
      put(incoming ? "beneficiary" : "payer", subject_id);
      put(incoming ? "beneficiaryAccount" : "payerAccount", account);
      put(incoming ? "payer" : "beneficiary", party);
      put(incoming ? "payerAccount" : "beneficiaryAccount", party_account);
      const std::string id = keyer_.EntityId("payment", "payment", "event", t.event);
      if (emitted->insert(id).second) {
        *entities += EntityLine(id, "Payment", props);
        ++stats->entities;
      }
      ++stats->payments;
      const Value* cur = ev.Find("currency");
      const Value* amt = ev.Find("amount");
      const std::string currency = cur == nullptr ? "" : ScalarText(*cur);
      std::optional<Decimal> d =
          amt != nullptr && amt->is_number() ? ParseDecimal(amt->text()) : std::nullopt;
      auto& slot = stats->amounts[currency];
      ++slot.first;
      if (d) {
        Decimal sum;
        if (DecimalAdd(slot.second, *d, &sum)) slot.second = sum;
      }
    }
    for (const cases::Alert& a : c.alerts) {
      ++stats->alerts;
      const Value* evidence_record = &a.evidence;
      Value parsed;
      if (a.evidence.is_raw()) {
        json::ParseError perr;
        if (json::Parse(a.evidence.text(), &parsed, &perr)) evidence_record = &parsed;
      }
      const Value& record = *evidence_record;
      // A record with PII masked holds no @pii value; only fields keyed by
      // the policy alone need rewriting then.
      const Value* pii = record.Find("pii");
      const bool masked = pii != nullptr && pii->is_string() && pii->text() == "masked";
      if (keyed_ids && masked && !policy_.keyed_fields.empty()) {
        json::Write(Rewrite(record, keyed_ids, false), *evidence);
      } else if (keyed_ids && !masked) {
        json::Write(Rewrite(record, keyed_ids, true), *evidence);
      } else {
        json::Write(record, *evidence);
      }
      *evidence += '\n';
    }
  }
}

}  // namespace vigil::referral
