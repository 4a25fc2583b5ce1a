// Summarising one column of a key's history over a window: exact integer and
// decimal arithmetic (overflow gives a missing value, never a wrong one),
// distinct counts by sorting reused buffers (no allocation once warm).
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "state/saturating.hpp"
#include "state/store.hpp"

namespace vigil::state {

namespace {

using eval::AggKind;
using eval::CellKind;
using eval::Value;

template <typename Fn>
void ForEach(const KeyHistory* h, uint32_t /*columns: h's own*/, uint32_t c, size_t lo, size_t hi,
             const Cell* extra, Fn&& fn) {
  for (size_t e = lo; e < hi; ++e) {
    const Cell& cell = h->cell(e, c);
    if (cell.on) fn(cell, e);
  }
  if (extra != nullptr && extra->on) fn(*extra, SIZE_MAX);
}

Value WithScale(int64_t units, uint8_t scale) {
  Value v = Value::Int(units);
  v.scale = scale;
  return v;
}

// The decimal mean of `count` (1 or 2) int or decimal values, as avg gives it.
Value DecimalMean(Kind value_kind, const int64_t* units, const uint8_t* scales, int count) {
  std::optional<Decimal> total = Decimal{0, 0};
  for (int k = 0; k < count && total; ++k) {
    std::optional<Decimal> x =
        value_kind == Kind::kInt ? DecimalFromInt(units[k]) : Decimal{units[k], scales[k]};
    Decimal sum;
    if (!x || !DecimalAdd(*total, *x, &sum)) return Value::Missing();
    total = sum;
  }
  std::optional<Decimal> n = DecimalFromInt(count);
  Decimal mean;
  if (!total || !n || !DecimalDiv(*total, *n, &mean)) return Value::Missing();
  return Value::Dec(mean);
}

// The scale an int-cell value was recorded with (for printing a decimal).
uint8_t ScaleOf(const KeyHistory* h, uint32_t columns, uint32_t c, size_t lo, size_t hi,
                const Cell* extra, int64_t units) {
  uint8_t scale = 0;
  ForEach(h, columns, c, lo, hi, extra, [&](const Cell& x, size_t) {
    if (x.i == units) scale = std::max(scale, x.scale);
  });
  return scale;
}

// Median (the mean of the two middle values for an even count) and
// percentile by nearest rank, exact over the window: the values are copied
// into a reused buffer and the ranks found by selection, O(n) per event.
Value OrderStatistic(const Column& col, const KeyHistory* h, uint32_t columns, uint32_t c,
                     size_t lo, size_t hi, const Cell* extra, QueryScratch& scratch,
                     int64_t& n) {
  const bool is_float = col.cell == CellKind::kFloat;
  scratch.ints.clear();
  scratch.floats.clear();
  ForEach(h, columns, c, lo, hi, extra, [&](const Cell& x, size_t) {
    if (is_float) {
      scratch.floats.push_back(x.f);
    } else {
      scratch.ints.push_back(x.i);
    }
  });
  n = static_cast<int64_t>(is_float ? scratch.floats.size() : scratch.ints.size());
  if (n == 0) return Value::Missing();
  // The 1-based ranks to take: one (percentile, odd median) or two.
  size_t first, second;
  if (col.kind == AggKind::kPercentile) {
    // Nearest rank: the smallest value with at least P% of the values at or
    // below it; P = 0 gives the smallest.
    const __int128 scaled = static_cast<__int128>(col.percentile) * n;
    int64_t k = static_cast<int64_t>((scaled + 100000000 - 1) / 100000000);
    k = std::clamp<int64_t>(k, 1, n);
    first = second = static_cast<size_t>(k);
  } else {
    first = static_cast<size_t>((n + 1) / 2);
    second = static_cast<size_t>(n / 2 + 1);
  }
  auto pick = [&](auto& values, size_t rank) {
    std::nth_element(values.begin(), values.begin() + (rank - 1), values.end());
    return values[rank - 1];
  };
  if (is_float) {
    const double a = pick(scratch.floats, second);
    // After selecting rank `second`, the smaller ranks are all before it.
    const double b = first == second
                         ? a
                         : *std::max_element(scratch.floats.begin(),
                                             scratch.floats.begin() + (second - 1));
    const double v = first == second ? a : a / 2 + b / 2;
    return std::isfinite(v) ? Value::Float(v) : Value::Missing();
  }
  const int64_t a = pick(scratch.ints, second);
  const int64_t b = first == second ? a
                                    : *std::max_element(scratch.ints.begin(),
                                                        scratch.ints.begin() + (second - 1));
  if (col.kind == AggKind::kPercentile) {
    return WithScale(a, ScaleOf(h, columns, c, lo, hi, extra, a));
  }
  if (col.value_kind == Kind::kDuration) {
    return Value::Int(static_cast<int64_t>((static_cast<__int128>(a) + b) / 2));
  }
  const int64_t units[2] = {b, a};
  const uint8_t scales[2] = {ScaleOf(h, columns, c, lo, hi, extra, b),
                             ScaleOf(h, columns, c, lo, hi, extra, a)};
  return first == second ? DecimalMean(col.value_kind, units + 1, scales + 1, 1)
                         : DecimalMean(col.value_kind, units, scales, 2);
}

}  // namespace

void ColumnWindow(const Column& col, const int64_t* ts, size_t first, size_t end, int64_t now,
                  bool recorded, size_t* lo, size_t* hi, bool* with_current) {
  const int64_t top = SatSub(now, col.offset_us);
  if (col.offset_us > 0) {
    // The window ends before now: the current event is never in it.
    *hi = static_cast<size_t>(std::upper_bound(ts + first, ts + end, top) - ts);
    *with_current = false;
  } else {
    const bool without_current = col.exclude_current || col.kind == AggKind::kSincePrevious;
    *hi = recorded && without_current && end > first ? end - 1 : end;
    *with_current = !without_current;
  }
  // The window is (top - within, top]: an entry exactly `within` old is out.
  *lo = static_cast<size_t>(std::upper_bound(ts + first, ts + *hi, SatSub(top, col.within_us)) -
                            ts);
}

// `n` counts the entries used (called once: inlined, so `n` stays a local).
static inline Value SummariseCounting(const Column& col, const KeyHistory* h, uint32_t columns,
                                      uint32_t c, size_t lo, size_t hi, const Cell* extra,
                                      std::string_view extra_str, QueryScratch& scratch,
                                      int64_t& n, int64_t now) {
  switch (col.kind) {
    case AggKind::kMedian:
    case AggKind::kPercentile:
      return OrderStatistic(col, h, columns, c, lo, hi, extra, scratch, n);
    case AggKind::kSincePrevious:
      // The latest entry of the window that counts; the current event is
      // never its own previous one (ColumnWindow leaves it out).
      for (size_t e = hi; h != nullptr && e-- > lo;) {
        if (h->cell(e, c).on) {
          n = 1;
          return Value::Int(now - h->time(e));
        }
      }
      return Value::Missing();
    case AggKind::kCount:
      ForEach(h, columns, c, lo, hi, extra, [&](const Cell&, size_t) { ++n; });
      return Value::Int(n);
    case AggKind::kSum:
    case AggKind::kAvg: {
      if (col.cell == CellKind::kFloat) {
        double sum = 0;
        ForEach(h, columns, c, lo, hi, extra, [&](const Cell& x, size_t) {
          sum += x.f;
          ++n;
        });
        // A sum that overflows to infinity is missing, like any float result
        // that is not a finite number (docs/language.md).
        if (!std::isfinite(sum)) return Value::Missing();
        if (col.kind == AggKind::kSum) return Value::Float(sum);
        return n == 0 ? Value::Missing() : Value::Float(sum / static_cast<double>(n));
      }
      int64_t sum = 0;
      uint8_t scale = 0;
      bool overflow = false;
      ForEach(h, columns, c, lo, hi, extra, [&](const Cell& x, size_t) {
        overflow = overflow || __builtin_add_overflow(sum, x.i, &sum);
        scale = std::max(scale, x.scale);
        ++n;
      });
      if (overflow) return Value::Missing();
      if (col.kind == AggKind::kSum) return WithScale(sum, scale);
      if (n == 0) return Value::Missing();
      if (col.value_kind == Kind::kDuration) return Value::Int(sum / n);
      std::optional<Decimal> total =
          col.value_kind == Kind::kInt ? DecimalFromInt(sum) : Decimal{sum, scale};
      std::optional<Decimal> count = DecimalFromInt(n);
      Decimal avg;
      if (!total || !count || !DecimalDiv(*total, *count, &avg)) return Value::Missing();
      return Value::Dec(avg);
    }
    case AggKind::kMin:
    case AggKind::kMax: {
      const bool is_min = col.kind == AggKind::kMin;
      const Cell* best = nullptr;
      ForEach(h, columns, c, lo, hi, extra, [&](const Cell& x, size_t) {
        ++n;
        bool better;
        if (best == nullptr) {
          better = true;
        } else if (col.cell == CellKind::kFloat) {
          better = is_min ? x.f < best->f : x.f > best->f;
        } else {
          better = is_min ? x.i < best->i : x.i > best->i;
        }
        if (better) best = &x;
      });
      if (best == nullptr) return Value::Missing();
      return col.cell == CellKind::kFloat ? Value::Float(best->f) : WithScale(best->i, best->scale);
    }
    case AggKind::kDistinct: {
      if (col.cell == CellKind::kString) {
        scratch.strs.clear();
        const size_t ns = h != nullptr && h->size() > 0 ? h->strs.size() / h->size() : 0;
        ForEach(h, columns, c, lo, hi, extra, [&](const Cell&, size_t e) {
          scratch.strs.push_back(e == SIZE_MAX ? extra_str
                                               : std::string_view(h->strs[e * ns + col.str_col]));
        });
        n = static_cast<int64_t>(scratch.strs.size());
        std::sort(scratch.strs.begin(), scratch.strs.end());
        auto end = std::unique(scratch.strs.begin(), scratch.strs.end());
        return Value::Int(end - scratch.strs.begin());
      }
      scratch.ints.clear();
      ForEach(h, columns, c, lo, hi, extra, [&](const Cell& x, size_t) {
        if (col.cell == CellKind::kFloat) {
          double f = x.f == 0 ? 0.0 : x.f;  // -0.0 and 0.0 are one value
          scratch.ints.push_back(std::bit_cast<int64_t>(f));
        } else {
          scratch.ints.push_back(x.i);
        }
      });
      n = static_cast<int64_t>(scratch.ints.size());
      std::sort(scratch.ints.begin(), scratch.ints.end());
      auto end = std::unique(scratch.ints.begin(), scratch.ints.end());
      return Value::Int(end - scratch.ints.begin());
    }
  }
  return Value::Missing();
}

Value Summarise(const Column& col, const KeyHistory* h, uint32_t columns, uint32_t c, size_t lo,
                size_t hi, const Cell* extra, std::string_view extra_str, QueryScratch& scratch,
                int64_t* events, int64_t now) {
  int64_t n = 0;
  Value v = SummariseCounting(col, h, columns, c, lo, hi, extra, extra_str, scratch, n, now);
  if (events != nullptr) *events = n;
  return v;
}

}  // namespace vigil::state
