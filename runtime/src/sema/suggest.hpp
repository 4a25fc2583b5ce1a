// "Did you mean" suggestions: same-kind candidates only, an exact match
// ignoring case first, then Damerau-Levenshtein within max(1, len/3).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vigil::sema {

size_t EditDistance(std::string_view a, std::string_view b);

// Up to three candidates, best first; empty when nothing is close.
std::vector<std::string> Suggest(std::string_view name, const std::vector<std::string>& candidates);

// "did you mean 'amount'?" / "did you mean 'a', 'b' or 'c'?" / "".
std::string SuggestionHelp(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace vigil::sema
