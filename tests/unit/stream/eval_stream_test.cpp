// The stream engine (stream/eval_stream.hpp) on 1 to 4 threads: every thread
// reads its own chunks under the read token, works on them and delivers
// them in input order. What one thread gives is the reference (and, for
// rule sets with aggregates, one Session evaluating the events in order):
// the same bytes on every thread count, through raw blocks (ReadBytes, with
// reads small enough to cut lines across chunks and readers) and lines
// (NextLine); malformed and too-long lines at chunk boundaries; a run
// stopped by Failed or by Format at exactly that line; an exception on a
// stream thread given back to the caller. tools/tsan.sh runs these under
// ThreadSanitizer (StreamConcurrency.*), so they live in
// vigil_concurrency_tests.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "api/compiler.hpp"
#include "eval/event_json.hpp"
#include "eval/result_json.hpp"
#include "eval/session.hpp"
#include "state/store.hpp"
#include "stream/eval_stream.hpp"
#include "stream/string_input.hpp"

namespace vigil {
namespace {

constexpr const char* kSchema = R"(
schema pay version 1 {
  txn_id: string @id
  ts: time @time
  card_id: string @key
  amount: decimal
  channel: string
}
uses schema pay
)";

std::string Stateless() {
  return std::string("ruleset t.stream version \"1.0.0\"") + kSchema + R"(
rule big {
  title "big"
  severity medium
  when amount > 300.00 and channel == "ecom"
  then score 30 decide review reason "{amount} online"
}
)";
}

std::string Velocity() {
  return std::string("ruleset t.stream version \"1.0.0\"") + kSchema + R"(
rule burst {
  title "burst"
  severity medium
  when count(by: card_id, within: 1h) >= 3
  then score 20 decide review reason "{count(by: card_id, within: 1h)} in an hour"
}
rule spend {
  title "spend"
  severity high
  when sum(amount, by: card_id, within: 24h) > 700.00
  then score 40 decide review reason "{sum(amount, by: card_id, within: 24h)} in a day"
}
)";
}

// `n` events over few cards (their windows span many chunks), with the lines
// listed in `bad` malformed, those in `blank` blank, and every fifth ending
// in CRLF.
std::string Events(int n, const std::vector<int>& bad = {}, const std::vector<int>& blank = {}) {
  std::string out;
  long t = 1772323200;
  unsigned x = 16;
  for (int i = 1; i <= n; ++i) {
    x = x * 1103515245u + 12345u;
    t += (x >> 16) % 200;
    if (std::find(bad.begin(), bad.end(), i) != bad.end()) {
      out += "{\"txn_id\":\"bad\",\"amount\":\"lots\"}\n";
      continue;
    }
    if (std::find(blank.begin(), blank.end(), i) != blank.end()) {
      out += "  \n";
      continue;
    }
    out += "{\"txn_id\":\"t" + std::to_string(i) + "\",\"ts\":" + std::to_string(t) +
           "000000,\"card_id\":\"c" + std::to_string((x >> 8) % 7) + "\",\"amount\":" +
           std::to_string((x >> 4) % 400) + ".25,\"channel\":\"" +
           ((x & 1) != 0 ? "ecom" : "pos") + "\"}" + (i % 5 == 0 ? "\r\n" : "\n");
  }
  return out;
}

