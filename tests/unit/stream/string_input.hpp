// A stream's input from a string in memory, for tests: the bytes as a
// ReadBytes hands them out, and the lines as they are cut (what follows the
// last '\n' is a line too; the caller drops a '\r' or judges the length).
#pragma once

#include <algorithm>
#include <cstring>
#include <string>

#include "stream/block_lines.hpp"

namespace vigil::test_input {

// Reads `input` from `at` on (`at` moves): `size` bytes at a time at most.
inline stream::ReadBytes BytesOf(const std::string& input, size_t& at) {
  return [&input, &at](char* buffer, size_t size) {
    const size_t n = std::min(size, input.size() - at);
    std::memcpy(buffer, input.data() + at, n);
    at += n;
    return n;
  };
}

// The line at `at` without its '\n' (`at` moves past it); false at the end.
inline bool CutLine(const std::string& input, size_t& at, std::string& line) {
  if (at >= input.size()) return false;
  size_t end = input.find('\n', at);
  if (end == std::string::npos) end = input.size();
  line.assign(input, at, end - at);
  at = end + 1;
  return true;
}

}  // namespace vigil::test_input
