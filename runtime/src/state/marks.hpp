// What the state remembers of each recorded event besides its contribution:
// its id (for duplicates) and its reversal reference (for reversals), as
// 64-bit hashes (docs/language.md, "Duplicates and reversals"). Two different
// ids collide only with probability 2^-64, and only matter for events of one
// key value at one instant.
#pragma once

#include <cstdint>
#include <string_view>

namespace vigil::state {

struct Mark {
  uint64_t id = 0;   // hash of the event's id; 0: no id
  uint64_t ref = 0;  // hash of its reversal field; once reversed, the reversal's id
  bool reversed = false;
};

// The hash of an id or reference text (SipHash-2-4 under a fixed key: the
// same on every node and in every version, as snapshots and Redis keep it).
// Never 0, which means "none".
uint64_t MarkHash(std::string_view text);

// MarkHash for a caller that hashes one id after another (a session: one
// thread at a time): the same values, with SipHash's state after the first
// 8 bytes kept from the last text that began with the same 8 bytes. Ids of a
// stream mostly share their start (a prefix and a counter: t000000001,
// t000000002, ...), and for the 10-byte ids of the velocity workload that is
// two of SipHash's eight rounds. A text whose first 8 bytes differ from the
// last one's costs a compare and the kept state's stores more than MarkHash.
class MarkHasher {
 public:
  uint64_t Hash(std::string_view text);

 private:
  bool valid_ = false;
  uint64_t first_ = 0;      // the first 8 bytes whose state is kept (as loaded)
  uint64_t state_[4] = {};  // SipHash's v0..v3 after compressing them
};

// What one Apply did besides recording (Probe::outcome).
struct ApplyOutcome {
  bool duplicate = false;  // the event was already recorded: not recorded again
  bool reversed = false;   // a reversal took back its original in this group
};

}  // namespace vigil::state
