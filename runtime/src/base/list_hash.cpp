#include "base/list_hash.hpp"

#include "base/text.hpp"

namespace vigil {

namespace {
struct Name {
  const char* name;
  Normalization n;
};
constexpr Name kNames[] = {{"none", Normalization::kNone},
                           {"digits", Normalization::kDigits},
                           {"lower_trim", Normalization::kLowerTrim},
                           {"trim", Normalization::kTrim},
                           {"alnum_upper", Normalization::kAlnumUpper}};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

std::string_view TrimAscii(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}
}  // namespace

std::optional<Normalization> ParseNormalization(std::string_view name) {
  for (const Name& n : kNames) {
    if (name == n.name) return n.n;
  }
  return std::nullopt;
}

const char* NormalizationName(Normalization n) {
  for (const Name& x : kNames) {
    if (x.n == n) return x.name;
  }
  return "none";
}

const char* NormalizationNames() { return "none, digits, lower_trim, trim, alnum_upper"; }

size_t NormalizeInto(Normalization n, std::string_view in, char* out) {
  size_t len = 0;
  switch (n) {
    case Normalization::kNone:
      for (char c : in) out[len++] = c;
      break;
    case Normalization::kDigits:
      for (char c : in) {
        if (c >= '0' && c <= '9') out[len++] = c;
      }
      break;
    case Normalization::kLowerTrim:
      for (char c : TrimAscii(in)) out[len++] = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
      break;
    case Normalization::kTrim:
      for (char c : TrimAscii(in)) out[len++] = c;
      break;
    case Normalization::kAlnumUpper:
      for (char c : in) {
        if (c >= 'a' && c <= 'z') {
          out[len++] = static_cast<char>(c - 32);
        } else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
          out[len++] = c;
        }
      }
      break;
  }
  return len;
}

ListDigest::ListDigest(Normalization normalization, std::string_view hmac_key)
    : normalization_(normalization), keyed_(!hmac_key.empty()) {
  if (keyed_) {
    crypto_auth_hmacsha256_init(&hmac_, reinterpret_cast<const unsigned char*>(hmac_key.data()),
                                hmac_key.size());
  }
}

void ListDigest::Hex(std::string_view value, char* scratch, char* out) const {
  const size_t len = NormalizeInto(normalization_, value, scratch);
  const auto* bytes = reinterpret_cast<const unsigned char*>(scratch);
  unsigned char digest[crypto_hash_sha256_BYTES];
  if (keyed_) {
    crypto_auth_hmacsha256_state st = hmac_;
    crypto_auth_hmacsha256_update(&st, bytes, len);
    crypto_auth_hmacsha256_final(&st, digest);
  } else {
    crypto_hash_sha256(digest, bytes, len);
  }
  text::HexInto(digest, sizeof(digest), out);
}

bool ParseDigestHex(std::string_view s, std::string* out) {
  if (s.size() != kDigestHexLen) return false;
  out->resize(kDigestHexLen);
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c + 32);
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    (*out)[i] = c;
  }
  return true;
}

}  // namespace vigil
