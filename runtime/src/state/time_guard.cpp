#include "state/time_guard.hpp"

#include <algorithm>

namespace vigil::state {

TimeGuard::TimeGuard(int64_t max_skew_us) : max_skew_us_(max_skew_us) {
  for (auto& r : recent_) r.store(kEmpty, std::memory_order_relaxed);
}

bool TimeGuard::IsOutlierSlow(int64_t ts, int64_t* reference) const {
  int64_t times[kRecent];
  size_t n = 0;
  for (const auto& r : recent_) {
    int64_t t = r.load(std::memory_order_relaxed);
    if (t != kEmpty) times[n++] = t;
  }
  if (n == 0) return false;  // nothing to compare with yet
  // Every event of a stream in order is within the skew of the oldest recent
  // time, hence of the median: no need to find the median (per event, on
  // the state path).
  const int64_t oldest = *std::min_element(times, times + n);
  int64_t bound;
  if (__builtin_add_overflow(oldest, max_skew_us_, &bound) || ts <= bound) return false;
  // The lower median: with two times, the older one.
  std::nth_element(times, times + (n - 1) / 2, times + n);
  const int64_t median = times[(n - 1) / 2];
  if (reference != nullptr) *reference = median;
  int64_t limit;
  if (__builtin_add_overflow(median, max_skew_us_, &limit)) return false;
  return ts > limit;
}

void TimeGuard::Reset(int64_t ts) {
  for (auto& r : recent_) r.store(ts, std::memory_order_relaxed);  // kEmpty: empty
  count_.store(0, std::memory_order_relaxed);
}

}  // namespace vigil::state
