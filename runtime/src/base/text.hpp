// Case mapping without allocation: the output has the input's byte length.
// Maps ASCII, Latin-1 Supplement, Latin Extended-A, Greek and Cyrillic
// letters whose two cases have the same UTF-8 length; every other code point
// is copied unchanged (so 'ß' stays 'ß' and 'İ' stays 'İ').
#pragma once

#include <cstddef>
#include <string_view>

namespace vigil::text {

// `s` must be valid UTF-8; `out` has room for s.size() bytes.
size_t LowerInto(std::string_view s, char* out);
size_t UpperInto(std::string_view s, char* out);

// Lowercase hex of `n` bytes into out[0 .. 2n).
void HexInto(const void* bytes, size_t n, char* out);

char32_t ToLower(char32_t c);
char32_t ToUpper(char32_t c);

}  // namespace vigil::text
