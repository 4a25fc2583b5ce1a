#include "state/history.hpp"

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>
#include <utility>

namespace vigil::state {

namespace {

// The block's alignment: every part of it (Running, times, Mark, Cell) needs
// at most 8; 16 keeps Cell pairs on 16-byte boundaries.
constexpr size_t kBlockAlign = 16;

static_assert(sizeof(Running) % 8 == 0 && sizeof(Mark) % 8 == 0 && sizeof(Cell) % 8 == 0,
              "the parts of a history's block stay 8-byte aligned back to back");

}  // namespace

KeyHistory& KeyHistory::operator=(KeyHistory&& other) noexcept {
  if (this == &other) return *this;
  Free();
  times_ = std::exchange(other.times_, nullptr);
  memory_ = other.memory_;
  size_ = std::exchange(other.size_, 0);
  capacity_ = std::exchange(other.capacity_, 0);
  columns_ = other.columns_;
  head = std::exchange(other.head, 0);
  max_ts = std::exchange(other.max_ts, INT64_MIN);
  strs = std::move(other.strs);
  other.strs.clear();
  return *this;
}

void KeyHistory::Free() {
  if (times_ != nullptr) memory_->deallocate(Block(), BlockBytes(), kBlockAlign);
  times_ = nullptr;
  capacity_ = 0;
}

void KeyHistory::Reallocate(size_t capacity) {
  if (capacity > UINT32_MAX) throw std::length_error("a key's history is too long");
  char* fresh = static_cast<char*>(
      memory_->allocate(BlockBytes(columns_, capacity), kBlockAlign));
  const size_t running_bytes = columns_ * sizeof(Running);
  auto* ts = reinterpret_cast<int64_t*>(fresh + running_bytes);
  auto* marks = reinterpret_cast<Mark*>(ts + capacity);
  auto* cells = reinterpret_cast<Cell*>(marks + capacity);
  if (times_ != nullptr) {
    // Every part is trivially copyable: the block moves byte by byte.
    std::memcpy(fresh, Block(), running_bytes);
    std::memcpy(ts, Times(), size_ * sizeof(int64_t));
    std::memcpy(static_cast<void*>(marks), Marks(), size_ * sizeof(Mark));
    std::memcpy(static_cast<void*>(cells), Cells(), size_ * columns_ * sizeof(Cell));
    memory_->deallocate(Block(), BlockBytes(), kBlockAlign);
  } else {
    // A new history's totals describe its (empty) entries exactly: valid,
    // so that a key's first events follow them without a scan.
    for (uint32_t c = 0; c < columns_; ++c) {
      (new (fresh + c * sizeof(Running)) Running())->valid = true;
    }
  }
  times_ = ts;
  capacity_ = static_cast<uint32_t>(capacity);
}

void KeyHistory::Grow() { Reallocate(std::max<size_t>(2, size_t{capacity_} * 2)); }

void KeyHistory::Insert(size_t at, int64_t ts, const Mark& mark, const Cell* cells) {
  if (size_ == capacity_) Grow();
  const size_t after = size_ - at;
  int64_t* times = Times();
  Mark* marks = Marks();
  Cell* all = Cells();
  std::memmove(times + at + 1, times + at, after * sizeof(int64_t));
  std::memmove(static_cast<void*>(marks + at + 1), marks + at, after * sizeof(Mark));
  std::memmove(static_cast<void*>(all + (at + 1) * columns_), all + at * columns_,
               after * columns_ * sizeof(Cell));
  times[at] = ts;
  marks[at] = mark;
  for (uint32_t c = 0; c < columns_; ++c) all[at * columns_ + c] = cells[c];
  ++size_;
}

void KeyHistory::Resize(size_t n) {
  Free();
  size_ = 0;
  head = 0;
  if (n == 0) return;
  Reallocate(n);
  // Filled by the caller afterwards, out of the totals' sight: they start over.
  for (uint32_t c = 0; c < columns_; ++c) running(c).valid = false;
  std::fill_n(Times(), n, int64_t{0});
  std::fill_n(Marks(), n, Mark{});
  std::fill_n(Cells(), n * columns_, Cell{});
  size_ = static_cast<uint32_t>(n);
}

void KeyHistory::EraseFront(size_t n) {
  const size_t rest = size_ - n;
  int64_t* times = Times();
  Mark* marks = Marks();
  Cell* all = Cells();
  std::memmove(times, times + n, rest * sizeof(int64_t));
  std::memmove(static_cast<void*>(marks), marks + n, rest * sizeof(Mark));
  std::memmove(static_cast<void*>(all), all + n * columns_, rest * columns_ * sizeof(Cell));
  size_ = static_cast<uint32_t>(rest);
  head = head > n ? head - static_cast<uint32_t>(n) : 0;
}

}  // namespace vigil::state
