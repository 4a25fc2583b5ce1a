// Constant sets built once at compile time and probed per event without
// allocating: open addressing, power-of-two capacity, load factor <= 1/2.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"

namespace vigil::eval {

// The last 1 to 7 bytes of a string as a zero-padded little-endian word,
// by fixed loads (a memcpy of a variable size is a call).
inline uint64_t LoadTail(const char* p, size_t n) {
  if (n >= 4) {
    uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + n - 4, 4);  // overlaps lo by 8 - n bytes, the same bytes
    return lo | (static_cast<uint64_t>(hi) << (8 * (n - 4)));
  }
  uint64_t chunk = static_cast<unsigned char>(p[0]);
  if (n > 1) chunk |= static_cast<uint64_t>(static_cast<unsigned char>(p[1])) << 8;
  if (n > 2) chunk |= static_cast<uint64_t>(static_cast<unsigned char>(p[2])) << 16;
  return chunk;
}

inline uint64_t HashBytes(std::string_view s) {
  // Eight bytes at a time (country codes, MCC descriptors and ids are
  // short), then a final mix so that the low bits spread over the table.
  uint64_t h = 0x9E3779B97F4A7C15ull ^ s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t chunk;
    std::memcpy(&chunk, s.data() + i, 8);
    h = (h ^ chunk) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  if (i < s.size()) {
    const uint64_t chunk = LoadTail(s.data() + i, s.size() - i);
    h = (h ^ chunk) * 0xff51afd7ed558ccdull;
  }
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

inline uint64_t HashInt(int64_t v) {
  uint64_t h = static_cast<uint64_t>(v) * 0x9E3779B97F4A7C15ull;
  return h ^ (h >> 29);
}

class I64Set {
 public:
  void Build(std::vector<int64_t> values);
  bool Contains(int64_t v) const {
    // Sets of nearby values (merchant category codes, hours, small ids: the
    // sets rules are written with) are a bitmap over [min, max]: one
    // subtraction, one compare and one bit test, with no hash and no probe
    // loop (a probe was about 25 instructions with its loop's branches).
    // The offset is taken in uint64_t so that values far from min wrap past
    // the span instead of overflowing.
    if (!bits_.empty()) {
      const uint64_t d = static_cast<uint64_t>(v) - static_cast<uint64_t>(min_);
      return d <= span_ && ((bits_[d >> 6] >> (d & 63)) & 1) != 0;
    }
    if (mask_ == 0) return false;
    for (uint64_t i = HashInt(v) & mask_;; i = (i + 1) & mask_) {
      if (!used_[i]) return false;
      if (slots_[i] == v) return true;
    }
  }
  size_t size() const { return size_; }
  const std::vector<int64_t>& sorted() const { return sorted_; }
  // Whether Contains tests a bitmap rather than probing the hash table (for tests).
  bool is_bitmap() const { return !bits_.empty(); }

 private:
  std::vector<int64_t> slots_;
  std::vector<uint8_t> used_;
  std::vector<uint64_t> bits_;  // bit v - min_ for each member; empty: the hash table
  int64_t min_ = 0;
  uint64_t span_ = 0;           // max - min
  std::vector<int64_t> sorted_;  // for printing and explanations
  uint64_t mask_ = 0;
  size_t size_ = 0;
};

class StrSet {
 public:
  void Build(std::vector<std::string> values);
  bool Contains(std::string_view v) const {
    if (mask_ == 0) return false;
    uint64_t h = HashBytes(v);
    for (uint64_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.len == kEmpty) return false;
      if (s.hash == h && s.len == v.size() && SameBytes(storage_.data() + s.offset, v.data(), v.size())) {
        return true;
      }
    }
  }
  // The value's position in sorted(), or -1 when it is not in the set.
  int64_t Rank(std::string_view v) const {
    if (mask_ == 0) return -1;
    uint64_t h = HashBytes(v);
    for (uint64_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.len == kEmpty) return -1;
      if (s.hash == h && s.len == v.size() && SameBytes(storage_.data() + s.offset, v.data(), v.size())) {
        return s.rank;
      }
    }
  }
  size_t size() const { return size_; }
  const std::vector<std::string>& sorted() const { return sorted_; }

 private:
  static constexpr uint32_t kEmpty = 0xFFFFFFFF;
  struct Slot {
    uint64_t hash = 0;
    uint64_t offset = 0;
    uint32_t len = kEmpty;
    uint32_t rank = 0;
  };
  std::vector<Slot> slots_;
  std::string storage_;
  std::vector<std::string> sorted_;
  uint64_t mask_ = 0;
  size_t size_ = 0;
};

// SHA-256 (lowercase hex) over a set's entries in sorted order, each
// followed by a newline: strings as their bytes, numbers as decimal integers
// (decimals in units of 10^-6, times and durations in microseconds). Names a
// list's contents in evidence records without listing them.
std::string SetDigest(const StrSet& set);
std::string SetDigest(const I64Set& set);

}  // namespace vigil::eval
