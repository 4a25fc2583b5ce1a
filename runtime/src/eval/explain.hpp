// Explanations (LANGUAGE.md §7): for every rule, its condition as a tree with
// the value of each sub-expression, and the fields and lets it read. The
// record is versioned ("format": "vigil.explain/1", docs/explain.md) and names
// the rule sets and the digest of their sources, so it can stand as evidence.
// Slow path: evaluates each node on its own; never used to decide.
#pragma once

#include <string>

#include "eval/event.hpp"
#include "eval/result.hpp"
#include "eval/session.hpp"

namespace vigil::eval {

inline constexpr const char* kExplainFormat = "vigil.explain/1";

// Appends the explanation of `event` (already evaluated into `result`) as
// one JSON object.
void AppendExplainJson(Session& session, const Event& event, const Result& result,
                       const EvalOptions& options, std::string& out);

}  // namespace vigil::eval
