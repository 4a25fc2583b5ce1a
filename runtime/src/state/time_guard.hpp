// Event times far ahead of the stream. One event stamped years ahead (a
// clock gone wrong, nanoseconds read as microseconds, a typo in the year)
// would become its key's latest event: every later event of that key would be
// "late" and never recorded again, so its velocity rules would stop firing.
// A state therefore refuses to record an event whose time is more than the
// *maximum skew* ahead of the stream, reports it as an outlier, and evaluates
// it over the state there is (like a late event).
//
// "The stream" is the median of the last five event times the state was asked
// to record (outliers included): one bad event cannot move it, and after a
// real pause in the stream it catches up within three events (those are
// reported as outliers). The first event of an empty state has nothing to be
// compared with and is accepted. docs/state.md.
//
// Thread-safe and lock-free: concurrent events see some recent five times.
#pragma once

#include <atomic>
#include <cstdint>

namespace vigil::state {

inline constexpr int64_t kDefaultMaxSkewUs = 30LL * 86400 * 1000000;  // 30 days
inline constexpr int64_t kNoSkewBound = INT64_MAX;

class TimeGuard {
 public:
  explicit TimeGuard(int64_t max_skew_us = kDefaultMaxSkewUs);

  int64_t max_skew_us() const { return max_skew_us_; }
  // Whether `ts` is more than the maximum skew ahead of the recent events;
  // *reference (may be null) receives what it was compared with when it is
  // (and may be left alone when it is not).
  bool IsOutlier(int64_t ts, int64_t* reference = nullptr) const;
  // Remembers the time of an event the state was asked to record.
  void Note(int64_t ts);
  // Forgets the recent times and starts from `ts` (after loading a snapshot:
  // its newest event), or from nothing when `ts` is INT64_MIN.
  void Reset(int64_t ts);
  // Events reported as outliers, for the state's statistics.
  void CountOutlier() { outliers_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t outliers() const { return outliers_.load(std::memory_order_relaxed); }

 private:
  static constexpr uint64_t kRecent = 5;
  const int64_t max_skew_us_;
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> outliers_{0};
  std::atomic<int64_t> recent_[kRecent];  // kEmpty until written
};

}  // namespace vigil::state
