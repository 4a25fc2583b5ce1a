#include "eval/sets.hpp"

#include <sodium.h>

#include <algorithm>
#include <string>

#include "base/text.hpp"

namespace vigil::eval {

namespace {
uint64_t CapacityFor(size_t n) {
  uint64_t cap = 4;
  while (cap < n * 2) cap <<= 1;
  return cap;
}
}  // namespace

void I64Set::Build(std::vector<int64_t> values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  size_ = values.size();
  bits_.clear();
  slots_.clear();
  used_.clear();
  mask_ = 0;
  // A bitmap when it is small (at most 4,096 bits) or no larger than the
  // hash table would be (about 18 bytes a member: 128 bits).
  if (!values.empty()) {
    const uint64_t span = static_cast<uint64_t>(values.back()) - static_cast<uint64_t>(values.front());
    if (span < std::max<uint64_t>(4096, 128 * static_cast<uint64_t>(size_))) {
      min_ = values.front();
      span_ = span;
      bits_.assign(span / 64 + 1, 0);
      for (int64_t v : values) {
        const uint64_t d = static_cast<uint64_t>(v) - static_cast<uint64_t>(min_);
        bits_[d >> 6] |= uint64_t{1} << (d & 63);
      }
      sorted_ = std::move(values);
      return;
    }
  }
  uint64_t cap = CapacityFor(size_);
  slots_.assign(cap, 0);
  used_.assign(cap, 0);
  mask_ = cap - 1;
  for (int64_t v : values) {
    uint64_t i = HashInt(v) & mask_;
    while (used_[i]) i = (i + 1) & mask_;
    used_[i] = 1;
    slots_[i] = v;
  }
  sorted_ = std::move(values);
}

void StrSet::Build(std::vector<std::string> values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  size_ = values.size();
  uint64_t cap = CapacityFor(size_);
  slots_.assign(cap, Slot{});
  mask_ = cap - 1;
  size_t total = 0;
  for (const auto& v : values) total += v.size();
  storage_.clear();
  storage_.reserve(total);
  for (size_t rank = 0; rank < values.size(); ++rank) {
    const std::string& v = values[rank];
    uint64_t h = HashBytes(v);
    uint64_t i = h & mask_;
    while (slots_[i].len != kEmpty) i = (i + 1) & mask_;
    slots_[i] = Slot{h, storage_.size(), static_cast<uint32_t>(v.size()),
                     static_cast<uint32_t>(rank)};
    storage_ += v;
  }
  sorted_ = std::move(values);
}

namespace {

template <typename Items, typename Text>
std::string DigestOf(const Items& items, Text&& text) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::string line;
  for (const auto& item : items) {
    line = text(item);
    line += '\n';
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(line.data()),
                              line.size());
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  std::string hex(2 * sizeof(digest), '\0');
  text::HexInto(digest, sizeof(digest), hex.data());
  return hex;
}

}  // namespace

std::string SetDigest(const StrSet& set) {
  return DigestOf(set.sorted(), [](const std::string& s) { return s; });
}

std::string SetDigest(const I64Set& set) {
  return DigestOf(set.sorted(), [](int64_t i) { return std::to_string(i); });
}

}  // namespace vigil::eval
