// Duplicates and reversals in the embedded store (docs/language.md,
// "Duplicates and reversals"): each event counts once, and a reversal takes
// its original out of every window of every group, across snapshots, hot
// reloads and compaction of a key's history.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "state_test_util.hpp"

namespace vigil::testing {
namespace {

std::string ReversalRules(const std::string& extra = "") {
  return R"(ruleset t.reversal version "1.0.0"
schema pay version 1 {
  id: string @id
  ts: time @time
  kind: string
  card: string @key
  merchant: string @key
  ref: string
  amount: decimal
}
uses schema pay
reversal ref when kind == "REVERSAL"
rule r {
  when count(by: card, within: 1h) is present
   and sum(amount, by: card, within: 1h) is present
   and distinct(merchant, by: card, within: 1h) is present
   and count(by: (card, merchant), within: 1h) is present
  then score 1
}
)" + extra;
}

// Aggregates, in first-use order: count by card, sum by card, distinct
// merchants by card, count by (card, merchant), then any from `extra`.
class Driver {
 public:
  explicit Driver(std::shared_ptr<state::Backend> store = nullptr, const std::string& extra = "") {
    compilation_ = CompileText(ReversalRules(extra));
    if (!compilation_.ok()) {
      ADD_FAILURE() << compilation_.RenderDiagnostics();
      return;
    }
    session_ = std::make_unique<eval::Session>(compilation_.program, std::move(store));
    event_ = std::make_unique<eval::Event>(compilation_.program->schema);
  }

  // "count sum distinct pair-count" after evaluating one event.
  std::string Feed(const std::string& id, const std::string& hms, const std::string& kind,
                   const std::string& ref, const std::string& amount = "10",
                   const std::string& merchant = "m1", bool record = true) {
    event_->Reset();
    SetField(*event_, "id", id);
    SetField(*event_, "ts", At(hms));
    SetField(*event_, "kind", kind);
    SetField(*event_, "card", std::string("c1"));
    SetField(*event_, "merchant", merchant);
    if (!ref.empty()) SetField(*event_, "ref", ref);
    SetField(*event_, "amount", Dec{amount});
    eval::EvalOptions options;
    options.record = record;
    session_->Evaluate(*event_, result_, options);
    std::string out;
    const eval::Program& p = *compilation_.program;
    for (size_t a = 0; a < p.aggregates.size(); ++a) {
      if (!out.empty()) out += ' ';
      eval::FormatValue(session_->aggregate_values()[a], p.aggregates[a].type, out);
    }
    return out;
  }
  std::string Pay(const std::string& id, const std::string& hms, const std::string& amount = "10",
                  const std::string& merchant = "m1") {
    return Feed(id, hms, "PAY", "ref-" + id, amount, merchant);
  }
  // A reversal carries its original's reference and key fields.
  std::string Reverse(const std::string& id, const std::string& hms, const std::string& of,
                      const std::string& merchant = "m1") {
    return Feed(id, hms, "REVERSAL", "ref-" + of, "10", merchant);
  }

  eval::Session& session() { return *session_; }
  const eval::Result& result() const { return result_; }

