// The word-at-a-time scans of the shaped reader (base/json_scan.hpp) against
// byte-by-byte readings of the same bytes, on one machine: the SSE2 stop
// mask and search (StopFinder, StopMask16) against IsStringStop and
// FindStringStopPaddedBytes (the way without SSE2), and the 8-digit run
// (Digits8) against a digit loop. Every byte value at every place of a
// block, and random blocks.
#include "base/json_scan.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>

namespace vigil::json_scan {
namespace {

// The stop mask of 16 bytes, one byte at a time.
unsigned MaskByBytes(const char* p) {
  unsigned mask = 0;
  for (int i = 0; i < 16; ++i) {
    if (IsStringStop(static_cast<unsigned char>(p[i]))) mask |= 1u << i;
  }
  return mask;
}

#if defined(__SSE2__)
TEST(JsonScan, StopMasksAsByteByByte) {
  const StopFinder::Constants c = StopFinder::Make();
  char block[16];
  for (int at = 0; at < 16; ++at) {
    for (int byte = 0; byte < 256; ++byte) {
      std::memset(block, 'a', sizeof block);
      block[at] = static_cast<char>(byte);
      const unsigned want = MaskByBytes(block);
      ASSERT_EQ(StopFinder::Mask16(block, c.flip, c.below, c.backslash), want) << at << " " << byte;
      ASSERT_EQ(StopMask16(block), want) << at << " " << byte;
    }
  }
  std::mt19937 rng(2614);
  for (int k = 0; k < 200000; ++k) {
    for (char& b : block) {
      // Mostly printable ASCII, with the bytes that matter now and then.
      const unsigned r = rng();
      b = static_cast<char>(r % 8 == 0 ? (r >> 8) & 0xFF : 0x20 + (r >> 8) % 0x60);
    }
    const unsigned want = MaskByBytes(block);
    ASSERT_EQ(StopFinder::Mask16(block, c.flip, c.below, c.backslash), want);
    ASSERT_EQ(StopMask16(block), want);
  }
}

// The first stop of padded text, found 16 bytes at a time, wherever it lies
// (around the 16- and 32-byte edges of the blocks), whatever it is.
TEST(JsonScan, FindsTheFirstStopAsByteByByte) {
  const StopFinder::Constants c = StopFinder::Make();
  const char stops[] = {'"', '\\', '\0', '\n', '\r', '\t', '\x1F', '\x7F', '\x80', '\xC3', '\xFF'};
  for (size_t n = 0; n < 70; ++n) {
    for (const char stop : stops) {
      std::string text(n, 'x');
      text += stop;
      text += "\"\\";
      text.append(48, '\0');  // the padding
      const char* want = FindStringStopPaddedBytes(text.data());
      if (stop == '\x7F') {
        ASSERT_EQ(want, text.data() + n + 1);  // DEL is no stop: the quote after it is
      } else {
        ASSERT_EQ(want, text.data() + n);
      }
      ASSERT_EQ(StopFinder::Find(text.data(), c.flip, c.below, c.backslash), want) << n;
      ASSERT_EQ(FindStringStopPadded(text.data()), want) << n;
    }
  }
}
#endif

// Digits8 against a loop over the digits: runs of 0 to 12 digits followed by
// every byte value, and random bytes.
TEST(JsonScan, DigitRunsAsByteByByte) {
  auto by_bytes = [](const char* p, uint64_t* value) {
    unsigned n = 0;
    uint64_t v = 0;
    while (n < 8 && p[n] >= '0' && p[n] <= '9') v = v * 10 + static_cast<uint64_t>(p[n++] - '0');
    *value = v;
    return n;
  };
  std::mt19937 rng(2615);
  char text[16];
  for (int n = 0; n <= 12; ++n) {
    for (int byte = 0; byte < 256; ++byte) {
      for (int round = 0; round < 4; ++round) {
        for (int i = 0; i < n && i < 16; ++i) text[i] = static_cast<char>('0' + rng() % 10);
        for (int i = n; i < 16; ++i) text[i] = static_cast<char>(rng());
        if (n < 16) text[n] = static_cast<char>(byte);
        uint64_t got = 1, want = 2;
        const unsigned got_n = Digits8(text, &got), want_n = by_bytes(text, &want);
        ASSERT_EQ(got_n, want_n) << std::string(text, 16);
        ASSERT_EQ(got, want) << std::string(text, 16);
      }
    }
  }
  for (int k = 0; k < 200000; ++k) {
    for (char& b : text) b = static_cast<char>(rng() % 3 != 0 ? '0' + rng() % 10 : rng());
    uint64_t got = 1, want = 2;
    ASSERT_EQ(Digits8(text, &got), by_bytes(text, &want)) << std::string(text, 16);
    ASSERT_EQ(got, want) << std::string(text, 16);
  }
}

// DigitBytesValue4 against the number the digits write and against
// DigitBytesValue: every value of 1 to 4 digits (leading zeros included),
// with each of the 256 byte values right after them and random bytes above.
TEST(JsonScan, ShortDigitRunsAsTheEightDigitConversion) {
  std::mt19937_64 rng(3125);
  for (unsigned n = 1; n <= 4; ++n) {
    unsigned limit = 1;
    for (unsigned i = 0; i < n; ++i) limit *= 10;
    for (unsigned value = 0; value < limit; ++value) {
      char text[8];
      unsigned rest = value;
      for (unsigned i = n; i-- > 0;) {
        text[i] = static_cast<char>('0' + rest % 10);
        rest /= 10;
      }
      for (unsigned after = 0; after < 256; ++after) {
        const uint64_t noise = rng();
        std::memcpy(text + n, &noise, 8 - n);
        text[n] = static_cast<char>(after);
        uint64_t w;
        std::memcpy(&w, text, 8);
        ASSERT_EQ(DigitBytesValue4(w, n), value) << n;
        ASSERT_EQ(DigitBytesValue4(w, n), DigitBytesValue(w, n)) << n;
      }
    }
  }
}

}  // namespace
}  // namespace vigil::json_scan
