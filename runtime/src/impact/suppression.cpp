#include "impact/suppression.hpp"

#include <algorithm>
#include <limits>

namespace vigil::impact {

namespace {

constexpr int64_t kInf = std::numeric_limits<int64_t>::max() / 4;

int64_t SatAdd(int64_t a, int64_t b) { return std::min(kInf, a + b); }

}  // namespace

int CellSystem::Add(int64_t value) {
  value_.push_back(value);
  state_.push_back(CellState::kPublished);
  equations_of_.emplace_back();
  return static_cast<int>(value_.size() - 1);
}

void CellSystem::AddEquation(int total, std::vector<int> parts) {
  const int e = static_cast<int>(equations_.size());
  equations_of_[total].push_back(e);
  for (int p : parts) equations_of_[p].push_back(e);
  equations_.push_back(Equation{total, std::move(parts)});
}

int CellSystem::primary() const {
  return static_cast<int>(std::count(state_.begin(), state_.end(), CellState::kPrimary));
}

int CellSystem::complementary() const {
  return static_cast<int>(std::count(state_.begin(), state_.end(), CellState::kComplementary));
}

std::vector<Interval> CellSystem::Attack(int64_t k) const {
  std::vector<Interval> b(value_.size());
  for (size_t i = 0; i < value_.size(); ++i) {
    switch (state_[i]) {
      case CellState::kPublished:
        b[i] = {value_[i], value_[i]};
        break;
      case CellState::kPrimary:
        b[i] = {0, k - 1};
        break;
      case CellState::kComplementary:
        b[i] = {k, kInf};
        break;
    }
  }
  // Propagate until nothing tightens (each pass can only narrow bounds; a
  // cap keeps pathological systems bounded).
  for (int pass = 0; pass < 64; ++pass) {
    bool changed = false;
    for (const Equation& e : equations_) {
      // Upper bounds: the finite ones summed, the unbounded ones counted.
      int64_t sum_lo = 0, finite_hi = 0;
      int unbounded = 0;
      for (int p : e.parts) {
        sum_lo = SatAdd(sum_lo, b[p].lo);
        if (b[p].hi >= kInf) {
          ++unbounded;
        } else {
          finite_hi = SatAdd(finite_hi, b[p].hi);
        }
      }
      Interval& t = b[e.total];
      if (sum_lo > t.lo) t.lo = sum_lo, changed = true;
      if (unbounded == 0 && finite_hi < t.hi) t.hi = finite_hi, changed = true;
      for (int p : e.parts) {
        // part = total - others, others in [others_lo, others_hi].
        const int64_t others_lo = sum_lo - b[p].lo;
        const bool p_unbounded = b[p].hi >= kInf;
        const bool others_unbounded = unbounded - (p_unbounded ? 1 : 0) > 0;
        if (t.hi < kInf && t.hi - others_lo < b[p].hi) {
          b[p].hi = t.hi - others_lo;
          changed = true;
        }
        if (!others_unbounded) {
          const int64_t others_hi = finite_hi - (p_unbounded ? 0 : b[p].hi);
          if (t.lo - others_hi > b[p].lo) {
            b[p].lo = t.lo - others_hi;
            changed = true;
          }
        }
        if (b[p].hi < kInf && p_unbounded) {
          // p became bounded: keep the sums of this equation consistent.
          --unbounded;
          finite_hi = SatAdd(finite_hi, b[p].hi);
        }
      }
    }
    if (!changed) break;
  }
  return b;
}

int CellSystem::Suppress(int64_t k) {
  for (size_t i = 0; i < value_.size(); ++i) {
    if (value_[i] >= 1 && value_[i] < k) state_[i] = CellState::kPrimary;
  }
  // Subtraction first (cheap): an equation with exactly one hidden cell
  // gives it away, so hide one more of its cells.
  for (bool again = true; again;) {
    again = false;
    for (const Equation& eq : equations_) {
      int hidden = state_[eq.total] != CellState::kPublished ? 1 : 0;
      for (int p : eq.parts) hidden += state_[p] != CellState::kPublished ? 1 : 0;
      if (hidden != 1) continue;
      int best = -1;
      for (int p : eq.parts) {
        if (state_[p] == CellState::kPublished && value_[p] > 0 &&
            (best < 0 || value_[p] < value_[best])) {
          best = p;
        }
      }
      if (best < 0 && state_[eq.total] == CellState::kPublished && value_[eq.total] > 0) {
        best = eq.total;
      }
      if (best >= 0) {
        state_[best] = CellState::kComplementary;
        again = true;
      }
    }
  }
  for (int round = 0; round < 100000; ++round) {
    const std::vector<Interval> b = Attack(k);
    int exposed = -1;
    for (size_t i = 0; i < value_.size() && exposed < 0; ++i) {
      if (state_[i] != CellState::kPublished && b[i].lo == b[i].hi) exposed = static_cast<int>(i);
    }
    if (exposed < 0) return 0;
    // Among the equations that hold the exposed cell, the published,
    // non-zero cell of least value (parts before totals, so that totals stay
    // readable); ties go to the lowest index, for the same bytes every run.
    int best = -1;
    bool best_total = true;
    for (int e : equations_of_[exposed]) {
      const Equation& eq = equations_[e];
      auto consider = [&](int c, bool is_total) {
        if (state_[c] != CellState::kPublished || value_[c] == 0) return;
        if (best < 0 || (best_total && !is_total) ||
            (best_total == is_total &&
             (value_[c] < value_[best] || (value_[c] == value_[best] && c < best)))) {
          best = c;
          best_total = is_total;
        }
      };
      for (int p : eq.parts) consider(p, false);
      consider(eq.total, true);
    }
    if (best < 0) {
      // Every non-zero cell of its equations is hidden already: hide a zero
      // cell too, as "<k" (true of zero, and what a reader must allow for).
      for (int e : equations_of_[exposed]) {
        const Equation& eq = equations_[e];
        for (int p : eq.parts) {
          if (best < 0 && state_[p] == CellState::kPublished) best = p;
        }
        if (best < 0 && state_[eq.total] == CellState::kPublished) best = eq.total;
      }
      if (best < 0) {
        int left = 0;
        for (size_t i = 0; i < value_.size(); ++i) {
          if (state_[i] != CellState::kPublished && b[i].lo == b[i].hi) ++left;
        }
        return left;
      }
      state_[best] = CellState::kPrimary;
      continue;
    }
    state_[best] = CellState::kComplementary;
  }
  return 1;
}

}  // namespace vigil::impact
