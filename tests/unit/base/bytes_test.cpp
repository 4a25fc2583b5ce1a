// base/bytes.hpp: the inline byte helpers against the plain loops they stand
// for.
#include <gtest/gtest.h>

#include <random>

#include "base/bytes.hpp"

namespace vigil::testing {
namespace {

TEST(Bytes, LoadTailLittleEndianIsTheBytesInOrderOfSignificance) {
  std::mt19937 rng(7);
  unsigned char buf[16];
  for (int round = 0; round < 2000; ++round) {
    for (unsigned char& b : buf) b = static_cast<unsigned char>(rng());
    if (round == 0) std::fill(std::begin(buf), std::end(buf), 0xFF);
    for (size_t n = 0; n <= 8; ++n) {
      for (size_t at = 0; at + n <= 8; ++at) {
        uint64_t want = 0;
        for (size_t k = 0; k < n; ++k) want |= uint64_t{buf[at + k]} << (8 * k);
        ASSERT_EQ(LoadTailLittleEndian(buf + at, n), want) << "n " << n << " at " << at;
      }
    }
  }
}

// BytesAtLeast against a byte-by-byte reference: up to and including the
// first byte flagged, a byte is flagged exactly when it has its top bit set
// or is at least its bound (bounds of 1 to 0x80); 4- and 8-byte words.
template <typename Word>
void CheckBytesAtLeast(std::mt19937_64& rng) {
  constexpr size_t kBytes = sizeof(Word);
  for (int round = 0; round < 20000; ++round) {
    Word d = 0, bounds = 0;
    for (size_t i = 0; i < kBytes; ++i) {
      // Bytes near the bounds most of the time, any byte now and then.
      const unsigned bound = 1 + static_cast<unsigned>(rng() % 0x80);
      unsigned byte = static_cast<unsigned>(rng() % 4 == 0 ? rng() % 256 : (bound + rng() % 3) - 1);
      byte &= 0xFF;
      d |= static_cast<Word>(byte) << (8 * i);
      bounds |= static_cast<Word>(bound) << (8 * i);
    }
    const Word got = BytesAtLeast<Word>(d, bounds);
    for (size_t i = 0; i < kBytes; ++i) {
      const unsigned byte = static_cast<unsigned>(d >> (8 * i)) & 0xFF;
      const unsigned bound = static_cast<unsigned>(bounds >> (8 * i)) & 0xFF;
      const bool want = byte >= 0x80 || byte >= bound;
      const bool flagged = ((got >> (8 * i)) & 0x80) != 0;
      ASSERT_EQ(flagged, want) << "byte " << i << " of " << std::hex << d << " under " << bounds;
      ASSERT_EQ((got >> (8 * i)) & 0x7F, 0u);
      if (want) break;  // later bytes may be misjudged, and are not used
    }
  }
}

TEST(Bytes, BytesAtLeastFlagsTheFirstByteAtItsBound) {
  std::mt19937_64 rng(11);
  CheckBytesAtLeast<uint32_t>(rng);
  CheckBytesAtLeast<uint64_t>(rng);
  // The callers' bounds: digits after an xor with '0', a ':' or a 'Z'.
  EXPECT_EQ(BytesAtLeast<uint64_t>(0x0909090909090909ULL, 0x0A0A0A0A0A0A0A0AULL), 0u);
  EXPECT_EQ(BytesAtLeast<uint64_t>(0x090909090909090AULL, 0x0A0A0A0A0A0A0A0AULL), 0x80u);
  EXPECT_EQ(BytesAtLeast<uint32_t>(0x00090909U, 0x010A0A0AU), 0u);
  EXPECT_EQ(BytesAtLeast<uint32_t>(0x01090909U, 0x010A0A0AU), 0x80000000U);
}

}  // namespace
}  // namespace vigil::testing
