// The text format of list files, in one place: the compiler's file-backed
// lists, `vigil list hash` and `vigil eval/test/diff --list` all read it.
//
//   # a comment
//   VALUE
//   VALUE @expires 2026-12-31            matches through that day (UTC)
//   VALUE @expires 2026-12-31T18:00:00Z  matches until that instant
//
// Lines are trimmed of blanks; empty lines and lines starting with '#' are
// skipped. The expiry marker is the last " @expires " of a line, so values
// may contain '@' (e-mail addresses).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

struct ListLine {
  std::string_view value;          // without the expiry
  std::string_view text;           // the whole trimmed line, as written
  size_t offset = 0;               // of `text` in the file
  size_t number = 0;               // 1-based line number
  std::string_view expiry;         // the text after "@expires", if any
  std::optional<int64_t> expires;  // µs; the entry matches while now < expires
  bool bad_expiry = false;         // an "@expires" whose date does not parse
};

void ForEachListLine(std::string_view file, const std::function<void(const ListLine&)>& visit);

// List files are text like rule files: valid UTF-8 without NUL, so that a
// list file, `vigil list hash` and the C API accept the same values. Empty
// when `file` is such text; otherwise "line 3: invalid UTF-8 (byte 0xE9)",
// or with the file's `path`, "l.txt:3: invalid UTF-8 (byte 0xE9)" (the form
// of every other error about a line of a list file the CLI reads).
// Readers call it after skipping a byte-order mark (base/bom.hpp).
std::string CheckListText(std::string_view file, std::string_view path = {});
// The number of entries (lines that are not blank or comments), counted
// without storing anything, so that a list above limits::kMaxListFileEntries
// is refused before memory is spent on it.
size_t CountListEntries(std::string_view file);

// The wall clock, in µs since the epoch (what expiries are compared with).
int64_t NowMicros();

}  // namespace vigil
