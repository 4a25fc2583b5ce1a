// The embedded store's map from an encoded key to its history, one per shard
// and aggregate group. Built for the one lookup per group and event that the
// state path makes: the caller hashes the key once (the same hash chooses the
// shard), and a lookup reads one 8-byte slot of a flat power-of-two index
// (linear probing; the slot keeps the hash's low 32 bits, which place it and
// filter out most other keys) and then the entry itself,
// instead of the bucket array, a neighbour node and the node's far end that a
// node-based std::unordered_map touches. Entries are dense in one vector, so
// iterating (snapshots, sweeps, statistics) walks memory in order, and a key
// that comes back after its history was dropped reuses room already there:
// no allocation once the table has grown to the shard's keys.
//
// Not thread-safe: the shard's lock guards it.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory_resource>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "state/backend.hpp"

namespace vigil::state {

// The hash of an encoded key, shared by the shard choice and the table. It
// is std::hash<std::string_view>'s value and must stay so: it picks a key's
// shard, and a snapshot writes keys shard by shard (state/snapshot.cpp), so
// another hash would reorder saved files. With libstdc++ on a little-endian
// 64-bit target that value (its _Hash_bytes: MurmurHash64A-like, under the
// seed 0xc70f6907) is computed here, inline: the call into the library and
// its byte loop for the last bytes were 76 instructions of every event on
// the state path. KeyHash.IsStdHashOfStringView checks it against std::hash.
#if defined(__GLIBCXX__) && SIZE_MAX == UINT64_MAX && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
[[gnu::always_inline]] inline uint64_t KeyHash(std::string_view key) {
  constexpr uint64_t kMul = (uint64_t{0xc6a4a793} << 32) + 0x5bd1e995;
  constexpr uint64_t kSeed = 0xc70f6907;
  const auto shift_mix = [](uint64_t v) { return v ^ (v >> 47); };
  const char* p = key.data();
  const size_t n = key.size();
  uint64_t hash = kSeed ^ (n * kMul);
  const size_t whole = n & ~size_t{7};
  for (size_t i = 0; i < whole; i += 8) {
    uint64_t data;
    std::memcpy(&data, p + i, 8);
    hash ^= shift_mix(data * kMul) * kMul;
    hash *= kMul;
  }
  if (const size_t rest = n & 7; rest != 0) {
    hash ^= LoadTailLittleEndian(reinterpret_cast<const unsigned char*>(p + whole), rest);
    hash *= kMul;
  }
  hash = shift_mix(hash) * kMul;
  return shift_mix(hash);
}
#else
uint64_t KeyHash(std::string_view key);
#endif

// A key's encoded bytes in 16 bytes: up to 15 inline (a card's or an
// account's id: most keys), longer ones in a copy on the heap, which the key
// table that holds the key allocates and frees (a KeyText does neither: it is
// copied byte for byte when the table's entries move).
class KeyText {
 public:
  static constexpr size_t kInline = 15;

  std::string_view view() const {
    if (bytes_[kInline] != kOnHeap) {
      return std::string_view(bytes_, static_cast<unsigned char>(bytes_[kInline]));
    }
    return std::string_view(HeapData(), HeapSize());
  }
  operator std::string_view() const { return view(); }
  bool operator==(std::string_view other) const {
    if (other.size() <= kInline) {
      // The inline length byte differs from a heap key's marker, so a short
      // key never equals a long one.
      return static_cast<unsigned char>(bytes_[kInline]) == other.size() &&
             SameShortBytes(bytes_, other.data(), other.size());
    }
    return bytes_[kInline] == kOnHeap && view() == other;
  }
  // Heap bytes of a long key's copy (0 for an inline key).
  size_t heap_bytes() const { return bytes_[kInline] == kOnHeap ? HeapSize() : 0; }

 private:
  friend class KeyTable;
  static constexpr char kOnHeap = static_cast<char>(0xFF);

  static KeyText Make(std::string_view key, std::pmr::memory_resource* memory);
  // Whether a[0, n) == b[0, n) for n <= 15, inline: two overlapping loads
  // per side cover every byte (the first and the last 8, or 4), where a
  // call to memcmp for a length it cannot know was 2% of the state path.
  static bool SameShortBytes(const char* a, const char* b, size_t n) {
    if (n >= 8) return Load<uint64_t>(a) == Load<uint64_t>(b) &&
                       Load<uint64_t>(a + n - 8) == Load<uint64_t>(b + n - 8);
    if (n >= 4) return Load<uint32_t>(a) == Load<uint32_t>(b) &&
                       Load<uint32_t>(a + n - 4) == Load<uint32_t>(b + n - 4);
    for (size_t i = 0; i < n; ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }
  template <typename T>
  static T Load(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof(v));
    return v;
  }
  void Free(std::pmr::memory_resource* memory);
  const char* HeapData() const {
    const char* p;
    std::memcpy(&p, bytes_, sizeof(p));
    return p;
  }
  uint32_t HeapSize() const {
    uint32_t n;
    std::memcpy(&n, bytes_ + sizeof(const char*), sizeof(n));
    return n;
  }

