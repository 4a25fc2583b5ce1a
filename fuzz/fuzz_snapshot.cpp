// Fuzz target: any bytes as a state snapshot. The first byte chooses whether
// the rest is the whole file (exercising the header checks) or a body given
// a valid header and checksum (exercising the parser). Loading must fail
// cleanly or succeed, never crash, and a failed load must leave the state
// as it was.
#include <sodium.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>

#include "api/compiler.hpp"
#include "eval/session.hpp"
#include "state/store.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static vigil::Compilation* c = new vigil::Compilation(vigil::CompileFiles(
      {std::string(VIGIL_SOURCE_DIR) + "/rules/examples/card_rules.vgl"}));
  static const std::string path = "/tmp/vigil_fuzz_snapshot." + std::to_string(::getpid());
  if (size == 0) return 0;
  std::string file;
  if (data[0] & 1) {
    file.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  } else {
    std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
    file.assign("VIGILST", 8);
    uint32_t version = 1, reserved = 0;
    uint64_t length = body.size();
    file.append(reinterpret_cast<const char*>(&version), 4);
    file.append(reinterpret_cast<const char*>(&reserved), 4);
    file.append(reinterpret_cast<const char*>(&length), 8);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(body.data()), body.size());
    file.append(reinterpret_cast<const char*>(digest), sizeof(digest));
    file += body;
  }
  std::ofstream(path, std::ios::binary | std::ios::trunc) << file;
  auto store = std::make_shared<vigil::state::Store>();
  vigil::eval::Session session(c->program, store);
  std::string error;
  uint64_t before = store->Stats().keys;
  if (!store->Load(path, &error) && store->Stats().keys != before) __builtin_trap();
  return 0;
}
