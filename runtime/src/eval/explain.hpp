// Evidence records (docs/explain.md, "format": "vigil.explain/2"): for one
// evaluated event, what decided it and why. The record names the event (id,
// time, subject), the decision, score and fired rules, the rule sets that
// decided (version, digest of their sources, the pack and its signers), and
// for each explained rule its condition as a tree down to field reads,
// constants, list lookups (list name and digest, never a hashed list's
// value) and aggregates (kind, key, window, value, events counted), with the
// lets it reads expanded once per record. Values of @pii fields, and values
// computed from them, are masked unless the host allows PII.
//
// Slow path: allocates, evaluates each node on its own; never used to
// decide, and never touches the aggregates' state (it reads the values the
// evaluation computed).
#pragma once

#include <string>

#include "eval/event.hpp"
#include "eval/result.hpp"
#include "eval/session.hpp"

namespace vigil::eval {

inline constexpr const char* kExplainFormat = "vigil.explain/2";

struct ExplainOptions {
  // Explain only the rules that fired (shadow rules that would have fired
  // included): the record an alert carries. Otherwise every rule.
  bool fired_only = false;
};

// Appends the evidence record of `event` as one JSON object. `session` must
// have evaluated `event`, unchanged since, into `result` last (the caller
// knows: the C ABI by its handles' stamps, the CLI by its loop): the
// aggregates' values are those of that evaluation.
void AppendExplainJson(Session& session, const Event& event, const Result& result,
                       const EvalOptions& options, std::string& out,
                       const ExplainOptions& explain = {});

}  // namespace vigil::eval
