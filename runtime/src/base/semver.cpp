#include "base/semver.hpp"

#include <charconv>

namespace vigil {

namespace {

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

// A dot-separated identifier list of a prerelease or build suffix: each part
// non-empty, [0-9A-Za-z-] only; numeric parts of a prerelease have no
// leading zero (semver 2.0.0, §9 and §10).
bool ValidIdentifiers(std::string_view s, bool prerelease) {
  if (s.empty() || s.size() > 128) return false;
  size_t start = 0;
  while (start <= s.size()) {
    size_t dot = s.find('.', start);
    if (dot == std::string_view::npos) dot = s.size();
    std::string_view part = s.substr(start, dot - start);
    if (part.empty()) return false;
    for (char c : part) {
      bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                c == '-';
      if (!ok) return false;
    }
    if (prerelease && AllDigits(part) && part.size() > 1 && part[0] == '0') return false;
    start = dot + 1;
  }
  return true;
}

// Semver 2.0.0 §11: prerelease identifiers compare left to right, numeric
// ones numerically, others in ASCII order, numeric below alphanumeric; a
// longer list wins when all of the shorter one is equal.
int ComparePrerelease(std::string_view a, std::string_view b) {
  while (!a.empty() && !b.empty()) {
    size_t da = a.find('.'), db = b.find('.');
    std::string_view pa = a.substr(0, da), pb = b.substr(0, db);
    a = da == std::string_view::npos ? std::string_view() : a.substr(da + 1);
    b = db == std::string_view::npos ? std::string_view() : b.substr(db + 1);
    bool na = AllDigits(pa), nb = AllDigits(pb);
    int c = 0;
    if (na && nb) {
      // Equal-length digit strings without leading zeros order as numbers.
      c = pa.size() != pb.size() ? (pa.size() < pb.size() ? -1 : 1) : pa.compare(pb);
    } else if (na != nb) {
      c = na ? -1 : 1;
    } else {
      c = pa.compare(pb);
    }
    if (c != 0) return c < 0 ? -1 : 1;
  }
  if (a.empty() && b.empty()) return 0;
  return a.empty() ? -1 : 1;
}

}  // namespace

std::optional<Version> ParseSemver(std::string_view v) {
  Version out;
  size_t plus = v.find('+');
  if (plus != std::string_view::npos) {
    if (!ValidIdentifiers(v.substr(plus + 1), false)) return std::nullopt;
    v = v.substr(0, plus);
  }
  size_t dash = v.find('-');
  if (dash != std::string_view::npos) {
    if (!ValidIdentifiers(v.substr(dash + 1), true)) return std::nullopt;
    out.prerelease = std::string(v.substr(dash + 1));
    v = v.substr(0, dash);
  }
  for (int i = 0; i < 3; ++i) {
    size_t dot = i < 2 ? v.find('.') : v.size();
    if (dot == std::string_view::npos) return std::nullopt;
    std::string_view part = v.substr(0, dot);
    // Digits only, no leading zero (semver 2.0.0), at most 9 of them.
    if (part.empty() || part.size() > 9 || (part.size() > 1 && part[0] == '0')) return std::nullopt;
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), out.core[i]);
    if (ec != std::errc() || p != part.data() + part.size()) return std::nullopt;
    v = i < 2 ? v.substr(dot + 1) : std::string_view();
  }
  return out;
}

std::optional<std::array<int64_t, 3>> ParseVersion(std::string_view v) {
  std::optional<Version> parsed = ParseSemver(v);
  if (!parsed) return std::nullopt;
  return parsed->core;
}

int CompareVersions(const Version& a, const Version& b) {
  if (a.core != b.core) return a.core < b.core ? -1 : 1;
  // A prerelease comes before its release: 1.2.0-rc.1 < 1.2.0.
  if (a.prerelease.empty() || b.prerelease.empty()) {
    return a.prerelease.empty() == b.prerelease.empty() ? 0 : (a.prerelease.empty() ? 1 : -1);
  }
  return ComparePrerelease(a.prerelease, b.prerelease);
}

int CompareVersions(std::string_view a, std::string_view b) {
  return CompareVersions(ParseSemver(a).value_or(Version{}), ParseSemver(b).value_or(Version{}));
}

bool SatisfiesCaret(std::string_view version, std::string_view requirement) {
  auto v = ParseSemver(version);
  auto r = ParseSemver(requirement);
  if (!v || !r) return false;
  if (v->core[0] != r->core[0]) return false;
  if (r->core[0] == 0 && v->core[1] != r->core[1]) return false;
  return CompareVersions(*v, *r) >= 0;
}

}  // namespace vigil
