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

}  // namespace
}  // namespace vigil::testing
