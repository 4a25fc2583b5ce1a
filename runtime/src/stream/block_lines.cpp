#include "stream/block_lines.hpp"

#include <algorithm>
#include <cstring>

#include "base/json_shape.hpp"
#include "stream/find_newline.hpp"

namespace vigil::stream {

namespace {
constexpr size_t kMinRead = 4096;
static_assert(kLinePadding >= kJsonShapePadding);
}  // namespace

bool BlockLines::HasAvx2() { return CpuHasAvx2(); }

BlockLines::BlockLines(const ReadBytes& read, size_t max_line, size_t read_bytes, const char* blank)
    : read_(read),
      rules_(max_line, blank),
      read_bytes_(std::max<size_t>(read_bytes, 1)),
      avx2_(HasAvx2()) {}

// Inlined into Fill's loop (it was a call, about 50 instructions a line),
// with LineRules::Cut inlined into it.
inline void BlockLines::Add(const char* text, size_t start, size_t end, LineRef*& out) {
  ++number_;
  if (rules_.Cut(text, start, end, number_, number_ == 1, *out)) ++out;
}

bool BlockLines::Fill(std::string& text, std::vector<LineRef>& lines, size_t max_lines) {
  // Room for every line the chunk may take, written through a pointer and
  // cut to what was written at the end: a push_back a line was a call (GCC
  // kept vector::emplace_back out of line, about 26 instructions a line).
  // After the first chunk the vector's size is already max_lines or close
  // to it, so nothing is allocated or initialised here.
  lines.resize(max_lines);
  LineRef* const first_line = lines.data();
  LineRef* const stop = first_line + max_lines;
  LineRef* out = first_line;
  // The partial line the previous chunk ended with starts this one: the only
  // bytes copied on their way through.
  // The buffer grows to what the chunk's reads need (below), not to
  // read_bytes each: a chunk of 1,024 short lines keeps a small buffer.
  size_t len = carry_.size();
  if (text.size() < len) text.resize(std::max(2 * text.size(), len));
  if (len > 0) std::memcpy(text.data(), carry_.data(), len);
  carry_.clear();
  size_t scanned = 0;  // text[0, scanned) is cut into lines
  size_t searched = 0;  // text[scanned, searched) has no '\n': a long line is searched once
  const uint64_t first = number_;
  for (;;) {
    while (out < stop) {
      const size_t from = std::max(scanned, searched);
      const void* nl = FindNewline(text.data() + from, text.data() + len, avx2_);
      if (nl == nullptr) {
        searched = len;
        break;
      }
      const size_t end = static_cast<size_t>(static_cast<const char*>(nl) - text.data());
      if (skipping_) {
        skipping_ = false;
        AddTooLong(out);
      } else {
        Add(text.data(), scanned, end, out);
      }
      scanned = end + 1;
    }
    if (out == stop) break;
    // text[scanned, len) is the start of a line: once it is over the limit
    // its bytes are dropped as they come, until its end.
    if (!skipping_ && len - scanned > rules_.max_line()) skipping_ = true;
    if (skipping_) len = searched = scanned;
    if (eof_) {  // a last line without '\n'
      if (skipping_) {
        skipping_ = false;
        AddTooLong(out);
      } else if (scanned < len) {
        Add(text.data(), scanned, len, out);
      }
      scanned = len;
      break;
    }
    // Ask for about what the chunk still needs, judging by the lines of the
    // last chunk: what is read beyond its last line is copied into the next
    // chunk (the carry), so reading much more would copy it twice.
    size_t want = read_bytes_;
    if (line_bytes_ > 0) {
      const size_t need = (static_cast<size_t>(stop - out) + 1) * line_bytes_;
      const size_t have = len - scanned;
      want = std::clamp(need > have ? need - have : 0, std::min(kMinRead, read_bytes_), read_bytes_);
      // Inside a line longer than that: whole blocks, until its end.
      if (skipping_ || have >= want) want = read_bytes_;
    } else if (!skipping_) {
      // Nothing is known of the lines yet (the input's first chunk): reads
      // start at kMinRead and double with what the buffer holds. Asking
      // read_bytes_ at once grew the buffer to it, and `resize` zero-fills:
      // for a one-event input (`vigil eval` in a CI job, a test) that was
      // 1 MiB zeroed, then 2 MiB (the second read, at the end of the input,
      // asked 1 MiB more), 3.1M instructions and ~500 page faults of a
      // 50M-instruction run; a large input reaches read_bytes_ in a few
      // reads of its first chunk.
      want = std::clamp(len, std::min(kMinRead, read_bytes_), read_bytes_);
    }
    if (text.size() - len < want) {
      text.resize(std::max(2 * text.size(), len + want));  // a line longer than the buffer
    }
    const size_t n = read_(text.data() + len, want);
    if (n == 0) {
      eof_ = true;
    } else {
      len += n;
    }
  }
  lines.resize(static_cast<size_t>(out - first_line));
  carry_.assign(text.data() + scanned, len - scanned);
  // After the last line: a zero (a last line without '\n' ends at len) and
  // the padding that the reading of lines in place reads past their end.
  if (text.size() < len + kLinePadding) text.resize(len + kLinePadding);
  std::memset(text.data() + len, 0, kLinePadding);
  if (number_ > first && scanned > 0) line_bytes_ = std::max<size_t>(1, scanned / (number_ - first));
  return !eof_ || !carry_.empty() || skipping_;
}

void BlockLines::AddTooLong(LineRef*& out) {
  ++number_;
  *out++ = LineRef{0, 0, number_, true};
}

}  // namespace vigil::stream
