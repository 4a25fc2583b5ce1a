// Reading alerts from `vigil eval` results (docs/case.md): a result line with
// fired rules is an alert; its evidence record (vigil.explain/2) gives the
// event's id, time and subject field, the fired rules, the rule sets and the
// decision order. Messages name the place ("results.jsonl:12: ...") and the
// member.
#pragma once

#include <optional>
#include <string>

#include "base/json_value.hpp"
#include "case/case_builder.hpp"

namespace vigil::cases {

// A member's value as an id or a subject: a non-empty string, or an
// integer's digits; nullopt otherwise.
std::optional<std::string> IdText(const json::Value* v);

// How to parse a result line for ReadAlert: the evidence record ("explain"),
// most of its bytes, is checked but kept as text, since most results are not
// alerts and a case carries the record through.
json::ParseOptions AlertParseOptions();

// Reads one result. `*alert` is false for a result without fired rules (not
// an alert; nothing else is read). For an alert, fills `in` (all but the
// subject's value, the transaction and event_where, which come from the
// event) and `*id_member`, the event member that holds the id.
// `subject_field` overrides the evidence's @subject field when not empty.
// The evidence record is kept compact (json::Value::Raw).
bool ReadAlert(const json::Value& result, const std::string& subject_field,
               const std::string& where, bool* alert, AlertInput* in, std::string* id_member,
               std::string* error);

}  // namespace vigil::cases
