// IANA time zones for hour(t, "Pacific/Auckland") and weekday(t, zone).
// Loaded once, at compile time, from the system tz database (TZif files of
// Debian's tzdata); immutable afterwards, so safe for concurrent use.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

class TimeZone {
 public:
  // name: "UTC", "Pacific/Auckland", ... Names with "..", a leading '/', or
  // characters outside [A-Za-z0-9_+-/] are refused. On failure returns null
  // and sets *error to a one-line lower-case message.
  static std::unique_ptr<TimeZone> Load(std::string_view name, std::string* error,
                                        std::string_view zoneinfo_dir = "/usr/share/zoneinfo");
  // Parses TZif data directly (tests, and hosts that ship their own).
  static std::unique_ptr<TimeZone> FromTzif(std::string name, std::string_view data,
                                            std::string* error);

  const std::string& name() const { return name_; }
  // The UTC offset in seconds in effect at an instant (µs since the epoch).
  int64_t OffsetSeconds(int64_t utc_micros) const;

  // A POSIX TZ rule ("NZST-12NZDT,M9.5.0,M4.1.0/3") for instants after the
  // last transition in the file.
  struct PosixRule {
    int64_t std_offset = 0;  // seconds east of UTC
    int64_t dst_offset = 0;
    bool has_dst = false;
    struct When {
      char kind = 'M';  // 'M' month.week.day, 'J' julian 1..365 without Feb 29, 'N' 0..365
      int month = 0, week = 0, day = 0;
      int64_t seconds = 7200;  // local time of the change
    } start, end;
  };
  static bool ParsePosix(std::string_view text, PosixRule* rule);

 private:
  int64_t PosixOffset(int64_t utc_seconds) const;

  std::string name_;
  std::vector<int64_t> transitions_;  // UTC seconds, ascending
  std::vector<int64_t> offsets_;      // offset after each transition
  int64_t initial_offset_ = 0;
  bool has_rule_ = false;
  PosixRule rule_;
};

}  // namespace vigil
