// What the adapter keeps in Redis and the script that keeps it: one sorted
// set per aggregate group and key value, scored by event time, whose members
// are the events' entries, and one Lua script per event and group that does
// the whole contract of vigil.h atomically on the key's node (duplicate
// check, reversal, late check, append, trim, expiry, read).
//
// A member is:
//   ts      8 bytes, the event time (read back from here, not from the score)
//   flags   1 byte, bit 0: taken back by a reversal
//   id      8 bytes, the event's id hash (0: none)
//   ref     8 bytes, its reversal reference; once taken back, the reversal's id
//   unique  8 bytes, only when id is 0: makes equal entries of different
//           events different members
//   entry   the engine's bytes
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::redis {

// KEYS[1] the key's sorted set. ARGV: ts, record, lateness, keep, from,
// member, ttl_ms, id (8 bytes or empty), ref (8 bytes or empty), reversal
// ("1"/"0"). Returns {late, duplicate, reversed, member, member, ...}: the
// members after `from`, tombstones included (the caller skips them).
extern const char kStateScript[];

struct Member {
  int64_t ts = 0;
  bool reversed = false;
  uint64_t id = 0;
  std::string_view entry;
};

// The member for an event; `unique` is used only when `id` is 0.
void BuildMember(int64_t ts, uint64_t id, uint64_t ref, uint64_t unique, std::string_view entry,
                 std::string* out);
// False when `data` is not a member of this layout.
bool ParseMember(std::string_view data, Member* out);

// 8 little-endian bytes, or "" for 0 (the script's "none").
std::string HashArg(uint64_t hash);

}  // namespace vigil::redis
