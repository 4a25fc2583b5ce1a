// Hashed watchlists: how a value is normalised and hashed, in one place, so
// that `vigil list hash`, the compiler and the evaluator agree byte for byte
// and every coalition member hashes the same identifier to the same digest.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

enum class Normalization : uint8_t {
  kNone,        // "none": the bytes as they are
  kDigits,      // "digits": ASCII digits only (card numbers, phone numbers)
  kLowerTrim,   // "lower_trim": trimmed, ASCII lower case (e-mail addresses, handles)
  kTrim,        // "trim": leading and trailing ASCII white space removed
  kAlnumUpper,  // "alnum_upper": ASCII letters and digits only, upper case (IBANs, accounts)
};

std::optional<Normalization> ParseNormalization(std::string_view name);
const char* NormalizationName(Normalization n);
// The names, for help texts and did-you-mean.
const char* NormalizationNames();

// Writes the normalised form of `in` to `out` (room for in.size() bytes)
// and returns its length. Never longer than the input.
size_t NormalizeInto(Normalization n, std::string_view in, char* out);

inline constexpr size_t kDigestHexLen = 64;

// Lowercase hex of SHA-256(value), or of HMAC-SHA-256(key, value) when `key`
// is non-empty, into out[0 .. 64).
void DigestHex(std::string_view value, std::string_view key, char* out);

// Whether `s` is 64 hex digits; writes the lowercase form to `out`.
bool ParseDigestHex(std::string_view s, std::string* out);

}  // namespace vigil
