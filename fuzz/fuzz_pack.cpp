// Fuzz target: any bytes as a rule pack (.vgp). The first byte chooses
// whether the rest is the whole file (exercising the structure and hash
// checks) or a body that gets a correct sha256 line (exercising the entry
// parser, the manifest and, through the compiler, the sealed in-memory
// files). Loading must fail with a message or succeed, never crash.
#include <sodium.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

#include "api/compiler.hpp"
#include "pack/pack.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/vigil_fuzz_pack." + std::to_string(::getpid()) + ".vgp";
  if (size == 0) return 0;
  std::string image(reinterpret_cast<const char*>(data + 1), size - 1);
  if ((data[0] & 1) == 0) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(image.data()), image.size());
    image += "sha256 " +
             vigil::pack::ToHex(std::string_view(reinterpret_cast<const char*>(digest), sizeof(digest))) +
             "\n";
  }
  vigil::pack::Pack pack;
  std::string error;
  if (!vigil::pack::ParseImage(image, &pack, &error)) {
    if (error.empty()) __builtin_trap();  // a refusal always says why
    return 0;
  }
  vigil::pack::TrustPolicy policy;
  policy.min_version = "0.0.1";
  vigil::pack::Verify(pack, policy, &error);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << image;
  }
  vigil::CompileOptions options;
  options.allow_filesystem = true;  // the pack file itself; its files stay sealed
  vigil::Compilation c = vigil::CompileFiles({path}, options);
  if (!c.ok() && c.diagnostics.empty()) __builtin_trap();
  return 0;
}