// vigil eval's handler in small: results on `text`, failures on `messages`,
// and a check that Deliver is called one chunk at a time in input order.
class Recorder : public stream::Handler {
 public:
  explicit Recorder(const eval::Program& program) : program_(program) {}
  void Format(const stream::Evaluated& e, stream::ChunkOutput& out) override {
    if (e.line == throw_at) throw std::runtime_error("format failed");
    out.text += std::to_string(e.line) + " ";  // the line number, to check the order by
    eval::WriteResultJson(program_, *e.results[0], e.line, out.text);
    out.text += '\n';
    if (e.line == stop_at) out.stop = true;
  }
  bool Failed(uint64_t line, const std::string& error, stream::ChunkOutput& out) override {
    out.messages += std::to_string(line) + ": " + (error.empty() ? "too long" : error) + "\n";
    return stop_on_error;
  }
  void Deliver(stream::ChunkOutput& out) override {
    // Plain members: a Deliver racing another would be a ThreadSanitizer
    // report, and one out of order a failure here.
    EXPECT_FALSE(delivering);
    delivering = true;
    if (out.last_line != 0) {
      EXPECT_GT(out.last_line, last_line);
      last_line = out.last_line;
    }
    all += out.messages;
    all += out.text;
    ++chunks;
    delivering = false;
  }

  uint64_t stop_at = 0;   // Format sets out.stop at this line
  uint64_t throw_at = 0;  // Format throws at this line
  bool stop_on_error = false;
  std::string all;  // messages and results as delivered
  uint64_t last_line = 0;
  uint64_t chunks = 0;
  bool delivering = false;

 private:
  const eval::Program& program_;
};

struct Outcome {
  std::string all;
  stream::StreamTotals totals;
  uint64_t lines_read = 0;
};

// Raw blocks read in order, lines, or byte ranges read at offsets.
enum class Input { kBlocks, kLines, kRanges };

// Input::kRanges's reads: one covering g_fail_at_offset fails, one covering
// g_throw_at_offset throws; one covering a byte of [g_gone_from, g_gone_to)
// comes back short at g_gone_from (the file shrank to g_gone_from before
// that read, while ranges past g_gone_to were read before it shrank).
uint64_t g_fail_at_offset = UINT64_MAX, g_throw_at_offset = UINT64_MAX;
uint64_t g_gone_from = UINT64_MAX, g_gone_to = UINT64_MAX;
// The line limit of RunOnce's runs.
size_t g_max_line = 200;

// One run over `input`; `setup` adjusts the handler.
template <typename Setup>
Outcome RunOnce(const Compilation& c, const std::string& input, unsigned threads, Input how,
                size_t chunk_lines, size_t read_bytes, Setup setup) {
  Recorder handler(*c.program);
  setup(handler);
  stream::Side side{c.program, std::make_shared<state::Store>(state::StoreOptions{}),
                    eval::EvalOptions{}};
  stream::StreamOptions options;
  options.threads = threads;
  options.chunk_lines = chunk_lines;
  options.read_bytes = read_bytes;
  options.max_line = g_max_line;
  Outcome out;
  options.lines_read = &out.lines_read;
  size_t at = 0;
  if (how == Input::kBlocks) {
    out.totals = stream::RunStream(
        std::span<const stream::Side>(&side, 1), handler,
        test_input::BytesOf(input, at), options);
  } else if (how == Input::kRanges) {
    out.totals = stream::RunStream(
        std::span<const stream::Side>(&side, 1), handler,
        [&](char* buffer, size_t size, uint64_t offset) -> int64_t {
          if (offset <= g_fail_at_offset && g_fail_at_offset < offset + size) return -1;
          if (offset <= g_throw_at_offset && g_throw_at_offset < offset + size) {
            throw std::runtime_error("read failed");
          }
          if (offset < g_gone_to && offset + size > g_gone_from) {
            size = offset < g_gone_from ? static_cast<size_t>(g_gone_from - offset) : 0;
          }
          const size_t n = std::min(size, input.size() - static_cast<size_t>(offset));
          std::memcpy(buffer, input.data() + offset, n);
          return static_cast<int64_t>(n);
        },
        input.size(), options);
  } else {
    out.totals = stream::RunStream(
        std::span<const stream::Side>(&side, 1), handler,
        [&](std::string& line, bool* too_long) {
          *too_long = false;
          if (!test_input::CutLine(input, at, line)) return false;
          if (!line.empty() && line.back() == '\r') line.pop_back();
          if (line.size() > options.max_line) {
            line.clear();
            *too_long = true;
          }
          return true;
        },
        options);
  }
  out.all = std::move(handler.all);
  return out;
}

