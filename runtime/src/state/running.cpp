#include "state/running.hpp"

#include <algorithm>

namespace vigil::state {

namespace {

uint64_t Magnitude(int64_t x) {
  return x < 0 ? static_cast<uint64_t>(0) - static_cast<uint64_t>(x) : static_cast<uint64_t>(x);
}

constexpr uint64_t kExactMagnitude = static_cast<uint64_t>(INT64_MAX);

// Adds or takes out one contribution; false when the totals can no longer
// follow (the caller rebuilds).
bool Add(Running& r, const Cell& cell, bool sum) {
  if (!cell.on) return true;
  ++r.n;
  if (!sum) return true;
  // While the magnitudes add up to at most INT64_MAX no partial sum of the
  // window, in any order, overflows, so the running sum is the scan's.
  if (__builtin_add_overflow(r.magnitude, Magnitude(cell.i), &r.magnitude) ||
      r.magnitude > kExactMagnitude) {
    return false;
  }
  r.sum += cell.i;
  if (cell.scale > r.top_scale || r.top_count == 0) {
    r.top_scale = cell.scale;
    r.top_count = 1;
  } else if (cell.scale == r.top_scale) {
    ++r.top_count;
  }
  return true;
}

bool Remove(Running& r, const Cell& cell, bool sum) {
  if (!cell.on) return true;
  --r.n;
  if (!sum) return true;
  r.magnitude -= Magnitude(cell.i);
  r.sum -= cell.i;
  if (cell.scale == r.top_scale && --r.top_count == 0) {
    // The largest scale left: the next one is not known without a scan,
    // unless nothing is left.
    if (r.n != 0) return false;
    r.top_scale = 0;
  }
  return true;
}

bool Rebuild(Running& r, const KeyHistory& h, uint32_t c, size_t lo, size_t end, bool sum) {
  r = Running{};
  for (size_t e = lo; e < end; ++e) {
    if (!Add(r, h.cell(e, c), sum)) return false;
  }
  r.lo = static_cast<uint32_t>(lo);
  r.end = static_cast<uint32_t>(end);
  r.valid = true;
  return true;
}

}  // namespace

size_t RunningWindowStart(const Column& col, const KeyHistory& h, uint32_t c, size_t end,
                          int64_t now) {
  int64_t bottom;
  if (__builtin_sub_overflow(now, col.within_us, &bottom)) bottom = INT64_MIN;
  const int64_t* ts = h.times();
  const Running& r = h.running(c);
  if (r.valid && r.lo >= h.head && r.lo <= end) {
    // Entries before the last start were at or before the last event's
    // bottom, and this event (recorded last) is no older than that one.
    size_t lo = r.lo;
    while (lo < end && ts[lo] <= bottom) ++lo;
    return lo;
  }
  return static_cast<size_t>(std::upper_bound(ts + h.head, ts + end, bottom) - ts);
}

bool RunningValue(const Column& col, KeyHistory& h, uint32_t c, size_t lo, size_t end,
                  eval::Value* out, int64_t* events) {
  Running& r = h.running(c);
  const bool sum = col.kind == eval::AggKind::kSum;
  bool ok = r.valid && r.lo <= lo && r.end <= end && r.end >= lo;
  // Add what came in, then take out what left (so that an entry both new and
  // already out never counts).
  for (size_t e = r.end; ok && e < end; ++e) ok = Add(r, h.cell(e, c), sum);
  for (size_t e = r.lo; ok && e < lo; ++e) ok = Remove(r, h.cell(e, c), sum);
  if (ok) {
    r.lo = static_cast<uint32_t>(lo);
    r.end = static_cast<uint32_t>(end);
  } else if (!Rebuild(r, h, c, lo, end, sum)) {
    r.valid = false;
    return false;
  }
  if (events != nullptr) *events = r.n;
  if (sum) {
    eval::Value v = eval::Value::Int(r.sum);
    v.scale = r.top_scale;
    *out = v;
  } else {
    *out = eval::Value::Int(r.n);
  }
  return true;
}

void ShiftRunning(KeyHistory& h, size_t removed) {
  if (!h.has_block()) return;
  for (uint32_t c = 0; c < h.columns(); ++c) {
    Running& r = h.running(c);
    if (!r.valid) continue;
    if (r.lo < removed) {
      r.valid = false;
      continue;
    }
    r.lo -= static_cast<uint32_t>(removed);
    r.end -= static_cast<uint32_t>(removed);
  }
}

void InvalidateRunningFrom(KeyHistory& h, size_t e) {
  if (!h.has_block()) return;
  for (uint32_t c = 0; c < h.columns(); ++c) {
    Running& r = h.running(c);
    if (r.valid && r.end > e) r.valid = false;
  }
}

}  // namespace vigil::state
