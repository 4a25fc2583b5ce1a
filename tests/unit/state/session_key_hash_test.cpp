// The key hash that the session's aggregate phase (eval/session_aggregates.cpp,
// RunAggregates) hashes once and hands to the store twice: to
// Backend::Prefetch with the store group of its first aggregate group, and to
// Apply in Probe::key_hash. The store trusts it: it picks the key's shard and
// its slot in the table's index. A hash that is wrong but always the same
// wrong value goes unnoticed on a fresh store (every key is put where it is
// then looked for); it shows only once the tables are built from the keys
// themselves (a snapshot load, a relayout), and a wrong group or hash given
// to Prefetch changes no result at all. So: a backend that checks what the
// session asks against the store's own hashing, and a stream whose values
// after a load and after a relayout must be a fresh store's.
#include <unistd.h>

#include <fmt/format.h>

#include "state/key_table.hpp"
#include "state/state_test_util.hpp"

namespace vigil::testing {
namespace {

// A Store behind a Backend that checks each Prefetch and Apply the session
// makes before passing it on.
class CheckingBackend final : public state::Backend {
 public:
  explicit CheckingBackend(std::shared_ptr<state::Store> store) : store_(std::move(store)) {}

  void Attach(const state::Layout& layout) override { store_->Attach(layout); }
  void Detach(const state::Layout& layout) override { store_->Detach(layout); }
  uint64_t ReadLayout(state::Layout* out) const override { return store_->ReadLayout(out); }
  state::StoreStats Stats() const override { return store_->Stats(); }
  bool Save(const std::string& path, std::string* error) const override {
    return store_->Save(path, error);
  }
  bool Load(const std::string& path, std::string* error) override {
    return store_->Load(path, error);
  }

  void Prefetch(uint32_t group, uint64_t key_hash) const override {
    pending_ = true;
    prefetch_group_ = group;
    prefetch_hash_ = key_hash;
  }

  state::ApplyStatus Apply(uint64_t version, const state::Probe& probe, eval::Value* out,
                           state::QueryScratch& scratch) override {
    const uint64_t hash = state::KeyHash(probe.key);
    if (probe.key_hashed) {
      ++hashed;
      EXPECT_EQ(probe.key_hash, hash) << "Probe::key_hash is not the key's KeyHash";
    }
    if (pending_) {
      // The event's first Apply, which its Prefetch was for: the same store
      // group and key, and so the very slot that Apply's lookup starts at.
      pending_ = false;
      ++prefetched;
      EXPECT_EQ(prefetch_group_, probe.group) << "Prefetch asked for another store group";
      EXPECT_EQ(prefetch_hash_, hash) << "Prefetch asked for another hash than the key's";
      const char* home = store_->HomeSlotForTest(probe.group, probe.key);
      EXPECT_EQ(store_->PrefetchAddress(prefetch_group_, prefetch_hash_), home);
      slots += home != nullptr ? 1 : 0;
    }
    return store_->Apply(version, probe, out, scratch);
  }

  int hashed = 0;      // probes that carried their hash
  int prefetched = 0;  // prefetches checked against their Apply
  int slots = 0;       // of those, with an index to find the slot in

