// The aggregates' state against two wrong answers of issue 13: one event far
// in the future made every later event of its key "late" for ever, and a
// state shared by (or a snapshot loaded into) another rule set silently lost
// the aggregates that rule set does not have.
#include <unistd.h>

#include <algorithm>
#include <random>
#include <vector>

#include "state/time_guard.hpp"
#include "state_test_util.hpp"

namespace vigil::testing {
namespace {

constexpr int64_t kDayMicros = 86400LL * 1000000;

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/outlier_union_" + std::to_string(::getpid()) + "_" + name;
}

TEST(TimeGuard, RefusesTimesFarAheadOfTheRecentOnes) {
  state::TimeGuard g(30 * kDayMicros);
  const int64_t t = *ParseTime("2026-03-01T10:00:00Z");
  EXPECT_FALSE(g.IsOutlier(INT64_MAX - 1));  // nothing to compare with yet
  g.Note(t);
  int64_t reference = 0;
  EXPECT_FALSE(g.IsOutlier(t + 30 * kDayMicros));
  EXPECT_TRUE(g.IsOutlier(t + 30 * kDayMicros + 1, &reference));
  EXPECT_EQ(reference, t);
  // One bad time does not move the reference.
  g.Note(*ParseTime("9999-01-01T00:00:00Z"));
  g.Note(t + 1);
  EXPECT_TRUE(g.IsOutlier(t + 31 * kDayMicros));
  // A real pause in the stream: after three events the median has moved.
  state::TimeGuard p(30 * kDayMicros);
  p.Note(t);
  p.Note(t + 1);
  const int64_t later = t + 90 * kDayMicros;
  int outliers = 0;
  for (int i = 0; i < 6; ++i) {
    outliers += p.IsOutlier(later + i) ? 1 : 0;
    p.Note(later + i);
  }
  EXPECT_EQ(outliers, 3);  // the median is the third newest of five
  // No bound, and a reset to a snapshot's newest time.
  state::TimeGuard off(state::kNoSkewBound);
  off.Note(t);
  EXPECT_FALSE(off.IsOutlier(*ParseTime("9999-01-01T00:00:00Z")));
  p.Reset(t);
  EXPECT_TRUE(p.IsOutlier(t + 31 * kDayMicros));
  p.Reset(INT64_MIN);
  EXPECT_FALSE(p.IsOutlier(t + 31 * kDayMicros));
}

// IsOutlier's inline test (the oldest recent time, empty slots skipped
// without a branch) against the definition: more than the skew ahead of the
// lower median of the recent times written so far. Times of every sign and
// size, from one to five written, near the int64 limits too.
TEST(TimeGuard, AgreesWithTheMedianOfTheTimesWrittenSoFar) {
  std::mt19937_64 rng(20);
  const int64_t skews[] = {1, 30 * kDayMicros, INT64_MAX / 2, INT64_MAX - 1};
  const int64_t picks[] = {INT64_MIN + 1, INT64_MIN + 2, -kDayMicros, -1, 0, 1, kDayMicros,
                           INT64_MAX / 2, INT64_MAX - 1, INT64_MAX};
  int checked = 0, outliers = 0;
  for (int round = 0; round < 4000; ++round) {
    const int64_t skew = skews[round % 4];
    state::TimeGuard g(skew);
    std::vector<int64_t> written;
    const int n = 1 + static_cast<int>(rng() % 7);  // past five, the oldest are replaced
    for (int i = 0; i < n; ++i) {
      const int64_t t = rng() % 3 == 0 ? picks[rng() % 10]
                                       : static_cast<int64_t>(rng() % (40 * kDayMicros)) - kDayMicros;
      g.Note(t);
      written.push_back(t);
    }
    std::vector<int64_t> recent(written.end() - std::min<ptrdiff_t>(5, std::ssize(written)),
                                written.end());
    std::sort(recent.begin(), recent.end());
    const int64_t median = recent[(recent.size() - 1) / 2];
    for (int probe = 0; probe < 8; ++probe) {
      // Half the probes at the limits, half next to a recent time plus the skew.
      int64_t ts = probe < 4 ? picks[rng() % 10] : recent[rng() % recent.size()];
      int64_t near;
      if (probe >= 4 && !__builtin_add_overflow(ts, skew, &near) && near > INT64_MIN + 1 &&
          near < INT64_MAX) {
        ts = near + (static_cast<int64_t>(rng() % 3) - 1);  // -1, 0 or +1: within int64 here
      }
      int64_t limit;
      const bool want = !__builtin_add_overflow(median, skew, &limit) && ts > limit;
      ASSERT_EQ(g.IsOutlier(ts), want) << "round " << round << ", ts " << ts << ", median " << median;
      ++checked;
      outliers += want ? 1 : 0;
    }
  }
  EXPECT_EQ(checked, 32000);
  EXPECT_GT(outliers, 1000);  // both answers were asked for
  EXPECT_LT(outliers, 31000);
}

TEST(Outliers, AFarFutureEventDoesNotSilenceItsKey) {
  AggDriver d({"count(by: card, within: 1h)"});
  EXPECT_EQ(d.One({{"ts", At("10:00:00")}, {"card", "c"}}), "1");
  // The issue: ts at the limit (now refused at input) or years ahead made
  // every later event of the key late, so its velocity rules never fired.
  EXPECT_EQ(d.One({{"ts", Time{"9999-01-01T00:00:00Z"}}, {"card", "c"}}), "1");
  EXPECT_TRUE(d.result().outlier);
  EXPECT_FALSE(d.result().late);
  EXPECT_EQ(d.One({{"ts", At("10:01:00")}, {"card", "c"}}), "2");
  EXPECT_FALSE(d.result().late);
  EXPECT_FALSE(d.result().outlier);
  EXPECT_EQ(d.One({{"ts", At("10:02:00")}, {"card", "c"}}), "3");
  EXPECT_FALSE(d.Record({{"ts", Time{"2030-01-01T00:00:00Z"}}, {"card", "c"}}));
  EXPECT_TRUE(d.session().last_outlier());
  EXPECT_EQ(d.session().store()->Stats().outlier_events, 2u);
  // A what-if far ahead is reported but counted nowhere.
  EXPECT_EQ(d.One({{"ts", Time{"2031-01-01T00:00:00Z"}}, {"card", "c"}}, /*record=*/false), "1");
  EXPECT_TRUE(d.result().outlier);
  EXPECT_EQ(d.session().store()->Stats().outlier_events, 2u);
}

TEST(Outliers, AWhatIfFarAheadDoesNotMakeEveryKeyLookIdle) {
  state::StoreOptions one_shard;
  one_shard.shards = 1;  // every key in the shard that sweeps
  auto store = std::make_shared<state::Store>(one_shard);
  AggDriver d({"count(by: card, within: 24h)"}, store);
  EXPECT_EQ(d.One({{"ts", At("10:00:00")}, {"card", "kept"}}), "1");
  d.One({{"ts", Time{"2027-01-01T00:00:00Z"}}, {"card", "x"}}, /*record=*/false);
  for (int i = 0; i < 5000; ++i) {
    std::string card = std::to_string(i);  // (not "k" + ...: GCC 12 warns wrongly, -Wrestrict)
    d.One({{"ts", At("10:00:01")}, {"card", card}});
  }
  EXPECT_EQ(d.One({{"ts", At("11:00:00")}, {"card", "kept"}}), "2");
}

TEST(SharedState, TwoRuleSetsKeepAllTheirAggregates) {
  // The issue: one vigil_state shared by sessions of two rule sets silently
  // dropped one's aggregates.
  auto store = std::make_shared<state::Store>();
  AggDriver a({"count(by: card, within: 1h)"}, store);
  AggDriver b({"sum(amount, by: card, within: 1h)"}, store);
  EXPECT_EQ(a.One({{"ts", At("10:00:00")}, {"card", "c"}}), "1");
  EXPECT_EQ(b.One({{"ts", At("10:00:00")}, {"card", "d"}, {"amount", Dec{"5.00"}}}), "5.00");
  EXPECT_EQ(a.One({{"ts", At("10:01:00")}, {"card", "c"}}), "2");
  EXPECT_EQ(b.One({{"ts", At("10:01:00")}, {"card", "d"}, {"amount", Dec{"2.50"}}}), "7.50");
  state::StoreStats st = store->Stats();
  EXPECT_EQ(st.aggregates, 2u);
  EXPECT_EQ(st.unused_aggregates, 0u);
}

TEST(SharedState, ASnapshotOfAnotherRuleSetIsKeptAndSavedBack) {
  const std::string path = TempPath("other.snap");
  {
    auto store = std::make_shared<state::Store>();
    AggDriver a({"count(by: card, within: 1h)"}, store);
    a.One({{"ts", At("10:00:00")}, {"card", "c"}});
    a.One({{"ts", At("10:01:00")}, {"card", "c"}});
    std::string error;
    ASSERT_TRUE(store->Save(path, &error)) << error;
  }
  {
    // Another rule set, sharing no aggregate, loads it and saves.
    auto store = std::make_shared<state::Store>();
    AggDriver b({"count(by: merchant, within: 2h)"}, store);
    std::string error;
    ASSERT_TRUE(store->Load(path, &error)) << error;
    EXPECT_EQ(store->last_load().snapshot_aggregates, 1u);
    EXPECT_EQ(store->last_load().used, 0u);
    EXPECT_EQ(store->Stats().unused_aggregates, 1u);
    EXPECT_EQ(b.One({{"ts", At("10:02:00")}, {"merchant", "m"}}), "1");
    ASSERT_TRUE(store->Save(path, &error)) << error;  // used to overwrite A's history
  }
  {
    auto store = std::make_shared<state::Store>();
    AggDriver a({"count(by: card, within: 1h)"}, store);
    std::string error;
    ASSERT_TRUE(store->Load(path, &error)) << error;
    EXPECT_EQ(store->last_load().snapshot_aggregates, 2u);
    EXPECT_EQ(store->last_load().used, 1u);
    EXPECT_EQ(a.One({{"ts", At("10:03:00")}, {"card", "c"}}), "3");  // history kept
  }
  ::unlink(path.c_str());
}

TEST(SharedState, AggregatesOfAFreedSessionAreUnusedButKept) {
  auto store = std::make_shared<state::Store>();
  AggDriver keep({"count(by: card, within: 1h)"}, store);
  {
    AggDriver gone({"count(by: card, within: 2h)"}, store);
    gone.One({{"ts", At("10:00:00")}, {"card", "c"}});
    EXPECT_EQ(store->Stats().unused_aggregates, 0u);
  }
  state::StoreStats st = store->Stats();
  EXPECT_EQ(st.aggregates, 2u);
  EXPECT_EQ(st.unused_aggregates, 1u);
  AggDriver back({"count(by: card, within: 2h)"}, store);  // comes back with its history
  EXPECT_EQ(back.One({{"ts", At("10:05:00")}, {"card", "c"}}), "2");
}

TEST(Windows, AFloatSumThatOverflowsIsMissing) {
  // Like every float result that is not finite, never inf.
  AggDriver d({"sum(rate, by: card, within: 1h)"});
  EXPECT_EQ(d.One({{"ts", At("10:00:00")}, {"card", "c"}, {"rate", 1e308}}), "1e+308");
  EXPECT_EQ(d.One({{"ts", At("10:01:00")}, {"card", "c"}, {"rate", 1e308}}), "(missing)");
}

TEST(SharedState, ReloadsDoNotAccumulateAggregatesWhoseHistoryHasAgedOut) {
  // A member retunes a threshold used in `where:` every day: each version is
  // a new aggregate. Old ones are kept while they hold history, not for ever.
  auto store = std::make_shared<state::Store>();
  for (int version = 0; version < 5; ++version) {
    const std::string hour = std::to_string(10 + 2 * version);
    AggDriver v({"count(by: card, within: 1h, where: amount > " + std::to_string(version) + ")"},
                store);
    EXPECT_EQ(v.One({{"ts", At(hour + ":00:00")}, {"card", "c"}, {"amount", Dec{"10"}}}), "1");
  }
  // The versions' events are two hours apart: each old aggregate's entries
  // have left its window (and the lateness) by the time the next version
  // comes, so at most the previous version is still kept.
  EXPECT_LE(store->Stats().aggregates, 2u);
}

// The quick answer for a stream in order (within the skew of the oldest
// recent time) must not change the answer for a time past that but within
// the skew of the median.
TEST(TimeGuard, JudgesByTheMedianNotTheOldestRecentTime) {
  state::TimeGuard g(30 * kDayMicros);
  const int64_t t = *ParseTime("2026-03-01T10:00:00Z");
  g.Note(t);
  g.Note(t + 40 * kDayMicros);
  g.Note(t + 40 * kDayMicros);
  int64_t reference = 0;
  EXPECT_FALSE(g.IsOutlier(t + 35 * kDayMicros));  // past the oldest + 30 days, within the median's
  EXPECT_FALSE(g.IsOutlier(t + 70 * kDayMicros));
  EXPECT_TRUE(g.IsOutlier(t + 70 * kDayMicros + 1, &reference));
  EXPECT_EQ(reference, t + 40 * kDayMicros);
}

}  // namespace
}  // namespace vigil::testing
