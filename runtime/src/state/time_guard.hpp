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
#include <cstddef>
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
  // Inline: asked for every event. A stream in order is within the skew of
  // the oldest recent time, which five loads and no search give; only an
  // event beyond that looks for the median (IsOutlierSlow).
  bool IsOutlier(int64_t ts, int64_t* reference = nullptr) const {
    if (max_skew_us_ == kNoSkewBound) return false;
    // The oldest recent time, empty slots (kEmpty) left out: shifted so that
    // kEmpty (INT64_MIN) becomes the largest unsigned value and every other time
    // keeps its order, the minimum skips them without a branch. Written out
    // for the five slots: the loop with its induction variable and bound
    // cost twice the loads and minimums themselves (35 instructions an event
    // against about 15).
    static_assert(kRecent == 5, "IsOutlier reads the five recent times one by one");
    const auto shifted = [this](size_t i) {
      return static_cast<uint64_t>(recent_[i].load(std::memory_order_relaxed)) +
             static_cast<uint64_t>(INT64_MAX);
    };
    const auto lower = [](uint64_t a, uint64_t b) { return a < b ? a : b; };
    const uint64_t oldest =
        lower(lower(lower(shifted(0), shifted(1)), lower(shifted(2), shifted(3))), shifted(4));
    if (oldest == UINT64_MAX) return false;  // nothing to compare with yet
    int64_t bound;
    if (__builtin_add_overflow(static_cast<int64_t>(oldest - static_cast<uint64_t>(INT64_MAX)),
                               max_skew_us_, &bound) ||
        ts <= bound) {
      return false;
    }
    return IsOutlierSlow(ts, reference);
  }
  // Remembers the time of an event the state was asked to record. Inline:
  // once per recorded event, where its call was a fifth of its cost.
  void Note(int64_t ts) {
    if (max_skew_us_ == kNoSkewBound || ts == kEmpty) return;  // it would read as an empty slot
    const uint64_t slot = count_.fetch_add(1, std::memory_order_relaxed);
    recent_[slot % kRecent].store(ts, std::memory_order_relaxed);
  }
  // Forgets the recent times and starts from `ts` (after loading a snapshot:
  // its newest event), or from nothing when `ts` is kEmpty.
  void Reset(int64_t ts);
  // Events reported as outliers, for the state's statistics.
  void CountOutlier() { outliers_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t outliers() const { return outliers_.load(std::memory_order_relaxed); }

 private:
  // IsOutlier past its fast test: the median of the recent times.
  bool IsOutlierSlow(int64_t ts, int64_t* reference) const;

  static constexpr uint64_t kRecent = 5;
  static constexpr int64_t kEmpty = INT64_MIN;  // a slot claimed but not written yet
  const int64_t max_skew_us_;
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> outliers_{0};
  std::atomic<int64_t> recent_[kRecent];  // kEmpty until written
};

}  // namespace vigil::state
