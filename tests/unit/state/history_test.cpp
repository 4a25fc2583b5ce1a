// A key's history in one block (state/history.hpp) against a plain reference
// (a vector of entries, each its time, its mark and its cells): random
// appends, inserts anywhere, erasures at the front, clears, resizes and
// moves, for 0 to 4 columns, from a counting memory resource that checks
// every block is given back with the size and alignment it was taken with.
// The running totals at the block's start must survive every reallocation.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory_resource>
#include <random>
#include <string>
#include <vector>

#include "state/history.hpp"
#include "state/checked_resource.hpp"

namespace vigil::testing {
namespace {

using state::Cell;
using state::KeyHistory;
using state::Mark;

struct RefEntry {
  int64_t ts;
  Mark mark;
  std::vector<Cell> cells;
};

void ExpectSame(const KeyHistory& h, const std::vector<RefEntry>& ref, uint32_t columns,
                uint32_t head) {
  ASSERT_EQ(h.size(), ref.size());
  ASSERT_EQ(h.head, head);
  ASSERT_LE(h.size(), h.capacity());
  for (size_t e = 0; e < ref.size(); ++e) {
    ASSERT_EQ(h.time(e), ref[e].ts) << e;
    ASSERT_EQ(h.times()[e], ref[e].ts) << e;
    ASSERT_EQ(h.mark(e).id, ref[e].mark.id) << e;
    ASSERT_EQ(h.mark(e).ref, ref[e].mark.ref) << e;
    ASSERT_EQ(h.mark(e).reversed, ref[e].mark.reversed) << e;
    for (uint32_t c = 0; c < columns; ++c) {
      ASSERT_EQ(h.cell(e, c).i, ref[e].cells[c].i) << e << " " << c;
      ASSERT_EQ(h.cell(e, c).scale, ref[e].cells[c].scale) << e << " " << c;
      ASSERT_EQ(h.cell(e, c).on, ref[e].cells[c].on) << e << " " << c;
      ASSERT_EQ(&h.row(e)[c], &h.cell(e, c));
    }
  }
}

TEST(KeyHistory, AgreesWithAVectorOfEntriesThroughEveryChange) {
  CheckedResource memory;
  std::mt19937_64 rng(16);
  for (uint32_t columns = 0; columns <= 4; ++columns) {
    KeyHistory h(columns, &memory);
    std::vector<RefEntry> ref;
    uint32_t head = 0;
    // What each column's running totals were set to: they must survive the
    // block's reallocations untouched.
    std::vector<int64_t> running(columns, 0);
    auto random_entry = [&](int64_t ts) {
      RefEntry e{ts, Mark{rng(), rng(), rng() % 2 == 0}, {}};
      for (uint32_t c = 0; c < columns; ++c) {
        Cell cell;
        cell.i = static_cast<int64_t>(rng());
        cell.scale = static_cast<uint8_t>(rng() % 19);
        cell.on = static_cast<uint8_t>(rng() % 2);
        e.cells.push_back(cell);
      }
      return e;
    };
    for (int step = 0; step < 4000; ++step) {
      const uint64_t op = rng() % 100;
      if (op < 55) {  // append at the end
        RefEntry e = random_entry(ref.empty() ? 0 : ref.back().ts + static_cast<int64_t>(rng() % 3));
        h.Append(e.ts, e.mark, e.cells.data());
        ref.push_back(e);
      } else if (op < 80) {  // insert anywhere at or after head
        const size_t at = head + (rng() % (ref.size() - head + 1));
        RefEntry e = random_entry(static_cast<int64_t>(rng() % 1000));
        h.Insert(at, e.ts, e.mark, e.cells.data());
        ref.insert(ref.begin() + static_cast<std::ptrdiff_t>(at), e);
      } else if (op < 88 && !ref.empty()) {  // drop some, then compact
        head = static_cast<uint32_t>(rng() % (ref.size() + 1));
        h.head = head;
        const size_t n = rng() % (head + 1);
        h.EraseFront(n);
        ref.erase(ref.begin(), ref.begin() + static_cast<std::ptrdiff_t>(n));
        head -= static_cast<uint32_t>(n);
      } else if (op < 90) {
        const size_t room = h.capacity();
        h.Clear();
        ref.clear();
        head = 0;
        EXPECT_EQ(h.capacity(), room);  // the room is kept
      } else if (op < 92) {  // as snapshots and replies fill a history
        const size_t n = rng() % 40;
        h.Resize(n);
        ref.assign(n, RefEntry{0, Mark{}, std::vector<Cell>(columns)});
        head = 0;
        for (size_t e = 0; e < n; ++e) {
          RefEntry r = random_entry(static_cast<int64_t>(e));
          h.time(e) = r.ts;
          h.mark(e) = r.mark;
          for (uint32_t c = 0; c < columns; ++c) h.cell(e, c) = r.cells[c];
          ref[e] = r;
        }
        EXPECT_EQ(h.capacity(), n);
        EXPECT_EQ(h.has_block(), n > 0);  // no entry, no block
        for (uint32_t c = 0; c < columns && n > 0; ++c) {
          EXPECT_FALSE(h.running(c).valid);  // a resized history's totals start over
          EXPECT_EQ(h.running(c).sum, 0);
        }
        std::fill(running.begin(), running.end(), 0);
      } else if (op < 95) {  // moved out and back
        KeyHistory moved(std::move(h));
        EXPECT_EQ(h.size(), 0u);
        EXPECT_FALSE(h.has_block());
        h = std::move(moved);
      } else if (h.has_block()) {
        for (uint32_t c = 0; c < columns; ++c) {
          running[c] = static_cast<int64_t>(rng());
          h.running(c).sum = running[c];
        }
      }
      ASSERT_NO_FATAL_FAILURE(ExpectSame(h, ref, columns, head)) << "step " << step;
      if (h.has_block()) {
        for (uint32_t c = 0; c < columns; ++c) ASSERT_EQ(h.running(c).sum, running[c]);
        EXPECT_EQ(h.BlockBytes(), columns * sizeof(state::Running) +
                                      h.capacity() * (sizeof(int64_t) + sizeof(Mark)) +
                                      h.capacity() * columns * sizeof(Cell));
      } else {
        EXPECT_EQ(h.BlockBytes(), 0u);
      }
    }
  }
  EXPECT_EQ(memory.out(), 0u);
}

TEST(KeyHistory, GrowsByDoublingSoThatAppendsAreAmortisedConstant) {
  CheckedResource memory;
  KeyHistory h(3, &memory);
  EXPECT_FALSE(h.has_block());  // no entry, no block
  Cell cells[3];
  size_t reallocations = 0, room = 0;
  for (int64_t t = 0; t < 10000; ++t) {
    h.Append(t, Mark{}, cells);
    if (h.capacity() != room) {
      ++reallocations;
      room = h.capacity();
    }
    EXPECT_EQ(memory.out(), 1u);  // one block per key, whatever its length
  }
  EXPECT_LE(reallocations, 14u);
  EXPECT_LE(h.capacity(), 2 * h.size());
}

// The string cells live apart from the history (8 bytes in it, so that the
// key table's entry is one cache line) and exist only once a string is kept:
// what the store does to them (inserts, erasures at the front, clears, moves)
// against a plain vector.
TEST(KeyHistory, KeepsStringCellsApartAndOnlyOnceThereAreAny) {
  static_assert(sizeof(KeyHistory) == 48, "a key's entry is its 16-byte key and this");
  KeyHistory h(1);
  h.strs.resize(0);
  h.strs.clear();
  h.strs.EraseFront(0);
  h.strs.Insert(0, nullptr, 0);
  EXPECT_EQ(h.strs.heap_bytes(), 0u);  // a group without string columns: nothing allocated
  EXPECT_EQ(h.strs.data(), nullptr);
  EXPECT_EQ(h.strs.begin(), h.strs.end());
  std::mt19937_64 rng(3);
  std::vector<std::string> ref;
  for (int step = 0; step < 2000; ++step) {
    const size_t op = rng() % 6;
    if (op < 3) {
      const std::string a = std::to_string(rng() % 100), b(rng() % 40, 'x');
      const std::string_view views[2] = {a, b};
      const size_t at = ref.empty() ? 0 : rng() % (ref.size() + 1);
      h.strs.Insert(at, views, 2);
      ref.insert(ref.begin() + static_cast<std::ptrdiff_t>(at), {a, b});
    } else if (op == 3) {
      const size_t n = ref.empty() ? 0 : rng() % (ref.size() + 1);
      h.strs.EraseFront(n);
      ref.erase(ref.begin(), ref.begin() + static_cast<std::ptrdiff_t>(n));
    } else if (op == 4 && rng() % 20 == 0) {
      h.strs.clear();
      ref.clear();
    } else if (op == 5 && rng() % 10 == 0) {
      KeyHistory other(std::move(h));
      EXPECT_EQ(h.strs.size(), 0u);
      h = std::move(other);
    }
    ASSERT_EQ(h.strs.size(), ref.size());
    ASSERT_TRUE(std::equal(h.strs.begin(), h.strs.end(), ref.begin(), ref.end()));
  }
  EXPECT_GT(h.strs.heap_bytes(), 0u);
}

// KeyHistory's move constructor (member by member, inline: a key table moves
// a new key's history two or three times on its way in) takes every field,
// its memory resource included, and leaves an empty history of the same
// columns that still allocates from that resource.
TEST(KeyHistory, AMoveTakesEveryFieldAndLeavesAnEmptyHistory) {
  CheckedResource memory;
  KeyHistory h(2, &memory);
  Cell cells[2];
  cells[0].i = 7;
  cells[0].on = 1;
  cells[1].i = -3;
  cells[1].scale = 2;
  for (int64_t t = 10; t < 13; ++t) h.Append(t, Mark{static_cast<uint64_t>(t), 5, false}, cells);
  h.head = 1;
  h.max_ts = 12;
  h.running(1).sum = 99;
  const std::string_view strs[] = {"a", "b", "c"};
  h.strs.Insert(0, strs, 3);
  const int64_t* block = h.times();

  KeyHistory moved(std::move(h));
  EXPECT_EQ(moved.columns(), 2u);
  EXPECT_EQ(moved.size(), 3u);
  EXPECT_EQ(moved.capacity(), 4u);
  EXPECT_EQ(moved.head, 1u);
  EXPECT_EQ(moved.max_ts, 12);
  EXPECT_EQ(moved.times(), block);  // the block itself, not a copy
  EXPECT_EQ(moved.running(1).sum, 99);
  EXPECT_EQ(moved.cell(2, 1).scale, 2);
  EXPECT_EQ(moved.mark(2).id, 12u);
  ASSERT_EQ(moved.strs.size(), 3u);
  EXPECT_EQ(moved.strs[2], "c");
  EXPECT_EQ(memory.out(), 1u);

  EXPECT_EQ(h.columns(), 2u);
  EXPECT_EQ(h.size(), 0u);
  EXPECT_EQ(h.capacity(), 0u);
  EXPECT_EQ(h.head, 0u);
  EXPECT_EQ(h.max_ts, INT64_MIN);
  EXPECT_FALSE(h.has_block());
  EXPECT_EQ(h.strs.size(), 0u);

  // Both go on allocating from `memory` (which fails a block freed to
  // another resource): the moved-to one grows, the moved-from one starts a
  // block of its own.
  for (int64_t t = 13; t < 20; ++t) moved.Append(t, Mark{}, cells);
  h.Append(1, Mark{}, cells);
  EXPECT_EQ(memory.out(), 2u);
  EXPECT_EQ(moved.running(1).sum, 99);
  EXPECT_EQ(h.cell(0, 0).i, 7);
  EXPECT_EQ(h.cell(0, 1).scale, 2);
}

}  // namespace
}  // namespace vigil::testing
