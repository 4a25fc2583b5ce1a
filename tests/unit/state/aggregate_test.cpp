// Windowed aggregates end to end through a Session: window boundaries, where:,
// exact arithmetic, keys, missing values, what-if and record-only.
#include <fmt/format.h>

#include "state/state_test_util.hpp"

namespace vigil::testing {
namespace {

TEST(Aggregate, CountsTheCurrentEventAndTheWindowIsHalfOpen) {
  AggDriver d({"count(by: card, within: 1h)"});
  EXPECT_EQ(d.One({{"ts", At("10:00:00")}, {"card", "c1"}}), "1");
  EXPECT_EQ(d.One({{"ts", At("10:30:00")}, {"card", "c1"}}), "2");
  // 10:59:59.999999: 10:00 is still inside (t - 1h, t].
  EXPECT_EQ(d.One({{"ts", Time{"2026-03-01T10:59:59.999999Z"}}, {"card", "c1"}}), "3");
  // 11:00: the event at 10:00 is exactly 1h old, so outside.
  EXPECT_EQ(d.One({{"ts", At("11:00:00")}, {"card", "c1"}}), "3");
  EXPECT_EQ(d.One({{"ts", At("11:00:00")}, {"card", "c2"}}), "1");  // another key
}

TEST(Aggregate, WhereFiltersEveryEventIncludingTheCurrentOne) {
  AggDriver d({"count(by: card, within: 1d, where: amount < 10.00)"});
  EXPECT_EQ(d.One({{"ts", At("10:00:00")}, {"card", "c"}, {"amount", Dec{"5.00"}}}), "1");
  EXPECT_EQ(d.One({{"ts", At("10:01:00")}, {"card", "c"}, {"amount", Dec{"50.00"}}}), "1");
  // A missing amount makes where: unknown, which does not count.
  EXPECT_EQ(d.One({{"ts", At("10:02:00")}, {"card", "c"}}), "1");
  EXPECT_EQ(d.One({{"ts", At("10:03:00")}, {"card", "c"}, {"amount", Dec{"9.99"}}}), "2");
}

TEST(Aggregate, DecimalSumsAreExact) {
  AggDriver d({"sum(amount, by: card, within: 1d)", "avg(amount, by: card, within: 1d)"});
  d.Feed({{"ts", At("10:00:00")}, {"card", "c"}, {"amount", Dec{"0.10"}}});
  auto v = d.Feed({{"ts", At("10:01:00")}, {"card", "c"}, {"amount", Dec{"0.20"}}});
  EXPECT_EQ(v[0], "0.30");  // not 0.30000000000000004
  EXPECT_EQ(v[1], "0.150000");
  v = d.Feed({{"ts", At("10:02:00")}, {"card", "c"}});  // missing values are skipped
  EXPECT_EQ(v[0], "0.30");
}

TEST(Aggregate, IntSumOverflowIsMissingNotWrapped) {
  AggDriver d({"sum(n, by: card, within: 1d)"});
  EXPECT_EQ(d.One({{"ts", At("10:00:00")}, {"card", "c"}, {"n", int64_t{INT64_MAX}}}),
            std::to_string(INT64_MAX));
  EXPECT_EQ(d.One({{"ts", At("10:00:01")}, {"card", "c"}, {"n", int64_t{1}}}), "(missing)");
}

TEST(Aggregate, AvgMinMaxOverNothingAreMissingAndSumIsZero) {
  AggDriver d({"avg(n, by: card, within: 1h, where: n > 100)",
               "min(n, by: card, within: 1h, where: n > 100)",
               "sum(n, by: card, within: 1h, where: n > 100)",
               "count(by: card, within: 1h, where: n > 100)"});
  auto v = d.Feed({{"ts", At("10:00:00")}, {"card", "c"}, {"n", 1}});
  EXPECT_EQ(v, (std::vector<std::string>{"(missing)", "(missing)", "0", "0"}));
  d.Feed({{"ts", At("10:01:00")}, {"card", "c"}, {"n", 101}});
  v = d.Feed({{"ts", At("10:02:00")}, {"card", "c"}, {"n", 102}});
  EXPECT_EQ(v, (std::vector<std::string>{"101.500000", "101", "203", "2"}));
}

TEST(Aggregate, MinMaxOfDecimalsFloatsTimesAndDurations) {
  AggDriver d({"min(amount, by: card, within: 1d)", "max(amount, by: card, within: 1d)",
               "max(rate, by: card, within: 1d)", "min(ts, by: card, within: 1d)",
               "sum(wait, by: card, within: 1d)"});
  d.Feed({{"ts", At("10:00:00")}, {"card", "c"}, {"amount", Dec{"12.50"}}, {"rate", 0.5},
          {"wait", int64_t{0}}});
  auto v = d.Feed({{"ts", At("11:00:00")}, {"card", "c"}, {"amount", Dec{"3"}}, {"rate", 2.25}});
  EXPECT_EQ(v[0], "3");
  EXPECT_EQ(v[1], "12.50");
  EXPECT_EQ(v[2], "2.25");
  EXPECT_EQ(v[3], "2026-03-01T10:00:00Z");
}

TEST(Aggregate, DistinctCountsValues) {
  AggDriver d({"distinct(merchant, by: card, within: 1d)", "distinct(rate, by: card, within: 1d)"});
  d.Feed({{"ts", At("10:00:00")}, {"card", "c"}, {"merchant", "m1"}, {"rate", 0.0}});
  d.Feed({{"ts", At("10:01:00")}, {"card", "c"}, {"merchant", "m2"}, {"rate", -0.0}});
  d.Feed({{"ts", At("10:02:00")}, {"card", "c"}, {"merchant", "m1"}, {"rate", 1.0}});
  auto v = d.Feed({{"ts", At("10:03:00")}, {"card", "c"}, {"merchant", "m3"}});
  EXPECT_EQ(v[0], "3");
  EXPECT_EQ(v[1], "2");  // 0.0 and -0.0 are one value; a missing rate is not a value
}

TEST(Aggregate, TupleKeysGroupByEveryField) {
  AggDriver d({"count(by: (card, merchant), within: 1d)", "count(by: card, within: 1d)",
               "count(by: (merchant, card), within: 1d)"});
  d.Feed({{"ts", At("10:00:00")}, {"card", "c"}, {"merchant", "m1"}});
  d.Feed({{"ts", At("10:01:00")}, {"card", "c"}, {"merchant", "m2"}});
  auto v = d.Feed({{"ts", At("10:02:00")}, {"card", "c"}, {"merchant", "m1"}});
  EXPECT_EQ(v, (std::vector<std::string>{"2", "3", "2"}));
  // Length-prefixed encoding: ("ab", "c") and ("a", "bc") are different keys.
  d.Feed({{"ts", At("10:03:00")}, {"card", "ab"}, {"merchant", "c"}});
  v = d.Feed({{"ts", At("10:04:00")}, {"card", "a"}, {"merchant", "bc"}});
  EXPECT_EQ(v[0], "1");
}

TEST(Aggregate, MissingKeyOrTimeMakesTheAggregateMissing) {
  AggDriver d({"count(by: card, within: 1d)"});
  EXPECT_EQ(d.One({{"ts", At("10:00:00")}}), "(missing)");
  EXPECT_EQ(d.One({{"card", "c"}}), "(missing)");
  EXPECT_EQ(d.One({{"ts", At("10:01:00")}, {"card", "c"}}), "1");  // neither was recorded
}

TEST(Aggregate, WhatIfDoesNotRecordAndRecordOnlyDoes) {
  AggDriver d({"count(by: card, within: 1d)"});
  EXPECT_EQ(d.One({{"ts", At("10:00:00")}, {"card", "c"}}), "1");
  EXPECT_EQ(d.One({{"ts", At("10:01:00")}, {"card", "c"}}, false), "2");
  EXPECT_EQ(d.One({{"ts", At("10:01:00")}, {"card", "c"}}, false), "2");
  EXPECT_TRUE(d.Record({{"ts", At("10:02:00")}, {"card", "c"}}));
  EXPECT_EQ(d.One({{"ts", At("10:03:00")}, {"card", "c"}}), "3");
}

TEST(Aggregate, LateEventsWithinTheLatenessCountInTheirWindow) {
  state::StoreOptions options;
  options.lateness_us = 10LL * 60 * 1000000;
  AggDriver d({"count(by: card, within: 1h)"}, std::make_shared<state::Store>(options));
  d.Feed({{"ts", At("10:00:00")}, {"card", "c"}});
  d.Feed({{"ts", At("10:05:00")}, {"card", "c"}});
  // 10:02 arrives after 10:05: its window (09:02, 10:02] holds 10:00 and itself.
  EXPECT_EQ(d.One({{"ts", At("10:02:00")}, {"card", "c"}}), "2");
  EXPECT_FALSE(d.result().late);
  EXPECT_EQ(d.One({{"ts", At("10:06:00")}, {"card", "c"}}), "4");
  // 09:50 is 16 minutes behind 10:06: late, evaluated but not recorded.
  EXPECT_EQ(d.One({{"ts", At("09:50:00")}, {"card", "c"}}), "1");
  EXPECT_TRUE(d.result().late);
  EXPECT_EQ(d.One({{"ts", At("10:07:00")}, {"card", "c"}}), "5");
  EXPECT_EQ(d.session().store()->Stats().late_events, 1u);
}

TEST(Aggregate, StateIsBoundedByTheLongestWindow) {
  state::StoreOptions options;
  options.lateness_us = 0;
  options.shards = 1;  // one shard, so the sweep runs every 4096 events
  auto store = std::make_shared<state::Store>(options);
  AggDriver d({"count(by: card, within: 1h)", "count(by: card, within: 2h)"}, store);
  for (int i = 0; i < 3000; ++i) {
    d.Feed({{"ts", Time{"2026-03-01T00:00:00Z"}}, {"card", fmt::format("k{}", i)}});
  }
  EXPECT_EQ(store->Stats().keys, 3000u);
  // One busy card for a day, an event a minute: its history stays within 2h.
  int64_t t = *ParseTime("2026-03-02T00:00:00Z");
  for (int i = 0; i < 1440 * 4; ++i) {
    char buf[48];
    std::string ts(buf, FormatTime(t + int64_t{i} * 15 * 1000000, buf));
    d.Feed({{"ts", Time{ts}}, {"card", "busy"}});
  }
  state::StoreStats st = store->Stats();
  EXPECT_EQ(st.keys, 1u);                 // the idle keys were swept
  EXPECT_GE(st.dropped_keys, 3000u);
  EXPECT_LE(st.entries, 2u * 3600 / 15);  // at most the 2h window
  EXPECT_GT(st.bytes, 0u);
}

}  // namespace
}  // namespace vigil::testing
