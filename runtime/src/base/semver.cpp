#include "base/semver.hpp"

#include <charconv>

namespace vigil {

std::optional<std::array<int64_t, 3>> ParseVersion(std::string_view v) {
  size_t dash = v.find('-');
  if (dash != std::string_view::npos) {
    if (dash + 1 == v.size()) return std::nullopt;  // "1.0.0-": an empty prerelease
    v = v.substr(0, dash);
  }
  std::array<int64_t, 3> out{};
  for (int i = 0; i < 3; ++i) {
    size_t dot = i < 2 ? v.find('.') : v.size();
    if (dot == std::string_view::npos) return std::nullopt;
    std::string_view part = v.substr(0, dot);
    // Digits only, no leading zero (semver 2.0.0), at most 9 of them.
    if (part.empty() || part.size() > 9 || (part.size() > 1 && part[0] == '0')) return std::nullopt;
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), out[i]);
    if (ec != std::errc() || p != part.data() + part.size()) return std::nullopt;
    v = i < 2 ? v.substr(dot + 1) : std::string_view();
  }
  return out;
}

int CompareVersions(std::string_view a, std::string_view b) {
  auto x = ParseVersion(a).value_or(std::array<int64_t, 3>{});
  auto y = ParseVersion(b).value_or(std::array<int64_t, 3>{});
  return x < y ? -1 : x > y ? 1 : 0;
}

bool SatisfiesCaret(std::string_view version, std::string_view requirement) {
  auto v = ParseVersion(version);
  auto r = ParseVersion(requirement);
  if (!v || !r) return false;
  if ((*v)[0] != (*r)[0]) return false;
  if ((*r)[0] == 0 && (*v)[1] != (*r)[1]) return false;
  return *v >= *r;
}

}  // namespace vigil
