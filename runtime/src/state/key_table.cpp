#include "state/key_table.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <utility>

namespace vigil::state {

#if !(defined(__GLIBCXX__) && SIZE_MAX == UINT64_MAX && \
      __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
uint64_t KeyHash(std::string_view key) { return std::hash<std::string_view>()(key); }
#endif

KeyText KeyText::Make(std::string_view key, std::pmr::memory_resource* memory) {
  KeyText k;
  if (key.size() <= kInline) {
    std::memcpy(k.bytes_, key.data(), key.size());
    k.bytes_[kInline] = static_cast<char>(key.size());
    return k;
  }
  if (key.size() > UINT32_MAX) throw std::length_error("a key is too long");
  char* copy = static_cast<char*>(memory->allocate(key.size(), 1));
  std::memcpy(copy, key.data(), key.size());
  const auto n = static_cast<uint32_t>(key.size());
  std::memcpy(k.bytes_, &copy, sizeof(copy));
  std::memcpy(k.bytes_ + sizeof(copy), &n, sizeof(n));
  k.bytes_[kInline] = kOnHeap;
  return k;
}

void KeyText::Free(std::pmr::memory_resource* memory) {
  if (bytes_[kInline] != kOnHeap) return;
  memory->deallocate(const_cast<char*>(HeapData()), HeapSize(), 1);
  *this = KeyText();
}

KeyTable::KeyTable(std::pmr::memory_resource* memory)
    : slots_(memory), entries_(memory) {}

KeyTable::KeyTable(KeyTable&& other) noexcept
    : slots_(std::move(other.slots_)),
      entries_(std::move(other.entries_)),
      mask_(other.mask_),
      last_slot_(other.last_slot_) {
  // A vector moved with its allocator leaves the source empty; said here
  // because the keys' copies now belong to this table alone.
  other.slots_.clear();
  other.entries_.clear();
  other.mask_ = 0;
}

KeyTable::~KeyTable() {
  std::pmr::memory_resource* memory = entries_.get_allocator().resource();
  for (Entry& e : entries_) e.key.Free(memory);
}

size_t KeyTable::SlotOf(uint64_t hash, uint32_t index) const {
  for (size_t i = static_cast<uint32_t>(hash) & mask_;; i = (i + 1) & mask_) {
    if (slots_[i].index == index) return i;
  }
}

void KeyTable::Grow() {
  const size_t capacity = slots_.empty() ? 16 : slots_.size() * 2;
  std::pmr::vector<Slot> old = std::move(slots_);  // same allocator: no copy
  slots_ = std::pmr::vector<Slot>(capacity, Slot{}, old.get_allocator());
  mask_ = capacity - 1;
  for (const Slot& s : old) {
    if (s.index == kEmpty) continue;
    size_t i = s.tag & mask_;
    while (slots_[i].index != kEmpty) i = (i + 1) & mask_;
    slots_[i] = s;
  }
}

KeyHistory& KeyTable::Insert(std::string_view key, uint64_t hash, KeyHistory history) {
  if ((entries_.size() + 1) * 4 > slots_.size() * 3) Grow();
  const auto tag = static_cast<uint32_t>(hash);
  size_t i = tag & mask_;
  while (slots_[i].index != kEmpty) i = (i + 1) & mask_;
  slots_[i] = Slot{tag, static_cast<uint32_t>(entries_.size()), nullptr};
  last_slot_ = i;
  if (entries_.size() == entries_.capacity()) {
    entries_.reserve(std::max<size_t>(8, entries_.capacity() + entries_.capacity() / 2));
  }
  entries_.push_back(
      Entry{KeyText::Make(key, entries_.get_allocator().resource()), std::move(history)});
  return entries_.back().history;
}

bool KeyTable::TryInsert(std::string_view key, KeyHistory history) {
  const uint64_t hash = KeyHash(key);
  if (Find(key, hash) != nullptr) return false;
  Insert(key, hash, std::move(history));
  return true;
}

void KeyTable::EmptySlot(size_t i) {
  // Later slots of the same probe run move back into the hole unless their
  // home slot lies (cyclically) after it.
  size_t j = i;
  for (;;) {
    slots_[i].index = kEmpty;
    for (;;) {
      j = (j + 1) & mask_;
      if (slots_[j].index == kEmpty) return;
      const size_t home = slots_[j].tag & mask_;
      const bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (!stays) break;
    }
    slots_[i] = slots_[j];
    i = j;
  }
}

KeyTable::iterator KeyTable::Erase(iterator it) {
  const auto index = static_cast<uint32_t>(it - entries_.begin());
  EmptySlot(SlotOf(KeyHash(it->key), index));
  it->key.Free(entries_.get_allocator().resource());
  const auto last = static_cast<uint32_t>(entries_.size() - 1);
  if (index != last) {
    slots_[SlotOf(KeyHash(entries_[last].key), last)].index = index;
    *it = std::move(entries_[last]);
  }
  entries_.pop_back();
  return entries_.begin() + index;
}

}  // namespace vigil::state
