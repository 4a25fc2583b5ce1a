// Small-cell suppression for published counts (docs/impact.md,
// "Suppression"). Every count of an impact file is a cell; the tables'
// totals are equations (total = sum of parts) that a reader can use to
// recover hidden cells. Cells from 1 to k-1 are suppressed (primary,
// published as "<k"); then, while some suppressed cell can still be pinned
// to one value by the equations, another cell of an equation that pins it is
// suppressed too (complementary, published as "suppressed").
//
// "Pinned" is decided by the attack the tests also run: interval
// propagation over every equation, knowing that a "<k" cell lies in
// [0, k-1], a complementary one in [k, ∞) (complements are chosen among
// non-zero published cells, which are all >= k; only when an equation has
// none left is a zero cell hidden, as "<k"), and a published one exactly.
// Propagation subsumes subtraction along a row or column (one unknown left
// in an equation gives it exactly) and also catches the cases where the
// bounds of "<k" close the gap (two "<10" cells that must sum to 18).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vigil::impact {

enum class CellState : uint8_t { kPublished, kPrimary, kComplementary };

struct Interval {
  int64_t lo = 0;
  int64_t hi = 0;
};

class CellSystem {
 public:
  // A new cell holding `value` (>= 0); its index.
  int Add(int64_t value);
  // total = sum of parts.
  void AddEquation(int total, std::vector<int> parts);

  // Suppresses cells as described above. Returns how many cells stay
  // recoverable (0 unless the equations leave no cell to suppress).
  int Suppress(int64_t k);

  CellState state(int cell) const { return state_[cell]; }
  int64_t value(int cell) const { return value_[cell]; }
  size_t size() const { return value_.size(); }
  int primary() const;
  int complementary() const;

  // The attacker's bounds of every cell given what is published.
  std::vector<Interval> Attack(int64_t k) const;

 private:
  struct Equation {
    int total;
    std::vector<int> parts;
  };
  std::vector<int64_t> value_;
  std::vector<CellState> state_;
  std::vector<Equation> equations_;
  std::vector<std::vector<int>> equations_of_;  // cell → equations it is in
};

}  // namespace vigil::impact
