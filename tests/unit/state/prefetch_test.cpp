// Store::Prefetch (Backend::Prefetch): the session asks, before the shard's
// lock, for the slot of its key in the table's index, from copies of where
// that index lies that the store keeps beside the lock. Those copies must
// follow the index wherever it moves (it grows as keys arrive; a hot reload
// and a loaded snapshot replace the tables), or the prefetch asks for the
// wrong memory and the state path pays its miss again, with every result
// unchanged: so the test compares addresses, not results.
#include <unistd.h>

#include <cstring>

#include <fmt/format.h>

#include "state/key_table.hpp"
#include "state/state_test_util.hpp"

namespace vigil::testing {
namespace {

// A one-string key as the session encodes it: its length (4 bytes), then its
// bytes (eval/session_aggregates.cpp, EncodeKey).
std::string EncodedKey(const std::string& text) {
  const auto n = static_cast<uint32_t>(text.size());
  std::string key(4, '\0');
  std::memcpy(key.data(), &n, 4);
  return key + text;
}

std::map<std::string, FieldValue> NthEvent(int i, int keys) {
  char buf[48];
  const int64_t t = *ParseTime("2026-03-01T00:00:00Z") + int64_t{i} * 7 * 1000000;
  return {{"ts", Time{std::string(buf, FormatTime(t, buf))}},
          {"card", fmt::format("c{}", i % keys)},
          {"merchant", fmt::format("m{}", i % (keys / 3 + 1))}};
}

// For every key of the stream and both groups: the address Prefetch asks
// for is the home slot that Apply's lookup starts at; `seen` counts the
// keys whose index was not empty (so that the comparison compared something).
void ExpectPrefetchFindsTheHomeSlots(state::Store& store, int keys, const char* when, int* seen) {
  for (int k = 0; k < keys; ++k) {
    for (const std::string& text : {fmt::format("c{}", k), fmt::format("m{}", k)}) {
      const std::string key = EncodedKey(text);
      for (uint32_t g = 0; g < 2; ++g) {
        const char* home = store.HomeSlotForTest(g, key);
        ASSERT_EQ(store.PrefetchAddress(g, state::KeyHash(key)), home)
            << when << ": group " << g << ", key " << text;
        *seen += home != nullptr ? 1 : 0;
      }
    }
  }
}

TEST(StorePrefetch, AsksForTheSlotApplyReadsAsTheIndexGrowsAndMoves) {
  const std::vector<std::string> aggs = {"count(by: card, within: 1h)",
                                         "count(by: merchant, within: 1h)"};
  // A few shards, so that each table's index grows several times (16 slots,
  // then 32, ...), moving each time.
  state::StoreOptions options;
  options.shards = 2;
  auto store = std::make_shared<state::Store>(options);
  AggDriver d(aggs, store);
  constexpr int kKeys = 300;
  int seen = 0;
  for (int i = 0; i < kKeys; ++i) {
    d.Feed(NthEvent(i, kKeys));
    if (i % 37 == 0) ExpectPrefetchFindsTheHomeSlots(*store, kKeys, "while keys arrive", &seen);
  }
  ExpectPrefetchFindsTheHomeSlots(*store, kKeys, "after the stream", &seen);
  EXPECT_GT(seen, 0);

  // A hot reload that adds a column migrates every table into new ones.
  AggDriver reloaded({"count(by: card, within: 1h)", "count(by: merchant, within: 2h)",
                      "count(by: card, within: 2h)"},
                     store);
  seen = 0;
  ExpectPrefetchFindsTheHomeSlots(*store, kKeys, "after a reload", &seen);
  EXPECT_GT(seen, 0);

  // A snapshot loaded into another store builds its tables afresh.
  const std::string path =
      ::testing::TempDir() + "/vigil_" + std::to_string(::getpid()) + "_prefetch.snap";
  std::string error;
  ASSERT_TRUE(store->Save(path, &error)) << error;
  auto loaded = std::make_shared<state::Store>(options);
  AggDriver other(aggs, loaded);
  ASSERT_TRUE(loaded->Load(path, &error)) << error;
  ::unlink(path.c_str());
  seen = 0;
  ExpectPrefetchFindsTheHomeSlots(*loaded, kKeys, "after a load", &seen);
  EXPECT_GT(seen, 0);
}

}  // namespace
}  // namespace vigil::testing
