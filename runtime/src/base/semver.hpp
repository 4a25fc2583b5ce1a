// Semantic versions (semver 2.0.0), as rule sets, overrides, packs and vigil
// itself are versioned: MAJOR.MINOR.PATCH with digits and no leading zeros,
// an optional "-prerelease" (dot-separated identifiers) and an optional
// "+build" (ignored). They order as semver says everywhere: a prerelease
// comes before its release (1.2.0-rc.1 < 1.2.0), prerelease identifiers
// compare numerically or in ASCII order (rc.2 < rc.10 < rc.a).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

struct Version {
  std::array<int64_t, 3> core{};  // MAJOR, MINOR, PATCH
  std::string prerelease;         // "rc.1"; empty for a release
};

std::optional<Version> ParseSemver(std::string_view v);
// MAJOR, MINOR, PATCH of a valid version (prerelease and build checked, then dropped).
std::optional<std::array<int64_t, 3>> ParseVersion(std::string_view v);
// -1, 0 or 1 in semver precedence; an invalid version compares as 0.0.0.
int CompareVersions(const Version& a, const Version& b);
int CompareVersions(std::string_view a, std::string_view b);
// Caret compatibility, as a requirement "1.4.0" reads: same major version,
// and at least that version in semver order (for 0.x, the same minor too).
// So 1.4.0-rc.1 does not satisfy "1.4.0", and 1.5.0-rc.1 does.
bool SatisfiesCaret(std::string_view version, std::string_view requirement);

}  // namespace vigil