Outcome RunOnce(const Compilation& c, const std::string& input, unsigned threads, Input how,
                size_t chunk_lines = 7, size_t read_bytes = 100) {
  return RunOnce(c, input, threads, how, chunk_lines, read_bytes, [](Recorder&) {});
}

// The results of one Session over the events in order: what any number of
// threads must give for the lines that read.
std::string Serial(const Compilation& c, const std::string& input) {
  eval::Session session(c.program, std::make_shared<state::Store>(state::StoreOptions{}));
  eval::EventJsonReader reader;
  eval::Event event(c.program->schema);
  eval::Result result;
  std::string out;
  uint64_t number = 0;
  size_t at = 0;
  std::string line;
  while (test_input::CutLine(input, at, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::string error;
    if (!reader.Read(line, event, &error)) {
      out += std::to_string(number) + ": " + (error.empty() ? "malformed JSON" : error) + "\n";
      continue;
    }
    session.Evaluate(event, result, eval::EvalOptions{});
    out += std::to_string(number) + " ";
    eval::WriteResultJson(*c.program, result, number, out);
    out += '\n';
  }
  return out;
}

// Messages come before the results of their chunk: compare line by line,
// sorted by the line number each starts with, to check against Serial.
std::vector<std::string> ByLine(const std::string& text) {
  std::vector<std::pair<uint64_t, std::string>> lines;
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = text.find('\n', at);
    std::string line = text.substr(at, end - at);
    at = end + 1;
    lines.emplace_back(std::stoull(line), line);  // "N: message" or "N {result}"
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (auto& l : lines) out.push_back(std::move(l.second));
  return out;
}

Compilation Compile(const std::string& text) {
  Compilation c = CompileSources({SourceInput{"t.vgl", text}});
  EXPECT_TRUE(c.ok()) << c.RenderDiagnostics();
  return c;
}

TEST(StreamConcurrency, EveryThreadCountGivesTheBytesOfOneThread) {
  const std::vector<int> bad = {7, 8, 14, 15, 50, 300};  // at and across chunk boundaries (7)
  const std::vector<int> blank = {21, 22, 100};
  std::string input = Events(600, bad, blank);
  input += std::string(250, ' ') + "{}\n";  // too long (max_line 200), at line 601
  input += Events(1).substr(0, Events(1).size() - 1);  // a last line without '\n'
  for (const std::string& rules : {Stateless(), Velocity()}) {
    const Compilation c = Compile(rules);
    ASSERT_TRUE(c.ok());
    const Outcome one = RunOnce(c, input, 1, Input::kBlocks);
    EXPECT_EQ(one.totals.evaluated, 602u - bad.size() - blank.size() - 1);
    EXPECT_EQ(one.totals.failed, bad.size() + 1);
    EXPECT_FALSE(one.totals.stopped);
    EXPECT_EQ(one.lines_read, 602u);
    EXPECT_NE(one.all.find("601: too long\n"), std::string::npos);
    // The results of one Session in order (Serial has no line limit: drop
    // the too-long line from both).
    std::vector<std::string> got = ByLine(one.all), want = ByLine(Serial(c, input));
    std::erase_if(got, [](const std::string& l) { return l.starts_with("601:"); });
    std::erase_if(want, [](const std::string& l) { return l.starts_with("601"); });
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], want[i]);
    // A chunk's messages come before its results: the bytes depend on the
    // chunk size, and on nothing else.
    for (size_t chunk_lines : {size_t{1}, size_t{7}, size_t{64}}) {
      const Outcome ref = RunOnce(c, input, 1, Input::kBlocks, chunk_lines, 100);
      EXPECT_EQ(ByLine(ref.all), ByLine(one.all));
      for (unsigned threads : {1u, 2u, 3u, 4u}) {
        for (Input how : {Input::kBlocks, Input::kLines}) {
          SCOPED_TRACE(testing::Message() << threads << " threads, chunks of " << chunk_lines
                                          << (how == Input::kBlocks ? ", blocks" : ", lines"));
          const Outcome o = RunOnce(c, input, threads, how, chunk_lines, 100);
          EXPECT_TRUE(o.all == ref.all);
          EXPECT_EQ(o.totals.evaluated, one.totals.evaluated);
          EXPECT_EQ(o.totals.failed, one.totals.failed);
          EXPECT_EQ(o.lines_read, 602u);
        }
      }
      // Ranges: chunks by bytes (of at most read_bytes, about chunk_lines
      // lines), so the same lines and results, chunked otherwise; chunked
      // alike on every thread count (the ranges' sizes depend on the input
      // alone), so the same bytes as one thread.
      for (size_t read_bytes : {size_t{1}, size_t{100}, size_t{1} << 20}) {
        const Outcome ranged = RunOnce(c, input, 1, Input::kRanges, chunk_lines, read_bytes);
        for (unsigned threads : {1u, 2u, 3u, 4u}) {
          SCOPED_TRACE(testing::Message() << threads << " threads, ranges, chunks of " << chunk_lines
                                          << " lines, at most " << read_bytes << " bytes");
          const Outcome o = RunOnce(c, input, threads, Input::kRanges, chunk_lines, read_bytes);
          EXPECT_TRUE(o.all == ranged.all);
          EXPECT_EQ(ByLine(o.all), ByLine(ref.all));
          EXPECT_EQ(o.totals.evaluated, one.totals.evaluated);
          EXPECT_EQ(o.totals.failed, one.totals.failed);
          EXPECT_EQ(o.lines_read, 602u);
        }
      }
    }
  }
}

