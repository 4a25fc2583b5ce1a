// Running totals (state/running.hpp) against scans of the same windows: one
// random stream, evaluated by two sessions whose stores differ only in
// StoreOptions::running_totals, must give every aggregate the same value and
// the same number of contributing events, event after event. The stream
// mixes what makes the totals rebuild or give way: events out of order
// within the lateness, late events, what-ifs, duplicates, reversals, keys
// that go idle and are dropped, decimal scales that come and go, and values
// so large that partial sums would overflow (the sum is then missing).
// The scanning store never takes Store::Apply's straight path; the running
// one takes it only for a group whose columns all follow running totals
// (UsesRunning: count, or sum of ints or decimals, with no offset and no
// string: Store::SetLayout), which OneWindowRules below is: the other rule
// sets here, with an avg or an offset column, test the general path.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <random>

#include "state_test_util.hpp"

namespace vigil::testing {
namespace {

const char kRunningSchema[] = R"(ruleset t.running version "1.0.0"
schema pay version 1 {
  id: string @id
  ts: time @time
  kind: string
  card: string @key
  ref: string
  amount: decimal
  n: int
  wait: duration
}
uses schema pay
reversal ref when kind == "REVERSAL"
)";

std::string MixedRules() {
  // Appended, not `std::string(...) + R"(...)"`: GCC 12 warns (-Warray-bounds,
  // wrongly) on that sum of a temporary in some unity batches.
  std::string rules(kRunningSchema);
  return rules.append(R"(rule r {
  when count(by: card, within: 1h) is present
   and count(by: card, within: 10m, where: amount > 5) is present
   and sum(amount, by: card, within: 1h) is present
   and sum(amount, by: card, within: 20m, where: kind == "PAY") is present
   and sum(n, by: card, within: 2h) is present
   and sum(wait, by: card, within: 30m) is present
   and avg(amount, by: card, within: 1h) is present
   and count(by: card, within: 1h, offset: 1h) is present
  then score 1
}
)");
}

// Running columns of one `within` next to each other, as the generator's
// velocity rules have them (three windows of 24h): Store::Apply finds their
// window's start once for all of them, which must be each one's own.
std::string SharedStartRules() {
  // Appended, not `std::string(...) + R"(...)"`: GCC 12 warns (-Warray-bounds,
  // wrongly) on that sum of a temporary in some unity batches.
  std::string rules(kRunningSchema);
  return rules.append(R"(rule r {
  when count(by: card, within: 1h) is present
   and sum(amount, by: card, within: 1h, where: kind == "PAY") is present
   and count(by: card, within: 1h, where: amount > 5) is present
   and count(by: card, within: 10m) is present
   and sum(n, by: card, within: 10m) is present
   and avg(amount, by: card, within: 10m) is present
   and sum(wait, by: card, within: 10m, where: amount < 5) is present
   and sum(n, by: card, within: 1h) is present
  then score 1
}
)");
}

// Count and sum columns only, all of one `within`, as v100's velocity rules:
// the group Store::Apply's straight path serves (one window start for every
// column), sums near the int64 limit (`n`) and decimal scales leaving
// (`amount`) among them.
std::string OneWindowRules() {
  // Appended, not `std::string(...) + R"(...)"`: GCC 12 warns (-Warray-bounds,
  // wrongly) on that sum of a temporary in some unity batches.
  std::string rules(kRunningSchema);
  return rules.append(R"(rule r {
  when count(by: card, within: 1h) is present
   and sum(n, by: card, within: 1h) is present
   and sum(amount, by: card, within: 1h, where: kind == "PAY") is present
   and count(by: card, within: 1h, where: amount > 5) is present
   and sum(wait, by: card, within: 1h) is present
  then score 1
}
)");
}

