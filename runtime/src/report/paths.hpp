// The paths a profile reads values from, and reading them from a case:
//   event.FIELD      a member of the transaction's event, as the events file had it
//   LOOKUP.MEMBER    a member of the bank's reference record for that event
//                    (profile "lookups": the record whose key matches the event's)
//   case.MEMBER      the case: case_id, subject, subject_field, window, opened,
//                    last_alert, decision, alert_count, transaction_count,
//                    typologies, rulesets, first_transaction, last_transaction,
//                    total_amount
//   report.MEMBER    date (the report's day, YYYY-MM-DD), currency
//   alert.MEMBER     in narrative.alert, .alert_rule and .rule (the rule's latest
//                    alert): event, time, decision, score
//   rule.MEMBER      in narrative.rule and .alert_rule: id, name (the id without
//                    its rule set), title, version, severity, reason, tags; in
//                    narrative.rule also alerts (how many alerts it fired on)
// Text templates hold {path} placeholders ("{{" and "}}" for braces), and in
// the narrative {rules}, {alerts}, {typologies} and {evidence}.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/json_value.hpp"
#include "case/case.hpp"
#include "report/profile.hpp"

namespace vigil {
class TimeZone;
}

namespace vigil::report {

// Where a value is used decides what it may read.
enum class PathScope : uint8_t {
  kReport,              // report header, FinCEN parties: the case's first transaction as `event`
  kTransaction,         // a goAML transaction: that transaction
  kNarrative,           // narrative.text, .action, .typologies
  kNarrativeRule,       // narrative.rule: a rule of the case, with its latest alert
  kNarrativeAlert,      // narrative.alert
  kNarrativeAlertRule,  // narrative.alert_rule
};

bool ValidPath(const Profile& profile, PathScope scope, std::string_view path, std::string* why);

// The placeholders of a template, in order; false with a reason for an
// unbalanced brace or an empty placeholder.
bool TemplatePlaceholders(std::string_view text, std::vector<std::string_view>* names,
                          std::string* why);

// The bank's reference data for one lookup: records by key value.
struct LookupTable {
  std::string name;
  std::string key;   // the event member (and record member) that joins them
  std::string file;  // where the records came from, for messages
  std::unordered_map<std::string, json::Value> records;
};
using Lookups = std::map<std::string, LookupTable>;

// Reads a JSON Lines file of records into `table` (`name` and `key` set).
// Every line must be an object with the key member; a duplicate key is an
// error naming both lines.
bool ReadLookupFile(const std::string& path, LookupTable* table, std::string* error);

// What a value is read against.
struct Context {
  const Profile* profile = nullptr;
  const cases::Case* c = nullptr;
  const Lookups* lookups = nullptr;
  const TimeZone* zone = nullptr;
  std::string report_date;   // YYYY-MM-DD
  std::string total_amount;  // the sum of the profile's amount over the case's transactions
  const cases::Transaction* txn = nullptr;
  const cases::Alert* alert = nullptr;
  const cases::FiredRule* rule = nullptr;
  const cases::RuleSummary* summary = nullptr;  // narrative.rule: the case's rule
};

// A JSON scalar as text: strings as they are, numbers as written, booleans
// "true"/"false", arrays of scalars joined with ", "; null and objects have none.
std::optional<std::string> ScalarText(const json::Value& v);

// The value at `path`, or nullopt with `why` saying which field or record
// lacked it: "event 'e-0042' has no field 'merchant_name'".
std::optional<std::string> ResolvePath(const Context& ctx, std::string_view path, std::string* why);

// Renders a template. `special` answers placeholders without a dot
// ({alerts}, ...); it may be empty. nullopt with `why` when a placeholder
// has no value.
using SpecialFn = std::function<std::optional<std::string>(std::string_view, std::string*)>;
std::optional<std::string> RenderTemplate(const Context& ctx, std::string_view text,
                                          const SpecialFn& special, std::string* why);

enum class ValueStatus : uint8_t {
  kOk,
  kMissing,  // no value; `why` says what should have supplied it
  kInvalid,  // a value that the format cannot take (a date that is not a date)
};

// Evaluates a value: constant, paths or template; then the map and default;
// then the format. On kMissing/kInvalid `why` explains.
ValueStatus EvalValue(const Context& ctx, const ValueSpec& spec, std::string* out, std::string* why);

// Applies a format to text read from a case ("2026-01-10T21:05:00Z" →
// "2026-01-11T01:05:00" in Asia/Dubai). False with `why` when it cannot.
bool ApplyFormat(const Context& ctx, ValueFormat format, const DecimalOps& ops,
                 std::string_view in, std::string* out, std::string* why);

// The day of an instant in the profile's zone, as "YYYYMMDD" (FinCEN's dates
// of the activity); false when `time` is not an RFC 3339 time.
bool LocalYmd(const Context& ctx, std::string_view time, std::string* out);

// Whether every condition of `match` holds in `ctx` (a path without a value
// fails its condition). An empty match always holds.
bool MatchHolds(const Context& ctx, const Match& match);

// The tags of every rule that fired in the case, each once, in the order of
// the case's rule list.
std::vector<std::string> CaseTags(const cases::Case& c);

}  // namespace vigil::report
