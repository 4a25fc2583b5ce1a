// The embedded store's key table (state/key_table.hpp) against std::map:
// random inserts, lookups and erasures while iterating (as the store's sweep
// does), with hashes forced to collide so that probe runs wrap around the
// index and erasures shift entries back.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory_resource>
#include <random>
#include <string>
#include <vector>

#include "state/checked_resource.hpp"
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

// Keys of 0 to 40 bytes (inline up to 15, on the heap from 16), any byte
// values included (0 and 0xFF, the inline length's and the heap marker's),
// through inserts, lookups, erasures and a move of the table: every key found
// is the key asked for, and every heap copy is given back exactly once.
TEST(KeyTable, KeepsShortKeysInlineAndLongOnesOnTheHeapThroughEveryChange) {
  CheckedResource memory;
  std::mt19937_64 rng(7);
  auto random_key = [&] {
    std::string key(rng() % 41, '\0');
    for (char& c : key) c = static_cast<char>(rng() % 4 == 0 ? 0xFF : rng() % 3);
    return key;
  };
  // Four hash values only: every lookup compares its key with many others
  // of the same slot tag, of every length, differing in any byte.
  auto hash_of = [](const std::string& key) { return state::KeyHash(key) & 3; };
  std::map<std::string, int64_t> want;
  {
    KeyTable table(&memory);
    for (int round = 0; round < 30; ++round) {
      for (int i = 0; i < 100; ++i) {
        const std::string key = random_key();
        KeyHistory* h = table.Find(key, hash_of(key));
        ASSERT_EQ(h != nullptr, want.count(key) == 1) << key.size();
        if (h == nullptr) {
          KeyHistory fresh;
          fresh.max_ts = static_cast<int64_t>(rng() % 1000);
          want[key] = fresh.max_ts;
          table.Insert(key, hash_of(key), std::move(fresh));
        } else {
          EXPECT_EQ(h->max_ts, want[key]);
        }
      }
      const auto cutoff = static_cast<int64_t>(rng() % 600);
      for (auto it = table.begin(); it != table.end();) {
        ASSERT_EQ(it->key.view().size() > state::KeyText::kInline, it->key.heap_bytes() > 0);
        ASSERT_EQ(it->key.heap_bytes() > 0 ? it->key.view().size() : 0, it->key.heap_bytes());
        if (it->history.max_ts < cutoff) {
          ASSERT_EQ(want.erase(std::string(it->key)), 1u);
          it = table.Erase(it);
        } else {
          ++it;
        }
      }
      size_t long_keys = 0;
      for (const auto& [key, max_ts] : want) long_keys += key.size() > state::KeyText::kInline;
      // The index, the entries, and one copy per long key.
      ASSERT_EQ(memory.out(), long_keys + 2);
      for (const auto& [key, max_ts] : want) {
        const KeyHistory* h = table.Find(key, hash_of(key));
        ASSERT_NE(h, nullptr) << key.size();
        EXPECT_EQ(h->max_ts, max_ts);
      }
    }
    KeyTable moved(std::move(table));
    EXPECT_TRUE(table.empty());
    EXPECT_EQ(table.Find(want.begin()->first, hash_of(want.begin()->first)), nullptr);
    EXPECT_EQ(moved.size(), want.size());
    for (const auto& [key, max_ts] : want) ASSERT_NE(moved.Find(key, hash_of(key)), nullptr) << key.size();
  }
  EXPECT_EQ(memory.out(), 0u);  // the moved table's keys went with it, freed once
}

// Keys of every length up to 40 that differ from another of the same length
// in one byte only, at each position, all under one hash value: each is
// found as itself, never as its neighbour (the inline comparison reads every
// byte of a short key, the heap one every byte of a long one).
TEST(KeyTable, TellsKeysApartThatDifferInOneByteAnywhere) {
  KeyTable table;
  std::vector<std::string> keys;
  for (size_t n = 0; n <= 40; ++n) {
    const std::string base(n, 'a');
    keys.push_back(base);
    for (size_t i = 0; i < n; ++i) {
      std::string other = base;
      other[i] = 'b';
      keys.push_back(other);
    }
  }
  for (size_t k = 0; k < keys.size(); ++k) {
    ASSERT_EQ(table.Find(keys[k], 0), nullptr) << keys[k];
    KeyHistory h;
    h.max_ts = static_cast<int64_t>(k);
    table.Insert(keys[k], 0, std::move(h));
  }
  for (size_t k = 0; k < keys.size(); ++k) {
    const KeyHistory* h = table.Find(keys[k], 0);
    ASSERT_NE(h, nullptr) << keys[k];
    EXPECT_EQ(h->max_ts, static_cast<int64_t>(k)) << keys[k];
  }
}

// An entry is one cache line, and with the shard's pool (the store's memory
// resource) each entry starts on a line: a lookup reads the slot and one line.
TEST(KeyTable, EntriesAreOneCacheLineEach) {
  static_assert(sizeof(KeyTable::Entry) == 64);
  std::pmr::unsynchronized_pool_resource pool;
  KeyTable table(&pool);
  for (int n = 0; n < 5000; ++n) {
    const std::string key = "c" + std::to_string(n);
    table.Insert(key, state::KeyHash(key), KeyHistory{});
    ASSERT_EQ(reinterpret_cast<uintptr_t>(&*table.begin()) % 64, 0u) << n;
  }
}

// KeyHash picks a key's shard, and a snapshot writes keys shard by shard:
// its values must stay std::hash's (state/key_table.hpp), for every length
// (whole 8-byte words and every tail of 1 to 7 bytes) and every byte value.
TEST(KeyHash, IsStdHashOfStringView) {
  std::mt19937_64 rng(11);
  std::string bytes;
  for (size_t n = 0; n <= 80; ++n) {
    for (int trial = 0; trial < 64; ++trial) {
      bytes.resize(n);
      for (char& c : bytes) {
        const uint64_t r = rng() % 4;
        c = r == 0 ? '\0' : r == 1 ? static_cast<char>(0xFF) : static_cast<char>(rng());
      }
      ASSERT_EQ(state::KeyHash(bytes), std::hash<std::string_view>()(bytes))
          << "length " << n << ", trial " << trial;
    }
  }
  // Keys as the store sees them: a card's id, and from an offset in a buffer.
  const std::string buffer = "xx c9009614 card:4716-0001-2345-6789 merchant m689284";
  for (size_t at = 0; at < buffer.size(); ++at) {
    for (size_t n = 0; at + n <= buffer.size(); ++n) {
      const std::string_view key(buffer.data() + at, n);
      ASSERT_EQ(state::KeyHash(key), std::hash<std::string_view>()(key)) << at << " " << n;
    }
  }
}

}  // namespace
}  // namespace vigil::testing
