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

namespace vigil::state {

// Whether column `col` is summarised from running totals when its event is
// recorded at the end of its key's history. Inline: asked per column and
// event.
inline bool UsesRunning(const Column& col) {
  if (col.offset_us != 0 || col.exclude_current) return false;
  return col.kind == eval::AggKind::kCount ||
         (col.kind == eval::AggKind::kSum && col.cell == eval::CellKind::kInt);
}

// The first entry of column `col`'s window (t - within, t] for an event at
// `now` recorded as entry end - 1: from where its running totals started
// last time, when they are valid (amortised O(1)), else by binary search.
size_t RunningWindowStart(const Column& col, const KeyHistory& h, uint32_t c, size_t end,
                          int64_t now);

// Brings `h.running(c)` to the window [lo, end) of `h` (entries before its
// current range are taken out, later ones added; a range it cannot reach
// that way is rebuilt) and writes the column's value, as Summarise would
// give it, into *out and the number of contributing entries into *events
// (when not null). False when the totals cannot give the value exactly (a sum
// of very large magnitudes): the caller summarises by scanning.
bool RunningValue(const Column& col, KeyHistory& h, uint32_t c, size_t lo, size_t end,
                  eval::Value* out, int64_t* events);

// Keeps every Running of `h` describing the same entries after the first
// `removed` entries were erased from its arrays.
void ShiftRunning(KeyHistory& h, size_t removed);
// Drops the Running of `h` whose ranges reach entry `e` or beyond (an entry
// inserted at `e`, or entry `e` changed).
void InvalidateRunningFrom(KeyHistory& h, size_t e);

}  // namespace vigil::state
