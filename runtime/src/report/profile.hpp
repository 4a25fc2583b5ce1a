// FIU profiles (docs/reporting.md, "format": "vigil.report-profile/1"): what
// one bank files with one FIU. goAML differs per FIU (REPORTING.md §1), so
// everything that differs lives here, not in code: the reporting entity, the
// report code and currency, length and character rules, the mapping from rule
// tags to the FIU's indicator codes, from channel and event type to its
// transmode and funds codes, from event fields and the bank's reference data
// (lookups) to party elements written in the XSD's order, and the narrative.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "report/fit.hpp"

namespace vigil::report {

enum class ReportKind : uint8_t { kGoaml, kFincenSar };
const char* ReportKindName(ReportKind kind);  // "goaml", "fincen-sar"

// How a value is written once read.
enum class ValueFormat : uint8_t {
  kText,      // as read
  kDateTime,  // goAML sql_date: "2026-01-10T22:05:00" in the profile's time zone
  kDate,      // "2026-01-10T00:00:00": the day as written (birth dates, opening dates)
  kYmd,       // FinCEN: "20260110", the day as written
  kDecimal,   // a decimal number, with the arithmetic of DecimalOps
  kUpper,     // upper case (ASCII letters)
};

// Arithmetic on a decimal value, in this order: divide by a power of ten
// ("12950" / 100 → "129.50", cents to units), multiply by a rate ("3.6725":
// US dollars to dirhams), round half away from zero to `digits` decimals.
struct DecimalOps {
  int64_t divide = 1;
  std::string multiply;  // a decimal, or empty
  int digits = -1;       // -1: as computed
};

// Where a leaf's text comes from: a constant, the first of some paths that
// has a value ("event.network_ref", "customer.first_name", "case.case_id"),
// or a text template with {path} placeholders. Then an optional code map.
struct ValueSpec {
  enum class Kind : uint8_t { kConstant, kPath, kTemplate };
  Kind kind = Kind::kConstant;
  std::string constant;
  std::vector<std::string> paths;
  std::string text;
  bool optional = false;  // missing: the element is left out instead of an error
  std::vector<std::pair<std::string, std::string>> map;  // value read → value written
  bool has_default = false;  // for a value the map lacks (or a missing optional path)
  std::string default_value;
  ValueFormat format = ValueFormat::kText;
  DecimalOps decimal;  // kDecimal only
  std::string where;   // the profile member, for messages: "parties.client.element.account"
};

// One element of a template: a leaf with a value, or an element whose
// children are written in the order the profile lists them (the XSD's).
struct ElementSpec {
  std::string name;
  bool leaf = true;
  ValueSpec value;
  std::vector<ElementSpec> children;
  // An optional element is left out, without an error, when a value it
  // needs is missing ("$optional": true in the profile).
  bool optional = false;
};

// Conditions on paths, all of which must hold: the value at each path is
// one of the listed values. "channel" means "event.channel".
struct Match {
  std::vector<std::pair<std::string, std::vector<std::string>>> conditions;
};

// Tags of the case's rules → codes ("typology:T7" → ["CSAM1"]), in profile
// order; `fallback` when no tag maps.
struct CodeMap {
  std::vector<std::pair<std::string, std::vector<std::string>>> map;
  std::vector<std::string> fallback;
  bool has_fallback = false;
};

struct Narrative {
  std::string text;        // the whole narrative: {rules}, {alerts}, {typologies}, {case.*}, ...
  std::string rule;        // one rule of the case, once: {rule.*} with rule.alerts, {evidence}
  std::string alert;       // one alert: {alert.*}, {rules} (its fired rules, by alert_rule)
  std::string alert_rule = "{rule.name}";  // a fired rule inside an alert line
  std::string rule_separator = "\n";        // between the rules of {rules} in narrative.text
  std::string alert_rule_separator = ", ";  // between the rules of {rules} in narrative.alert
  std::string alert_separator = "\n";
  std::vector<std::pair<std::string, std::string>> typologies;  // "T4" → paragraph
  std::string typology_separator = "\n";
  std::string action;  // goAML `action` (empty: none)
};

// goAML ---------------------------------------------------------------------

enum class PartyNode : uint8_t { kAccount, kPerson, kEntity };

// A party on one side of a transaction: written as from_account, to_entity,
// ... inside t_from/t_to, or t_from_my_client/t_to_my_client for the bank's
// own customer.
struct GoamlParty {
  std::string name;
  PartyNode node = PartyNode::kAccount;
  bool my_client = false;
  ValueSpec country;
  std::vector<ElementSpec> element;  // the node's children, in the XSD's order
};

// The first row whose match holds says how a transaction is written.
struct ChannelRow {
  Match match;
  std::string where;
  ValueSpec transmode_code;
  ValueSpec transmode_comment;  // optional in the profile: left out when absent
  bool has_transmode_comment = false;
  bool client_is_sender = true;  // "client_side": "from" (default) or "to"
  ValueSpec client_funds_code;
  ValueSpec counterparty_funds_code;
  std::string counterparty;  // a party name
  ValueSpec description;     // transaction_description (else the profile's default)
  bool has_description = false;
  ValueSpec location;        // transaction_location (else the profile's default)
  bool has_location = false;
};

struct GoamlProfile {
  std::string rentity_id;
  std::string rentity_branch;  // empty: left out
  std::string submission_code = "E";
  std::string report_code;
  ValueSpec entity_reference;
  bool has_entity_reference = false;
  std::vector<ElementSpec> reporting_person;  // empty: left out
  std::vector<ElementSpec> location;          // empty: left out
  CodeMap indicators;
  // Per transaction.
  ValueSpec number;
  ValueSpec internal_ref;
  bool has_internal_ref = false;
  ValueSpec date;
  ValueSpec amount;
  ValueSpec description;
  ValueSpec location_text;
  ValueSpec comments;
  bool has_comments = false;
  // The event's own currency and amount. When the currency is not the
  // local one, the client's side carries them as *_foreign_currency (with
  // the rate amount_local / amount when `rate`), and amount_local is
  // `amount` above (the value in local currency); when it is, amount_local
  // is the event's own amount.
  bool has_foreign = false;
  ValueSpec foreign_code;
  ValueSpec foreign_amount;
  bool foreign_rate = false;
  std::string client;  // the party that is the bank's customer (default "client")
  std::vector<ChannelRow> channels;
  std::vector<GoamlParty> parties;
};

// FinCEN SAR ----------------------------------------------------------------

struct FincenClassification {
  std::string type;
  std::string subtype;
  std::string other;  // OtherSuspiciousActivityTypeText (empty: none)
};

struct FincenAssetRow {
  Match match;
  std::vector<std::pair<std::string, std::string>> assets;  // (type, subtype)
};

struct FincenSubjectRow {
  Match match;
  std::string where;
  std::vector<ElementSpec> party;  // the Party's children after ActivityPartyTypeCode 33
};

struct FincenProfile {
  std::string association = "initial";  // initial, corrects, continuing, joint
  std::string prior_document;           // EFilingPriorDocumentNumber (empty: none)
  // Parties 35, 37, 30, 8 and 34, in order: the children of each Party,
  // ActivityPartyTypeCode first.
  std::vector<std::vector<ElementSpec>> parties;
  std::vector<FincenSubjectRow> subjects;  // party 33: the first row that matches the case
  ValueSpec amount;                        // per transaction, in US dollars
  std::vector<std::pair<std::string, std::vector<FincenClassification>>> classifications;
  std::vector<FincenClassification> default_classifications;
  bool has_default_classifications = false;
  std::vector<std::pair<std::string, std::string>> notes;  // tag → key term (field 2)
  std::vector<FincenAssetRow> assets;
};

struct Profile {
  std::string name;  // the file, for messages
  ReportKind kind = ReportKind::kGoaml;
  std::string title;
  std::string time_zone = "UTC";
  std::string local_currency;
  // Reference data the bank supplies with --lookup NAME=FILE: records keyed
  // by the event member `key` (a KYC file keyed by customer_id).
  std::vector<std::pair<std::string, std::string>> lookups;
  std::vector<FitRule> text;
  Narrative narrative;
  GoamlProfile goaml;
  FincenProfile fincen;
};

// Reads a profile from its JSON text. Strict: unknown members are errors, so
// a misspelt mapping is never silently ignored. Messages start with `name`
// and the member: "goaml-ae.json: member 'channels[2].match': expected an
// object, found an array".
bool ReadProfile(std::string_view text, const std::string& name, Profile* out, std::string* error);
bool ReadProfileFile(const std::string& path, Profile* out, std::string* error);

// Profiles larger than this are refused before they are read.
inline constexpr size_t kMaxProfileBytes = size_t{4} << 20;

// The lookup names a path reads: "customer.first_name" → "customer" when
// the profile declares a lookup 'customer'; empty for event., case., ...
std::string LookupOfPath(const Profile& profile, std::string_view path);

}  // namespace vigil::report
