// Small-cell suppression (docs/impact.md, "Suppression"): cells below k are
// hidden, complements are added until the attack pins no hidden cell, and
// the attack itself finds what subtraction and bounds give away.
#include "impact/suppression.hpp"

#include <gtest/gtest.h>

#include "base/time_util.hpp"
#include "impact/impact.hpp"

namespace vigil::impact {
namespace {

// A rows × columns table with row, column and grand totals.
struct Grid {
  CellSystem s;
  std::vector<std::vector<int>> cells;
  explicit Grid(const std::vector<std::vector<int64_t>>& values) {
    std::vector<int64_t> col(values[0].size(), 0);
    std::vector<int> row_totals;
    int64_t grand = 0;
    for (const auto& r : values) {
      std::vector<int> ids;
      int64_t sum = 0;
      for (size_t c = 0; c < r.size(); ++c) {
        ids.push_back(s.Add(r[c]));
        sum += r[c];
        col[c] += r[c];
      }
      grand += sum;
      const int t = s.Add(sum);
      s.AddEquation(t, ids);
      row_totals.push_back(t);
      cells.push_back(ids);
    }
    std::vector<int> col_totals;
    for (size_t c = 0; c < col.size(); ++c) {
      std::vector<int> parts;
      for (const auto& r : cells) parts.push_back(r[c]);
      const int t = s.Add(col[c]);
      s.AddEquation(t, parts);
      col_totals.push_back(t);
    }
    const int g = s.Add(grand);
    s.AddEquation(g, row_totals);
    s.AddEquation(g, col_totals);
  }
  int Pinned(int64_t k) const {
    int n = 0;
    const std::vector<Interval> b = s.Attack(k);
    for (size_t i = 0; i < s.size(); ++i) {
      if (s.state(static_cast<int>(i)) != CellState::kPublished && b[i].lo == b[i].hi) ++n;
    }
    return n;
  }
};

TEST(Suppression, OneSmallCellNeedsComplements) {
  Grid g({{3, 40, 25}, {30, 50, 60}});
  EXPECT_EQ(g.s.Suppress(10), 0);
  EXPECT_EQ(g.s.state(g.cells[0][0]), CellState::kPrimary);
  // Its row and its column each need another hidden cell.
  EXPECT_GE(g.s.complementary(), 3);
  EXPECT_EQ(g.Pinned(10), 0);
}

TEST(Suppression, AttackUsesTheBoundsOfSmallCells) {
  // Two "<10" cells whose row total is 18 must both be 9: the attack pins
  // them before any complement is chosen.
  CellSystem s;
  const int a = s.Add(9), b = s.Add(9), t = s.Add(18);
  s.AddEquation(t, {a, b});
  EXPECT_EQ(s.Suppress(10), 0);
  EXPECT_EQ(s.state(a), CellState::kPrimary);
  EXPECT_EQ(s.state(b), CellState::kPrimary);
  EXPECT_EQ(s.state(t), CellState::kComplementary);  // the total had to go
}

TEST(Suppression, NothingSmallNothingHidden) {
  Grid g({{10, 40}, {30, 0}});
  EXPECT_EQ(g.s.Suppress(10), 0);
  EXPECT_EQ(g.s.primary(), 0);
  EXPECT_EQ(g.s.complementary(), 0);
}

TEST(Suppression, ManySmallCellsStayProtected) {
  Grid g({{1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 1, 1, 1, 1, 1, 1, 1}, {50, 60, 70, 12, 11, 10, 90, 30, 20}});
  EXPECT_EQ(g.s.Suppress(10), 0);
  EXPECT_EQ(g.Pinned(10), 0);
}

TEST(Periods, MonthsAndIsoWeeks) {
  const auto t = [](const char* s) { return *ParseTime(s); };
  EXPECT_EQ(PeriodOf(Period::kMonth, t("2026-03-31T23:59:59Z")), "2026-03");
  EXPECT_EQ(PeriodOf(Period::kWeek, t("2026-03-02T00:00:00Z")), "2026-W10");  // a Monday
  EXPECT_EQ(PeriodOf(Period::kWeek, t("2026-03-01T23:00:00Z")), "2026-W09");  // a Sunday
  EXPECT_EQ(PeriodOf(Period::kWeek, t("2027-01-01T00:00:00Z")), "2026-W53");  // Friday: 2026's
  EXPECT_EQ(PeriodOf(Period::kWeek, t("2024-12-30T00:00:00Z")), "2025-W01");  // Monday: 2025's
}

TEST(Times, MedianAndP90ByNearestRank) {
  std::map<int64_t, int64_t> h = {{24, 5}, {48, 4}, {240, 1}};  // 10 cases
  auto [median, p90] = MedianP90Days(h);
  EXPECT_DOUBLE_EQ(median, 1.0);
  EXPECT_DOUBLE_EQ(p90, 2.0);
}

}  // namespace
}  // namespace vigil::impact
