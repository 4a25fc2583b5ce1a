// The embedded store's key table (state/key_table.hpp) against std::map:
// random inserts, lookups and erasures while iterating (as the store's sweep
// does), with hashes forced to collide so that probe runs wrap around the
// index and erasures shift entries back.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

#include "state/key_table.hpp"

namespace vigil::testing {
namespace {

using state::KeyHistory;
using state::KeyTable;

TEST(KeyTable, AgreesWithAnOrderedMapThroughInsertsAndSweeps) {
  for (uint64_t hash_bits : {64u, 3u, 0u}) {  // real hashes, 8 values, all equal
    std::mt19937_64 rng(hash_bits);
    auto hash_of = [&](const std::string& key) {
      const uint64_t h = state::KeyHash(key);
      return hash_bits == 64 ? h : (h & ((uint64_t{1} << hash_bits) - 1)) | (~uint64_t{0} << 60);
    };
    KeyTable table;
    std::map<std::string, int64_t> want;  // key → max_ts
    for (int round = 0; round < 40; ++round) {
      for (int i = 0; i < 50; ++i) {
        const std::string key = "k" + std::to_string(rng() % 400);
        KeyHistory* h = table.Find(key, hash_of(key));
        ASSERT_EQ(h != nullptr, want.count(key) == 1) << key;
        if (h == nullptr) {
          KeyHistory fresh;
          fresh.max_ts = static_cast<int64_t>(rng() % 1000);
          table.Insert(key, hash_of(key), std::move(fresh)).Append(1, state::Mark{}, nullptr);
          want[key] = static_cast<int64_t>(table.Find(key, hash_of(key))->max_ts);
        } else {
          EXPECT_EQ(h->max_ts, want[key]);
          ASSERT_EQ(h->size(), 1u);
        }
      }
      // A sweep: erase every entry under a cutoff while iterating.
      const auto cutoff = static_cast<int64_t>(rng() % 400);
      const size_t before = table.size();
      size_t visited = 0;
      for (auto it = table.begin(); it != table.end();) {
        ++visited;
        if (it->history.max_ts < cutoff) {
          ASSERT_EQ(want.erase(std::string(it->key)), 1u);
          it = table.Erase(it);
        } else {
          ++it;
        }
      }
      ASSERT_EQ(visited, before);  // every entry once, erasures included
      ASSERT_EQ(table.size(), want.size());
      for (const auto& [key, max_ts] : want) {
        KeyHistory* h = table.Find(key, hash_of(key));
        ASSERT_NE(h, nullptr) << key;
        EXPECT_EQ(h->max_ts, max_ts);
      }
    }
  }
}

TEST(KeyTable, RefusesADuplicateKeyAndSeesEachEntryOnce) {
  KeyTable table;
  EXPECT_TRUE(table.TryInsert("a", KeyHistory{}));
  EXPECT_TRUE(table.TryInsert("b", KeyHistory{}));
  EXPECT_FALSE(table.TryInsert("a", KeyHistory{}));
  EXPECT_EQ(table.size(), 2u);
  EXPECT_EQ(table.Find("c"), nullptr);
  std::map<std::string, int> seen;
  for (const auto& [key, h] : table) ++seen[std::string(key)];
  EXPECT_EQ(seen, (std::map<std::string, int>{{"a", 1}, {"b", 1}}));
}

// docs/state.md's memory per key: the table's room beyond its keys is at most
// half of them (entries grow by half, not doubled) plus an index of 16-byte
// slots at least 3/8 full.
TEST(KeyTable, HoldsAtMostHalfAgainItsKeysInReservedRoom) {
  KeyTable table;
  for (size_t n = 1; n <= 20000; ++n) {
    table.Insert("k" + std::to_string(n), state::KeyHash("k" + std::to_string(n)), KeyHistory{});
    if (n < 8) continue;
    const double entries = static_cast<double>(n) * sizeof(KeyTable::Entry);
    const double slots = (16.0 + static_cast<double>(n) * 8 / 3) * 16;
    ASSERT_LE(static_cast<double>(table.TableBytes()), entries * 1.5 + slots) << n;
  }
}

}  // namespace
}  // namespace vigil::testing
