// A case (docs/case.md, "format": "vigil.case/1"): the alerts of one subject
// (a customer, account, card or merchant) that came close enough together to
// be investigated as one, with their evidence records, the transactions
// involved and what sums them up. `vigil case` writes case files; reports,
// referral packages and impact metrics read them through case_json.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/json_value.hpp"

namespace vigil::cases {

inline constexpr const char* kCaseFormat = "vigil.case/1";
// The evidence records a case holds (docs/explain.md).
inline constexpr const char* kEvidenceFormat = "vigil.explain/2";

// Who the case is about: a schema field (the `@subject` annotation or
// `vigil case --subject`) and its value, as text.
struct Subject {
  std::string field;
  std::string value;
};

// A signed or unsigned rule pack that a rule set came from.
struct PackRef {
  std::string file;                  // the .vgp file name as loaded
  std::string version;               // pack.json's version
  std::string sha256;                // the pack's content hash (hex)
  std::vector<std::string> signers;  // hex Ed25519 public keys of its valid signatures
};

// A rule set that decided at least one alert of the case.
struct RulesetRef {
  std::string name;
  std::string version;
  std::string sources_digest;  // SHA-256 (hex) over the rule set's source files
  std::optional<PackRef> pack;
};

// A rule that fired on an alert's event.
struct FiredRule {
  std::string rule;      // qualified id: "coalition.cse/r06_frequent_small_corridor"
  std::string version;   // its rule set's version
  std::string severity;  // low, medium, high, critical
  std::string title;
  std::string reason;    // as evaluated (@pii fields masked unless the host allowed them)
  std::vector<std::string> tags;
};

// One evaluated event on which rules fired.
struct Alert {
  std::string event;  // the event's id
  std::string time;   // RFC 3339, UTC
  int64_t time_us = 0;
  std::string decision;
  int64_t score = 0;
  std::vector<FiredRule> fired;
  // The evidence record (vigil.explain/2), as emitted: usually its compact
  // text (json::Type::kRaw; cases::ExpandEvidence gives the tree).
  json::Value evidence;
};

// An event involved in the case, exactly as the events file had it.
struct Transaction {
  std::string event;
  std::string time;
  int64_t time_us = 0;
  json::Value data;  // the event's JSON object
};

// The transactions of one currency. `currency` is empty for transactions
// whose currency member is missing (written as null).
struct CurrencyTotal {
  std::string currency;
  int64_t transactions = 0;
  std::string amount;  // exact decimal sum, e.g. "812.50"
};

// A rule that fired on the case's alerts, with how often.
struct RuleSummary {
  std::string rule;
  std::string version;
  std::string severity;
  std::string title;
  std::vector<std::string> tags;
  int64_t alerts = 0;
};

struct Case {
  std::string case_id;  // "case-" + 32 hex digits (CaseId)
  Subject subject;
  std::string window;   // the case window used, e.g. "30d"
  std::string opened;   // the first alert's time
  std::string last_alert;
  std::string decision;                // the highest decision of the alerts
  std::vector<std::string> decisions;  // the rule sets' decision order, lowest first
  std::vector<RulesetRef> rulesets;
  std::vector<Alert> alerts;               // in time order
  std::vector<Transaction> transactions;   // in time order
  std::vector<CurrencyTotal> totals;       // by currency (missing first, then by code)
  std::vector<std::string> typologies;     // sorted: from `typology:X` rule tags
  std::vector<RuleSummary> rules;          // sorted by rule, then version
};

// The stable id of the case that `first_event` opens for `subject`:
// "case-" + the first 16 bytes (hex) of SHA-256 over
// "vigil.case/1\n" + field + "\n" + value + "\n" + first_event.
std::string CaseId(const Subject& subject, const std::string& first_event);

}  // namespace vigil::cases
