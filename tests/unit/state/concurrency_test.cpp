// Many threads, one state: threads evaluating events for the same and for
// different keys at once end with the same totals as one thread evaluating
// them in order. Runs under ThreadSanitizer in CI (tools/tsan.sh).
#include <unistd.h>

#include <atomic>
#include <thread>

#include <fmt/format.h>

#include "state/state_test_util.hpp"

namespace vigil::testing {
namespace {

const std::vector<std::string> kAggs = {
    "count(by: card, within: 7d)",
    "sum(amount, by: card, within: 7d)",
    "distinct(merchant, by: card, within: 7d)",
    "count(by: (card, merchant), within: 7d, where: amount > 50.00)",
};

std::map<std::string, FieldValue> Nth(int i) {
  char buf[48];
  int64_t t = *ParseTime("2026-03-01T00:00:00Z") + int64_t{i} * 1000000;
  std::string ts(buf, FormatTime(t, buf));
  // Card c0 is in every fourth event, so threads meet on it constantly.
  std::string card = i % 4 == 0 ? "c0" : fmt::format("c{}", i % 13);
  return {{"ts", Time{ts}},
          {"card", card},
          {"merchant", fmt::format("m{}", i % 11)},
          {"amount", Dec{std::to_string(i % 97) + ".01"}}};
}

// Each card's totals, probed without recording at a time after every event.
std::vector<std::vector<std::string>> Totals(const std::shared_ptr<state::Store>& store) {
  AggDriver probe(kAggs, store);
  std::vector<std::vector<std::string>> out;
  for (int c = 0; c < 13; ++c) {
    for (int m = 0; m < 11; ++m) {
      out.push_back(probe.Feed({{"ts", Time{"2026-03-02T00:00:00Z"}},
                                {"card", fmt::format("c{}", c)},
                                {"merchant", fmt::format("m{}", m)},
                                {"amount", Dec{"0.01"}}},
                               false));
    }
  }
  return out;
}

TEST(StateConcurrency, ThreadsGiveTheTotalsOfASerialRun) {
  constexpr int kEvents = 8000;
  constexpr int kThreads = 4;
  state::StoreOptions options;
  options.lateness_us = 2LL * 86400 * 1000000;  // threads interleave: allow any order
  auto serial = std::make_shared<state::Store>(options);
  {
    AggDriver d(kAggs, serial);
    for (int i = 0; i < kEvents; ++i) d.Feed(Nth(i));
  }
  auto shared = std::make_shared<state::Store>(options);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      AggDriver d(kAggs, shared);  // each thread has its own session
      for (int i = t; i < kEvents; i += kThreads) d.Feed(Nth(i));
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(shared->Stats().late_events, 0u);
  EXPECT_EQ(shared->Stats().entries, serial->Stats().entries);
  EXPECT_EQ(Totals(shared), Totals(serial));
}

TEST(StateConcurrency, SnapshotsAndReloadsWhileThreadsEvaluate) {
  auto store = std::make_shared<state::Store>();
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      AggDriver d(kAggs, store);
      for (int i = t; !stop.load(); i += 2) d.Feed(Nth(i % 5000));
    });
  }
  const std::string path = ::testing::TempDir() + "/vigil_concurrent.snap";
  std::string error;
  for (int k = 0; k < 20; ++k) {
    // Alternate between two layouts, as hot reloads do, and snapshot.
    AggDriver other({kAggs[0], "max(amount, by: card, within: 1h)"}, store);
    other.Feed(Nth(k));
    EXPECT_TRUE(store->Save(path, &error)) << error;
    EXPECT_TRUE(store->Load(path, &error)) << error;
  }
  stop = true;
  for (auto& th : threads) th.join();
  ::unlink(path.c_str());
}

}  // namespace
}  // namespace vigil::testing
