// LSP positions: a line and a column counted in UTF-16 code units (what
// VS Code and Neovim send by default), converted to and from byte offsets of
// the UTF-8 text the compiler works on. Lines end at "\n", "\r\n" or a lone
// "\r", as the protocol says.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::lsp {

struct Position {
  uint32_t line = 0;
  uint32_t character = 0;  // UTF-16 code units
  bool operator==(const Position&) const = default;
};

class LineIndex {
 public:
  explicit LineIndex(std::string_view text);

  Position ToPosition(uint32_t offset) const;
  // Positions past the end of a line clamp to the line's end, past the last
  // line to the end of the text; a position inside a surrogate pair or a
  // UTF-8 sequence moves to the start of the character.
  uint32_t ToOffset(Position p) const;
  size_t line_count() const { return starts_.size(); }

 private:
  std::string_view text_;
  std::vector<uint32_t> starts_;  // byte offset of each line
  uint32_t LineEnd(size_t line) const;  // before the line break
};

// Number of UTF-16 code units of (valid or not) UTF-8 text; an invalid byte
// counts as one unit.
uint32_t Utf16Length(std::string_view utf8);

}  // namespace vigil::lsp
