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

 private:
  static bool Digit(char c) { return static_cast<unsigned char>(c - '0') < 10; }
  static bool Two(const char* p, int* out) {
    if (!Digit(p[0]) || !Digit(p[1])) return false;
    *out = (p[0] - '0') * 10 + (p[1] - '0');
    return true;
  }

  // YYYY-MM-DDTHH:MM:SSZ with no fraction, or 3 or 6 fractional digits.
  bool Common(std::string_view s, int64_t* out) {
    const size_t n = s.size();
    if (n != 20 && n != 24 && n != 27) return false;
    const char* p = s.data();
    if (p[10] != 'T' || p[13] != ':' || p[16] != ':' || p[n - 1] != 'Z') return false;
    int h, mi, sec;
    if (!Two(p + 11, &h) || !Two(p + 14, &mi) || !Two(p + 17, &sec) || h > 23 || mi > 59 || sec > 59) {
      return false;
    }
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
      // A new date: its midnight as ParseTime reads it, which checks the
      // calendar and the range of years.
      char midnight[20];
      std::memcpy(midnight, p, 10);
      std::memcpy(midnight + 10, "T00:00:00Z", 10);
      const std::optional<int64_t> day = ParseTime(std::string_view(midnight, sizeof midnight));
      if (!day) return false;
      std::memcpy(date_, p, sizeof date_);
      day_ = *day;
      has_day_ = true;
    }
    // Within the day of a date in range, never past 9999-12-31T23:59:59.999999Z.
    *out = day_ + ((h * 60 + mi) * 60 + sec) * int64_t{1000000} + micros;
    return true;
  }

  char date_[10] = {};
  int64_t day_ = 0;  // microseconds at midnight UTC of date_
  bool has_day_ = false;
};

}  // namespace vigil
