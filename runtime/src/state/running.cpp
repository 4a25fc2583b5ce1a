#include "state/running.hpp"

#include <algorithm>

namespace vigil::state {

size_t RunningWindowSearch(const KeyHistory& h, size_t end, int64_t bottom) {
  const int64_t* ts = h.times();
  return static_cast<size_t>(std::upper_bound(ts + h.head, ts + end, bottom) - ts);
}

bool RunningRebuild(Running& r, const KeyHistory& h, uint32_t c, size_t lo, size_t end, bool sum) {
  r = Running{};
  for (size_t e = lo; e < end; ++e) {
    if (!running_detail::Add(r, h.cell(e, c), sum)) return false;
  }
  r.lo = static_cast<uint32_t>(lo);
  r.end = static_cast<uint32_t>(end);
  r.valid = true;
  return true;
}

void ShiftRunning(KeyHistory& h, const GroupLayout& g, size_t removed) {
  if (!h.has_block()) return;
  for (uint32_t c = 0; c < h.columns(); ++c) {
    Running& r = h.running(c);
    if (!r.valid) continue;
    if (r.end <= removed) {
      // Every entry it held goes: the empty totals, before the first entry
      // that stays (RunningValue adds from there).
      r = Running{};
      r.valid = true;
      continue;
    }
    if (r.lo < removed) {
      const bool sum = c < g.columns.size() && g.columns[c].kind == eval::AggKind::kSum;
      bool ok = true;
      for (size_t e = r.lo; ok && e < removed; ++e) {
        ok = running_detail::Remove(r, h.cell(e, c), sum);
      }
      if (!ok) {
        r.valid = false;
        continue;
      }
      r.lo = static_cast<uint32_t>(removed);
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
