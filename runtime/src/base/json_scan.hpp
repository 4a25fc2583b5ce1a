// The inner loop of reading a JSON string: where the run of plain ASCII
// characters that needs no attention ends. Shared by the strict check
// (base/json_check.cpp) and the event reader's shaped path
// (eval/event_json_shaped.cpp), which spend most of their time here.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "base/bytes.hpp"

namespace vigil::json_scan {

// The words below are loaded from text with memcpy and read as little-endian
// (the first byte lowest).
static_assert(std::endian::native == std::endian::little, "the SWAR readers assume little-endian words");

// True for the bytes that end a run: '"', '\\', control characters (below
// 0x20) and every byte of multi-byte UTF-8 (0x80 and above), which the caller
// checks one sequence at a time.
inline bool IsStringStop(unsigned char c) { return c < 0x20 || c >= 0x80 || c == '"' || c == '\\'; }

#if defined(__SSE2__)
// Which of the 16 bytes at p are stops, one bit each. Signed compare: bytes
// 0x80..0xFF are negative, so "below 0x20" also catches every non-ASCII byte.
inline unsigned StopMask16(const char* p) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                                _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                                   _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
  return static_cast<unsigned>(_mm_movemask_epi8(hit));
}
#endif

// The first stop byte in [p, end), or end. Sixteen bytes at a time where
// SSE2 is there (every x86-64), else eight at a time in a 64-bit word; the
// last few bytes one at a time, so nothing past `end` is ever read.
inline const char* FindStringStop(const char* p, const char* end) {
#if defined(__SSE2__)
  while (end - p >= 16) {
    if (const unsigned mask = StopMask16(p)) return p + __builtin_ctz(mask);
    p += 16;
  }
#else
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  auto zero_byte = [](uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  while (end - p >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    const uint64_t control = (w - 0x20 * kOnes) & ~w & kHigh;  // bytes below 0x20 (may over-flag)
    if (((w & kHigh) | control | zero_byte(w ^ ('"' * kOnes)) | zero_byte(w ^ ('\\' * kOnes))) != 0) {
      break;  // the byte loop below finds which one
    }
    p += 8;
  }
#endif
  while (p < end && !IsStringStop(static_cast<unsigned char>(*p))) ++p;
  return p;
}

// As FindStringStop, for text followed by a zero byte (a stop) and at least
// 16 readable bytes after it (base/json_shape.hpp's padding): no check of
// the end, which the caller makes on the result. One byte at a time: the
// way without SSE2, and the one the SSE2 way is tested against.
inline const char* FindStringStopPaddedBytes(const char* p) {
  while (!IsStringStop(static_cast<unsigned char>(*p))) ++p;
  return p;
}

#if defined(__SSE2__)
// StopMask16 in fewer instructions, for the shaped reader's strings
// (eval/event_json_fast.cpp): each byte xor'ed with 0x02 turns '"' (0x22)
// into 0x20 and keeps every control character below 0x20, every other
// printable byte at 0x20 or above but 0x20 itself (which came from '"'),
// and every byte of 0x80 or more negative; so one signed "below 0x21"
// finds quotes, control characters and non-ASCII bytes, and one compare
// more finds backslashes: two compares where StopMask16 makes three.
struct StopFinder {
  // The constants, made where the caller's loop begins and passed by value
  // (as an object's members they are read back from memory each time).
  struct Constants {
    __m128i flip, below, backslash;
  };
  static Constants Make() { return {_mm_set1_epi8(0x02), _mm_set1_epi8(0x21), _mm_set1_epi8('\\')}; }
  static unsigned Mask16(const char* p, __m128i flip, __m128i below, __m128i backslash) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i low = _mm_cmpgt_epi8(below, _mm_xor_si128(v, flip));
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(low, _mm_cmpeq_epi8(v, backslash))));
  }
  // FindStringStopPadded's result.
  static const char* Find(const char* p, __m128i flip, __m128i below, __m128i backslash) {
    for (;; p += 16) {
      if (const unsigned mask = Mask16(p, flip, below, backslash)) return p + __builtin_ctz(mask);
    }
  }
};
#endif

inline const char* FindStringStopPadded(const char* p) {
#if defined(__SSE2__)
  for (;; p += 16) {
    if (const unsigned mask = StopMask16(p)) return p + __builtin_ctz(mask);
  }
#else
  return FindStringStopPaddedBytes(p);
#endif
}

// Bits set in each byte of the word w (as loaded from text) that is not an
// ASCII digit: each byte xor'ed with '0' is a digit's value (0 to 9) for a
// digit and 10 or more for any other byte (BytesAtLeast, base/bytes.hpp).
// Right for every byte up to and including the first byte that is not a
// digit, and for later bytes as long as every byte before them is a digit
// or one that does not carry (below 0x8A after the xor: a '.', say).
inline uint64_t NonDigitBits(uint64_t w) {
  return BytesAtLeast<uint64_t>(w ^ 0x3030303030303030ULL, 0x0A0A0A0A0A0A0A0AULL);
}

// The number written by the n (1 to 8) digit bytes at the bottom of w.
inline uint64_t DigitBytesValue(uint64_t w, unsigned n) {
  uint64_t d = (w & 0x0F0F0F0F0F0F0F0FULL) << (8 * (8 - n));
  d = (d * 10 + (d >> 8)) & 0x00FF00FF00FF00FFULL;         // two digits in each 16 bits
  d = (d * 100 + (d >> 16)) & 0x0000FFFF0000FFFFULL;       // four in each 32 bits
  return (d * 10000 + (d >> 32)) & 0xFFFFFFFFULL;          // eight
}

// DigitBytesValue sized for n of 1 to 4 digits (most integers of an event:
// a merchant code, a count of days): the pairing in the low 32 bits, two
// steps where DigitBytesValue makes three, with no 64-bit constants.
inline uint32_t DigitBytesValue4(uint64_t w, unsigned n) {
  uint32_t d = (static_cast<uint32_t>(w) & 0x0F0F0F0FU) << (8 * (4 - n));
  d = (d * 10 + (d >> 8)) & 0x00FF00FFU;  // two digits in each 16 bits
  return (d * 100 + (d >> 16)) & 0xFFFFU;  // four
}

// The run of ASCII digits at p, up to eight of them, read as one 8-byte word
// (SWAR): how many there are (8: the run may go on past them) and, in
// `value`, the number they write. Reads 8 bytes at p whatever they are (the
// caller's text is padded). The first byte that is not a digit is found by
// NonDigitBits; the digits are then moved to the top of the word, as if the
// run had leading zeros to make eight, and paired: tens and units, then
// hundreds, then ten thousands, each step one multiply (DigitBytesValue).
inline unsigned Digits8(const char* p, uint64_t* value) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  const uint64_t other = NonDigitBits(w);
  const unsigned n = other == 0 ? 8 : static_cast<unsigned>(__builtin_ctzll(other)) / 8;
  if (n == 0) {
    *value = 0;
    return 0;
  }
  *value = DigitBytesValue(w, n);
  return n;
}

}  // namespace vigil::json_scan