// `long_gaps`: now and then the stream pauses for up to three hours, so that
// keys find some or all of their entries gone at their next event (as cards
// do in the velocity workloads): their compaction takes the old entries out
// of the running totals, or empties them, instead of sending them back to a
// scan (ShiftRunning).
void ExpectRunningTotalsAgreeWithScans(const std::string& rules, bool long_gaps = false) {
  Compilation c = CompileText(rules);
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  state::StoreOptions with, without;
  with.lateness_us = without.lateness_us = 5LL * 60 * 1000000;
  without.running_totals = false;
  eval::Session running(c.program, std::make_shared<state::Store>(with));
  eval::Session scanning(c.program, std::make_shared<state::Store>(without));
  eval::Event event(c.program->schema);
  eval::Result a, b;
  const eval::Program& p = *c.program;
  std::mt19937_64 rng(7);
  const int64_t start = *ParseTime("2026-03-01T00:00:00Z");
  int64_t now = start;
  const char* amounts[] = {"1", "2.5", "7.25", "10.125", "0.001", "6", "100.5"};
  int64_t differing = 0, events_with_values = 0;
  for (int i = 0; i < 20000; ++i) {
    now += static_cast<int64_t>(rng() % 90) * 1000000;  // up to 90 s apart
    if (long_gaps && rng() % 8 == 0) now += static_cast<int64_t>(rng() % 10800) * 1000000;
    int64_t ts = now;
    const uint64_t roll = rng() % 100;
    if (roll < 8) ts -= static_cast<int64_t>(rng() % 300) * 1000000;   // out of order, in time
    if (roll >= 8 && roll < 10) ts -= 20LL * 60 * 1000000;             // late
    if (roll >= 10 && roll < 12) ts += 3LL * 3600 * 1000000;           // a what-if ahead
    const bool what_if = roll >= 10 && roll < 13;
    const bool duplicate = roll >= 13 && roll < 15 && i > 0;
    const bool reversal = roll >= 15 && roll < 17 && i > 0;
    // Few cards, some of which go quiet for hours (their keys are dropped).
    const std::string card = fmt::format("c{}", rng() % (i % 5000 < 4000 ? 6 : 2));
    const int of = i > 0 ? static_cast<int>(rng() % static_cast<uint64_t>(std::min(i, 50))) : 0;
    event.Reset();
    SetField(event, "id", duplicate ? fmt::format("e{}", i - 1 - of) : fmt::format("e{}", i));
    event.SetInt(static_cast<size_t>(p.schema.time_slot), ts);
    SetField(event, "kind", std::string(reversal ? "REVERSAL" : "PAY"));
    SetField(event, "card", card);
    SetField(event, "ref", reversal ? fmt::format("r{}", i - 1 - of) : fmt::format("r{}", i));
    SetField(event, "amount", Dec{amounts[rng() % 7]});
    // Now and then a value near the int64 limit: sums over it overflow.
    SetField(event, "n", rng() % 50 == 0 ? INT64_MAX / 2 + static_cast<int64_t>(rng() % 1000)
                                         : static_cast<int64_t>(rng() % 1000) - 500);
    event.SetInt(static_cast<size_t>(p.schema.Find("wait")), static_cast<int64_t>(rng() % 600) * 1000000);
    eval::EvalOptions options;
    options.record = !what_if;
    running.Evaluate(event, a, options);
    scanning.Evaluate(event, b, options);
    for (size_t k = 0; k < p.aggregates.size(); ++k) {
      std::string x, y;
      eval::FormatValue(running.aggregate_values()[k], p.aggregates[k].type, x);
      eval::FormatValue(scanning.aggregate_values()[k], p.aggregates[k].type, y);
      const bool same = x == y && running.aggregate_events()[k] == scanning.aggregate_events()[k];
      if (!same && ++differing <= 5) {
        ADD_FAILURE() << "event " << i << ", aggregate " << k << ": running " << x << " ("
                      << running.aggregate_events()[k] << " events), scan " << y << " ("
                      << scanning.aggregate_events()[k] << " events)";
      }
      events_with_values += running.aggregate_events()[k] > 1 ? 1 : 0;
    }
    ASSERT_EQ(a.late, b.late);
    ASSERT_EQ(a.duplicate, b.duplicate);
  }
  EXPECT_EQ(differing, 0);
  // The stream did fill windows (the comparison is not of empty ones).
  EXPECT_GT(events_with_values, long_gaps ? 5000 : 20000);
  // And the running store did follow the stream: same keys and entries.
  EXPECT_EQ(running.store()->Stats().entries, scanning.store()->Stats().entries);
}

