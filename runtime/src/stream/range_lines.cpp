#include "stream/range_lines.hpp"

#include <algorithm>
#include <cstring>

#include "stream/find_newline.hpp"

namespace vigil::stream {

namespace {
// The first read of a last line's rest past its range: most lines are short,
// so a range reads about one line more than its own bytes.
constexpr size_t kMinRest = 4096;

// Room for `need` bytes and the padding after them; grows by doubling (and
// `resize` zero-fills only what is new: a chunk's buffer keeps its size).
void Reserve(std::string& text, size_t need) {
  if (text.size() < need + kLinePadding) text.resize(std::max(2 * text.size(), need + kLinePadding));
}

// A zero after the last byte read, and the padding readable after it.
void Pad(std::string& text, size_t len) {
  Reserve(text, len);
  std::memset(text.data() + len, 0, kLinePadding);
}
}  // namespace

RangeLines::RangeLines(const ReadAt& read, uint64_t size, size_t max_line, const char* blank)
    : read_(read), size_(size), rules_(max_line, blank), avx2_(CpuHasAvx2()) {}

void RangeLines::set_avx2(bool on) { avx2_ = on && CpuHasAvx2(); }

bool RangeLines::ReadFull(char* buffer, size_t size, uint64_t offset, size_t& got) const {
  got = 0;
  while (got < size) {
    const int64_t n = read_(buffer + got, size - got, offset + got);
    if (n < 0 || static_cast<uint64_t>(n) > size - got) return false;  // an error, or more than asked
    if (n == 0) break;  // the file is shorter than it was
    got += static_cast<size_t>(n);
  }
  return true;
}

void RangeLines::Out::Grow() {
  const size_t n = static_cast<size_t>(at - lines.data());
  lines.resize(std::max<size_t>(64, 2 * lines.size()));
  at = lines.data() + n;
  stop = lines.data() + lines.size();
}

// As BlockLines::Add, by the same LineRules::Cut. Kept in Fill's loop (a call,
// it was about 43 instructions a line).
[[gnu::always_inline]] inline void RangeLines::Add(const std::string& text, size_t start, size_t end,
                                                   uint64_t number, bool first, Out& out) const {
  if (out.at == out.stop) [[unlikely]] out.Grow();
  if (rules_.Cut(text.data(), start, end, number, first, *out.at)) ++out.at;
}

RangeCut RangeLines::Fill(uint64_t start, uint64_t end, std::string& text,
                          std::vector<LineRef>& lines) const {
  RangeCut cut;
  // No line (the ranges past the end, one inside a long line, a failed
  // read): `text` holds `len` bytes read.
  const auto none = [&](size_t len) {
    lines.clear();
    Pad(text, len);
    return cut;
  };
  end = std::min(end, size_);
  if (start >= end) return none(0);
  // text[0] is the byte at `from`: the one before the range, which says
  // whether the range starts a line.
  const uint64_t from = start > 0 ? start - 1 : 0;
  const size_t want = static_cast<size_t>(end - from);
  Reserve(text, want);
  size_t len = 0;
  if (!ReadFull(text.data(), want, from, len)) {
    cut.failed = true;
    return none(0);
  }
  // The end of the input is in reach once the file's size is read, or where
  // a read came back short (the file shrank).
  cut.short_read = len < want;
  bool at_end = len < want || from + len >= size_;
  size_t pos = static_cast<size_t>(start - from);  // where the next line starts: 0 or 1
  uint64_t newlines = 0;
  if (start > 0) {
    if (len == 0) return none(0);
    if (text[0] != '\n') {  // inside an earlier range's line: ours start after its end
      const void* nl = FindNewline(text.data() + 1, text.data() + len, avx2_);
      if (nl == nullptr) return none(len);
      pos = static_cast<size_t>(static_cast<const char*>(nl) - text.data()) + 1;
      newlines = 1;
    }
  }
  // Room for a quarter more lines than the last range held (its count is
  // the vector's size): after the first ranges nothing is allocated here,
  // and what is initialised is a quarter of a range's entries (all of its
  // capacity was, after a range of many short lines, hundreds of thousands
  // of entries a range).
  lines.resize(lines.size() + lines.size() / 4 + 64);
  Out out{lines, lines.data(), lines.data() + lines.size()};
  // Every '\n' found here is before `want`, so in the range: counted. Only
  // the last line's rest, read below, goes past it.
  while (pos < len) {
    const uint64_t number = newlines + 1;
    cut.last_number = number;
    const void* nl = FindNewline(text.data() + pos, text.data() + len, avx2_);
    if (nl != nullptr) {
      const size_t at = static_cast<size_t>(static_cast<const char*>(nl) - text.data());
      Add(text, pos, at, number, start == 0 && newlines == 0, out);
      ++newlines;
      pos = at + 1;
      continue;
    }
    // The last line runs past the bytes read: on to its '\n' (the next
    // range counts that one), the end of the input, or past the limit.
    const bool first = start == 0 && newlines == 0;
    size_t searched = len;
    for (;;) {
      if (len - pos > rules_.max_line()) {  // too long, wherever it ends
        Add(text, pos, len, number, first, out);
        break;
      }
      if (at_end) {  // a last line without '\n'
        Add(text, pos, len, number, first, out);
        break;
      }
      // No more of the line than decides the limit; no more of the file
      // than its size.
      size_t step = std::min(std::max(len - pos, kMinRest), rules_.max_line() + 1 - (len - pos));
      step = static_cast<size_t>(std::min<uint64_t>(step, size_ - (from + len)));
      Reserve(text, len + step);
      size_t got = 0;
      if (!ReadFull(text.data() + len, step, from + len, got)) {
        cut.failed = true;
        return none(0);
      }
      len += got;
      cut.short_read = got < step;
      at_end = got < step || from + len >= size_;
      nl = FindNewline(text.data() + searched, text.data() + len, avx2_);
      if (nl != nullptr) {
        Add(text, pos, static_cast<size_t>(static_cast<const char*>(nl) - text.data()), number, first, out);
        break;
      }
      searched = len;
    }
    break;
  }
  lines.resize(static_cast<size_t>(out.at - lines.data()));
  cut.newlines = newlines;
  Pad(text, len);
  return cut;
}

}  // namespace vigil::stream
