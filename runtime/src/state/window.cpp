// Summarising one column of a key's history over a window: exact integer and
// decimal arithmetic (overflow gives a missing value, never a wrong one),
// distinct counts by sorting reused buffers (no allocation once warm).
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "state/store.hpp"

namespace vigil::state {

namespace {

using eval::AggKind;
using eval::CellKind;
using eval::Value;

template <typename Fn>
void ForEach(const KeyHistory* h, uint32_t columns, uint32_t c, size_t lo, size_t hi,
             const Cell* extra, Fn&& fn) {
  for (size_t e = lo; e < hi; ++e) {
    const Cell& cell = h->cells[e * columns + c];
    if (cell.on) fn(cell, e);
  }
  if (extra != nullptr && extra->on) fn(*extra, SIZE_MAX);
}

Value WithScale(int64_t units, uint8_t scale) {
  Value v = Value::Int(units);
  v.scale = scale;
  return v;
}

}  // namespace

// `n` counts the entries used (called once: inlined, so `n` stays a local).
static inline Value SummariseCounting(const Column& col, const KeyHistory* h, uint32_t columns,
                                      uint32_t c, size_t lo, size_t hi, const Cell* extra,
                                      std::string_view extra_str, QueryScratch& scratch,
                                      int64_t& n) {
  switch (col.kind) {
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
        const uint32_t ns = h != nullptr && !h->ts.empty()
                                ? static_cast<uint32_t>(h->strs.size() / h->ts.size())
                                : 0;
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
                int64_t* events) {
  int64_t n = 0;
  Value v = SummariseCounting(col, h, columns, c, lo, hi, extra, extra_str, scratch, n);
  if (events != nullptr) *events = n;
  return v;
}

}  // namespace vigil::state
