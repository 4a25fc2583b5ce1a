// One evaluated event as a JSON object (the line `vigil eval` writes):
// {"event":"t0001","decision":"review","score":40,
//  "fired":[{"rule":"set/id","version":"1.0.0","severity":"high","reason":"...","tags":[...]}],
//  "shadow":[{... the same, plus "score" and "decision" the rule would have added}],
//  "tags":["..."]}
#pragma once

#include <string>
#include <string_view>

#include "eval/program.hpp"
#include "eval/result.hpp"

namespace vigil::eval {

// "event" is the event's id (Result::event_id, docs/language.md "Event ids")
// as a JSON string when it has one, else `line` as a number when it is not 0,
// else null.
// One fired (or, with `shadow`, would-have-fired) rule as a JSON object: rule,
// version, severity, [title,] reason, tags, and for a shadow rule the score
// and decision it would have added. Results and evidence records share it.
void AppendFiredRuleJson(const Program& program, const Result& result, const FiredRule& fired,
                         bool shadow, bool title, std::string& out);

void WriteResultJson(const Program& program, const Result& result, uint64_t line,
                     std::string& out);

// The short form of `vigil eval --output decisions`: {"event":...,
// "decision":"review","score":40}, "event" as in WriteResultJson.
void WriteDecisionJson(const Program& program, const Result& result, uint64_t line,
                       std::string& out);

}  // namespace vigil::eval
