#include "base/time_util.hpp"

#include <cstdio>
#include <string>

namespace vigil {

namespace {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool Digits(std::string_view s, size_t at, size_t n, int* out) {
  if (at + n > s.size()) return false;
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

}  // namespace

// Howard Hinnant's days_from_civil / civil_from_days.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

std::optional<int64_t> ParseTime(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (!Digits(s, 0, 4, &y) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, &mo) ||
      s[7] != '-' || !Digits(s, 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !Digits(s, 11, 2, &h) || s[13] != ':' || !Digits(s, 14, 2, &mi) || s[16] != ':' ||
      !Digits(s, 17, 2, &sec)) {
    return std::nullopt;
  }
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || static_cast<unsigned>(d) > DaysInMonth(y, mo) ||
      h > 23 || mi > 59 || sec > 59) {
    return std::nullopt;
  }
  size_t i = 19;
  int64_t micros = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      size_t k = i - start;
      if (k < 6) {
        micros = micros * 10 + (s[i] - '0');
      } else if (s[i] != '0') {
        return std::nullopt;  // finer than a microsecond: never rounded silently
      }
      ++i;
    }
    size_t n = i - start;
    if (n == 0) return std::nullopt;
    for (size_t k = n; k < 6; ++k) micros *= 10;
  }
  int64_t offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh, om;
    if (!Digits(s, i + 1, 2, &oh) || i + 3 >= s.size() || s[i + 3] != ':' ||
        !Digits(s, i + 4, 2, &om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t seconds = days * 86400 + h * 3600 + mi * 60 + sec - offset;
  int64_t t = seconds * kMicrosPerSecond + micros;
  // 0001-01-01T00:30:00+01:00 is before the range, 9999-12-31T23:30:00-01:00 after it.
  if (!InTimeRange(t)) return std::nullopt;
  return t;
}

std::optional<int64_t> DateToTime(int64_t y, int64_t m, int64_t d, std::string* why) {
  auto fail = [&](std::string text) -> std::optional<int64_t> {
    if (why != nullptr) *why = std::move(text);
    return std::nullopt;
  };
  if (y < 1 || y > 9999) {
    return fail("year " + std::to_string(y) + " is out of range (0001 to 9999)");
  }
  if (m < 1 || m > 12) return fail("month " + std::to_string(m) + " does not exist");
  const unsigned days = DaysInMonth(y, static_cast<unsigned>(m));
  if (d < 1 || d > static_cast<int64_t>(days)) {
    char ym[16];
    std::snprintf(ym, sizeof(ym), "%04d-%02d", static_cast<int>(y), static_cast<int>(m));
    return fail("day " + std::to_string(d) + " does not exist (" + ym + " has " +
                std::to_string(days) + " days)");
  }
  return DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) * kMicrosPerDay;
}

bool LooksLikeDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return false;
  }
  return true;
}

std::optional<int64_t> ParseDate(std::string_view s, std::string* why) {
  if (!LooksLikeDate(s)) {
    if (why != nullptr) *why = "expected a date YYYY-MM-DD";
    return std::nullopt;
  }
  int y = 0, m = 0, d = 0;
  Digits(s, 0, 4, &y);
  Digits(s, 5, 2, &m);
  Digits(s, 8, 2, &d);
  return DateToTime(y, m, d, why);
}

std::optional<int64_t> ParseTimeOrDate(std::string_view s, std::string* why) {
  if (LooksLikeDate(s)) return ParseDate(s, why);
  std::optional<int64_t> t = ParseTime(s);
  if (!t && why != nullptr) {
    *why = "expected an RFC 3339 time such as 2026-03-01T10:00:00Z or a date such as 2026-03-01";
  }
  return t;
}

