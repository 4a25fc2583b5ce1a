// Case files as JSON (docs/case.md): the writer gives the same bytes for the
// same case; the reader is strict (every member checked for presence and
// type, unknown members refused) and names the file and the member of every
// problem: cases/case-1f….json: member 'alerts[2].time': expected an RFC 3339
// time, found "yesterday".
#pragma once

#include <string>
#include <string_view>

#include "base/json_value.hpp"
#include "case/case.hpp"

namespace vigil::cases {

// Case files larger than this are refused before they are read.
inline constexpr size_t kMaxCaseFileBytes = size_t{256} << 20;

// The case as a JSON value, members in the documented order.
json::Value CaseToJson(const Case& c);
// A rule set reference as case files write it (also in referral manifests).
json::Value RulesetToJson(const RulesetRef& r);
// The case file's bytes: indented JSON and a final newline.
std::string WriteCaseJson(const Case& c);

// Reads a case from its JSON text; `name` (the file's path) starts every
// message. Each alert's evidence record, most of a case's bytes, is kept as
// raw text (json::Type::kRaw), checked as strictly as the rest:
// ExpandEvidence makes it a tree for the readers that walk it.
bool ReadCaseJson(std::string_view text, const std::string& name, Case* out, std::string* error);
// Reads a case file from disk (at most kMaxCaseFileBytes).
bool ReadCaseFile(const std::string& path, Case* out, std::string* error);

// The evidence record as a tree, whether it is raw text (ReadCaseJson,
// vigil case) or a tree with raw members.
json::Value ExpandEvidence(const json::Value& evidence);

}  // namespace vigil::cases
