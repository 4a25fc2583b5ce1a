#include "eval/result_json.hpp"

#include <fmt/format.h>

#include "base/json_writer.hpp"

namespace vigil::eval {

void AppendFiredRuleJson(const Program& p, const Result& r, const FiredRule& f, bool shadow,
                         bool title, std::string& out) {
  const RuleInfo& rule = p.rules[f.rule];
  out += "{\"rule\":";
  AppendJsonString(rule.qualified_id, out);
  out += ",\"version\":";
  AppendJsonString(p.rulesets[rule.ruleset].version, out);
  out += ",\"severity\":\"";
  out += SeverityName(rule.severity);
  out += '"';
  if (title) {
    out += ",\"title\":";
    AppendJsonString(rule.title, out);
  }
  out += ",\"reason\":";
  AppendJsonString(r.reason(f), out);
  out += ",\"tags\":[";
  for (size_t i = 0; i < rule.tags.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(rule.tags[i], out);
  }
  out += ']';
  if (shadow) {
    fmt::format_to(std::back_inserter(out), ",\"score\":{},\"decision\":", rule.score);
    if (rule.decision >= 0) {
      AppendJsonString(p.decisions[rule.decision], out);
    } else {
      out += "null";
    }
  }
  out += '}';
}

void WriteResultJson(const Program& p, const Result& r, uint64_t line, std::string& out) {
  out += "{\"event\":";
  if (r.event_id_member != nullptr) {
    AppendJsonString(r.event_id, out);
  } else if (line > 0) {
    fmt::format_to(std::back_inserter(out), "{}", line);
  } else {
    out += "null";
  }
  out += ",\"decision\":";
  AppendJsonString(p.decisions[r.decision], out);
  fmt::format_to(std::back_inserter(out), ",\"score\":{},\"fired\":[", r.score);
  for (size_t i = 0; i < r.fired.size(); ++i) {
    if (i > 0) out += ',';
    AppendFiredRuleJson(p, r, r.fired[i], false, false, out);
  }
  out += "],\"shadow\":[";
  for (size_t i = 0; i < r.shadow.size(); ++i) {
    if (i > 0) out += ',';
    AppendFiredRuleJson(p, r, r.shadow[i], true, false, out);
  }
  out += "],\"tags\":[";
  for (size_t i = 0; i < r.tags.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(*r.tags[i], out);
  }
  out += ']';
  // Only when true, so that stateless results keep their shape.
  if (r.late) out += ",\"late\":true";
  if (r.outlier) out += ",\"outlier\":true";
  if (r.state_error) out += ",\"state_error\":true";
  if (r.duplicate) out += ",\"duplicate\":true";
  if (r.reversal == Reversal::kApplied) out += ",\"reversal\":\"applied\"";
  if (r.reversal == Reversal::kUnknown) out += ",\"reversal\":\"unknown\"";
  out += '}';
}

}  // namespace vigil::eval
