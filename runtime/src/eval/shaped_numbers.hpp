// The numbers of a shaped line (EventJsonReader's one-pass path,
// event_json_fast.cpp), read in place from the bytes at their first
// character: an integer or a decimal in the plain forms the reference path
// reads the same way, taken without a second pass over their text; any
// other form is refused (false) and left to JsonShape::Value and Convert.
// The line is followed by kJsonShapePadding bytes, so the 8-byte loads
// below never read past it. A header of its own so that tests can hold
// each form against the reference reader and see that it is taken.
// ShapedInt and ShapedDecimal are always inline: outside the .cpp's
// anonymous namespace GCC made ShapedDecimal a call (r10: 65 instructions
// an event more), which also spills the string scan's constants that
// CommonMembers keeps in registers. Their long forms (LongShapedInt,
// ScanDigits) are left to GCC: forced inline, r10 took 12 more.
#pragma once

#include <cstdint>
#include <cstring>

#include "base/decimal.hpp"
#include "base/json_scan.hpp"
#include "base/json_shape.hpp"

namespace vigil::eval::shaped_numbers {

inline bool IsDigit(char c) { return static_cast<unsigned char>(c - '0') < 10; }

// The digits at p, as an unsigned number (wrapping past 19 digits, which
// the callers refuse); p moves past them. The control character after a
// shaped line (kJsonShapePadding) ends the run without a check of the end.
// Up to eight digits are read as one word (json_scan::Digits8), the rest
// one at a time.
inline uint64_t ScanDigits(const char*& p) {
  uint64_t v;
  const unsigned n = json_scan::Digits8(p, &v);
  p += n;
  if (n == 8) {
    while (IsDigit(*p)) v = v * 10 + static_cast<uint64_t>(*p++ - '0');
  }
  return v;
}

// ShapedInt's integers of eight digits or more (q is past the sign): the
// digits eight at a time, then one by one; at most 18, which cannot
// overflow. Longer numbers and other forms are left to JsonShape::Value and
// Convert.
inline bool LongShapedInt(const char*& p, const char* q, bool negative, int64_t* out) {
  const char* const digits = q;
  const uint64_t v = ScanDigits(q);
  const size_t n = static_cast<size_t>(q - digits);
  if (n > 18 || *digits == '0' || !JsonShape::Ends(q)) return false;
  if (negative && v == 0) return false;
  *out = negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
  p = q;
  return true;
}

// A plain integer at p (-?(0|[1-9]D*)); p moves past it. "-0", which the
// reference path reads, is left to JsonShape::Value and Convert.
// Most integers (1 to 7 digits) lie whole in the 8 bytes at their first
// digit, with the byte that ends them: the run, its leading zero and that
// byte are all judged from the one word (no byte loaded again), and the
// digits converted by a conversion sized to them (four or fewer: two
// pairing steps of 32 bits). Before, every integer took the eight-digit
// conversion and its checks (about 65 instructions for `5541,`).
[[gnu::always_inline]] inline bool ShapedInt(const char*& p, int64_t* out) {
  const bool negative = *p == '-';
  const char* const q = p + (negative ? 1 : 0);
  uint64_t w;
  std::memcpy(&w, q, 8);
  const uint64_t other = json_scan::NonDigitBits(w);
  if (other == 0) [[unlikely]] return LongShapedInt(p, q, negative, out);
  // The first byte flagged is the first that is not a digit (NonDigitBits
  // is right up to it): n digits (0 to 7), then the byte that ends them.
  const unsigned n = static_cast<unsigned>(__builtin_ctzll(other)) / 8;
  // No digit, or a leading zero before another digit. A '.', 'e' or 'E'
  // after the digits (another form of number) needs no test here: the
  // byte after a value taken must begin the next member's token (',') or
  // close the object ('}'), else the line goes to the strict check, which
  // reads it again from the start.
  if (n == 0 || ((w & 0xFF) == '0' && n > 1)) return false;
  const uint64_t v = n <= 4 ? json_scan::DigitBytesValue4(w, n) : json_scan::DigitBytesValue(w, n);
  if (negative && v == 0) return false;  // "-0"
  *out = negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
  p = q + n;
  return true;
}

// A decimal at p written -?D{1,12}(.D{1,6})? (no leading zero before
// another digit), exactly as ParseDecimal reads it: units of a millionth,
// the scale as written; p moves past it. Other forms (an exponent, more
// digits) are left to JsonShape::Value and Convert.
[[gnu::always_inline]] inline bool ShapedDecimal(const char*& p, Decimal* out) {
  static constexpr int64_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
  const bool negative = *p == '-';
  const char* q = p + (negative ? 1 : 0);
  const char* const digits = q;
  // Most amounts (`26.93`) lie whole in the 8 bytes at q, ended by a byte
  // that is not a digit: their digits are read in one conversion of the
  // word with its '.' taken out (about 30 instructions fewer than two runs
  // of Digits8). The bytes after the '.' are judged right by NonDigitBits:
  // none before them carries (digits and the '.'). The '.', the leading
  // digit and the byte that ends the number are taken from the word, not
  // loaded again; four digits or fewer (`26.93`) are converted by the
  // conversion sized to them. Anything else goes the way below.
  {
    uint64_t w;
    std::memcpy(&w, q, 8);
    const uint64_t other = json_scan::NonDigitBits(w);
    const unsigned dot = other == 0 ? 8 : static_cast<unsigned>(__builtin_ctzll(other)) / 8;
    if (dot >= 1 && dot <= 6 && static_cast<unsigned char>(w >> (8 * dot)) == '.' &&
        ((w & 0xFF) != '0' || dot == 1)) {
      const uint64_t after = other & (~uint64_t{0} << (8 * dot + 8));
      const unsigned stop = after == 0 ? 8 : static_cast<unsigned>(__builtin_ctzll(after)) / 8;
      // The byte at stop is not a digit. An exponent there (`2.5e-7`,
      // `1.0E7`: Java and JavaScript write small and large numbers so)
      // goes the way below, to Convert,
      // which reads it: taken here, the value would end at the 'e' and the
      // next member's name would send the whole line to the strict check,
      // every line of such a producer (a second '.' is not JSON: the strict
      // check reports it).
      const unsigned char end = static_cast<unsigned char>(w >> (8 * (stop & 7)));
      if (stop >= dot + 2 && stop <= 7 && (end | 0x20) != 'e') {
        const uint64_t below = (uint64_t{1} << (8 * dot)) - 1;
        const unsigned scale = stop - dot - 1;  // 1 to 5
        const uint64_t joined = (w & below) | ((w >> 8) & ~below);
        const uint64_t value = stop <= 5 ? json_scan::DigitBytesValue4(joined, stop - 1)
                                         : json_scan::DigitBytesValue(joined, stop - 1);
        const int64_t units = static_cast<int64_t>(value) * kPow10[kDecimalMaxScale - static_cast<int>(scale)];
        *out = Decimal{negative ? -units : units, static_cast<uint8_t>(scale)};
        p = q + stop;
        return true;
      }
    }
  }
  const uint64_t whole = ScanDigits(q);
  const size_t n = static_cast<size_t>(q - digits);
  if (n == 0 || n > 12 || (*digits == '0' && n > 1)) return false;
  uint64_t fraction = 0;
  size_t scale = 0;
  if (*q == '.') {
    const char* const first = ++q;
    fraction = ScanDigits(q);
    scale = static_cast<size_t>(q - first);
    if (scale == 0 || scale > static_cast<size_t>(kDecimalMaxScale)) return false;
  }
  if (!JsonShape::Ends(q)) return false;
  const int64_t units = static_cast<int64_t>(whole) * kDecimalUnit +
                        static_cast<int64_t>(fraction) * kPow10[kDecimalMaxScale - static_cast<int>(scale)];
  *out = Decimal{negative ? -units : units, static_cast<uint8_t>(scale)};
  p = q;
  return true;
}

}  // namespace vigil::eval::shaped_numbers
