// UTF-8 helpers. Rule files, event strings and C ABI inputs are untrusted:
// everything is validated before use, and counting never reads past the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::utf8 {

// Returns the byte offset of the first invalid sequence, or npos when `s` is
// valid UTF-8 (overlong forms, surrogates and values above U+10FFFF are invalid).
size_t FindInvalid(std::string_view s);
inline bool IsValid(std::string_view s) { return FindInvalid(s) == std::string_view::npos; }

// Text values (strings in rule files, events, lists and C ABI inputs) are
// valid UTF-8 without NUL (U+0000): the offset of the first byte that breaks
// this, or npos. DescribeInvalidText words the problem at that offset.
size_t FindInvalidText(std::string_view s);
std::string DescribeInvalidText(std::string_view s, size_t at);

// The Unicode controls that reorder how text is displayed (embeddings,
// overrides, isolates: U+202A..U+202E, U+2066..U+2069).
inline bool IsBidiControl(char32_t c) {
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

// Number of code points in valid UTF-8 (continuation bytes are not counted).
size_t CountCodePoints(std::string_view s);

// Decodes one code point at s[i] and advances i; valid input only.
char32_t Decode(std::string_view s, size_t& i);
// Appends the encoding of `cp` to out[0..4); returns the byte count.
int Encode(char32_t cp, char* out);

}  // namespace vigil::utf8
