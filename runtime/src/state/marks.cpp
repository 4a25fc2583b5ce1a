#include "state/marks.hpp"

#include <bit>
#include <cstring>

#include "base/bytes.hpp"

namespace vigil::state {

namespace {

// SipHash-2-4 (Aumasson and Bernstein) of `text` under the 16-byte key k0, k1
// (little-endian halves), written out here rather than called in libsodium
// (crypto_shorthash, which gives the same 8 bytes: MarkHash.IsLibsodiumsSipHash24):
// every recorded event hashes its id, and the call with its key set-up was
// about a sixth of the session's own work on the state path.
inline uint64_t Load64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

struct SipState {
  uint64_t v0, v1, v2, v3;
  void Round() {
    v0 += v1;
    v1 = std::rotl(v1, 13);
    v1 ^= v0;
    v0 = std::rotl(v0, 32);
    v2 += v3;
    v3 = std::rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = std::rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = std::rotl(v1, 17);
    v1 ^= v2;
    v2 = std::rotl(v2, 32);
  }
  void Compress(uint64_t m) {
    v3 ^= m;
    Round();
    Round();
    v0 ^= m;
  }
};

// The key "vigil event mark", as two little-endian 64-bit halves.
constexpr unsigned char kKey[16] = {'v', 'i', 'g', 'i', 'l', ' ', 'e', 'v',
                                    'e', 'n', 't', ' ', 'm', 'a', 'r', 'k'};

// SipHash's state before the text, under MarkHash's key.
SipState KeyedState() {
  const uint64_t k0 = Load64(kKey), k1 = Load64(kKey + 8);
  return SipState{k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL,
                  k0 ^ 0x6c7967656e657261ULL, k1 ^ 0x7465646279746573ULL};
}

// SipHash-2-4 of text p[0, n) from `s`, the state after its bytes before
// `from` (a multiple of 8) were compressed; then MarkHash's own finish.
inline uint64_t SipHashFrom(SipState s, const unsigned char* p, size_t from, size_t n) {
  const size_t whole = n & ~size_t{7};
  for (size_t i = from; i < whole; i += 8) s.Compress(Load64(p + i));
  // The last block: the remaining 0 to 7 bytes, little-endian, under the
  // length's low byte (a loop over the bytes cost 7 instructions a byte, and
  // ids end in a few bytes past their last whole word: t000000001, 2).
  const uint64_t last =
      (static_cast<uint64_t>(n & 0xff) << 56) | LoadTailLittleEndian(p + whole, n - whole);
  s.Compress(last);
  s.v2 ^= 0xff;
  s.Round();
  s.Round();
  s.Round();
  s.Round();
  uint64_t h = s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
  // The hash's 8 bytes little-endian, read as a native integer: as before,
  // when they came from crypto_shorthash (snapshots keep these values).
  if constexpr (std::endian::native == std::endian::big) h = __builtin_bswap64(h);
  return h == 0 ? 1 : h;
}

}  // namespace

uint64_t MarkHash(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  return SipHashFrom(KeyedState(), p, 0, text.size());
}

uint64_t MarkHasher::Hash(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  if (n < 8) return SipHashFrom(KeyedState(), p, 0, n);
  const uint64_t first = Load64(p);
  if (!valid_ || first != first_) {
    SipState s = KeyedState();
    s.Compress(first);
    state_[0] = s.v0;
    state_[1] = s.v1;
    state_[2] = s.v2;
    state_[3] = s.v3;
    first_ = first;
    valid_ = true;
  }
  return SipHashFrom(SipState{state_[0], state_[1], state_[2], state_[3]}, p, 8, n);
}

}  // namespace vigil::state
