// Random byte-level mutants of a valid text, for tests that hold a fast
// path to its reference (the event readers, the shaped JSON lexer): up to
// `max_edits` bytes of `alphabet` replaced, inserted or removed at random.
#pragma once

#include <cstddef>
#include <random>
#include <string>
#include <string_view>

namespace vigil::testing {

inline std::string Mutant(std::string text, std::mt19937& rng, std::string_view alphabet,
                          int max_edits) {
  const int edits = 1 + static_cast<int>(rng() % static_cast<unsigned>(max_edits));
  for (int e = 0; e < edits; ++e) {
    const size_t at = rng() % (text.size() + 1);
    const char c = alphabet[rng() % alphabet.size()];
    switch (rng() % 3) {
      case 0: if (at < text.size()) text[at] = c; break;
      case 1: text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c); break;
      default: if (at < text.size()) text.erase(at, 1); break;
    }
  }
  return text;
}

}  // namespace vigil::testing
