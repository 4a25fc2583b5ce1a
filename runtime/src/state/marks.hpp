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

// What one Apply did besides recording (Probe::outcome).
struct ApplyOutcome {
  bool duplicate = false;  // the event was already recorded: not recorded again
  bool reversed = false;   // a reversal took back its original in this group
};

}  // namespace vigil::state