TEST(StreamConcurrency, AFailedLineStopsTheRunThereOnEveryThreadCount) {
  const std::string input = Events(500, {8, 15, 200});
  for (const std::string& rules : {Stateless(), Velocity()}) {
    const Compilation c = Compile(rules);
    ASSERT_TRUE(c.ok());
    for (unsigned threads : {1u, 2u, 4u}) {
      for (Input how : {Input::kBlocks, Input::kLines, Input::kRanges}) {
        SCOPED_TRACE(testing::Message() << threads << " threads, input " << static_cast<int>(how));
        const Outcome o = RunOnce(c, input, threads, how, 7, 100,
                                  [](Recorder& r) { r.stop_on_error = true; });
        EXPECT_TRUE(o.totals.stopped);
        EXPECT_EQ(o.totals.evaluated, 7u);  // lines 1 to 7, then line 8 stops the run
        EXPECT_EQ(o.totals.failed, 1u);
        EXPECT_TRUE(o.all.starts_with("8: ") || o.all.find("\n8: ") != std::string::npos);
        EXPECT_NE(o.all.find("\n7 {"), std::string::npos);
        EXPECT_EQ(o.all.find("\n9 {"), std::string::npos);
        EXPECT_EQ(o.all.find("15: "), std::string::npos);
        if (how == Input::kRanges) continue;  // chunked by bytes: line 8 may share lines 1-7's chunk
        // Line 8 is the first of the second chunk: its message ends the
        // output, after the results of lines 1 to 7.
        const size_t last = o.all.rfind('\n', o.all.size() - 2);
        ASSERT_NE(last, std::string::npos);
        EXPECT_TRUE(o.all.substr(last + 1).starts_with("8: ")) << o.all.substr(last + 1);
      }
    }
  }
}

