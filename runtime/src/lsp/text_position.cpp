#include "lsp/text_position.hpp"

#include <algorithm>

namespace vigil::lsp {

namespace {

// Length of the UTF-8 sequence starting with byte `b` (1 for a stray byte),
// and how many UTF-16 units it takes.
size_t SequenceLength(unsigned char b) {
  if (b < 0x80) return 1;
  if ((b & 0xE0) == 0xC0) return 2;
  if ((b & 0xF0) == 0xE0) return 3;
  if ((b & 0xF8) == 0xF0) return 4;
  return 1;
}

}  // namespace

uint32_t Utf16Length(std::string_view s) {
  uint32_t units = 0;
  for (size_t i = 0; i < s.size();) {
    size_t n = SequenceLength(static_cast<unsigned char>(s[i]));
    if (i + n > s.size()) n = 1;
    units += n == 4 ? 2 : 1;
    i += n;
  }
  return units;
}

LineIndex::LineIndex(std::string_view text) : text_(text) {
  starts_.push_back(0);
  for (uint32_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      starts_.push_back(i + 1);
    } else if (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n')) {
      starts_.push_back(i + 1);
    }
  }
}

uint32_t LineIndex::LineEnd(size_t line) const {
  uint32_t end = line + 1 < starts_.size() ? starts_[line + 1] : static_cast<uint32_t>(text_.size());
  uint32_t start = starts_[line];
  if (end > start && line + 1 < starts_.size()) {
    if (text_[end - 1] == '\n') --end;
    if (end > start && text_[end - 1] == '\r') --end;
  }
  return end;
}

Position LineIndex::ToPosition(uint32_t offset) const {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  size_t line = static_cast<size_t>(it - starts_.begin()) - 1;
  uint32_t start = starts_[line];
  uint32_t end = std::min(offset, LineEnd(line));
  return Position{static_cast<uint32_t>(line), Utf16Length(text_.substr(start, end - start))};
}

uint32_t LineIndex::ToOffset(Position p) const {
  if (p.line >= starts_.size()) return static_cast<uint32_t>(text_.size());
  uint32_t i = starts_[p.line];
  uint32_t end = LineEnd(p.line);
  uint32_t units = 0;
  while (i < end && units < p.character) {
    size_t n = SequenceLength(static_cast<unsigned char>(text_[i]));
    if (i + n > end) n = 1;
    uint32_t w = n == 4 ? 2 : 1;
    if (units + w > p.character) break;  // inside a surrogate pair
    units += w;
    i += static_cast<uint32_t>(n);
  }
  return i;
}

}  // namespace vigil::lsp
