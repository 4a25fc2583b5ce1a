// Cuts raw input, read in large blocks straight into a chunk's buffer, into
// lines in place: the stream thread holding the read token (eval_stream.hpp)
// then does one read(2) per block and one memchr per line, and copies nothing
// but the partial line at the end of a chunk, kept here for the next reader
// (docs/performance.md, "All cores").
//
// The lines are those the CLI's line reader gives (cli LineReader), exactly:
// a line ends at '\n', a last line without one is a line, and what each is
// (an event's text, too long, or blank) is judged by LineRules
// (line_rules.hpp), shared with RangeLines.
// In the chunk's buffer, the byte after each line is '\n', '\r' or zero, and
// at least kLinePadding bytes from there on are readable: the lines are read
// as JSON where they lie (EventJsonReader::ReadInPlace), not copied.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "stream/line_rules.hpp"

namespace vigil::stream {

// Raw input: fills at most `size` bytes of `buffer` and returns how many;
// 0 at the end of the input (a read error also ends it: the caller records
// it).
using ReadBytes = std::function<size_t(char* buffer, size_t size)>;

// Readable bytes after the end of each line in a chunk (see above): what
// EventJsonReader::ReadInPlace needs (kJsonShapePadding).
inline constexpr size_t kLinePadding = 32;

class BlockLines {
 public:
  // `read_bytes`: the most asked of `read` at once; `blank`: as
  // StreamOptions::blank.
  BlockLines(const ReadBytes& read, size_t max_line, size_t read_bytes, const char* blank);

  // Fills `text` with the next lines of the input, up to `max_lines` lines
  // that are not blank, reading as much as needed, and lists them in
  // `lines`. `text` is the chunk's buffer: its size is its capacity, kept
  // from call to call (it grows only for a line longer than it). False when
  // the input had nothing left (then `lines` is empty).
  bool Fill(std::string& text, std::vector<LineRef>& lines, size_t max_lines);

  // Lines seen so far, blank ones included: the number of the last line.
  uint64_t lines_seen() const { return number_; }

  // Off: lines are cut by memchr even where the CPU has AVX2 (on by
  // default where it has), so that tests run both ways on one machine.
  void set_avx2(bool on) { avx2_ = on && HasAvx2(); }

 private:
  // Adds the line text[start, end) (its '\n' not included) at `out`, and
  // moves `out` past it, unless blank.
  void Add(const char* text, size_t start, size_t end, LineRef*& out);
  void AddTooLong(LineRef*& out);

  const ReadBytes& read_;
  const LineRules rules_;
  const size_t read_bytes_;
  static bool HasAvx2();
  bool avx2_;  // lines are cut by FindNewlineAvx2 (find_newline.hpp), else by memchr
  std::string carry_;      // the start of a line cut by the end of a chunk
  bool skipping_ = false;  // inside a line already known to be too long
  bool eof_ = false;
  uint64_t number_ = 0;
  size_t line_bytes_ = 0;  // bytes per line in the last chunk (0: none yet)
};

}  // namespace vigil::stream