TEST(StreamConcurrency, FormatStopsTheRunAfterItsLine) {
  const std::string input = Events(400);
  // Stateless: Format runs after each evaluation; with aggregates it does
  // when Format needs the session, otherwise out.stop is not promised.
  const Compilation c = Compile(Stateless());
  ASSERT_TRUE(c.ok());
  for (uint64_t stop_at : {1u, 7u, 8u, 123u, 400u}) {
    for (unsigned threads : {1u, 2u, 3u}) {
     for (Input how : {Input::kBlocks, Input::kRanges}) {
      SCOPED_TRACE(testing::Message() << threads << " threads, stop at " << stop_at << ", input "
                                      << static_cast<int>(how));
      const Outcome o = RunOnce(c, input, threads, how, 7, 100,
                                [&](Recorder& r) { r.stop_at = stop_at; });
      EXPECT_TRUE(o.totals.stopped);
      EXPECT_EQ(o.totals.evaluated, stop_at);
      size_t lines = 0;
      for (char ch : o.all) lines += ch == '\n';
      EXPECT_EQ(lines, stop_at);
      // The last result is that of the line that stopped the run.
      const size_t last = o.all.rfind('\n', o.all.size() - 2);
      EXPECT_TRUE(o.all.substr(last == std::string::npos ? 0 : last + 1)
                      .starts_with(std::to_string(stop_at) + " {"));
     }
    }
  }
}

TEST(StreamConcurrency, AnExceptionOnAStreamThreadReachesTheCaller) {
  const std::string input = Events(300);
  for (const std::string& rules : {Stateless(), Velocity()}) {
    const Compilation c = Compile(rules);
    ASSERT_TRUE(c.ok());
    for (unsigned threads : {1u, 2u, 4u}) {
      for (uint64_t throw_at : {3u, 150u, 300u}) {
        SCOPED_TRACE(testing::Message() << threads << " threads, throw at " << throw_at);
        for (Input how : {Input::kBlocks, Input::kRanges}) {
          EXPECT_THROW(RunOnce(c, input, threads, how, 7, 100,
                               [&](Recorder& r) { r.throw_at = throw_at; }),
                       std::runtime_error);
        }
      }
    }
  }
}

// A read of a range that fails ends the input before that range: the lines
// before it are evaluated and delivered, in order and all of them, nothing
// after it is, and the run ends without hanging whichever thread cut what.
TEST(StreamConcurrency, AFailedRangeReadEndsTheInputBeforeIt) {
  const std::string input = Events(400);
  const uint64_t bad = input.size() / 2;
  const uint64_t bad_line = 1 + std::count(input.begin(), input.begin() + bad, '\n');
  for (const std::string& rules : {Stateless(), Velocity()}) {
    const Compilation c = Compile(rules);
    ASSERT_TRUE(c.ok());
    const std::vector<std::string> all = ByLine(Serial(c, input));
    for (unsigned threads : {1u, 2u, 4u}) {
      for (size_t read_bytes : {size_t{100}, size_t{3000}}) {
        SCOPED_TRACE(testing::Message() << threads << " threads, ranges of at most " << read_bytes);
        g_fail_at_offset = bad;
        const Outcome o = RunOnce(c, input, threads, Input::kRanges, 7, read_bytes);
        g_fail_at_offset = UINT64_MAX;
        EXPECT_FALSE(o.totals.stopped);  // a read error is the caller's to report
        const std::vector<std::string> got = ByLine(o.all);
        ASSERT_LT(got.size(), bad_line);
        EXPECT_GT(got.size(), 0u);
        // The first lines, every one of them: a prefix of one Session's run.
        EXPECT_EQ(got, std::vector<std::string>(all.begin(), all.begin() + got.size()));
        EXPECT_EQ(o.totals.evaluated, got.size());
        EXPECT_GE(o.lines_read, got.size());
        EXPECT_LT(o.lines_read, bad_line);
        // What failed is the range whose read covers `bad` (its own, or the
        // previous range's last line read on into it): every line before
        // the previous range's start is there.
        const uint64_t safe = bad - 2 * read_bytes - 200;
        const uint64_t before = std::count(input.begin(), input.begin() + safe, '\n');
        EXPECT_GE(got.size(), before);
      }
    }
  }
}

