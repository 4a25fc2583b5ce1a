// The inner loop of reading a JSON string: where the run of plain ASCII
// characters that needs no attention ends. Shared by the strict check
// (base/json_check.cpp) and the event reader's shaped path
// (eval/event_json_shaped.cpp), which spend most of their time here.
#pragma once

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vigil::json_scan {

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
// the end, which the caller makes on the result.
inline const char* FindStringStopPadded(const char* p) {
#if defined(__SSE2__)
  for (;; p += 16) {
    if (const unsigned mask = StopMask16(p)) return p + __builtin_ctz(mask);
  }
#else
  while (!IsStringStop(static_cast<unsigned char>(*p))) ++p;
  return p;
#endif
}

}  // namespace vigil::json_scan
