// Semantic versions MAJOR.MINOR.PATCH, as rule sets, overrides, packs and
// vigil itself are versioned: digits without leading zeros, and an optional
// "-prerelease" suffix, which is ignored for ordering.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace vigil {

std::optional<std::array<int64_t, 3>> ParseVersion(std::string_view v);
// -1, 0 or 1; an invalid version compares as 0.0.0.
int CompareVersions(std::string_view a, std::string_view b);
// Caret compatibility, as a requirement "1.4.0" reads: same major version,
// and at least that version (for 0.x, the same minor too).
bool SatisfiesCaret(std::string_view version, std::string_view requirement);

}  // namespace vigil