// A read that throws (on any thread, between taking a range and numbering
// it) ends the run and reaches the caller: no thread waits for its range's
// numbers forever.
TEST(StreamConcurrency, AnExceptionInARangeReadReachesTheCaller) {
  const std::string input = Events(400);
  for (const std::string& rules : {Stateless(), Velocity()}) {
    const Compilation c = Compile(rules);
    ASSERT_TRUE(c.ok());
    for (unsigned threads : {1u, 2u, 4u}) {
      for (uint64_t at : {uint64_t{0}, input.size() / 3, input.size() - 1}) {
        SCOPED_TRACE(testing::Message() << threads << " threads, throw at byte " << at);
        g_throw_at_offset = at;
        EXPECT_THROW(RunOnce(c, input, threads, Input::kRanges, 7, 300), std::runtime_error);
        g_throw_at_offset = UINT64_MAX;
      }
    }
  }
}

// A file that shrinks mid-run: a range whose read comes back short ends the
// input there, even though ranges after it were read before the file shrank
// (their lines are not numbered after the cut and evaluated).
TEST(StreamConcurrency, AFileThatShrinksEndsAtTheFirstShortRead) {
  const std::string input = Events(400);
  const uint64_t cut = input.size() / 3 + 17;  // inside a line
  for (const std::string& rules : {Stateless(), Velocity()}) {
    const Compilation c = Compile(rules);
    ASSERT_TRUE(c.ok());
    const std::vector<std::string> want = ByLine(Serial(c, input.substr(0, cut)));
    for (unsigned threads : {1u, 2u, 4u}) {
      for (size_t read_bytes : {size_t{300}, size_t{5000}}) {
        SCOPED_TRACE(testing::Message() << threads << " threads, ranges of at most " << read_bytes);
        g_gone_from = cut;
        g_gone_to = input.size() / 2;  // what lies past it was read before the file shrank
        const Outcome o = RunOnce(c, input, threads, Input::kRanges, 7, read_bytes);
        g_gone_from = g_gone_to = UINT64_MAX;
        // The cut line is a last line without '\n': malformed, as a read(2)
        // to the new end would give it.
        std::vector<std::string> got = ByLine(o.all);
        for (std::string& line : got) {
          if (line.find(": ") != std::string::npos && line.find(" {") == std::string::npos) {
            line = line.substr(0, line.find(": "));  // the message's wording is the reader's
          }
        }
        std::vector<std::string> expected = want;
        for (std::string& line : expected) {
          if (line.find(": ") != std::string::npos && line.find(" {") == std::string::npos) {
            line = line.substr(0, line.find(": "));
          }
        }
        EXPECT_EQ(got, expected);
      }
    }
  }
}

// Lines that get much shorter: the ranges sized by the long ones hold many
// times chunk_lines short ones, and the chunks' vectors grow to them and go
// back after; the results are one Session's, the bytes one thread's.
TEST(StreamConcurrency, ShortLinesAfterLongOnesAreChunkedAndReadWhole) {
  std::string input;
  for (int i = 0; i < 60; ++i) {
    std::string line = Events(1);
    line.insert(1, "\"pad\":\"" + std::string(3000, 'p') + "\",");
    input += line;
  }
  input += Events(3000);
  g_max_line = 1 << 20;
  for (const std::string& rules : {Stateless(), Velocity()}) {
    const Compilation c = Compile(rules);
    ASSERT_TRUE(c.ok());
    const Outcome one = RunOnce(c, input, 1, Input::kRanges, 7, size_t{1} << 20);
    EXPECT_EQ(one.totals.evaluated, 3060u);
    EXPECT_EQ(one.lines_read, 3060u);
    EXPECT_EQ(ByLine(one.all), ByLine(Serial(c, input)));
    for (unsigned threads : {2u, 3u}) {
      const Outcome o = RunOnce(c, input, threads, Input::kRanges, 7, size_t{1} << 20);
      EXPECT_TRUE(o.all == one.all) << threads << " threads";
    }
  }
  g_max_line = 200;
}

}  // namespace
}  // namespace vigil
