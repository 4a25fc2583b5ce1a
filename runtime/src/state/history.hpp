// One key's history in the embedded store: its recent entries in time order,
// each with its time, its duplicate and reversal marks and one cell per
// column of its group, plus the running totals of those columns.
//
// Everything but string cells lives in ONE heap block, laid out back to back:
//
//   [Running × columns][time × capacity][Mark × capacity][Cell × capacity × columns]
//
// so that an event of a key costs the key table's slot, the key's small entry
// and this block, not three or four separate heap blocks (times, marks,
// cells, totals) each missing in the cache on its own, and a key's history
// grows with one allocation instead of three. The times stay an array of
// their own so that windows are found by binary search over them
// (ColumnWindow). A history that has never held an entry has no block.
//
// Not thread-safe: the shard's lock guards it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <memory_resource>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "state/marks.hpp"

namespace vigil::state {

// One event's contribution to one aggregate.
struct Cell {
  union {
    int64_t i;  // int, time, duration, bool, decimal units
    double f;
  };
  uint8_t scale;  // decimal: fractional digits, for printing
  uint8_t on;     // `where:` held and the value was present
  Cell() : i(0), scale(0), on(0) {}
};

// A history's string cells (size() × its group's string columns), in a
// vector of their own that exists only once a string is kept: 8 bytes in the
// history rather than a vector's 24, since most groups have no string column
// and the history sits in the key table's entry, which every event of the
// key reads (KeyTable::Entry). The vector-like calls the store makes.
class StringCells {
 public:
  StringCells() = default;
  StringCells(StringCells&&) noexcept = default;
  StringCells& operator=(StringCells&&) noexcept = default;

  size_t size() const { return v_ != nullptr ? v_->size() : 0; }
  bool empty() const { return size() == 0; }
  size_t capacity() const { return v_ != nullptr ? v_->capacity() : 0; }
  // Heap bytes of the vector and its room (the strings' own not included).
  size_t heap_bytes() const {
    return v_ != nullptr ? sizeof(*v_) + v_->capacity() * sizeof(std::string) : 0;
  }
  // Creates the vector only for a non-zero size: histories without string
  // columns never allocate one.
  void resize(size_t n) {
    if (n == 0 && v_ == nullptr) return;
    Get().resize(n);
  }
  void clear() {
    if (v_ != nullptr) v_->clear();
  }
  std::string* data() { return v_ != nullptr ? v_->data() : nullptr; }
  std::string& operator[](size_t i) { return (*v_)[i]; }
  const std::string& operator[](size_t i) const { return (*v_)[i]; }
  const std::string* begin() const { return v_ != nullptr ? v_->data() : nullptr; }
  const std::string* end() const { return v_ != nullptr ? v_->data() + v_->size() : nullptr; }
  // Inserts `n` strings at position `at` (<= size()).
  void Insert(size_t at, const std::string_view* strs, size_t n) {
    if (n == 0) return;
    std::vector<std::string>& v = Get();
    v.insert(v.begin() + static_cast<std::ptrdiff_t>(at), strs, strs + n);
  }
  // Erases the first `n` strings.
  void EraseFront(size_t n) {
    if (n == 0) return;
    v_->erase(v_->begin(), v_->begin() + static_cast<std::ptrdiff_t>(n));
  }

