// The referral policy (docs/referral.md, "format": "vigil.referral-policy/1"):
// who sends, how each subject's jurisdiction is decided, how each
// jurisdiction's package is marked and handled, and how the cases' events
// become FollowTheMoney entities. Read strictly: unknown members, unknown
// country codes, TLP markings and handling codes are errors naming the member.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/list_hash.hpp"

namespace vigil::referral {

inline constexpr const char* kPolicyFormat = "vigil.referral-policy/1";
inline constexpr const char* kUnassigned = "unassigned";
inline constexpr size_t kMaxPrecedenceSteps = 64;

// An event field named by the policy, with where it was named (for errors
// found once the schema is known).
struct FieldRef {
  std::string name;
  std::string where;  // member path: "precedence[2].field"
};

// One step of the jurisdiction precedence: the subject's country is the
// most frequent valid country code of `field` over its transactions (those
// where `when` is true, if given).
struct PrecedenceStep {
  std::string name;  // "KYC address"
  FieldRef field;
  std::optional<FieldRef> when;
};

enum class Identifiers : uint8_t { kKeyed, kPlaintext };

// How one jurisdiction's package is marked and handled.
struct Handling {
  std::string recipient;              // who receives it ("" when not named)
  std::string tlp = "TLP:AMBER+STRICT";  // TLP 2.0, with its prefix
  std::string code = "H2";               // Europol handling code H0..H3
  std::string source_reliability = "B";  // A, B, C, X
  std::string information_accuracy = "2";  // 1..4
  Identifiers identifiers = Identifiers::kKeyed;
};

// A FollowTheMoney property filled from event fields (every value present).
struct PropertyMap {
  std::string property;  // "firstName"
  std::vector<FieldRef> fields;
};

// How one role in a payment becomes an entity.
struct Role {
  bool present = false;       // named in the policy
  std::string schema;         // Person, LegalEntity, Company, Organization, BankAccount
  std::optional<FieldRef> key;  // the field whose value identifies the entity
  // For counterparties: the entity is a Person when `person_if.field` has
  // one of these values, else `schema`.
  std::optional<FieldRef> person_if;
  std::vector<std::string> person_values;
  std::vector<PropertyMap> properties;
};

struct Entities {
  Role subject;               // the case's subject (its key is the case subject)
  Role subject_account;
  Role counterparty;
  Role counterparty_account;
  Role merchant;
  Role payment;               // one per transaction (its key is the event id)
  std::optional<FieldRef> incoming_if;  // payment direction: incoming when it has one of
  std::vector<std::string> incoming_values;
};

struct Sender {
  std::string name;
  std::string country;
  std::string contact;
};

struct Policy {
  Sender sender;
  std::string schema;  // rule file declaring the events' schema, relative to the policy
  std::vector<PrecedenceStep> precedence;
  std::vector<FieldRef> related;
  Handling defaults;
  std::map<std::string, Handling> jurisdictions;  // ISO code → handling
  Handling unassigned;
  Entities entities;
  std::map<std::string, Normalization> normalize;  // field → before keyed hashing
  std::vector<FieldRef> keyed_fields;              // keyed although not @pii

  // The handling of a package: "unassigned" or a country code.
  const Handling& For(const std::string& jurisdiction) const;
};

// Reads a policy; messages start with `name` (the file's path).
bool ReadPolicy(std::string_view text, const std::string& name, Policy* out, std::string* error);

// The fields of the events' schema: name → @pii. Checks that every field the
// policy names exists; fills `keyed` with the fields whose values are keyed
// in keyed jurisdictions (@pii ones and keyed_fields).
bool CheckPolicyFields(const Policy& policy, const std::string& name,
                       const std::map<std::string, bool>& fields, std::set<std::string>* keyed,
                       std::string* error);

// "TLP:AMBER+STRICT" from "AMBER+STRICT" or "TLP:AMBER+STRICT"; nullopt for
// anything that is not a TLP 2.0 label.
std::optional<std::string> ParseTlp(std::string_view text);

}  // namespace vigil::referral
