#include "base/tz.hpp"

#include <algorithm>

#include "base/file_io.hpp"
#include "base/time_util.hpp"

namespace vigil {

namespace {

int64_t BigEndian(std::string_view data, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(data[at + i]);
  if (bytes == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  return static_cast<int64_t>(v);
}

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 128 || name.front() == '/' ||
      name.find("..") != std::string_view::npos) {
    return false;
  }
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '+' || c == '-' || c == '/';
    if (!ok) return false;
  }
  return true;
}

// [+-]hh[:mm[:ss]] → seconds.
bool ParseHms(std::string_view& s, int64_t* out) {
  int sign = 1;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    sign = s[0] == '-' ? -1 : 1;
    s.remove_prefix(1);
  }
  int64_t parts[3] = {0, 0, 0};
  for (int k = 0; k < 3; ++k) {
    if (k > 0) {
      if (s.empty() || s[0] != ':') break;
      s.remove_prefix(1);
    }
    size_t n = 0;
    int64_t v = 0;
    while (n < s.size() && n < 3 && s[n] >= '0' && s[n] <= '9') v = v * 10 + (s[n++] - '0');
    if (n == 0) return false;
    parts[k] = v;
    s.remove_prefix(n);
  }
  *out = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
  return true;
}

bool ParseZoneName(std::string_view& s) {
  if (!s.empty() && s[0] == '<') {
    size_t close = s.find('>');
    if (close == std::string_view::npos) return false;
    s.remove_prefix(close + 1);
    return true;
  }
  size_t n = 0;
  while (n < s.size() && ((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z'))) ++n;
  if (n < 3) return false;
  s.remove_prefix(n);
  return true;
}

bool ParseInt(std::string_view& s, int* out) {
  size_t n = 0;
  int v = 0;
  while (n < s.size() && n < 4 && s[n] >= '0' && s[n] <= '9') v = v * 10 + (s[n++] - '0');
  if (n == 0) return false;
  *out = v;
  s.remove_prefix(n);
  return true;
}

bool ParseWhen(std::string_view& s, TimeZone::PosixRule::When* w) {
  if (!s.empty() && s[0] == 'M') {
    s.remove_prefix(1);
    w->kind = 'M';
    if (!ParseInt(s, &w->month) || s.empty() || s[0] != '.') return false;
    s.remove_prefix(1);
    if (!ParseInt(s, &w->week) || s.empty() || s[0] != '.') return false;
    s.remove_prefix(1);
    if (!ParseInt(s, &w->day)) return false;
    if (w->month < 1 || w->month > 12 || w->week < 1 || w->week > 5 || w->day > 6) return false;
  } else if (!s.empty() && s[0] == 'J') {
    s.remove_prefix(1);
    w->kind = 'J';
    if (!ParseInt(s, &w->day) || w->day < 1 || w->day > 365) return false;
  } else {
    w->kind = 'N';
    if (!ParseInt(s, &w->day) || w->day > 365) return false;
  }
  w->seconds = 7200;
  if (!s.empty() && s[0] == '/') {
    s.remove_prefix(1);
    if (!ParseHms(s, &w->seconds)) return false;
  }
  return true;
}

// The local-time second of the year `year` at which rule `w` applies.
int64_t WhenLocal(const TimeZone::PosixRule::When& w, int64_t year) {
  int64_t jan1 = DaysFromCivil(year, 1, 1);
  int64_t day;
  if (w.kind == 'J') {
    day = jan1 + w.day - 1;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (leap && w.day >= 60) ++day;  // Jn never counts February 29
  } else if (w.kind == 'N') {
    day = jan1 + w.day;
  } else {
    int64_t first = DaysFromCivil(year, static_cast<unsigned>(w.month), 1);
    int64_t first_wday = ((first + 4) % 7 + 7) % 7;  // 0 = Sunday
    day = first + (w.day - first_wday + 7) % 7 + (w.week - 1) * 7;
    unsigned next_month = w.month == 12 ? 1 : static_cast<unsigned>(w.month) + 1;
    int64_t month_end = w.month == 12 ? DaysFromCivil(year + 1, 1, 1)
                                      : DaysFromCivil(year, next_month, 1);
    while (day >= month_end) day -= 7;  // week 5 means the last one
  }
  return day * 86400 + w.seconds;
}

}  // namespace

bool TimeZone::ParsePosix(std::string_view s, PosixRule* rule) {
  int64_t off;
  if (!ParseZoneName(s) || !ParseHms(s, &off)) return false;
  rule->std_offset = -off;  // POSIX offsets are west of UTC
  rule->has_dst = false;
  if (s.empty()) return true;
  if (!ParseZoneName(s)) return false;
  rule->has_dst = true;
  rule->dst_offset = rule->std_offset + 3600;
  if (!s.empty() && s[0] != ',') {
    if (!ParseHms(s, &off)) return false;
    rule->dst_offset = -off;
  }
  if (s.empty() || s[0] != ',') return false;
  s.remove_prefix(1);
  if (!ParseWhen(s, &rule->start) || s.empty() || s[0] != ',') return false;
  s.remove_prefix(1);
  return ParseWhen(s, &rule->end) && s.empty();
}

int64_t TimeZone::PosixOffset(int64_t t) const {
  if (!rule_.has_dst) return rule_.std_offset;
  int64_t y;
  unsigned m, d;
  CivilFromDays((t + rule_.std_offset) / 86400 - ((t + rule_.std_offset) % 86400 < 0), &y, &m, &d);
  // DST starts at start (in standard time) and ends at end (in DST).
  int64_t start = WhenLocal(rule_.start, y) - rule_.std_offset;
  int64_t end = WhenLocal(rule_.end, y) - rule_.dst_offset;
  bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
  return dst ? rule_.dst_offset : rule_.std_offset;
}

int64_t TimeZone::OffsetSeconds(int64_t utc_micros) const {
  int64_t t = utc_micros / 1000000 - (utc_micros % 1000000 < 0);
  if (transitions_.empty() || t < transitions_.front()) {
    if (transitions_.empty() && has_rule_) return PosixOffset(t);
    return initial_offset_;
  }
  if (t >= transitions_.back() && has_rule_) return PosixOffset(t);
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
  return offsets_[static_cast<size_t>(it - transitions_.begin()) - 1];
}

std::unique_ptr<TimeZone> TimeZone::FromTzif(std::string name, std::string_view data,
                                             std::string* error) {
  auto fail = [&](const char* why) {
    *error = why;
    return nullptr;
  };
  if (data.size() < 44 || data.substr(0, 4) != "TZif") return fail("not a TZif file");
  char version = data[4];
  auto counts = [&](size_t at, int64_t c[6]) {
    for (int k = 0; k < 6; ++k) c[k] = BigEndian(data, at + 20 + 4 * k, 4);
  };
  int64_t c[6];
  counts(0, c);
  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  auto block_size = [&](const int64_t n[6], int time_bytes) {
    return n[3] * time_bytes + n[3] + n[4] * 6 + n[5] + n[2] * (time_bytes + 4) + n[1] + n[0];
  };
  for (int k = 0; k < 6; ++k) {
    if (c[k] < 0 || c[k] > 100000) return fail("corrupt TZif header");
  }
  size_t at = 44;
  int time_bytes = 4;
  if (version >= '2') {
    at += static_cast<size_t>(block_size(c, 4));
    if (data.size() < at + 44 || data.substr(at, 4) != "TZif") return fail("corrupt TZif file");
    counts(at, c);
    for (int k = 0; k < 6; ++k) {
      if (c[k] < 0 || c[k] > 100000) return fail("corrupt TZif header");
    }
    at += 44;
    time_bytes = 8;
  }
  if (data.size() < at + static_cast<size_t>(block_size(c, time_bytes))) {
    return fail("truncated TZif file");
  }
  auto tz = std::unique_ptr<TimeZone>(new TimeZone());
  tz->name_ = std::move(name);
  int64_t timecnt = c[3], typecnt = c[4];
  if (typecnt < 1) return fail("TZif file without local time types");
  size_t types_at = at + static_cast<size_t>(timecnt * time_bytes + timecnt);
  std::vector<int64_t> type_offsets;
  for (int64_t k = 0; k < typecnt; ++k) {
    type_offsets.push_back(BigEndian(data, types_at + static_cast<size_t>(k * 6), 4));
  }
  for (int64_t k = 0; k < timecnt; ++k) {
    tz->transitions_.push_back(BigEndian(data, at + static_cast<size_t>(k * time_bytes), time_bytes));
    auto type = static_cast<unsigned char>(data[at + static_cast<size_t>(timecnt * time_bytes + k)]);
    if (type >= type_offsets.size()) return fail("corrupt TZif transition");
    tz->offsets_.push_back(type_offsets[type]);
  }
  if (!std::is_sorted(tz->transitions_.begin(), tz->transitions_.end())) {
    return fail("corrupt TZif transitions");
  }
  tz->initial_offset_ = type_offsets[0];
  if (version >= '2') {
    size_t footer = at + static_cast<size_t>(block_size(c, time_bytes));
    if (footer < data.size() && data[footer] == '\n') {
      size_t end = data.find('\n', footer + 1);
      if (end != std::string_view::npos && end > footer + 1) {
        tz->has_rule_ = ParsePosix(data.substr(footer + 1, end - footer - 1), &tz->rule_);
      }
    }
  }
  return tz;
}

std::unique_ptr<TimeZone> TimeZone::Load(std::string_view name, std::string* error,
                                         std::string_view zoneinfo_dir) {
  if (!ValidName(name)) {
    *error = "not a time zone name";
    return nullptr;
  }
  std::string path = std::string(zoneinfo_dir) + "/" + std::string(name);
  std::string data, why;
  if (!ReadWholeFile(path, 1u << 20, &data, &why)) {
    *error = why.starts_with("no such file") ? "no such time zone in the system tz database"
                                              : "cannot read its tz database file: " + why;
    return nullptr;
  }
  return FromTzif(std::string(name), data, error);
}

}  // namespace vigil
