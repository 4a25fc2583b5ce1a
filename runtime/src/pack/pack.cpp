#include "pack/pack.hpp"

#include <fmt/format.h>
#include <simdjson.h>
#include <sodium.h>

#include <algorithm>
#include <charconv>

#include "base/bom.hpp"
#include "base/text.hpp"

namespace vigil::pack {

namespace {

constexpr std::string_view kMagic = "vigil-pack 1\n";

// sodium_init is idempotent and thread-safe; it picks the fastest
// implementations and seeds the random generator used for keys.
void EnsureSodium() {
  static const int ready = sodium_init();
  (void)ready;
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return ToHex(std::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

// Reads one header line (without its "\n") from `image` at `pos`.
bool Line(std::string_view image, size_t& pos, std::string_view* line) {
  size_t nl = image.find('\n', pos);
  if (nl == std::string_view::npos || nl - pos > 1024) return false;
  *line = image.substr(pos, nl - pos);
  pos = nl + 1;
  return true;
}

bool ParseSize(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 12) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

ContentHasher::ContentHasher() {
  EnsureSodium();
  crypto_hash_sha256_init(&state_);
  Update(kMagic);
}

void ContentHasher::BeginFile(std::string_view path, uint64_t size) {
  Update(fmt::format("file {} {}\n", path, size));
}

void ContentHasher::Update(std::string_view bytes) {
  crypto_hash_sha256_update(&state_, reinterpret_cast<const unsigned char*>(bytes.data()),
                            bytes.size());
}

void ContentHasher::EndFile() { Update("\n"); }

std::string ContentHasher::Finish() {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state_, digest);
  return ToHex(std::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

bool SignContentHash(std::string_view domain, const std::string& content_hash,
                     const std::string& secret_key, Signature* out, std::string* error) {
  EnsureSodium();
  if (secret_key.size() != crypto_sign_SECRETKEYBYTES) {
    *error = "the secret key must be 64 bytes";
    return false;
  }
  Signature s;
  s.public_key.assign(crypto_sign_PUBLICKEYBYTES, '\0');
  crypto_sign_ed25519_sk_to_pk(reinterpret_cast<unsigned char*>(s.public_key.data()),
                               reinterpret_cast<const unsigned char*>(secret_key.data()));
  const std::string message = std::string(domain) + content_hash;
  s.signature.assign(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(s.signature.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       reinterpret_cast<const unsigned char*>(secret_key.data()));
  *out = std::move(s);
  return true;
}

bool VerifyContentHash(std::string_view domain, const std::string& content_hash,
                       const Signature& sig) {
  EnsureSodium();
  if (sig.public_key.size() != crypto_sign_PUBLICKEYBYTES || sig.signature.size() != crypto_sign_BYTES) {
    return false;
  }
  const std::string message = std::string(domain) + content_hash;
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig.signature.data()),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(),
                                     reinterpret_cast<const unsigned char*>(sig.public_key.data())) == 0;
}

std::optional<Marking> ParseMarking(std::string_view text) {
  if (text.starts_with("TLP:")) text.remove_prefix(4);
  if (text == "CLEAR" || text == "WHITE") return Marking::kClear;
  if (text == "GREEN") return Marking::kGreen;
  if (text == "AMBER" || text == "AMBER+STRICT") return Marking::kAmber;
  if (text == "RED") return Marking::kRed;
  return std::nullopt;
}

const char* MarkingName(Marking m) {
  switch (m) {
    case Marking::kClear: return "CLEAR";
    case Marking::kGreen: return "GREEN";
    case Marking::kAmber: return "AMBER";
    case Marking::kRed: return "RED";
  }
  return "AMBER";
}

bool ValidPackPath(std::string_view path) {
  if (path.empty() || path.size() > 255 || path.front() == '/' || path.back() == '/') return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(start, slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    for (char c : part) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '-';
      if (!ok) return false;
    }
    start = slash + 1;
  }
  return true;
}

std::string ToHex(std::string_view bytes) {
  std::string out(2 * bytes.size(), '\0');
  text::HexInto(bytes.data(), bytes.size(), out.data());
  return out;
}

bool FromHex(std::string_view hex, size_t bytes, std::string* out) {
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r' || hex.back() == ' ')) {
    hex.remove_suffix(1);
  }
  if (hex.size() != bytes * 2) return false;
  out->assign(bytes, '\0');
  size_t bin_len = 0;
  return sodium_hex2bin(reinterpret_cast<unsigned char*>(out->data()), bytes, hex.data(),
                        hex.size(), nullptr, &bin_len, nullptr) == 0 &&
         bin_len == bytes;
}

bool ParseManifest(std::string_view json, Manifest* out, std::string* error) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(SkipUtf8Bom(json));  // a text input (base/bom.hpp)
  simdjson::dom::element root;
  if (auto err = parser.parse(padded).get(root); err) {
    *error = fmt::format("pack.json is not valid JSON: {}", simdjson::error_message(err));
    return false;
  }
  simdjson::dom::object obj;
  if (root.get(obj)) {
    *error = "pack.json must be a JSON object";
    return false;
  }
  // A misspelt field must not be silently ignored (a "markings" typo would
  // leave the pack AMBER by default without a word).
  static constexpr std::string_view kFields[] = {"name",    "version", "vigil", "marking",
                                                 "schemas", "files",   "lists", "fixtures"};
  for (auto [key, value] : obj) {
    if (std::find(std::begin(kFields), std::end(kFields), key) == std::end(kFields)) {
      *error = fmt::format("pack.json: unknown field \"{}\" (fields: name, version, vigil, "
                           "marking, schemas, files, lists, fixtures)", key);
      return false;
    }
  }
  Manifest m;
  auto str = [&](const char* key, std::string* dst, bool required) {
    std::string_view v;
    auto field = obj[key];
    if (field.error() == simdjson::NO_SUCH_FIELD && !required) return true;
    if (field.get(v)) {
      *error = fmt::format("pack.json: \"{}\" must be a string", key);
      return false;
    }
    *dst = std::string(v);
    return true;
  };
  auto paths = [&](const char* key, std::vector<std::string>* dst) {
    auto field = obj[key];
    if (field.error() == simdjson::NO_SUCH_FIELD) return true;
    simdjson::dom::array arr;
    if (field.get(arr)) {
      *error = fmt::format("pack.json: \"{}\" must be an array of paths", key);
      return false;
    }
    for (auto item : arr) {
      std::string_view p;
      if (item.get(p) || !ValidPackPath(p)) {
        *error = fmt::format("pack.json: \"{}\" holds an invalid path (relative, letters, digits, "
                             "'._-/' only, no '..')", key);
        return false;
      }
      dst->emplace_back(p);
    }
    return true;
  };
  std::string marking = "AMBER";
  if (!str("name", &m.name, true) || !str("version", &m.version, true) ||
      !str("vigil", &m.min_vigil, false) || !str("marking", &marking, false) ||
      !paths("files", &m.files) || !paths("fixtures", &m.fixtures)) {
    return false;
  }
  if (!ParseVersion(m.version)) {
    *error = fmt::format("pack.json: version \"{}\" is not MAJOR.MINOR.PATCH", m.version);
    return false;
  }
  if (!m.min_vigil.empty() && !ParseVersion(m.min_vigil)) {
    *error = fmt::format("pack.json: vigil \"{}\" is not MAJOR.MINOR.PATCH", m.min_vigil);
    return false;
  }
  std::optional<Marking> mk = ParseMarking(marking);
  if (!mk) {
    *error = fmt::format("pack.json: unknown marking \"{}\" (CLEAR, GREEN, AMBER or RED)", marking);
    return false;
  }
  m.marking = *mk;
  if (m.files.empty()) {
    *error = "pack.json: \"files\" must name at least one rule file";
    return false;
  }
  simdjson::dom::object schemas;
  if (obj["schemas"].error() != simdjson::NO_SUCH_FIELD) {
    if (obj["schemas"].get(schemas)) {
      *error = "pack.json: \"schemas\" must be an object of schema name → version";
      return false;
    }
    for (auto [key, value] : schemas) {
      int64_t v = 0;
      if (value.get(v)) {
        *error = fmt::format("pack.json: schema \"{}\" needs an integer version", key);
        return false;
      }
      m.schemas[std::string(key)] = v;
    }
  }
  if (obj["lists"].error() != simdjson::NO_SUCH_FIELD) {
    simdjson::dom::array lists;
    if (obj["lists"].get(lists)) {
      *error = "pack.json: \"lists\" must be an array of {\"path\", \"marking\"}";
      return false;
    }
    for (auto item : lists) {
      std::string_view p, mark;
      if (item["path"].get(p) || !ValidPackPath(p) || item["marking"].get(mark)) {
        *error = "pack.json: each list needs a valid \"path\" and a \"marking\"";
        return false;
      }
      std::optional<Marking> lm = ParseMarking(mark);
      if (!lm) {
        *error = fmt::format("pack.json: list \"{}\": unknown marking \"{}\"", p, mark);
        return false;
      }
      m.lists.push_back(ListEntry{std::string(p), *lm});
    }
  }
  *out = std::move(m);
  return true;
}

bool CheckMarkings(const Manifest& m, std::string* error) {
  if (m.marking == Marking::kRed) {
    *error = "the pack is marked TLP:RED: it must not be shared, so it is not built";
    return false;
  }
  for (const ListEntry& l : m.lists) {
    if (l.marking == Marking::kRed) {
      *error = fmt::format("list \"{}\" is TLP:RED: it must not leave its owner, so no pack may "
                           "carry it", l.path);
      return false;
    }
    if (l.marking > m.marking) {
      *error = fmt::format("list \"{}\" is TLP:{} but the pack is TLP:{}: mark the pack {} or "
                           "leave the list out", l.path, MarkingName(l.marking),
                           MarkingName(m.marking), MarkingName(l.marking));
      return false;
    }
  }
  return true;
}

std::string WriteImage(const std::map<std::string, std::string>& files) {
  std::string out(kMagic);
  ContentHasher hasher;
  for (const auto& [path, bytes] : files) {  // std::map: sorted by path
    out += fmt::format("file {} {}\n", path, bytes.size());
    out += bytes;
    out += '\n';
    hasher.BeginFile(path, bytes.size());
    hasher.Update(bytes);
    hasher.EndFile();
  }
  out += fmt::format("sha256 {}\n", hasher.Finish());
  return out;
}

bool LooksLikePack(std::string_view bytes) { return bytes.starts_with(kMagic); }

bool ParseImage(std::string_view image, Pack* out, std::string* error) {
  if (image.size() > kMaxPackBytes) {
    *error = fmt::format("the pack is larger than {} bytes", kMaxPackBytes);
    return false;
  }
  if (!image.starts_with(kMagic)) {
    *error = "not a vigil pack (it does not start with \"vigil-pack 1\")";
    return false;
  }
  Pack pack;
  size_t pos = kMagic.size();
  std::string_view line;
  for (;;) {
    size_t line_start = pos;
    if (!Line(image, pos, &line)) {
      *error = fmt::format("truncated or malformed pack at byte {}", line_start);
      return false;
    }
    if (line.starts_with("sha256 ")) {
      std::string want = Sha256Hex(image.substr(0, line_start));
      if (line.substr(7) != want) {
        *error = "the pack's content does not match its SHA-256 (it was changed or damaged)";
        return false;
      }
      pack.content_hash = want;
      pack.unsigned_size = pos;
      break;
    }
    // "file PATH SIZE"
    size_t space = line.rfind(' ');
    uint64_t size = 0;
    if (!line.starts_with("file ") || space <= 5 || !ParseSize(line.substr(space + 1), &size)) {
      *error = fmt::format("malformed entry header at byte {}", line_start);
      return false;
    }
    std::string_view path = line.substr(5, space - 5);
    if (!ValidPackPath(path)) {
      *error = fmt::format("invalid path \"{}\" in the pack", path.substr(0, 80));
      return false;
    }
    if (size > image.size() - pos || image.size() - pos - size < 1 || image[pos + size] != '\n') {
      *error = fmt::format("entry \"{}\" is truncated", path);
      return false;
    }
    if (pack.files.size() >= kMaxPackFiles ||
        (!pack.files.empty() && pack.files.rbegin()->first >= path)) {
      *error = fmt::format("entry \"{}\" is out of order, repeated or one too many", path);
      return false;
    }
    pack.files.emplace(std::string(path), std::string(image.substr(pos, size)));
    pos += size + 1;
  }
  while (pos < image.size()) {
    if (!Line(image, pos, &line) || !line.starts_with("signature ")) {
      *error = "malformed signature section";
      return false;
    }
    std::string_view rest = line.substr(10);
    size_t space = rest.find(' ');
    Signature sig;
    if (space == std::string_view::npos ||
        !FromHex(rest.substr(0, space), crypto_sign_PUBLICKEYBYTES, &sig.public_key) ||
        !FromHex(rest.substr(space + 1), crypto_sign_BYTES, &sig.signature)) {
      *error = "malformed signature line";
      return false;
    }
    pack.signatures.push_back(std::move(sig));
  }
  auto manifest = pack.files.find(kManifestName);
  if (manifest == pack.files.end()) {
    *error = "the pack has no pack.json";
    return false;
  }
  if (!ParseManifest(manifest->second, &pack.manifest, error)) return false;
  for (const std::string& f : pack.manifest.files) {
    if (!pack.files.count(f)) {
      *error = fmt::format("pack.json names \"{}\", which the pack does not contain", f);
      return false;
    }
  }
  *out = std::move(pack);
  return true;
}

bool Verify(const Pack& pack, const TrustPolicy& policy, std::string* error) {
  bool trusted = false;
  for (const Signature& s : pack.signatures) {
    if (!VerifyContentHash(kPackSignatureDomain, pack.content_hash, s)) {
      *error = fmt::format("the signature by key {} is not valid for this pack", ToHex(s.public_key).substr(0, 16));
      return false;
    }
    if (std::find(policy.revoked_keys.begin(), policy.revoked_keys.end(), s.public_key) !=
        policy.revoked_keys.end()) {
      *error = fmt::format("the pack is signed by key {}, which is revoked", ToHex(s.public_key).substr(0, 16));
      return false;
    }
    trusted = trusted || std::find(policy.trusted_keys.begin(), policy.trusted_keys.end(),
                                   s.public_key) != policy.trusted_keys.end();
  }
  if (policy.require_signature && !trusted) {
    *error = pack.signatures.empty() ? "the pack is not signed, and the host requires a signature"
                                     : "the pack is not signed by any key the host trusts";
    return false;
  }
  if (!policy.min_version.empty() && CompareVersions(pack.manifest.version, policy.min_version) < 0) {
    *error = fmt::format("pack {} {} is older than {}, the oldest the host accepts (rollback refused)",
                         pack.manifest.name, pack.manifest.version, policy.min_version);
    return false;
  }
  return true;
}

bool SignImage(std::string_view image, const std::string& secret_key, std::string* out,
               std::string* error) {
  Pack pack;
  if (!ParseImage(image, &pack, error)) return false;
  Signature mine;
  if (!SignContentHash(kPackSignatureDomain, pack.content_hash, secret_key, &mine, error)) {
    return false;
  }
  // The unsigned image, then every other key's signature, then this one.
  std::string result(image.substr(0, pack.unsigned_size));
  for (const Signature& s : pack.signatures) {
    if (s.public_key == mine.public_key) continue;
    result += fmt::format("signature {} {}\n", ToHex(s.public_key), ToHex(s.signature));
  }
  result += fmt::format("signature {} {}\n", ToHex(mine.public_key), ToHex(mine.signature));
  *out = std::move(result);
  return true;
}

}  // namespace vigil::pack
