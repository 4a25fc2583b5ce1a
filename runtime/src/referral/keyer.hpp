// Keyed identifiers for referral packages: HMAC-SHA-256 with the
// coalition's referral key, after the field's declared normalisation, so a
// value keys to the same digest as `vigil list hash --key` gives it and a
// recipient holding the key can test a known identifier, while anyone
// without the key cannot reverse one by brute force.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/list_hash.hpp"

namespace vigil::referral {

class Keyer {
 public:
  // `key`: the key file's bytes (as `vigil list hash --key` reads them).
  Keyer(const std::string& key, const std::map<std::string, Normalization>& normalize);

  // Lowercase hex of HMAC-SHA-256 over `value` normalised as `field`
  // declares (unchanged when the normalisation leaves nothing).
  std::string Hex(const std::string& field, std::string_view value) const;
  // "hmac:" + Hex: how a keyed property value is written.
  std::string Keyed(const std::string& field, std::string_view value) const;
  // An entity id: `prefix` + "-" + 32 hex digits of HMAC over
  // "ROLE\nFIELD\nVALUE": stable for the same key, unlinkable without it.
  std::string EntityId(std::string_view prefix, std::string_view role, const std::string& field,
                       std::string_view value) const;
  // Names the key without revealing it: 16 hex digits of SHA-256 over
  // "vigil.referral key id\n" + key.
  const std::string& key_id() const { return key_id_; }

 private:
  const ListDigest& For(const std::string& field) const;

  ListDigest plain_;
  std::map<std::string, ListDigest> by_field_;
  std::string key_id_;
};

}  // namespace vigil::referral
