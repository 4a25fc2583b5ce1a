// Short runs of bytes compared, copied and read a word at a time, inline.
// memcmp and memcpy are calls through the PLT, which cost more than the work
// for the short strings of the hot paths: member names of a JSON line
// (base/json_shape.hpp), a country code against a rule's constant
// (eval/evaluator.cpp).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace vigil {

// memcmp(a, b, n) == 0: eight bytes at a time, the last eight (or four)
// overlapping what was compared; under four bytes one at a time.
[[gnu::always_inline]] inline bool SameBytes(const char* a, const char* b, size_t n) {
  auto load8 = [](const char* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  };
  auto load4 = [](const char* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
  };
  if (n >= 8) {
    for (size_t k = 0; k + 8 < n; k += 8) {
      if (load8(a + k) != load8(b + k)) return false;
    }
    return load8(a + n - 8) == load8(b + n - 8);
  }
  if (n >= 4) return load4(a) == load4(b) && load4(a + n - 4) == load4(b + n - 4);
  for (size_t k = 0; k < n; ++k) {
    if (a[k] != b[k]) return false;
  }
  return true;
}

// Whether the eight bytes at p are all ASCII (no high bit set): the scan of a
// rule file eight bytes at a time (syntax/scanner.cpp, syntax/parse.cpp),
// since rule files are almost all ASCII.
inline bool EightBytesAscii(const char* p) {
  uint64_t word;
  std::memcpy(&word, p, 8);
  return (word & 0x8080808080808080ull) == 0;
}

// memcpy(to, from, n) for n <= 16, inline: two overlapping loads and stores
// of eight (or four) bytes, under four one at a time. For the event id's copy
// (eval/session.cpp), where memcpy's call cost about as much as the copy.
inline void CopyShortBytes(char* to, const char* from, size_t n) {
  if (n >= 8) {
    uint64_t head, tail;
    std::memcpy(&head, from, 8);
    std::memcpy(&tail, from + n - 8, 8);
    std::memcpy(to, &head, 8);
    std::memcpy(to + n - 8, &tail, 8);
  } else if (n >= 4) {
    uint32_t head, tail;
    std::memcpy(&head, from, 4);
    std::memcpy(&tail, from + n - 4, 4);
    std::memcpy(to, &head, 4);
    std::memcpy(to + n - 4, &tail, 4);
  } else {
    for (size_t k = 0; k < n; ++k) to[k] = from[k];
  }
}

// The n <= 8 bytes at p as a little-endian number (byte k at bits 8k..8k+7),
// reading none after them: as word-at-a-time hashes take the partial word
// that ends their input (SipHash in state/marks.cpp, std::hash's in
// state/key_table.hpp), and as the rule index reads a short string whole
// (eval/rule_index.cpp). Two overlapping loads, or three single bytes,
// rather than a loop over them.
inline uint64_t LoadTailLittleEndian(const unsigned char* p, size_t n) {
  if constexpr (std::endian::native != std::endian::little) {
    uint64_t v = 0;
    for (size_t k = 0; k < n; ++k) v |= uint64_t{p[k]} << (8 * k);
    return v;
  }
  if (n >= 4) {
    uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + n - 4, 4);
    return uint64_t{lo} | (uint64_t{hi} << (8 * (n - 4)));
  }
  if (n == 0) return 0;
  return uint64_t{p[0]} | (uint64_t{p[n / 2]} << (8 * (n / 2))) |
         (uint64_t{p[n - 1]} << (8 * (n - 1)));
}

// The top bit (0x80) of each byte of d that is at least the same byte of
// `bounds` (each bound 1 to 0x80), or has its top bit set already: the
// byte's add of 0x80 - bound reaches 0x80. Exact for every byte up to the
// first one flagged: an add carries into the next byte only from a byte
// that is flagged. After an xor with the bytes expected ('0' for a digit),
// a bound of 10 flags whatever is not a digit, 1 whatever is not the byte.
// A word of 4 or 8 bytes.
template <typename Word>
inline Word BytesAtLeast(Word d, Word bounds) {
  static_assert(std::is_same_v<Word, uint32_t> || std::is_same_v<Word, uint64_t>);
  constexpr Word kTop = static_cast<Word>(0x8080808080808080ULL);
  return (d | (d + (kTop - bounds))) & kTop;
}

}  // namespace vigil
