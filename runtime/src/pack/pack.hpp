// Rule packs (.vgp): one deterministic, content-hashed, optionally signed
// file that carries a rule set, its lists, its tests and fixtures between
// coalition members (docs/sharing.md).
//
// The image is text headers around raw bytes, so it can be inspected with
// `less` and parsed without a library:
//
//   vigil-pack 1
//   file PATH SIZE          one per file, sorted by path, then SIZE bytes and "\n"
//   ...
//   sha256 HEX              of every byte before this line (the content hash)
//   signature PUBHEX SIGHEX zero or more: Ed25519 over "vigil-pack-signature-v1\n" + HEX
//
// The same files give the same bytes: no timestamps, no owners, a fixed
// order. A pack file is untrusted input even when signed; every problem is an
// error message.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sodium.h>

#include "base/semver.hpp"

namespace vigil::pack {

// Traffic Light Protocol 2.0 markings, least to most restrictive.
enum class Marking : uint8_t { kClear, kGreen, kAmber, kRed };
std::optional<Marking> ParseMarking(std::string_view text);  // "GREEN" or "TLP:GREEN"
const char* MarkingName(Marking m);

struct ListEntry {
  std::string path;
  Marking marking = Marking::kAmber;
};

// pack.json: what the pack is and holds.
struct Manifest {
  std::string name;       // the rule set's name, e.g. "fcacp.csam_commerce"
  std::string version;    // semantic version, the rule set's version
  std::string min_vigil;  // the oldest vigil that may load it
  std::map<std::string, int64_t> schemas;  // schema name → version the rules are written for
  std::vector<std::string> files;          // rule files, compiled together
  std::vector<ListEntry> lists;
  std::vector<std::string> fixtures;       // JSON Lines fixtures run by the self-test
  Marking marking = Marking::kAmber;
};

inline constexpr const char* kManifestName = "pack.json";
inline constexpr size_t kMaxPackBytes = size_t{256} << 20;
inline constexpr size_t kMaxPackFiles = 10000;

bool ParseManifest(std::string_view json, Manifest* out, std::string* error);

// Whether the manifest's markings allow sharing it: TLP:RED (the pack or a
// list) never leaves its owner, and a list travels only in a pack marked at
// least as restrictively. `vigil pack build` refuses otherwise.
bool CheckMarkings(const Manifest& m, std::string* error);

// A path inside a pack: relative, '/'-separated, no "." or ".." parts,
// letters, digits and "._-" only.
bool ValidPackPath(std::string_view path);

struct Signature {
  std::string public_key;  // 32 bytes
  std::string signature;   // 64 bytes
};

struct Pack {
  Manifest manifest;
  std::map<std::string, std::string> files;  // path → bytes; includes pack.json
  std::string content_hash;                  // lowercase hex SHA-256
  size_t unsigned_size = 0;                  // bytes up to and including the sha256 line
  std::vector<Signature> signatures;
};

// The image of `files` without signatures (deterministic).
std::string WriteImage(const std::map<std::string, std::string>& files);

// Parses and checks an image: structure, sizes, paths, the content hash and
// the manifest. Says nothing yet about who signed it (see Verify).
bool ParseImage(std::string_view image, Pack* out, std::string* error);
// Whether `bytes` start like a pack image (whatever the file is called).
bool LooksLikePack(std::string_view bytes);

// What a host accepts.
struct TrustPolicy {
  std::vector<std::string> trusted_keys;  // 32-byte Ed25519 public keys
  std::vector<std::string> revoked_keys;
  bool require_signature = false;         // refuse unsigned packs (and packs signed by nobody trusted)
  std::string min_version;                // refuse a pack older than this (anti-rollback)
};

// Checks the signatures (every signature present must be valid) and the
// policy. Fails closed: an error message says what was refused.
bool Verify(const Pack& pack, const TrustPolicy& policy, std::string* error);

// Signs an image with a 64-byte Ed25519 secret key: returns the image with
// that key's signature added (replacing an older one by the same key).
bool SignImage(std::string_view image, const std::string& secret_key, std::string* out,
               std::string* error);

// What a pack signature signs: Ed25519 over this domain and the content
// hash. Other signed formats (referral packages) use the same code with their
// own domain, so that a signature made for one can never pass for the other.
inline constexpr std::string_view kPackSignatureDomain = "vigil-pack-signature-v1\n";

// The content hash of an image (WriteImage's "sha256" line) computed file by
// file, without building the image: for signing folders too large to hold in
// memory. Files come sorted by path (as std::map orders them); each is
// announced with its size, then its bytes in any number of pieces.
class ContentHasher {
 public:
  ContentHasher();
  void BeginFile(std::string_view path, uint64_t size);
  void Update(std::string_view bytes);
  void EndFile();
  std::string Finish();  // lowercase hex SHA-256

 private:
  crypto_hash_sha256_state state_{};
};

// Signs `domain` + `content_hash` with a 64-byte Ed25519 secret key.
bool SignContentHash(std::string_view domain, const std::string& content_hash,
                     const std::string& secret_key, Signature* out, std::string* error);
// Whether `sig` is a valid signature of `domain` + `content_hash` by its key.
bool VerifyContentHash(std::string_view domain, const std::string& content_hash,
                       const Signature& sig);

// Key files: lowercase hex of the raw key, one line.
std::string ToHex(std::string_view bytes);
bool FromHex(std::string_view hex, size_t bytes, std::string* out);

using vigil::CompareVersions;
using vigil::ParseVersion;

}  // namespace vigil::pack
