// Fuzz target: any bytes as a received referral package (docs/referral.md,
// "Verifying a package"), checked as `vigil refer verify` checks it. The
// first byte is the mode; the rest are the package's files separated by NUL
// bytes, in the order manifest.json, entities.ftm.jsonl, evidence.jsonl,
// summary.md, signatures (fewer parts: files missing; a sixth part: an
// unexpected file). Odd mode: the four content files are signed afresh by
// the fuzzer's key before the check, so that the manifest's checks are
// reached with a valid signature too. Verification must refuse with a
// message or accept, never crash; an accepted package carries the trusted
// key's signature and is accepted again with the same signer.
#include <sodium.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "pack/pack.hpp"
#include "referral/package.hpp"

namespace {

using namespace vigil;

struct Fixed {
  std::string root;        // a temporary folder, removed at exit
  std::string dir;         // the package folder in it, rewritten for every input
  std::string secret_key;  // the fuzzer's signing key (from a fixed seed)
  std::string public_key;
  ~Fixed() {
    std::error_code ec;
    if (!root.empty()) std::filesystem::remove_all(root, ec);
  }
};

void Init(Fixed* f) {
  if (sodium_init() < 0) std::abort();
  unsigned char seed[crypto_sign_SEEDBYTES];
  for (size_t i = 0; i < sizeof(seed); ++i) seed[i] = static_cast<unsigned char>(i * 7 + 1);
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, seed);
  f->public_key.assign(reinterpret_cast<char*>(pk), sizeof(pk));
  f->secret_key.assign(reinterpret_cast<char*>(sk), sizeof(sk));
  std::string tmpl =
      (std::filesystem::temp_directory_path() / "vigil-fuzz-verify-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) std::abort();
  f->root = tmpl;
  f->dir = tmpl + "/PH";
}

const Fixed& Load() {
  static Fixed fixed;
  static const bool ready = (Init(&fixed), true);
  (void)ready;
  return fixed;
}

void WriteFile(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Fixed& f = Load();
  const bool resign = data[0] % 2 == 1;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<std::string_view> parts;
  for (size_t pos = 0; parts.size() < 6;) {
    const size_t nul = rest.find('\0', pos);
    parts.push_back(rest.substr(pos, nul == std::string_view::npos ? std::string_view::npos
                                                                    : nul - pos));
    if (nul == std::string_view::npos) break;
    pos = nul + 1;
  }
  static const char* const kNames[] = {"manifest.json", "entities.ftm.jsonl", "evidence.jsonl",
                                       "summary.md", referral::kSignatureFile, "notes.txt"};
  std::error_code ec;
  std::filesystem::remove_all(f.dir, ec);
  std::filesystem::create_directory(f.dir);
  for (size_t i = 0; i < parts.size(); ++i) WriteFile(f.dir + "/" + kNames[i], parts[i]);
  if (resign && parts.size() >= 4) {
    // Signed as `vigil refer` signs: the content hash of the four files.
    pack::ContentHasher hasher;
    for (const char* name : referral::kPackageFiles) {
      size_t i = 0;
      while (std::string_view(kNames[i]) != name) ++i;
      hasher.BeginFile(name, parts[i].size());
      hasher.Update(parts[i]);
      hasher.EndFile();
    }
    pack::Signature sig;
    std::string error;
    if (!pack::SignContentHash(referral::kReferralSignatureDomain, hasher.Finish(), f.secret_key,
                               &sig, &error)) {
      std::abort();
    }
    WriteFile(f.dir + "/" + referral::kSignatureFile,
              "signature " + pack::ToHex(sig.public_key) + " " + pack::ToHex(sig.signature) + "\n");
  }
  std::string signer, error;
  if (!referral::VerifyPackage(f.dir, {f.public_key}, &signer, &error)) {
    if (error.empty()) std::abort();  // every refusal says why
    return 0;
  }
  if (signer != pack::ToHex(f.public_key)) std::abort();
  std::string again;
  if (!referral::VerifyPackage(f.dir, {f.public_key}, &again, &error) || again != signer) {
    std::abort();
  }
  return 0;
}