 private:
  Compilation compilation_;
  std::unique_ptr<eval::Session> session_;
  std::unique_ptr<eval::Event> event_;
  eval::Result result_;
};

TEST(Duplicates, ARedeliveryCountsOnceAndSaysSo) {
  Driver d;
  EXPECT_EQ(d.Pay("p1", "10:00:00", "10"), "1 10 1 1");
  EXPECT_FALSE(d.result().duplicate);
  EXPECT_EQ(d.Pay("p2", "10:01:00", "20", "m2"), "2 30 2 1");
  // p1 again: evaluated over the state (where it already counts), not recorded.
  EXPECT_EQ(d.Pay("p1", "10:00:00", "10"), "1 10 1 1");
  EXPECT_TRUE(d.result().duplicate);
  EXPECT_EQ(d.Pay("p3", "10:02:00", "5"), "3 35 2 2");
  EXPECT_FALSE(d.result().duplicate);
  // p2 again, after p3: still counted once.
  EXPECT_EQ(d.Pay("p2", "10:01:00", "20", "m2"), "2 30 2 1");
  EXPECT_TRUE(d.result().duplicate);
  EXPECT_EQ(d.Pay("p4", "10:03:00", "1"), "4 36 2 3");
}

TEST(Duplicates, TheSameIdAtAnotherTimeIsAnotherEvent) {
  Driver d;
  EXPECT_EQ(d.Pay("p1", "10:00:00"), "1 10 1 1");
  EXPECT_EQ(d.Pay("p1", "10:05:00"), "2 20 1 2");
  EXPECT_FALSE(d.result().duplicate);
}

TEST(Duplicates, AWhatIfOfARecordedEventIsADuplicateWithoutItself) {
  Driver d;
  d.Pay("p1", "10:00:00");
  EXPECT_EQ(d.Feed("p1", "10:00:00", "PAY", "ref-p1", "10", "m1", /*record=*/false), "1 10 1 1");
  EXPECT_TRUE(d.result().duplicate);
  // A what-if of a new event counts itself, as before.
  EXPECT_EQ(d.Feed("p9", "10:01:00", "PAY", "ref-p9", "10", "m1", false), "2 20 1 2");
  EXPECT_FALSE(d.result().duplicate);
}

TEST(Reversals, TakeTheOriginalOutOfEveryWindowOfEveryGroup) {
  Driver d(nullptr, R"(rule kinds {
  when avg(amount, by: card, within: 1h) is present
   and min(amount, by: card, within: 1h) is present
   and max(amount, by: card, within: 1h) is present
  then score 1
}
)");
  EXPECT_EQ(d.Pay("p1", "10:00:00", "10", "m1"), "1 10 1 1 10.000000 10 10");
  EXPECT_EQ(d.Pay("p2", "10:01:00", "90", "m2"), "2 100 2 1 50.000000 10 90");
  EXPECT_EQ(d.Pay("p3", "10:02:00", "20", "m1"), "3 120 2 2 40.000000 10 90");
  // Reversing p2 (the only payment at m2, and the maximum): gone from every
  // aggregate; the reversal itself counts nowhere.
  EXPECT_EQ(d.Reverse("r2", "10:03:00", "p2", "m2"), "2 30 1 0 15.000000 10 20");
  EXPECT_EQ(d.result().reversal, eval::Reversal::kApplied);
  EXPECT_FALSE(d.result().duplicate);
  EXPECT_EQ(d.Pay("p4", "10:04:00", "30", "m2"), "3 60 2 1 20.000000 10 30");
  EXPECT_EQ(d.Pay("p5", "10:05:00", "40", "m1"), "4 100 2 3 25.000000 10 40");
  EXPECT_EQ(d.result().reversal, eval::Reversal::kNone);
}

TEST(Reversals, UnknownOriginalsAreNotRemembered) {
  Driver d;
  d.Pay("p1", "10:00:00");
  EXPECT_EQ(d.Reverse("r9", "10:01:00", "p9"), "1 10 1 1");
  EXPECT_EQ(d.result().reversal, eval::Reversal::kUnknown);
  // p9 arrives after its reversal: it counts.
  EXPECT_EQ(d.Pay("p9", "10:02:00"), "2 20 1 2");
}

TEST(Reversals, OneReversalTakesBackOneOriginalOnce) {
  Driver d;
  d.Pay("p1", "10:00:00");
  d.Pay("p2", "10:01:00");
  EXPECT_EQ(d.Reverse("r1", "10:02:00", "p1"), "1 10 1 1");
  EXPECT_EQ(d.result().reversal, eval::Reversal::kApplied);
  // The same reversal delivered again: a duplicate, nothing more taken back.
  EXPECT_EQ(d.Reverse("r1", "10:02:00", "p1"), "1 10 1 1");
  EXPECT_TRUE(d.result().duplicate);
  EXPECT_EQ(d.result().reversal, eval::Reversal::kNone);
  // Another reversal of p1: already reversed.
  EXPECT_EQ(d.Reverse("r1b", "10:03:00", "p1"), "1 10 1 1");
  EXPECT_EQ(d.result().reversal, eval::Reversal::kUnknown);
  // p1 redelivered after its reversal: still a duplicate, still not counted.
  d.Pay("p1", "10:00:00");
  EXPECT_TRUE(d.result().duplicate);
  EXPECT_EQ(d.Pay("p3", "10:04:00"), "2 20 1 2");
}

