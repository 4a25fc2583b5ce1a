// Hashed watchlists: how a value is normalised and hashed, in one place, so
// that `vigil list hash`, the compiler and the evaluator agree byte for byte
// and every coalition member hashes the same identifier to the same digest.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <sodium.h>

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

// How a hashed list turns a value into the digest it stores: the declared
// normalisation, then SHA-256, or HMAC-SHA-256 when keyed (the key's inner
// and outer pads are computed once, here, not per lookup).
class ListDigest {
 public:
  ListDigest() = default;
  ListDigest(Normalization normalization, std::string_view hmac_key);

  Normalization normalization() const { return normalization_; }
  // Writes the lowercase hex digest of `value` to out[0 .. 64); `scratch`
  // has room for value.size() bytes (the normalised value goes there).
  void Hex(std::string_view value, char* scratch, char* out) const;

 private:
  Normalization normalization_ = Normalization::kNone;
  bool keyed_ = false;
  crypto_auth_hmacsha256_state hmac_{};  // initialised with the key when keyed_
};

// Whether `s` is 64 hex digits; writes the lowercase form to `out`.
bool ParseDigestHex(std::string_view s, std::string* out);

}  // namespace vigil
