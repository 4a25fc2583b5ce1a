// vigil refer verify: what the receiving side checks before it trusts a
// package (docs/referral.md, "Verifying a package").
#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "base/file_io.hpp"
#include "base/json_value.hpp"
#include "pack/pack.hpp"
#include "referral/package.hpp"

namespace vigil::referral {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxManifestBytes = size_t{64} << 20;

bool FileSha256(const std::string& path, std::string* hex, uint64_t* size) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  std::vector<unsigned char> buf(1 << 20);
  size_t n;
  *size = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) {
    crypto_hash_sha256_update(&st, buf.data(), n);
    *size += n;
  }
  std::fclose(f);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, digest);
  *hex = pack::ToHex(std::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
  return true;
}

}  // namespace

bool VerifyPackage(const std::string& dir, const std::vector<std::string>& trusted,
                   std::string* signer_hex, std::string* error) {
  if (sodium_init() < 0) {
    *error = "libsodium could not be initialised";
    return false;
  }
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    *error = fmt::format("'{}' is not a folder (a referral package is one)", dir);
    return false;
  }
  // Exactly the package's files.
  std::set<std::string> expected(std::begin(kPackageFiles), std::end(kPackageFiles));
  expected.insert(kSignatureFile);
  std::set<std::string> present;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!expected.count(name)) {
      *error = fmt::format("{}: unexpected file '{}' (a {} package holds only {})", dir, name,
                           kPackageFormat,
                           "manifest.json, entities.ftm.jsonl, evidence.jsonl, summary.md and "
                           "signatures");
      return false;
    }
    if (!entry.is_regular_file()) {
      *error = fmt::format("{}: '{}' is not a regular file", dir, name);
      return false;
    }
    present.insert(name);
  }
  for (const std::string& name : expected) {
    if (!present.count(name)) {
      *error = fmt::format("{}: missing file '{}'", dir, name);
      return false;
    }
  }
  // The manifest's hash of every other file.
  std::string text;
  if (!ReadWholeFile(dir + "/manifest.json", kMaxManifestBytes, &text, error)) return false;
  json::Value m;
  json::ParseError perr;
  if (!json::Parse(text, &m, &perr)) {
    *error = fmt::format("{}/manifest.json:{}:{}: {}", dir, perr.line, perr.column, perr.message);
    return false;
  }
  const json::Value* format = m.is_object() ? m.Find("format") : nullptr;
  if (format == nullptr || !format->is_string() || format->text() != kPackageFormat) {
    *error = fmt::format("{}/manifest.json: member 'format': expected \"{}\"", dir, kPackageFormat);
    return false;
  }
  const json::Value* files = m.Find("files");
  std::set<std::string> listed;
  if (files != nullptr && files->is_array()) {
    for (size_t i = 0; i < files->items().size(); ++i) {
      const json::Value& f = files->items()[i];
      const json::Value* path = f.is_object() ? f.Find("path") : nullptr;
      const json::Value* sha = f.is_object() ? f.Find("sha256") : nullptr;
      if (path == nullptr || !path->is_string() || sha == nullptr || !sha->is_string() ||
          !expected.count(path->text()) || path->text() == "manifest.json" ||
          path->text() == kSignatureFile) {
        *error = fmt::format("{}/manifest.json: member 'files[{}]': expected a package file's "
                             "path and sha256", dir, i);
        return false;
      }
      std::string actual;
      uint64_t size = 0;
      if (!FileSha256(dir + "/" + path->text(), &actual, &size)) {
        *error = fmt::format("{}: cannot read '{}'", dir, path->text());
        return false;
      }
      if (actual != sha->text()) {
        *error = fmt::format("{}: file '{}' was changed: its SHA-256 is {}, the manifest says {}",
                             dir, path->text(), actual.substr(0, 16), sha->text().substr(0, 16));
        return false;
      }
      listed.insert(path->text());
    }
  }
  for (const std::string& name : expected) {
    if (name != "manifest.json" && name != kSignatureFile && !listed.count(name)) {
      *error = fmt::format("{}/manifest.json: member 'files': '{}' is not listed", dir, name);
      return false;
    }
  }
  // The signature over the content hash of the four files.
  pack::ContentHasher hasher;
  for (const char* name : kPackageFiles) {
    std::string bytes;
    if (!ReadWholeFile(dir + "/" + name, size_t{1} << 40, &bytes, error)) return false;
    hasher.BeginFile(name, bytes.size());
    hasher.Update(bytes);
    hasher.EndFile();
  }
  const std::string content_hash = hasher.Finish();
  std::string sigs;
  if (!ReadWholeFile(dir + "/" + kSignatureFile, 1 << 16, &sigs, error)) return false;
  size_t line_no = 0;
  bool any = false;
  for (size_t pos = 0; pos < sigs.size();) {
    size_t nl = sigs.find('\n', pos);
    if (nl == std::string::npos) nl = sigs.size();
    std::string_view line(sigs.data() + pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    pack::Signature s;
    const size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
    if (!line.starts_with("signature ") || sp1 == sp2 ||
        !pack::FromHex(line.substr(sp1 + 1, sp2 - sp1 - 1), crypto_sign_PUBLICKEYBYTES,
                       &s.public_key) ||
        !pack::FromHex(line.substr(sp2 + 1), crypto_sign_BYTES, &s.signature)) {
      *error = fmt::format("{}/{}:{}: expected 'signature PUBLIC-KEY SIGNATURE' in hex", dir,
                           kSignatureFile, line_no);
      return false;
    }
    any = true;
    if (std::find(trusted.begin(), trusted.end(), s.public_key) == trusted.end()) continue;
    if (!pack::VerifyContentHash(kReferralSignatureDomain, content_hash, s)) {
      *error = fmt::format("{}: the signature by key {} is not valid for these files (changed "
                           "after signing)", dir, pack::ToHex(s.public_key).substr(0, 16));
      return false;
    }
    *signer_hex = pack::ToHex(s.public_key);
    return true;
  }
  *error = any ? fmt::format("{}: not signed by a trusted key (--trust)", dir)
               : fmt::format("{}: the package is not signed", dir);
  return false;
}

}  // namespace vigil::referral