TEST(RunningTotals, GiveTheValuesOfAScanOfEachWindow) {
  ExpectRunningTotalsAgreeWithScans(MixedRules());
}

TEST(RunningTotals, GiveTheValuesOfAScanWhenColumnsShareTheirWindowStart) {
  ExpectRunningTotalsAgreeWithScans(SharedStartRules());
}

TEST(RunningTotals, GiveTheValuesOfAScanWhenKeysGoQuietBetweenEvents) {
  ExpectRunningTotalsAgreeWithScans(MixedRules(), /*long_gaps=*/true);
  ExpectRunningTotalsAgreeWithScans(SharedStartRules(), /*long_gaps=*/true);
}

TEST(RunningTotals, GiveTheValuesOfAScanWhenAllColumnsShareOneWindow) {
  ExpectRunningTotalsAgreeWithScans(OneWindowRules());
  ExpectRunningTotalsAgreeWithScans(OneWindowRules(), /*long_gaps=*/true);
}

// Store::Apply's straight path drops the entries that left every window
// before it appends the new one, so that the new one goes into the room they
// leave rather than into a block grown for it. Two shapes of key: events 40
// minutes apart in a one-hour window (one old entry leaves at each event:
// Evict compacts), then pairs of events a day apart (every old entry has
// left: the history is emptied). Neither ever holds more than two entries,
// so the key's block keeps the room for two that its first event gave it:
// the same bytes as a store that saw only two events of the key. Appending
// first, as before, grew the block to four entries.
TEST(RunningTotals, TheStraightPathMakesRoomBeforeItGrows) {
  state::StoreOptions options;
  options.lateness_us = 0;
  const std::vector<std::string> exprs = {"count(by: card, within: 1h)",
                                          "sum(n, by: card, within: 1h)"};
  auto steady = std::make_shared<state::Store>(options);
  auto two = std::make_shared<state::Store>(options);
  AggDriver d(exprs, steady);
  AggDriver e(exprs, two);
  const int64_t start = *ParseTime("2026-03-01T00:00:00Z");
  const auto feed = [](AggDriver& driver, int64_t ts, int64_t n) {
    char buf[48];
    std::string text(buf, FormatTime(ts, buf));
    return driver.Feed({{"ts", Time{text}}, {"card", "c"}, {"n", n}});
  };
  const int64_t minute = 60LL * 1000000;
  int64_t t = start;
  for (int64_t i = 0; i < 40; ++i, t += 40 * minute) {
    const std::vector<std::string> v = feed(d, t, i);
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(v[0], i == 0 ? "1" : "2") << i;
    EXPECT_EQ(v[1], std::to_string(i == 0 ? 0 : 2 * i - 1)) << i;
  }
  t += 24 * 60 * minute;
  for (int64_t i = 0; i < 20; ++i, t += 24 * 60 * minute) {
    const std::vector<std::string> first = feed(d, t, 100 + i);
    EXPECT_EQ(first[0], "1") << i;
    EXPECT_EQ(first[1], std::to_string(100 + i)) << i;
    const std::vector<std::string> second = feed(d, t + minute, 1000 + i);
    EXPECT_EQ(second[0], "2") << i;
    EXPECT_EQ(second[1], std::to_string(1100 + 2 * i)) << i;
  }
  feed(e, start, 1);
  feed(e, start + minute, 2);
  const state::StoreStats a = steady->Stats(), b = two->Stats();
  EXPECT_EQ(a.keys, 1u);
  EXPECT_EQ(a.entries, 2u);
  EXPECT_EQ(b.entries, 2u);
  EXPECT_EQ(a.bytes, b.bytes);
}

}  // namespace
}  // namespace vigil::testing
