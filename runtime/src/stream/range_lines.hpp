// Cuts input that can be read at any offset (a regular file) into lines by
// byte ranges, so that every stream thread reads (pread) and cuts a range of
// its own at once with the others (eval_stream.hpp). With BlockLines, one
// thread at a time read the input in order: that read(2) copy and cut of
// every byte was about 30% of a one-thread run, which bounds the stream at
// about 3x however many cores there are (docs/performance.md, "Round 27").
//
// A line belongs to the range its first byte is in. A range reads the byte
// before it: when that is not '\n', the range starts inside a line of an
// earlier range and its lines start after its first '\n'. Its last line may
// run past its end: it reads on until that line's '\n', the end of the
// input, or more than `max_line` bytes of it (then the line is too long, and
// where it ends is the later ranges' business). A read that fails there
// fails the range, so a bad byte just past a range fails the range before
// it too. Line numbers need the lines of every earlier range: a range counts
// the '\n' bytes in it, and numbers its lines from 1 after its start; the
// caller adds the lines before it, in range order.
//
// The lines are exactly those of BlockLines (block_lines.hpp): each judged
// by the same LineRules (line_rules.hpp: the limit, CRLF, the input's BOM,
// blank lines), a last line without '\n', and the stop and padding after
// each line in the chunk's buffer (the lines are read as JSON where they
// lie).
//
// The input is the file's bytes up to the size it had when the run began: a
// file that grows meanwhile is read to that size, and one that shrinks ends
// with the first range (in input order) whose read comes back short; the
// caller ends it there, whatever later ranges read before the file shrank
// (nothing is mapped into memory, so a file cut short mid-run cannot fault
// the process).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "stream/block_lines.hpp"
#include "stream/line_rules.hpp"

namespace vigil::stream {

// Input read at an offset: fills at most `size` bytes of `buffer` with the
// input's bytes from `offset` and returns how many, 0 at the end, or -1 on a
// read error (the caller records it; a count over `size` is taken as one).
// Called by several threads at once.
using ReadAt = std::function<int64_t(char* buffer, size_t size, uint64_t offset)>;

// What one range held.
struct RangeCut {
  uint64_t newlines = 0;     // the '\n' bytes in the range: the lines the next range starts after
  uint64_t last_number = 0;  // the number (from 1 in the range) of its last line, 0 when none starts in it
  bool failed = false;       // a read failed: nothing of the range is given
  // A read came back short of the size the input had when the run began:
  // the file shrank, and the input ends with this range's lines.
  bool short_read = false;
};

class RangeLines {
 public:
  // `size`: the input's bytes; `max_line` and `blank`: as BlockLines.
  RangeLines(const ReadAt& read, uint64_t size, size_t max_line, const char* blank);

  // Fills `text` with the bytes of [start, end) (and the last line's rest)
  // and lists in `lines` the lines that start in the range, numbered from 1
  // after `start` (blank lines skipped and counted). `text` is the chunk's
  // buffer, kept from call to call. Safe to call on several threads at once,
  // each with its own buffers.
  RangeCut Fill(uint64_t start, uint64_t end, std::string& text, std::vector<LineRef>& lines) const;

  uint64_t size() const { return size_; }

  // Off: lines are cut by memchr even where the CPU has AVX2.
  void set_avx2(bool on);

 private:
  // Reads `size` bytes from `offset` into `buffer`, fewer at the end of the
  // input: `got` says how many. False on a read error.
  bool ReadFull(char* buffer, size_t size, uint64_t offset, size_t& got) const;
  // Where the lines of a range are written: through a pointer into `lines`,
  // grown by doubling when full (a push_back a line was a call).
  struct Out {
    std::vector<LineRef>& lines;
    LineRef* at;
    LineRef* stop;
    void Grow();
  };
  // Adds the line text[start, end) (its '\n' not included) numbered
  // `number`, unless blank; `first`: the input's first line (its BOM goes).
  void Add(const std::string& text, size_t start, size_t end, uint64_t number, bool first, Out& out) const;

  const ReadAt& read_;
  const uint64_t size_;
  const LineRules rules_;
  bool avx2_;
};

}  // namespace vigil::stream