  // Inline: the bytes, then their length in the last byte. On the heap: the
  // copy's address, its length (32 bits), then kOnHeap in the last byte.
  char bytes_[kInline + 1] = {};
};

class KeyTable {
 public:
  // One cache line: the key, then its history's fields that an event reads
  // first. Its lookup (Find) costs the index slot and this one line, the
  // history's block aside.
  struct alignas(64) Entry {
    KeyText key;
    KeyHistory history;
  };
  static_assert(sizeof(KeyText) == 16 && sizeof(Entry) == 64,
                "a key table entry is one cache line");
  using iterator = std::pmr::vector<Entry>::iterator;
  using const_iterator = std::pmr::vector<Entry>::const_iterator;

  explicit KeyTable(std::pmr::memory_resource* memory = std::pmr::get_default_resource());
  // The moved-from table is left empty: its long keys' copies go with the
  // entries. No move assignment: between tables of two memory resources the
  // entries (and their keys' copies) would have to be copied one by one.
  KeyTable(KeyTable&& other) noexcept;
  KeyTable& operator=(KeyTable&&) = delete;
  ~KeyTable();

  // The history of `key` (whose KeyHash is `hash`), or null.
  [[gnu::always_inline]] KeyHistory* Find(std::string_view key, uint64_t hash) {
    if (slots_.empty()) return nullptr;
    const auto tag = static_cast<uint32_t>(hash);
    for (size_t i = tag & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.index == kEmpty) return nullptr;
      if (s.tag != tag) continue;
      // The slot's hint is where the key's history block started after its
      // last event: asking for its first lines now, beside the entry's, makes
      // the block's miss overlap the entry's instead of following it (the
      // entry is what says where the block is). Only a hint: a stale one
      // (the block moved since) costs a useless prefetch, nothing else.
      if (s.hint != nullptr) {
        for (size_t at = 0; at < kHintBytes; at += 64) __builtin_prefetch(s.hint + at);
      }
      last_slot_ = i;
      Entry& entry = entries_[s.index];
      if (entry.key == key) return &entry.history;
    }
  }
  KeyHistory* Find(std::string_view key) { return Find(key, KeyHash(key)); }
  // Where Find's probe for `hash` starts: its home slot, in an index whose
  // slots begin at `slots` under `mask` (slots_data() and slot_mask() of a
  // table). Store::Prefetch computes it from copies of those two that it
  // reads without the shard's lock, only to prefetch it.
  // The sum is made in integers: `slots` may be a stale copy of an index
  // since freed or smaller, and pointer arithmetic on it would be undefined;
  // the address is only ever prefetched.
  static const char* HomeSlot(const char* slots, uint32_t mask, uint64_t hash) {
    return reinterpret_cast<const char*>(reinterpret_cast<uintptr_t>(slots) +
                                         uintptr_t{static_cast<uint32_t>(hash) & mask} * sizeof(Slot));
  }
  // The index's first slot (null while it is empty) and its mask, which
  // change only when the index grows (Insert) or the table is moved.
  const char* slots_data() const { return reinterpret_cast<const char*>(slots_.data()); }
  uint32_t slot_mask() const { return static_cast<uint32_t>(mask_); }
  // Sets the hint of the slot of the key last found or inserted (no insert
  // or erase since) to `block`, the start of its history's block.
  void HintLast(const void* block) { slots_[last_slot_].hint = static_cast<const char*>(block); }
  // Adds `key`, which must not be in the table, with `history`.
  KeyHistory& Insert(std::string_view key, uint64_t hash, KeyHistory history);
  // Adds `key` unless it is there; false when it was.
  bool TryInsert(std::string_view key, KeyHistory history);
  // Removes the entry at `it`; the last entry takes its place, so the
  // returned iterator (the same position) is the next one not yet visited.
  iterator Erase(iterator it);

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  iterator begin() { return entries_.begin(); }
  iterator end() { return entries_.end(); }
  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  // Heap bytes of the index and of the entries' room (keys' and histories'
  // own allocations not included).
  size_t TableBytes() const {
    return slots_.capacity() * sizeof(Slot) + entries_.capacity() * sizeof(Entry);
  }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  // How much of a history's block Find prefetches from its hint: the
  // running totals and the first times, marks and cells of a short history
  // (most keys'); Store::Apply asks for the rest once the entry is there.
  static constexpr size_t kHintBytes = 256;
  // 16 bytes (8 before the hint): the index of a shard's keys stays small
  // enough to remain in the CPU's cache between a key's events.
  struct Slot {
    uint32_t tag = 0;         // the key's hash, low 32 bits: its home is tag & mask_
    uint32_t index = kEmpty;  // into entries_
    const char* hint = nullptr;  // the key's history block after its last event
  };
  // The slot holding entry `index` (whose hash is `hash`).
  size_t SlotOf(uint64_t hash, uint32_t index) const;
  void EmptySlot(size_t i);  // backward-shift deletion: no tombstones
  void Grow();

  std::pmr::vector<Slot> slots_;  // a power of two, at most 3/4 full
  // Grown by half its size, not doubled (KeyTable::Insert): the room it
  // holds beyond its keys is at most a third of it, which matters at 10^8 keys.
  std::pmr::vector<Entry> entries_;
  size_t mask_ = 0;
  size_t last_slot_ = 0;  // of the key last found or inserted (HintLast)
};

}  // namespace vigil::state
