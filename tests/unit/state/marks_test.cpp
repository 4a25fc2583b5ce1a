// MarkHash (state/marks.hpp) is SipHash-2-4 written out in marks.cpp; the
// values are kept in snapshots and in external stores, so they must stay
// those of libsodium's crypto_shorthash under the same key, which MarkHash
// called before: every length from 0 to 130 (each tail length of 0 to 7
// bytes after 0 to 16 whole blocks), random bytes, zeros and 0xFF.
#include <gtest/gtest.h>
#include <sodium.h>

#include <cstring>
#include <random>
#include <string>

#include "state/marks.hpp"

namespace vigil::testing {
namespace {

uint64_t LibsodiumMarkHash(const std::string& text) {
  static const unsigned char kKey[crypto_shorthash_KEYBYTES] = {
      'v', 'i', 'g', 'i', 'l', ' ', 'e', 'v', 'e', 'n', 't', ' ', 'm', 'a', 'r', 'k'};
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, reinterpret_cast<const unsigned char*>(text.data()), text.size(), kKey);
  uint64_t h;
  std::memcpy(&h, out, sizeof(h));
  return h == 0 ? 1 : h;
}

TEST(MarkHash, IsLibsodiumsSipHash24) {
  ASSERT_GE(sodium_init(), 0);
  std::mt19937_64 rng(16);
  int checked = 0;
  for (size_t len = 0; len <= 130; ++len) {
    for (int fill = 0; fill < 6; ++fill) {
      std::string text(len, '\0');
      for (char& ch : text) {
        ch = fill == 0 ? '\0' : fill == 1 ? '\xFF' : static_cast<char>(rng());
      }
      ASSERT_EQ(state::MarkHash(text), LibsodiumMarkHash(text)) << "length " << len;
      ++checked;
    }
  }
  // Ids as the generator writes them.
  for (int i = 0; i < 2000; ++i) {
    const std::string id = "t" + std::to_string(1000000000 + i);
    ASSERT_EQ(state::MarkHash(id), LibsodiumMarkHash(id)) << id;
    ++checked;
  }
  EXPECT_EQ(checked, 131 * 6 + 2000);
}

// MarkHasher keeps SipHash's state after a text's first 8 bytes for the next
// text that starts with them: its values must be MarkHash's whatever came
// before, so texts of every length from 0 to 40 follow each other at random,
// mostly sharing their first 8 bytes with the one before (ids of a stream),
// sometimes differing from it in exactly one of those bytes, sometimes
// shorter than 8 bytes (which never use the kept state) in between.
TEST(MarkHash, AHasherGivesMarkHashWhateverCameBefore) {
  std::mt19937_64 rng(31);
  state::MarkHasher hasher;
  std::string last = "t0000000";
  int reused = 0;
  for (int i = 0; i < 200000; ++i) {
    const size_t len = rng() % 41;
    std::string text(len, '\0');
    for (char& ch : text) ch = static_cast<char>(rng());
    const uint64_t roll = rng() % 8;
    if (roll < 5 && len >= 8) {
      text.replace(0, 8, last, 0, 8);  // the same start as the last one
      ++reused;
    } else if (roll == 5 && len >= 8) {
      text.replace(0, 8, last, 0, 8);
      text[rng() % 8] ^= static_cast<char>(1 + rng() % 255);  // one byte of it differs
    }
    ASSERT_EQ(hasher.Hash(text), state::MarkHash(text)) << "text " << i << ", length " << len;
    if (len >= 8) last = text;
  }
  EXPECT_GT(reused, 100000);
  // Ids as the generator writes them, one after another.
  state::MarkHasher ids;
  for (int i = 0; i < 5000; ++i) {
    const std::string id = "t" + std::to_string(1000000000 + i);
    ASSERT_EQ(ids.Hash(id), state::MarkHash(id)) << id;
  }
}

}  // namespace
}  // namespace vigil::testing