size_t FormatTime(int64_t micros, char* buf) {
  // Without multiplying back (days * kMicrosPerDay overflows near INT64_MIN).
  int64_t days = FloorDiv(micros, kMicrosPerDay);
  int64_t rest = micros % kMicrosPerDay;
  if (rest < 0) rest += kMicrosPerDay;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  int64_t secs = rest / kMicrosPerSecond;
  int64_t frac = rest % kMicrosPerSecond;
  int n = std::snprintf(buf, 40, "%04lld-%02u-%02uT%02lld:%02lld:%02lld", static_cast<long long>(y),
                        m, d, static_cast<long long>(secs / 3600),
                        static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  if (frac != 0) {
    n += frac % 1000 == 0 ? std::snprintf(buf + n, 40 - n, ".%03lld", static_cast<long long>(frac / 1000))
                          : std::snprintf(buf + n, 40 - n, ".%06lld", static_cast<long long>(frac));
  }
  buf[n++] = 'Z';
  return static_cast<size_t>(n);
}

std::string TimeToString(int64_t micros) {
  char buf[48];
  return std::string(buf, FormatTime(micros, buf));
}

namespace {
struct Unit {
  const char* name;
  int64_t micros;
};
// Largest first, for formatting.
constexpr Unit kUnits[] = {{"d", kMicrosPerDay},        {"h", 3600 * kMicrosPerSecond},
                           {"m", 60 * kMicrosPerSecond}, {"s", kMicrosPerSecond},
                           {"ms", 1000},                 {"us", 1}};
}  // namespace

std::optional<int64_t> ParseDuration(std::string_view s) {
  size_t i = 0;
  int64_t n = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (__builtin_mul_overflow(n, 10, &n) || __builtin_add_overflow(n, s[i] - '0', &n)) {
      return std::nullopt;
    }
    ++i;
  }
  if (i == 0) return std::nullopt;
  std::string_view unit = s.substr(i);
  for (const Unit& u : kUnits) {
    if (unit == u.name) {
      int64_t r;
      if (__builtin_mul_overflow(n, u.micros, &r)) return std::nullopt;
      return r;
    }
  }
  return std::nullopt;
}

size_t FormatDuration(int64_t micros, char* buf) {
  if (micros == 0) {
    buf[0] = '0';
    buf[1] = 's';
    return 2;
  }
  for (const Unit& u : kUnits) {
    if (micros % u.micros == 0) {
      return static_cast<size_t>(
          std::snprintf(buf, 40, "%lld%s", static_cast<long long>(micros / u.micros), u.name));
    }
  }
  return 0;
}

std::string DurationToString(int64_t micros) {
  char buf[48];
  return std::string(buf, FormatDuration(micros, buf));
}

namespace {

// The instant shifted by a UTC offset, or false when it leaves the int64 range.
bool Shift(int64_t micros, int64_t offset_seconds, int64_t* local) {
  int64_t offset;
  return !__builtin_mul_overflow(offset_seconds, kMicrosPerSecond, &offset) &&
         !__builtin_add_overflow(micros, offset, local);
}

}  // namespace

int HourOf(int64_t micros, int64_t offset_seconds) {
  int64_t local;
  if (!Shift(micros, offset_seconds, &local)) return -1;
  int64_t in_day = local % kMicrosPerDay;
  if (in_day < 0) in_day += kMicrosPerDay;
  return static_cast<int>(in_day / (3600 * kMicrosPerSecond));
}

int WeekdayOf(int64_t micros, int64_t offset_seconds) {
  int64_t local;
  if (!Shift(micros, offset_seconds, &local)) return -1;
  int64_t days = FloorDiv(local, kMicrosPerDay);
  // 1970-01-01 was a Thursday (ISO 4).
  int64_t w = (days + 3) % 7;
  if (w < 0) w += 7;
  return static_cast<int>(w) + 1;
}

int64_t DaysBetween(int64_t t1, int64_t t2) {
  int64_t diff;
  if (__builtin_sub_overflow(t2, t1, &diff)) return t2 > t1 ? INT64_MAX / kMicrosPerDay : INT64_MIN / kMicrosPerDay;
  return diff / kMicrosPerDay;
}

}  // namespace vigil