TEST(Reversals, AWhatIfReversalTakesNothingBack) {
  Driver d;
  d.Pay("p1", "10:00:00");
  EXPECT_EQ(d.Feed("r1", "10:01:00", "REVERSAL", "ref-p1", "10", "m1", /*record=*/false),
            "1 10 1 1");
  EXPECT_EQ(d.result().reversal, eval::Reversal::kNone);
  EXPECT_EQ(d.Pay("p2", "10:02:00"), "2 20 1 2");
}

TEST(Reversals, AnOriginalThatLeftItsHistoryIsUnknown) {
  Driver d;  // the longest window is 1h, the lateness 10 minutes
  d.Pay("p1", "10:00:00");
  d.Pay("p2", "11:20:00");  // p1 is now older than 1h10m: dropped
  EXPECT_EQ(d.Reverse("r1", "11:21:00", "p1"), "1 10 1 1");
  EXPECT_EQ(d.result().reversal, eval::Reversal::kUnknown);
}

TEST(Reversals, ALateReversalStillTakesBack) {
  Driver d;
  d.Pay("p1", "10:00:00");
  d.Pay("p2", "10:50:00");
  // The reversal's own time is 40 minutes behind the key's latest event.
  EXPECT_EQ(d.Reverse("r1", "10:10:00", "p1"), "0 0 0 0");
  EXPECT_EQ(d.result().reversal, eval::Reversal::kApplied);
  EXPECT_FALSE(d.result().late);
  EXPECT_EQ(d.Pay("p3", "10:51:00"), "2 20 1 2");
}

TEST(Reversals, TheRightEntryAfterTheHistoryIsCompacted) {
  // Many payments move the history's head and compact it; the marks must
  // stay with their entries.
  Driver d;
  int minute = 0;
  auto hms = [&](int m) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "%02d:%02d:00", 10 + m / 60, m % 60);
    return std::string(buf);
  };
  for (; minute < 150; ++minute) d.Pay(fmt::format("p{}", minute), hms(minute));
  // Payments 91..149 are in the 1h window (59); reverse payment 140.
  EXPECT_EQ(d.Reverse("r140", hms(150), "p140"), "58 580 1 58");
  EXPECT_EQ(d.result().reversal, eval::Reversal::kApplied);
  EXPECT_EQ(d.Pay("p150", hms(150)), "59 590 1 59");  // p91 .. p150 without p140
}

TEST(Reversals, SurviveASnapshotAndAHotReload) {
  auto store = std::make_shared<state::Store>();
  {
    Driver d(store);
    d.Pay("p1", "10:00:00");
    d.Pay("p2", "10:01:00");
  }
  const std::string path = "/tmp/vigil-reversal-test-" + std::to_string(::getpid()) + ".snap";
  std::string error;
  ASSERT_TRUE(store->Save(path, &error)) << error;
  auto restored = std::make_shared<state::Store>();
  {
    Driver d(restored);  // the store adopts the rule set's layout, then loads
    ASSERT_TRUE(restored->Load(path, &error)) << error;
    ::unlink(path.c_str());
    d.Pay("p1", "10:00:00");
    EXPECT_TRUE(d.result().duplicate);
    EXPECT_EQ(d.Reverse("r2", "10:02:00", "p2"), "1 10 1 1");
    EXPECT_EQ(d.result().reversal, eval::Reversal::kApplied);
  }
  // A reload with one more rule: the groups keep their entries and marks.
  Driver reloaded(restored, R"(rule more {
  when max(amount, by: card, within: 1h) > 1000
  then score 1
}
)");
  reloaded.Pay("p1", "10:00:00");
  EXPECT_TRUE(reloaded.result().duplicate);
  EXPECT_EQ(reloaded.Reverse("r2", "10:02:00", "p2"), "1 10 1 1 (missing)");
  EXPECT_TRUE(reloaded.result().duplicate);
}

TEST(Reversals, AGroupWhoseKeyTheReversalLacksFindsNothingThere) {
  Driver d;
  d.Pay("p1", "10:00:00", "10", "m1");
  // The reversal carries another merchant: the (card, merchant) group has no
  // original under that key value; the card group has.
  EXPECT_EQ(d.Feed("r1", "10:01:00", "REVERSAL", "ref-p1", "10", "m7"), "0 0 0 0");
  EXPECT_EQ(d.result().reversal, eval::Reversal::kApplied);
  EXPECT_EQ(d.Pay("p2", "10:02:00", "10", "m1"), "1 10 1 2");
}

}  // namespace
}  // namespace vigil::testing
