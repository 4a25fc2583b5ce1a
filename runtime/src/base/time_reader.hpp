// Reads the times of a stream of events, where nearly every time is written
// the same way (YYYY-MM-DDTHH:MM:SS.fffZ) and falls on one of a few days.
// The microseconds of the last date's midnight are kept, so such a time costs
// a compare and a few digits instead of calendar arithmetic; any other text
// is read by ParseTimeOrDate (base/time_util.hpp). The result is always
// exactly ParseTimeOrDate's (tests/unit/base/time_reader_test.cpp).
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#include "base/bytes.hpp"
#include "base/time_util.hpp"

namespace vigil {

class TimeReader {
 public:
  std::optional<int64_t> Parse(std::string_view s) {
    int64_t t;
    if (Common(s, &t)) return t;
    return ParseTimeOrDate(s);
  }

  // A time of the common forms (Common) on the date seen last, at s, just
  // after its opening quote, ended by its closing quote: true with the time
  // and `close` at that quote, exactly as Parse would read the text between
  // the quotes; false for anything else (another form or date, no quote
  // right after it), which the caller reads by the string's scan and Parse.
  // Reads up to 28 bytes from s without a check of the end: the caller's
  // text is followed by a control character and padding
  // (base/json_shape.hpp), and every byte taken here is a digit or one of
  // "-T:.Z\"" (the date's are those of the last date, which ParseTime
  // checked), so none lies past the end. The clock "HH:MM:SS" is checked
  // and converted as one word (Clock).
  bool ReadQuoted(const char* s, const char** close, int64_t* out) {
    size_t n;
    int64_t micros = 0;
    if (s[19] == 'Z') {
      n = 20;
    } else if (s[19] != '.') {
      return false;
    } else if (s[23] == 'Z') {
      n = 24;
      // The three digits and the 'Z' as one 4-byte word, checked as Clock
      // checks its word: each byte xor'ed with its expected byte ('0', or
      // 'Z', which leaves 0), then a digit's byte must be below 10 and the
      // 'Z''s 0.
      uint32_t x;
      std::memcpy(&x, s + 20, 4);
      x ^= 0x5A303030U;  // "000Z", little-endian
      if (BytesAtLeast<uint32_t>(x, 0x010A0A0AU) != 0) return false;
      const unsigned a = x & 0xFF, b = (x >> 8) & 0xFF, c = (x >> 16) & 0xFF;
      micros = ((a * 10 + b) * 10 + c) * int64_t{1000};
    } else if (s[26] == 'Z') {
      n = 27;
      for (int i = 20; i < 26; ++i) {
        const unsigned d = Sub0(s[i]);
        if (d > 9) return false;
        micros = micros * 10 + d;
      }
    } else {
      return false;
    }
    if (s[n] != '"' || s[10] != 'T') return false;
    int clock;
    if (!Clock(s + 11, &clock)) return false;
    // Only the date seen last: a new one is left to Parse, which learns it
    // (ReadQuoted calls nothing, so a loop that uses it keeps its registers).
    if (!has_day_ || !SameBytes(s, date_, sizeof date_)) return false;
    *out = day_ + clock * int64_t{1000000} + micros;
    *close = s + n;
    return true;
  }

  // "HH:MM:SS" at p (8 bytes) as seconds of the day: false unless the
  // colons are there, the six digits are, and HH <= 23, MM <= 59, SS <= 59.
  // One 8-byte word: each byte xor'ed with its expected byte ('0' for a
  // digit, ':' for a colon) gives a digit's value or 0 for a colon;
  // BytesAtLeast flags any byte that is not so.
  // Public for the test that compares it with the byte-by-byte reading.
  static bool Clock(const char* p, int* seconds) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    const uint64_t d = w ^ 0x30303a30303a3030ULL;  // "00:00:00", little-endian
    if (BytesAtLeast<uint64_t>(d, 0x0A0A010A0A010A0AULL) != 0) return false;  // a digit below 10, a ':' 0
    // Each byte times ten plus the next byte: HH, MM and SS land in bytes
    // 0, 3 and 6 (each at most 99, so no byte carries into the next).
    const uint64_t v = d * 10 + (d >> 8);
    const int h = static_cast<int>(v & 0xFF), mi = static_cast<int>((v >> 24) & 0xFF),
              sec = static_cast<int>((v >> 48) & 0xFF);
    if (h > 23 || mi > 59 || sec > 59) return false;
    *seconds = (h * 60 + mi) * 60 + sec;
    return true;
  }

 private:
  static unsigned Sub0(char c) { return static_cast<unsigned char>(c - '0'); }
  // A date not seen last (its 10 bytes at p): its midnight as ParseTime
  // reads it, which checks the digits, the calendar and the range of years.
  // Out of line: it is rare, and the callers' loops stay small.
  [[gnu::noinline]] bool NewDay(const char* p) {
    char midnight[20];
    std::memcpy(midnight, p, 10);
    std::memcpy(midnight + 10, "T00:00:00Z", 10);
    const std::optional<int64_t> day = ParseTime(std::string_view(midnight, sizeof midnight));
    if (!day) return false;
    std::memcpy(date_, p, sizeof date_);
    day_ = *day;
    has_day_ = true;
    return true;
  }

  static bool Digit(char c) { return static_cast<unsigned char>(c - '0') < 10; }

  // YYYY-MM-DDTHH:MM:SSZ with no fraction, or 3 or 6 fractional digits.
  bool Common(std::string_view s, int64_t* out) {
    const size_t n = s.size();
    if (n != 20 && n != 24 && n != 27) return false;
    const char* p = s.data();
    if (p[10] != 'T' || p[n - 1] != 'Z') return false;
    int clock;
    if (!Clock(p + 11, &clock)) return false;
    int64_t micros = 0;
    if (n > 20) {
      if (p[19] != '.') return false;
      for (size_t i = 20; i < n - 1; ++i) {
        if (!Digit(p[i])) return false;
        micros = micros * 10 + (p[i] - '0');
      }
      if (n == 24) micros *= 1000;
    }
    if (!has_day_ || !SameBytes(p, date_, sizeof date_)) {
      if (!NewDay(p)) return false;
    }
    // Within the day of a date in range, never past 9999-12-31T23:59:59.999999Z.
    *out = day_ + clock * int64_t{1000000} + micros;
    return true;
  }

  char date_[10] = {};
  int64_t day_ = 0;  // microseconds at midnight UTC of date_
  bool has_day_ = false;
};

}  // namespace vigil
