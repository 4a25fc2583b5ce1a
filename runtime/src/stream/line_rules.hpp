// What makes a cut of raw input a line of events, in one place for both
// readers that cut it (BlockLines, one thread at a time; RangeLines, each
// thread its own byte range), so that they cannot drift apart. Given the
// bytes between two '\n' (the '\n' not included), in this order:
//   - more than `max_line` bytes, counting its '\r' and a BOM: too long (its
//     text is dropped, its number kept), as the CLI's LineReader;
//   - one '\r' at its end is dropped;
//   - on the input's first line, a UTF-8 BOM at its start is dropped
//     (base/bom.hpp);
//   - nothing left, or only `blank` bytes (StreamOptions::blank): blank,
//     skipped and counted in line numbers.
// Judge is inlined into each reader's cut loop (a call was about 45
// instructions a line there): the common line costs a compare for its
// length, one for its '\r' and one lookup of its first byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/bom.hpp"

namespace vigil::stream {

// A line of a chunk: its text is text[offset, offset + size).
struct LineRef {
  size_t offset = 0;
  size_t size = 0;
  uint64_t number = 0;  // 1-based line number in the input
  bool too_long = false;
};

enum class LineIs { kEvent, kTooLong, kBlank };

class LineRules {
 public:
  LineRules(size_t max_line, const char* blank) : max_line_(max_line) {
    for (const char* b = blank; *b != '\0'; ++b) is_blank_[static_cast<unsigned char>(*b)] = true;
  }

  // Judges the line text[start, start + size); for kEvent, narrows the two
  // to its text (without its '\r' and BOM). `first`: the input's first line.
  [[gnu::always_inline]] LineIs Judge(const char* text, size_t& start, size_t& size, bool first) const {
    if (size > max_line_) [[unlikely]] return LineIs::kTooLong;
    if (size > 0 && text[start + size - 1] == '\r') --size;
    if (first) [[unlikely]] DropBom(text, start, size);
    if (size == 0) return LineIs::kBlank;
    if (is_blank_[static_cast<unsigned char>(text[start])] && IsBlank(text + start, size)) {
      return LineIs::kBlank;
    }
    return LineIs::kEvent;
  }

  // The LineRef of the line text[start, end) (its '\n' not included),
  // numbered `number`, written at `out` unless the line is blank: whether it
  // was written.
  [[gnu::always_inline]] bool Cut(const char* text, size_t start, size_t end, uint64_t number, bool first,
                                  LineRef& out) const {
    size_t size = end - start;
    switch (Judge(text, start, size, first)) {
      case LineIs::kEvent:
        out = LineRef{start, size, number, false};
        return true;
      case LineIs::kTooLong:
        out = LineRef{0, 0, number, true};
        return true;
      case LineIs::kBlank:
        break;
    }
    return false;
  }

  size_t max_line() const { return max_line_; }

 private:
  static void DropBom(const char* text, size_t& start, size_t& size) {
    const size_t bom = size - SkipUtf8Bom(std::string_view(text + start, size)).size();
    start += bom;
    size -= bom;
  }
  // Whether every byte of the line is a blank one (its first byte was looked
  // up, not searched for: most lines start with '{').
  bool IsBlank(const char* line, size_t size) const {
    size_t i = 0;
    while (i < size && is_blank_[static_cast<unsigned char>(line[i])]) ++i;
    return i == size;
  }

  size_t max_line_;
  bool is_blank_[256] = {};
};

}  // namespace vigil::stream
