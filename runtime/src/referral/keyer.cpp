#include "referral/keyer.hpp"

#include <sodium.h>

#include "base/text.hpp"

namespace vigil::referral {

Keyer::Keyer(const std::string& key, const std::map<std::string, Normalization>& normalize)
    : plain_(Normalization::kNone, key) {
  for (const auto& [field, norm] : normalize) by_field_.emplace(field, ListDigest(norm, key));
  const std::string label = "vigil.referral key id\n" + key;
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(label.data()), label.size());
  key_id_.assign(16, '\0');
  text::HexInto(digest, 8, key_id_.data());
}

const ListDigest& Keyer::For(const std::string& field) const {
  auto it = by_field_.find(field);
  return it == by_field_.end() ? plain_ : it->second;
}

std::string Keyer::Hex(const std::string& field, std::string_view value) const {
  const ListDigest* digest = &For(field);
  std::string scratch(value.size(), '\0');
  if (digest->normalization() != Normalization::kNone &&
      NormalizeInto(digest->normalization(), value, scratch.data()) == 0) {
    digest = &plain_;
  }
  std::string out(kDigestHexLen, '\0');
  digest->Hex(value, scratch.data(), out.data());
  return out;
}

std::string Keyer::Keyed(const std::string& field, std::string_view value) const {
  return "hmac:" + Hex(field, value);
}

std::string Keyer::EntityId(std::string_view prefix, std::string_view role,
                            const std::string& field, std::string_view value) const {
  std::string input;
  input.reserve(role.size() + field.size() + value.size() + 2);
  input.append(role).append("\n").append(field).append("\n").append(value);
  std::string scratch(input.size(), '\0');
  std::string hex(kDigestHexLen, '\0');
  plain_.Hex(input, scratch.data(), hex.data());
  return std::string(prefix) + "-" + hex.substr(0, 32);
}

}  // namespace vigil::referral
