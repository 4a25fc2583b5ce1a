// stream::BlockLines cuts raw blocks into the lines the CLI's LineReader
// gives (stream/block_lines.hpp), whatever the sizes of the reads and of the
// chunks; stream::RangeLines cuts the same lines by byte ranges read at
// offsets (stream/range_lines.hpp), whatever the sizes of the ranges and of
// the reads: both checked against a plain line-by-line model of those rules
// on the cases at every boundary and on random inputs.
#include "stream/block_lines.hpp"
#include "stream/range_lines.hpp"
#include "stream/string_input.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace vigil::stream {
namespace {

struct Line {
  uint64_t number;
  std::string text;  // "<too long>" for a line over the limit
  bool operator==(const Line&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Line& l) {
  return os << l.number << ":[" << l.text << "]";
}

constexpr const char* kTooLong = "<too long>";

// The rules of cli LineReader (and of the stream's blank lines), one line at
// a time over the whole input.
std::vector<Line> Model(const std::string& input, size_t max_line, const std::string& blank) {
  std::vector<Line> out;
  uint64_t number = 0;
  size_t at = 0;
  std::string line;
  while (test_input::CutLine(input, at, line)) {
    ++number;
    if (line.size() > max_line) {
      out.push_back({number, kTooLong});
      continue;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
    if (line.find_first_not_of(blank) == std::string::npos) continue;
    out.push_back({number, line});
  }
  return out;
}

struct Cut {
  std::vector<Line> lines;
  uint64_t lines_seen = 0;
  size_t chunks = 0;
};

// Whether Blocks lets BlockLines cut lines with AVX2 where the CPU has it
// (else memchr).
bool g_avx2 = true;

// BlockLines over `input`, given at most `read_size` bytes per read, in
// chunks of at most `chunk_lines` lines.
Cut Blocks(const std::string& input, size_t read_size, size_t chunk_lines, size_t max_line,
           const char* blank, size_t read_bytes = 64) {
  size_t at = 0;
  ReadBytes read = [&](char* buffer, size_t size) {
    const size_t n = std::min({size, read_size, input.size() - at});
    std::copy_n(input.data() + at, n, buffer);
    at += n;
    return n;
  };
  BlockLines blocks(read, max_line, read_bytes, blank);
  blocks.set_avx2(g_avx2);
  Cut cut;
  std::string text;
  std::vector<LineRef> refs;
  for (bool more = true; more;) {
    more = blocks.Fill(text, refs, chunk_lines);
    EXPECT_LE(refs.size(), chunk_lines);
    ++cut.chunks;
    for (const LineRef& r : refs) {
      cut.lines.push_back({r.number, r.too_long ? kTooLong : text.substr(r.offset, r.size)});
      // What reading the line in place needs (EventJsonReader::ReadInPlace):
      // a stop after it, and the padding readable.
      if (r.too_long) continue;
      EXPECT_GE(text.size(), r.offset + r.size + kLinePadding);
      const char after = r.offset + r.size < text.size() ? text[r.offset + r.size] : 'x';
      EXPECT_TRUE(after == '\n' || after == '\r' || after == '\0') << static_cast<int>(after);
    }
    if (cut.chunks > input.size() + 2) {
      ADD_FAILURE() << "no end";
      break;
    }
  }
  cut.lines_seen = blocks.lines_seen();
  return cut;
}

// RangeLines over `input` (of which a reader sees only the first `visible`
// bytes: a file cut short after the run began), in ranges of `range` bytes
// cut in order, each numbered after the ranges before it as the stream does;
// at most `read_size` bytes per read.
Cut Ranges(const std::string& input, size_t range, size_t read_size, size_t max_line, const char* blank,
           size_t visible = std::string::npos) {
  visible = std::min(visible, input.size());
  ReadAt read = [&](char* buffer, size_t size, uint64_t offset) -> int64_t {
    if (offset >= visible) return 0;
    const size_t n = std::min({size, read_size, visible - static_cast<size_t>(offset)});
    std::copy_n(input.data() + offset, n, buffer);
    return static_cast<int64_t>(n);
  };
  RangeLines ranges(read, input.size(), max_line, blank);
  ranges.set_avx2(g_avx2);
  Cut cut;
  std::string text;
  std::vector<LineRef> refs;
  uint64_t before = 0;
  for (uint64_t start = 0; start < input.size(); start += range) {
    const RangeCut got = ranges.Fill(start, start + range, text, refs);
    EXPECT_FALSE(got.failed);
    ++cut.chunks;
    for (const LineRef& r : refs) {
      cut.lines.push_back({before + r.number, r.too_long ? kTooLong : text.substr(r.offset, r.size)});
      if (r.too_long) continue;
      EXPECT_GE(text.size(), r.offset + r.size + kLinePadding);
      const char after = text[r.offset + r.size];
      EXPECT_TRUE(after == '\n' || after == '\r' || after == '\0') << static_cast<int>(after);
    }
    if (got.last_number > 0) cut.lines_seen = before + got.last_number;
    before += got.newlines;
  }
  return cut;
}

// ReadAt over a string: its bytes from `offset`, at most `size` of them.
int64_t CopyAt(const std::string& input, char* buffer, size_t size, uint64_t offset) {
  const size_t n = std::min(size, input.size() - static_cast<size_t>(offset));
  std::copy_n(input.data() + offset, n, buffer);
  return static_cast<int64_t>(n);
}

uint64_t CountLines(const std::string& input) {
  uint64_t n = std::count(input.begin(), input.end(), '\n');
  return n + (!input.empty() && input.back() != '\n' ? 1 : 0);
}

void ExpectSame(const std::string& input, size_t max_line, const char* blank = " \t") {
  const std::vector<Line> want = Model(input, max_line, blank);
  for (size_t read_size : {1, 2, 3, 5, 8, 13, 64, 1000}) {
    for (size_t chunk_lines : {1, 2, 3, 1024}) {
      for (size_t read_bytes : {1, 7, 64}) {
        const Cut got = Blocks(input, read_size, chunk_lines, max_line, blank, read_bytes);
        ASSERT_EQ(got.lines, want) << "reads of " << read_size << ", chunks of " << chunk_lines
                                   << " lines, read_bytes " << read_bytes << ", input ["
                                   << input << "]";
        EXPECT_EQ(got.lines_seen, CountLines(input));
      }
    }
  }
  for (size_t range : {1, 2, 3, 5, 8, 13, 64, 1000}) {
    for (size_t read_size : {1, 3, 1000}) {
      const Cut got = Ranges(input, range, read_size, max_line, blank);
      ASSERT_EQ(got.lines, want) << "ranges of " << range << ", reads of " << read_size << ", input ["
                                 << input << "]";
      EXPECT_EQ(got.lines_seen, CountLines(input));
    }
  }
}

TEST(BlockLines, CutsLinesAsTheLineReaderDoes) {
  ExpectSame("", 10);
  ExpectSame("a", 10);                            // a last line without '\n'
  ExpectSame("a\n", 10);
  ExpectSame("a\nb\n\nc", 10);                    // a blank line is counted
  ExpectSame("a\r\nb\r\n\r\nc\r", 10);            // CRLF, and a CR at the very end
  ExpectSame("\n\n\n", 10);                       // only blank lines
  ExpectSame(" \t\n\t a \n", 10);                 // blanks of the blank set
  ExpectSame("\xEF\xBB\xBF{}\n\xEF\xBB\xBF{}\n", 10);  // a BOM only at the start
  ExpectSame("\xEF\xBB\xBF\r\nx", 10);            // a line of only a BOM is blank
  ExpectSame("0123456789\n01234567890\nok\n", 10);  // at the limit, and one over
  ExpectSame("012345678\r\n0123456789\r\nok", 10);  // the CR counts towards the limit
  ExpectSame("\xEF\xBB\xBF" "0123456\n", 10);     // and the BOM does
  ExpectSame("\xEF\xBB\xBF" "01234567\nx\n", 10);
  ExpectSame("01234567890123456789012345678901234567890123456789\nok\n01234567890123", 10);
  ExpectSame("0123456789012\n", 10);              // too long up to the very last byte
  ExpectSame("a\r\n", 10, " \t\r");               // vigil diff's blank set
}

TEST(BlockLines, AVeryLongLineSpansManyReadsAndStaysWhole) {
  std::string input = "first\n" + std::string(5000, 'x') + "\r\n" + std::string(3000, 'y') + "\nlast";
  ExpectSame(input, 5001);
  ExpectSame(input, 5000);  // its CR makes it too long: its bytes are dropped as they come
  const Cut whole = Blocks(input, 4096, 2, 5001, " \t", 64);
  ASSERT_EQ(whole.lines.size(), 4u);
  EXPECT_EQ(whole.lines[1].text, std::string(5000, 'x'));
  const Cut dropped = Blocks(input, 4096, 2, 5000, " \t", 64);
  ASSERT_EQ(dropped.lines.size(), 4u);
  EXPECT_EQ(dropped.lines[1], (Line{2, kTooLong}));
  EXPECT_EQ(dropped.lines[2].text, std::string(3000, 'y'));
}

TEST(BlockLines, AgreesWithTheModelOnRandomInputs) {
  std::mt19937 rng(17);
  const std::string alphabet[] = {"a", "b", " ", "\t", "\r", "\n", "\n", "\xEF\xBB\xBF", "{}"};
  for (int round = 0; round < 300; ++round) {
    std::string input;
    const size_t parts = rng() % 40;
    for (size_t i = 0; i < parts; ++i) input += alphabet[rng() % std::size(alphabet)];
    ExpectSame(input, 1 + rng() % 8);
  }
}

TEST(BlockLines, ALongLineInTheFirstChunkCarriesOverWithoutLoss) {
  // Many short lines, then chunks of 3: every chunk boundary falls inside a
  // read, so each chunk starts with what the previous one read past its end.
  std::string input;
  for (int i = 0; i < 200; ++i) input += "line" + std::to_string(i) + (i % 7 == 0 ? "\r\n" : "\n");
  ExpectSame(input, 100);
  const Cut cut = Blocks(input, 1 << 20, 3, 100, " \t", 1 << 20);
  EXPECT_EQ(cut.lines.size(), 200u);
  EXPECT_GE(cut.chunks, 67u);
}

// The first chunk knows nothing of the lines: its reads start at 4 KiB and
// double, so a short input leaves a small buffer (a read of read_bytes at once
// grew it to 1 MiB, zero-filled, then 2 MiB at the end of the input); and a
// large input is cut the same whatever the reads give.
TEST(BlockLines, AShortInputKeepsASmallBufferWhateverReadBytesIs) {
  const std::string input = "{\"id\":\"e1\",\"amount\":12.5}\n";
  size_t at = 0;
  size_t largest_ask = 0;
  ReadBytes read = [&](char* buffer, size_t size) {
    largest_ask = std::max(largest_ask, size);
    const size_t n = std::min(size, input.size() - at);
    std::copy_n(input.data() + at, n, buffer);
    at += n;
    return n;
  };
  BlockLines blocks(read, 1 << 20, 1 << 20, " \t");
  std::string text;
  std::vector<LineRef> refs;
  while (blocks.Fill(text, refs, 1024)) {
  }
  EXPECT_EQ(blocks.lines_seen(), 1u);
  EXPECT_LE(largest_ask, 4096u);
  EXPECT_LE(text.size(), 2 * 4096u + kLinePadding);
}

TEST(BlockLines, TheFirstChunksGrowingReadsCutLargeInputsAsTheModel) {
  std::mt19937 rng(29);
  for (int round = 0; round < 6; ++round) {
    // About 20,000 to 600,000 bytes of lines from 1 to 999 bytes, some blank,
    // some over the limit of 900, so that the first chunk spans many reads.
    std::string input;
    const size_t lines = 100 + rng() % 1000;
    for (size_t i = 0; i < lines; ++i) {
      const size_t size = rng() % 1000;
      for (size_t j = 0; j < size; ++j) input += static_cast<char>('a' + rng() % 26);
      input += rng() % 5 == 0 ? "\r\n" : "\n";
      if (rng() % 17 == 0) input += " \t\n";
    }
    const std::vector<Line> want = Model(input, 900, " \t");
    for (size_t read_size : {size_t{1000}, size_t{4096}, size_t{70000}, size_t{1} << 20}) {
      for (size_t chunk_lines : {7, 1024}) {
        const Cut got = Blocks(input, read_size, chunk_lines, 900, " \t", 1 << 20);
        ASSERT_EQ(got.lines, want) << "round " << round << ", reads of " << read_size
                                   << ", chunks of " << chunk_lines;
        EXPECT_EQ(got.lines_seen, CountLines(input));
      }
    }
    // Ranges inside lines, across several, and the whole input at once.
    for (size_t range : {size_t{500}, size_t{4096}, size_t{70001}, input.size()}) {
      const Cut got = Ranges(input, range, size_t{1} << 20, 900, " \t");
      ASSERT_EQ(got.lines, want) << "round " << round << ", ranges of " << range;
      EXPECT_EQ(got.lines_seen, CountLines(input));
    }
  }
}

// Add takes a line whose first byte is not blank at once and looks further
// only at one that starts with a blank byte; the BOM is dropped from the
// first line only, before that look.
TEST(BlockLines, ALineThatStartsBlankIsBlankOnlyIfAllOfItIs) {
  ExpectSame(" x\n\tx\n \t\n  {}\r\n \r\n\r\nx", 10);
  ExpectSame("\xEF\xBB\xBF \t\r\n \xEF\xBB\xBF\n", 10);  // a BOM then blanks; a BOM later is not blank
  ExpectSame("\xEF\xBB\xBF \t x\n", 10);
  ExpectSame("  \n  ", 10);  // a blank last line without '\n'
}

// Fill writes the chunk's lines through a pointer into `lines` sized to the
// most a chunk takes, then cuts it to what it wrote: whatever the vector held
// before (more entries than a chunk, fewer, stale ones), it ends with exactly
// the chunk's lines, and lines_seen counts blank and too long lines alike.
TEST(BlockLines, TheLinesOfAChunkReplaceWhatTheVectorHeld) {
  std::string input;
  for (int i = 0; i < 50; ++i) {
    // Appended piece by piece: GCC 12 warns (-Warray-bounds, wrongly) on a
    // ternary of temporary strings built with operator+.
    if (i % 5 == 3) {
      input += " \t";
    } else if (i % 11 == 4) {
      input.append(40, 'x');
    } else {
      input += 'l';
      input += std::to_string(i);
    }
    input += '\n';
  }
  const std::vector<Line> want = Model(input, 20, " \t");
  for (size_t held : {0, 1, 4, 5, 6, 1000}) {
    for (size_t chunk_lines : {1, 5, 64}) {
      size_t at = 0;
      ReadBytes read = [&](char* buffer, size_t size) {
        const size_t n = std::min({size, size_t{7}, input.size() - at});
        std::copy_n(input.data() + at, n, buffer);
        at += n;
        return n;
      };
      BlockLines blocks(read, 20, 64, " \t");
      std::string text;
      std::vector<LineRef> refs(held, LineRef{3, 9, 77, false});
      std::vector<Line> got;
      for (bool more = true; more;) {
        more = blocks.Fill(text, refs, chunk_lines);
        ASSERT_LE(refs.size(), chunk_lines);
        for (const LineRef& r : refs) {
          got.push_back({r.number, r.too_long ? kTooLong : text.substr(r.offset, r.size)});
        }
        refs.resize(refs.size() + held % 3, LineRef{1, 1, 99, false});  // stale entries after them
      }
      EXPECT_EQ(got, want) << "held " << held << ", chunks of " << chunk_lines;
      EXPECT_EQ(blocks.lines_seen(), 50u);
    }
  }
}

// Lines are cut 64 bytes a step with AVX2 (where the CPU has it) and the
// last bytes of a buffer by memchr: a '\n' at every place of a step, lines
// of every length from 0 to 200 bytes (so ends fall in either half of a
// step, on its edges, and one or several steps on), buffers whose end falls
// anywhere; both ways against the model.
TEST(BlockLines, CutsAtEveryPlaceOfABlockWithAndWithoutAvx2) {
  std::mt19937 rng(29);
  std::string input;
  for (size_t n = 0; n <= 200; ++n) input += std::string(n, static_cast<char>('a' + n % 26)) + "\n";
  for (int i = 0; i < 300; ++i) input += std::string(rng() % 140, 'x') + (rng() % 9 == 0 ? "\r\n" : "\n");
  input += "end";
  const std::vector<Line> want = Model(input, 1000, " \t");
  for (const bool avx2 : {true, false}) {
    g_avx2 = avx2;
    for (size_t read_size : {size_t{63}, size_t{64}, size_t{65}, size_t{1000}, size_t{4096}, size_t{1} << 20}) {
      for (size_t chunk_lines : {1, 7, 1024}) {
        const Cut got = Blocks(input, read_size, chunk_lines, 1000, " \t", size_t{1} << 16);
        ASSERT_EQ(got.lines, want) << "avx2 " << avx2 << ", reads of " << read_size << ", chunks of "
                                   << chunk_lines;
        EXPECT_EQ(got.lines_seen, CountLines(input));
      }
    }
    ExpectSame(input.substr(0, 3000), 150);  // and too long lines among them
    for (size_t range : {size_t{63}, size_t{64}, size_t{65}, size_t{1000}, size_t{1} << 20}) {
      const Cut got = Ranges(input, range, size_t{1} << 20, 1000, " \t");
      ASSERT_EQ(got.lines, want) << "avx2 " << avx2 << ", ranges of " << range;
    }
  }
  g_avx2 = true;
}

// A range whose last line runs on past it reads that line's rest and no more
// than decides the limit: a line far over it is not read to its end (the
// ranges it spans find no line of their own in it), and the next range
// starts after it.
TEST(RangeLines, ALineOverTheLimitIsNotReadToItsEnd) {
  const std::string input = "a\n" + std::string(1 << 20, 'x') + "\nb\n";
  size_t asked = 0;
  ReadAt read = [&](char* buffer, size_t size, uint64_t offset) -> int64_t {
    asked += size;
    return CopyAt(input, buffer, size, offset);
  };
  RangeLines ranges(read, input.size(), 100, " \t");
  std::string text;
  std::vector<LineRef> refs;
  RangeCut cut = ranges.Fill(0, 10, text, refs);
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_EQ(text.substr(refs[0].offset, refs[0].size), "a");
  EXPECT_TRUE(refs[1].too_long);
  EXPECT_EQ(refs[1].number, 2u);
  EXPECT_EQ(cut.newlines, 1u);
  EXPECT_EQ(cut.last_number, 2u);
  EXPECT_LE(asked, 10u + 101u);  // the range, then the line's rest up to one byte over the limit
  // A range inside the long line holds no line; the one with its end holds "b".
  cut = ranges.Fill(5000, 6000, text, refs);
  EXPECT_TRUE(refs.empty());
  EXPECT_EQ(cut.newlines, 0u);
  EXPECT_EQ(cut.last_number, 0u);
  cut = ranges.Fill(input.size() - 4, input.size(), text, refs);
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].number, 2u);  // after the line's '\n': the second line after the range's start
  EXPECT_EQ(text.substr(refs[0].offset, refs[0].size), "b");
  EXPECT_EQ(cut.newlines, 2u);
}

// The file shrank after its size was taken: reads come back short, and the
// lines are those of what is left, as a read(2) to its end would give; the
// ranges past it give nothing.
TEST(RangeLines, AFileCutShortEndsWhereTheReadsStop) {
  std::string input;
  for (int i = 0; i < 60; ++i) input += "line" + std::to_string(i) + (i % 4 == 0 ? "\r\n" : "\n");
  for (size_t visible : {size_t{0}, size_t{1}, size_t{5}, size_t{6}, size_t{7}, size_t{100}, input.size() - 1}) {
    const std::vector<Line> want = Model(input.substr(0, visible), 100, " \t");
    for (size_t range : {1, 7, 64, 4096}) {
      const Cut got = Ranges(input, range, 1000, 100, " \t", visible);
      ASSERT_EQ(got.lines, want) << visible << " bytes left, ranges of " << range;
      EXPECT_EQ(got.lines_seen, CountLines(input.substr(0, visible)));
    }
  }
}

// A read that fails gives nothing of its range, which says so; the ranges
// before it are whole.
TEST(RangeLines, AFailedReadFailsItsRange) {
  const std::string input = "one\ntwo\nthree\nfour\n";
  const uint64_t bad = 10;  // inside "three"
  ReadAt read = [&](char* buffer, size_t size, uint64_t offset) -> int64_t {
    if (offset <= bad && bad < offset + size) return -1;
    return CopyAt(input, buffer, size, offset);
  };
  RangeLines ranges(read, input.size(), 100, " \t");
  std::string text;
  std::vector<LineRef> refs;
  RangeCut cut = ranges.Fill(0, 4, text, refs);
  EXPECT_FALSE(cut.failed);
  ASSERT_EQ(refs.size(), 1u);
  cut = ranges.Fill(4, 8, text, refs);  // "two\n" and the byte before: no read of byte 10
  EXPECT_FALSE(cut.failed);
  ASSERT_EQ(refs.size(), 1u);
  cut = ranges.Fill(9, 16, text, refs);
  EXPECT_TRUE(cut.failed);
  EXPECT_TRUE(refs.empty());
  cut = ranges.Fill(6, 9, text, refs);  // "o\n", then "three" starts: its rest reads byte 10
  EXPECT_TRUE(cut.failed);
  EXPECT_TRUE(refs.empty());
  // A reader that says it gave more than was asked is not believed (nothing
  // is read past the buffer's room): a failed read.
  ReadAt liar = [](char*, size_t size, uint64_t) -> int64_t { return static_cast<int64_t>(size) + 1; };
  RangeLines lied_to(liar, input.size(), 100, " \t");
  cut = lied_to.Fill(0, 8, text, refs);
  EXPECT_TRUE(cut.failed);
  EXPECT_TRUE(refs.empty());
}

}  // namespace
}  // namespace vigil::stream