 private:
  std::shared_ptr<state::Store> store_;
  mutable bool pending_ = false;
  mutable uint32_t prefetch_group_ = 0;
  mutable uint64_t prefetch_hash_ = 0;
};

std::map<std::string, FieldValue> NthCardEvent(int i, int cards) {
  char buf[48];
  const int64_t t = *ParseTime("2026-03-01T00:00:00Z") + int64_t{i} * 7 * 1000000;
  // Cards of 2 to 20 bytes: inline keys and keys on the heap (KeyText).
  const std::string card =
      fmt::format("c{}", i % cards) + std::string(static_cast<size_t>(i % cards % 19), 'x');
  return {{"ts", Time{std::string(buf, FormatTime(t, buf))}},
          {"card", card},
          {"merchant", fmt::format("m{}", i % 7)},
          {"amount", Dec{fmt::format("{}.25", i % 13)}}};
}

// The session's first aggregate group (by card) is the store's second: a
// rule set by merchant attached the store first. Prefetch must name the
// store's group, not the program's.
TEST(SessionKeyHash, PrefetchAndProbeCarryTheStoresGroupAndHash) {
  state::StoreOptions options;
  options.shards = 4;
  auto store = std::make_shared<state::Store>(options);
  AggDriver first({"count(by: merchant, within: 1h)"}, store);
  auto checking = std::make_shared<CheckingBackend>(store);
  AggDriver d({"count(by: card, within: 1h)", "sum(amount, by: card, within: 1h)",
               "count(by: merchant, within: 2h)"},
              checking);
  state::Layout layout;
  store->ReadLayout(&layout);
  ASSERT_EQ(layout.groups.size(), 2u);
  ASSERT_EQ(d.session().program().agg_groups.size(), 2u);
  ASSERT_NE(layout.groups[0].signature, d.session().program().agg_groups[0].signature)
      << "the session's first group should not be the store's first";
  constexpr int kEvents = 2000;
  for (int i = 0; i < kEvents; ++i) d.Feed(NthCardEvent(i, 150), /*record=*/i % 5 != 0);
  EXPECT_EQ(checking->prefetched, kEvents);
  EXPECT_EQ(checking->hashed, kEvents);
  EXPECT_GT(checking->slots, kEvents / 2);
}

// Half a stream, then a snapshot of the state loaded into another store, and
// a hot reload that migrates every table of the first (a column added to
// each group): from there on, both give every aggregate the value that a
// store which saw the whole stream with no load and no reload gives. Several
// shards, so that a key's shard comes from the hash too.
TEST(SessionKeyHash, AfterALoadAndARelayoutTheValuesAreAFreshStoresOnes) {
  const std::vector<std::string> aggs = {"count(by: card, within: 1h)",
                                         "sum(amount, by: card, within: 30m)",
                                         "count(by: merchant, within: 1h)"};
  state::StoreOptions options;
  options.shards = 8;
  auto fresh_store = std::make_shared<state::Store>(options);
  auto store = std::make_shared<state::Store>(options);
  AggDriver fresh(aggs, fresh_store);
  AggDriver before(aggs, store);
  constexpr int kEvents = 4000, kCards = 300;
  int compared = 0;
  for (int i = 0; i < kEvents / 2; ++i) {
    const auto e = NthCardEvent(i, kCards);
    ASSERT_EQ(before.Feed(e), fresh.Feed(e)) << "event " << i;
  }
  const std::string path =
      ::testing::TempDir() + "/vigil_" + std::to_string(::getpid()) + "_key_hash.snap";
  std::string error;
  ASSERT_TRUE(store->Save(path, &error)) << error;
  auto loaded_store = std::make_shared<state::Store>(options);
  AggDriver loaded(aggs, loaded_store);
  ASSERT_TRUE(loaded_store->Load(path, &error)) << error;
  ::unlink(path.c_str());
  // The reload: `before`'s next Apply is stale and it maps itself again.
  AggDriver reload({"count(by: card, within: 2h)", "count(by: merchant, within: 2h)"}, store);
  // Counted apart, so that each way of building the tables shows on its own.
  int after_load = 0, after_relayout = 0;
  for (int i = kEvents / 2; i < kEvents; ++i) {
    const auto e = NthCardEvent(i, kCards);
    const std::vector<std::string> want = fresh.Feed(e);
    if (loaded.Feed(e) != want && ++after_load == 1) {
      ADD_FAILURE() << "after the load, event " << i << " differs first";
    }
    if (before.Feed(e) != want && ++after_relayout == 1) {
      ADD_FAILURE() << "after the relayout, event " << i << " differs first";
    }
    // Values over more than the event itself: the history from before counted.
    compared += want[0] != "1" ? 1 : 0;
  }
  EXPECT_EQ(after_load, 0);
  EXPECT_EQ(after_relayout, 0);
  EXPECT_GT(compared, kEvents / 4);
}

}  // namespace
}  // namespace vigil::testing
