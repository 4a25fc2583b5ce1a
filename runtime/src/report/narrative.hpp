// The narrative of a report (goAML `reason`, FinCEN's narrative blocks),
// built from the profile's templates: the case; each rule that fired, once,
// with the reason and the evidence of the latest alert it fired on; each
// alert with the rules that fired on it; a paragraph per typology. The
// profile chooses every word; vigil adds none.
#pragma once

#include <optional>
#include <string>

#include "report/paths.hpp"

namespace vigil::report {

// Renders profile.narrative.text (or `which`, e.g. narrative.action) for the
// case in `ctx`; nullopt with `why` when a placeholder has no value.
std::optional<std::string> RenderNarrative(const Context& ctx, const std::string& which,
                                           std::string* why);

// What the evidence record (vigil.explain/2) says about a fired rule's
// aggregates, those of its condition and of the lets it reads, one clause
// each: " (count(by: customer_id, within: 30d) = 9 over 9 events)". Empty
// when the record holds no aggregate for the rule. Keys are not quoted:
// only the aggregate's text, value and number of events.
std::string EvidenceSummary(const json::Value& evidence, const std::string& rule);

}  // namespace vigil::report
