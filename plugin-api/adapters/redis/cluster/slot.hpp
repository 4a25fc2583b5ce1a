// Redis Cluster's key → slot function: CRC-16/XMODEM of the key (or of its
// hash tag, the text between the first '{' and the next '}' when that text
// is not empty) modulo 16,384. Keys with one hash tag share a slot, so one
// script may touch all of them on one node.
#pragma once

#include <cstdint>
#include <string_view>

namespace vigil::redis {

constexpr uint32_t kClusterSlots = 16384;

// CRC-16/XMODEM (polynomial 0x1021, initial value 0, not reflected).
uint16_t Crc16(std::string_view data);

// The slot a key lives in.
uint16_t KeySlot(std::string_view key);

}  // namespace vigil::redis