 private:
  std::vector<std::string>& Get() {
    if (v_ == nullptr) v_ = std::make_unique<std::vector<std::string>>();
    return *v_;
  }
  std::unique_ptr<std::vector<std::string>> v_;
};

// Running totals of one count or sum column over entries [lo, end) of its
// key's history (state/running.hpp).
struct Running {
  uint32_t lo = 0;
  uint32_t end = 0;
  int64_t n = 0;           // entries whose cell is on
  int64_t sum = 0;         // sum: of their values
  uint64_t magnitude = 0;  // sum: of their absolute values (at most INT64_MAX)
  uint32_t top_count = 0;  // sum: how many have the largest decimal scale
  uint8_t top_scale = 0;
  bool valid = false;
};

class KeyHistory {
 public:
  KeyHistory() = default;
  // A history whose entries have `columns` cells, its block allocated from
  // `memory` (a shard's pool) when its first entry comes.
  explicit KeyHistory(uint32_t columns,
                      std::pmr::memory_resource* memory = std::pmr::get_default_resource())
      : columns_(columns), memory_(memory) {}
  // Member by member, inline: a key table moves a new key's history two or
  // three times on its way in (and every entry when its vector grows), where
  // a default construction (a call for the default memory resource) then
  // the move assignment's call cost about 50 instructions a move.
  KeyHistory(KeyHistory&& other) noexcept
      : times_(std::exchange(other.times_, nullptr)),
        size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)),
        columns_(other.columns_),
        head(std::exchange(other.head, 0)),
        max_ts(std::exchange(other.max_ts, INT64_MIN)),
        memory_(other.memory_),
        strs(std::move(other.strs)) {}
  KeyHistory& operator=(KeyHistory&& other) noexcept;
  KeyHistory(const KeyHistory&) = delete;
  KeyHistory& operator=(const KeyHistory&) = delete;
  ~KeyHistory() { Free(); }

  uint32_t columns() const { return columns_; }
  // Entries held, those before `head` (dropped, awaiting compaction) included.
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  // Entries not dropped: [head, size()).
  size_t live() const { return size_ - head; }

  // The entries' times, sorted: times()[0, size()).
  const int64_t* times() const { return Times(); }
  int64_t time(size_t e) const { return Times()[e]; }
  int64_t& time(size_t e) { return Times()[e]; }
  int64_t newest() const { return Times()[size_ - 1]; }  // size() > 0
  const Mark& mark(size_t e) const { return Marks()[e]; }
  Mark& mark(size_t e) { return Marks()[e]; }
  // Entry e's cells, one per column.
  const Cell* row(size_t e) const { return Cells() + e * columns_; }
  Cell* row(size_t e) { return Cells() + e * columns_; }
  const Cell& cell(size_t e, uint32_t c) const { return Cells()[e * columns_ + c]; }
  Cell& cell(size_t e, uint32_t c) { return Cells()[e * columns_ + c]; }
  // Column c's running totals (c < columns(); only once there is a block).
  Running& running(uint32_t c) { return reinterpret_cast<Running*>(Block())[c]; }
  const Running& running(uint32_t c) const { return reinterpret_cast<const Running*>(Block())[c]; }
  bool has_block() const { return times_ != nullptr; }
  // The block's first byte (null without one): a prefetch hint (KeyTable).
  const void* block_start() const { return times_ != nullptr ? Block() : nullptr; }

  // Adds an entry at the end (its time no older than the newest). Inline:
  // once per recorded event; only growing the block is a call.
  [[gnu::always_inline]] void Append(int64_t ts, const Mark& mark, const Cell* cells) {
    if (size_ == capacity_) Grow();
    Times()[size_] = ts;
    Marks()[size_] = mark;
    // Whole cells, padding included (one 16-byte move each, where copying
    // the fields was two loads and two stores; snapshots and the store only
    // ever read the fields), through locals: a memcpy's store may alias
    // columns_ as far as the compiler knows.
    Cell* to = Cells() + size_t{size_} * columns_;
    for (const Cell *from = cells, *last = cells + columns_; from != last; ++from, ++to) {
      std::memcpy(static_cast<void*>(to), from, sizeof(Cell));
    }
    ++size_;
  }
  // Adds an entry at position `at` (<= size()); later entries move up by one.
  void Insert(size_t at, int64_t ts, const Mark& mark, const Cell* cells);
  // Makes the history `n` entries of time 0, no marks and cells off (to be
  // filled by the caller: snapshots, migration, external replies), with room
  // for exactly `n`, and every running total invalid. head becomes 0.
  void Resize(size_t n);
  // Erases the first `n` entries (their strings are the caller's).
  void EraseFront(size_t n);
  // Erases every entry, keeping the room.
  void Clear() {
    size_ = 0;
    head = 0;
  }
  // Heap bytes of the block (the strings not included).
  size_t BlockBytes() const { return times_ != nullptr ? BlockBytes(columns_, capacity_) : 0; }

 private:
  static size_t BlockBytes(uint32_t columns, size_t capacity) {
    return columns * sizeof(Running) + capacity * (sizeof(int64_t) + sizeof(Mark)) +
           capacity * columns * sizeof(Cell);
  }
  // The block starts with the running totals; times_ points past them (and
  // is null without a block).
  int64_t* Times() const { return times_; }
  char* Block() const { return reinterpret_cast<char*>(times_) - columns_ * sizeof(Running); }
  Mark* Marks() const { return reinterpret_cast<Mark*>(Times() + capacity_); }
  Cell* Cells() const { return reinterpret_cast<Cell*>(Marks() + capacity_); }
  // Moves the entries into a block with room for `capacity` (>= size()).
  void Reallocate(size_t capacity);
  // Room for one more entry: the block doubles (appends amortised O(1)).
  void Grow();
  void Free();

  // 48 bytes, the fields every event reads first (so that, with its 16-byte
  // key, a key table entry is one cache line: KeyTable::Entry).
  int64_t* times_ = nullptr;
  uint32_t size_ = 0;
  uint32_t capacity_ = 0;
  uint32_t columns_ = 0;

 public:
  // Entries before this one are dropped (left every window); compacted away
  // once they are half of the history (Store::Evict).
  uint32_t head = 0;
  int64_t max_ts = INT64_MIN;  // the latest event recorded for this key

 private:
  std::pmr::memory_resource* memory_ = std::pmr::get_default_resource();

 public:
  // String cells: size() × the group's string columns; empty without them.
  StringCells strs;
};

}  // namespace vigil::state
