#include "sema/suggest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace vigil::sema {

size_t EditDistance(std::string_view a, std::string_view b) {
  // Optimal string alignment distance (adjacent transpositions count as one).
  const size_t n = a.size();
  const size_t m = b.size();
  std::vector<size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (size_t j = 0; j <= m; ++j) prev[j] = j;
  for (size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= m; ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[m];
}

namespace {
bool EqualIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}
}  // namespace

std::vector<std::string> Suggest(std::string_view name, const std::vector<std::string>& candidates) {
  for (const auto& c : candidates) {
    if (c != name && EqualIgnoringCase(c, name)) return {c};
  }
  // Long names (e.g. a 100,000-character identifier) are not compared.
  if (name.size() > 64) return {};
  size_t threshold = std::max<size_t>(1, name.size() / 3);
  std::vector<std::pair<size_t, std::string>> scored;
  for (const auto& c : candidates) {
    if (c == name || c.size() > name.size() + threshold + 1) continue;
    size_t d = EditDistance(name, c);
    if (d <= threshold) scored.emplace_back(d, c);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && out.size() < 3; ++i) {
    // One clear winner: a strictly better first candidate is shown alone.
    if (i > 0 && scored[i].first > scored[0].first) break;
    out.push_back(scored[i].second);
  }
  return out;
}

std::string SuggestionHelp(std::string_view name, const std::vector<std::string>& candidates) {
  std::vector<std::string> best = Suggest(name, candidates);
  if (best.empty()) return {};
  if (best.size() == 1) return fmt::format("did you mean '{}'?", best[0]);
  std::string list;
  for (size_t i = 0; i < best.size(); ++i) {
    if (i > 0) list += i + 1 == best.size() ? " or " : ", ";
    list += "'" + best[i] + "'";
  }
  return fmt::format("did you mean {}?", list);
}

}  // namespace vigil::sema
