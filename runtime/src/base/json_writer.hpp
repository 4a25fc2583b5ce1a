// Minimal JSON output helpers shared by results, explanations and the CLI.
#pragma once

#include <cstring>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/json_scan.hpp"

namespace vigil {

// Appends `s` (valid UTF-8) as a quoted JSON string, escaping quotes,
// backslashes and control characters.
void AppendJsonString(std::string_view s, std::string& out);

// Writes `s` with its quotes at `w` when no byte of it needs an escape and
// it fits with 16 bytes to spare before `limit` (the scan reads 16 bytes at
// a time over zeros written after it): returns the end of what was
// written, else null (then what lies in [w, limit) is undefined). For lines
// put together in a buffer on the stack (AppendJsonString,
// eval/result_json.cpp).
// Inline: it is most of the cost of a quiet result line.
inline char* PutPlainJsonString(std::string_view s, char* w, char* limit) {
  if (static_cast<size_t>(limit - w) < s.size() + 2 + 16) return nullptr;
  // The scan for a byte to escape reads 16 bytes at a time over a copy
  // followed by zeros (a zero byte stops it) instead of byte by byte over
  // the string's tail.
  // Ids and decision names are mostly at most 16 bytes: copied by two
  // overlapping fixed loads and stores, without memcpy's call.
  if (s.size() <= 16) {
    CopyShortBytes(w + 1, s.data(), s.size());
  } else {
    std::memcpy(w + 1, s.data(), s.size());
  }
  std::memset(w + 1 + s.size(), 0, 16);
  if (json_scan::FindStringStopPadded(w + 1) != w + 1 + s.size()) return nullptr;
  w[0] = '"';
  w[s.size() + 1] = '"';
  return w + s.size() + 2;
}

}  // namespace vigil
