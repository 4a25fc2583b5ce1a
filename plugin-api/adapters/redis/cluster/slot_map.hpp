// Which primary serves each of the 16,384 slots, from a CLUSTER SLOTS reply.
#pragma once

#include <hiredis/hiredis.h>

#include <cstdint>
#include <string>
#include <vector>

#include "cluster/address.hpp"

namespace vigil::redis {

struct SlotRange {
  uint16_t first = 0;
  uint16_t last = 0;
  Address primary;
};

// Parses a CLUSTER SLOTS reply (Redis 3 to 7). `from` is the node asked: its
// host stands in for an empty one. Ranges whose primary has no known address
// ("?") are left out (those slots are unserved until the next refresh).
// False, with the reason, on a reply of another shape.
bool ParseClusterSlots(const redisReply* reply, const Address& from, std::vector<SlotRange>* out,
                       std::string* why);

}  // namespace vigil::redis
