#include "state/marks.hpp"

#include <sodium.h>

#include <cstring>

namespace vigil::state {

uint64_t MarkHash(std::string_view text) {
  static const unsigned char kKey[crypto_shorthash_KEYBYTES] = {
      'v', 'i', 'g', 'i', 'l', ' ', 'e', 'v', 'e', 'n', 't', ' ', 'm', 'a', 'r', 'k'};
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, reinterpret_cast<const unsigned char*>(text.data()), text.size(), kKey);
  uint64_t h;
  std::memcpy(&h, out, sizeof(h));
  return h == 0 ? 1 : h;
}

}  // namespace vigil::state
