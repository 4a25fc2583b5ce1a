// Running totals for the embedded store's commonest columns: count and sum
// (of ints, decimals and durations) over a window that ends at the current
// event. In a stream in time order each event adds itself at the end of its
// key's history and the window's start moves forward, so the totals follow
// by adding the new entry and taking out the entries that left, instead of
// summing the whole window again (what a hand-written per-card deque with
// running totals does).
//
// A Running describes entries [lo, end) of its key's history exactly: the
// store keeps it so (state/store.cpp: shifted when old entries are
// compacted away, dropped when an entry inside is changed or inserted before
// its end), and anything it cannot follow (a sum whose partial sums might
// overflow, the largest decimal scale leaving the window) makes it rebuild
// from a scan or give way to Summarise, so values are always those of a scan.
#pragma once

#include <cstdint>

#include "eval/value.hpp"
#include "state/backend.hpp"
#include "state/saturating.hpp"

namespace vigil::state {

// Whether column `col` is summarised from running totals when its event is
// recorded at the end of its key's history. Inline: asked per column and
// event.
inline bool UsesRunning(const Column& col) {
  if (col.offset_us != 0 || col.exclude_current) return false;
  return col.kind == eval::AggKind::kCount ||
         (col.kind == eval::AggKind::kSum && col.cell == eval::CellKind::kInt);
}

// RunningWindowStart without a valid start to walk from: the first entry
// of [h.head, end) newer than `bottom`, by binary search.
size_t RunningWindowSearch(const KeyHistory& h, size_t end, int64_t bottom);
// Makes `r` the totals of entries [lo, end) of column `c` from a scan; false
// when they cannot be exact (RunningValue).
bool RunningRebuild(Running& r, const KeyHistory& h, uint32_t c, size_t lo, size_t end, bool sum);

// RunningWindowStart for a caller that holds the history's times, head and
// column's totals already (Store::Apply's straight path reads them once for
// every column: read through `h` they were loaded again after each store into
// the totals, which may alias them as far as the compiler knows). `bottom` is
// now - within (INT64_MIN when that overflows).
[[gnu::always_inline]] inline size_t RunningWindowStartIn(const Running& r, const KeyHistory& h,
                                                          const int64_t* ts, size_t head,
                                                          size_t end, int64_t bottom) {
  if (r.valid && r.lo >= head && r.lo <= end) {
    // Entries before the last start were at or before the last event's
    // bottom, and this event (recorded last) is no older than that one.
    size_t lo = r.lo;
    while (lo < end && ts[lo] <= bottom) ++lo;
    return lo;
  }
  return RunningWindowSearch(h, end, bottom);
}

// The first entry of column `col`'s window (t - within, t] for an event at
// `now` recorded as entry end - 1: from where its running totals started
// last time, when they are valid (amortised O(1)), else by binary search.
// Either way the first entry of [h.head, end) newer than now - within, so
// columns of the same `within` share it (Store::Apply asks once for them).
// Inline, as RunningValue: asked per column and event, their calls were a
// tenth of their cost.
inline size_t RunningWindowStart(const Column& col, const KeyHistory& h, uint32_t c, size_t end,
                                 int64_t now) {
  return RunningWindowStartIn(h.running(c), h, h.times(), h.head, end,
                              SatSub(now, col.within_us));
}

namespace running_detail {

inline uint64_t Magnitude(int64_t x) {
  return x < 0 ? static_cast<uint64_t>(0) - static_cast<uint64_t>(x) : static_cast<uint64_t>(x);
}

inline constexpr uint64_t kExactMagnitude = static_cast<uint64_t>(INT64_MAX);

// Adds or takes out one contribution; false when the totals can no longer
// follow (the caller rebuilds).
inline bool Add(Running& r, const Cell& cell, bool sum) {
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

inline bool Remove(Running& r, const Cell& cell, bool sum) {
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

}  // namespace running_detail

// RunningValue for a caller that holds column c's totals `r` and its first
// cell `cells` (entry e's at cells[e * stride], stride = h.columns())
// already: the straight path of Store::Apply, which reads the history's
// arrays once for every column (RunningWindowStartIn says why).
[[gnu::always_inline]] inline bool RunningValueIn(const Column& col, Running& r, const Cell* cells,
                                                  size_t stride, const KeyHistory& h, uint32_t c,
                                                  size_t lo, size_t end, eval::Value* out,
                                                  int64_t* events) {
  const bool sum = col.kind == eval::AggKind::kSum;
  bool ok = r.valid && r.lo <= lo && r.end <= end && r.end >= lo;
  // Add what came in, then take out what left (so that an entry both new and
  // already out never counts).
  for (size_t e = r.end; ok && e < end; ++e) ok = running_detail::Add(r, cells[e * stride], sum);
  for (size_t e = r.lo; ok && e < lo; ++e) ok = running_detail::Remove(r, cells[e * stride], sum);
  if (ok) {
    r.lo = static_cast<uint32_t>(lo);
    r.end = static_cast<uint32_t>(end);
  } else if (!RunningRebuild(r, h, c, lo, end, sum)) {
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

// Brings `h.running(c)` to the window [lo, end) of `h` (entries before its
// current range are taken out, later ones added; a range it cannot reach
// that way is rebuilt) and writes the column's value, as Summarise would
// give it, into *out and the number of contributing entries into *events
// (when not null). False when the totals cannot give the value exactly (a sum
// of very large magnitudes): the caller summarises by scanning.
[[gnu::always_inline]] inline bool RunningValue(const Column& col, KeyHistory& h, uint32_t c,
                                                size_t lo, size_t end, eval::Value* out,
                                                int64_t* events) {
  // Column c's cells, `stride` apart, found once: the stores into `r` (one
  // of them a uint8_t) may alias the history's own fields as far as the
  // compiler knows, so h.cell(e, c) read them again for every entry.
  return RunningValueIn(col, h.running(c), h.row(0) + c, h.columns(), h, c, lo, end, out, events);
}

// Keeps every Running of `h` (laid out as group `g`) describing its entries
// that stay after the first `removed` are erased from its arrays: those it
// held among them are taken out first (what the next RunningValue would do,
// since they are older than any window's start), so that compaction does not
// send the totals back to a scan. On the sparse keys of a velocity workload
// (a card's entries mostly gone by its next event) that rebuild was one call
// per column and event.
void ShiftRunning(KeyHistory& h, const GroupLayout& g, size_t removed);
// ShiftRunning when every valid Running of `h` ends at or before the first
// entry that stays (so each becomes the empty totals), inline.
inline void EmptyRunning(KeyHistory& h) {
  for (uint32_t c = 0; c < h.columns(); ++c) {
    Running& r = h.running(c);
    if (!r.valid) continue;
    r = Running{};
    r.valid = true;
  }
}
// Drops the Running of `h` whose ranges reach entry `e` or beyond (an entry
// inserted at `e`, or entry `e` changed).
void InvalidateRunningFrom(KeyHistory& h, size_t e);

}  // namespace vigil::state
