// Evaluating an event allocates nothing once the session, event and result
// are warm. Global operator new is replaced in this test binary (and only
// here) to count allocations.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <new>
#include <sstream>

#include "api/compiler.hpp"
#include "eval/event_json.hpp"
#include "eval/explain.hpp"
#include "eval/result_json.hpp"
#include "eval/session.hpp"
#include "stream/eval_stream.hpp"
#include "../unit/stream/string_input.hpp"

namespace {
std::atomic<long> g_allocations{0};
}

// Every form of new and delete goes through malloc/free here, so that
// sanitizers see matching pairs.
namespace {
void* Counted(size_t n) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n == 0 ? 1 : n);
}
}  // namespace

void* operator new(size_t n) {
  if (void* p = Counted(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) {
  if (void* p = Counted(n)) return p;
  throw std::bad_alloc();
}
void* operator new(size_t n, const std::nothrow_t&) noexcept { return Counted(n); }
void* operator new[](size_t n, const std::nothrow_t&) noexcept { return Counted(n); }
// GCC sees free() given what operator new returned and warns; here every
// new is malloc (Counted), so the pair matches.
#if defined(__GNUC__) && !defined(__clang__)  // clang has no such warning
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace vigil {
namespace {

// The example events, parsed once (allocation happens here, not below).
std::vector<std::unique_ptr<eval::Event>> ExampleEvents(const eval::Program& program) {
  std::ifstream in(std::string(VIGIL_SOURCE_DIR) + "/examples/events.jsonl");
  std::vector<std::unique_ptr<eval::Event>> events;
  eval::EventJsonReader reader;
  std::string line, error;
  while (std::getline(in, line)) {
    auto e = std::make_unique<eval::Event>(program.schema);
    if (reader.Read(line, *e, &error)) events.push_back(std::move(e));
  }
  return events;
}

TEST(Allocations, NonePerEventOnTheEvaluationPath) {
  Compilation c = CompileFiles({std::string(VIGIL_SOURCE_DIR) + "/rules/examples/card_rules.vgl"});
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  std::vector<std::unique_ptr<eval::Event>> events = ExampleEvents(*c.program);
  ASSERT_GE(events.size(), 10u);
  // The pack has a windowed aggregate: evaluating without recording runs
  // its whole query path (key, shard, window) and must not allocate either.
  ASSERT_FALSE(c.program->aggregates.empty());
  eval::Session session(c.program);
  eval::Result result;
  eval::EvalOptions what_if;
  what_if.record = false;
  int64_t fired = 0;
  for (int warm = 0; warm < 3; ++warm) {
    for (const auto& e : events) session.Evaluate(*e, result, what_if);
  }
  long before = g_allocations.load();
  for (int round = 0; round < 100; ++round) {
    for (const auto& e : events) {
      session.Evaluate(*e, result, what_if);
      fired += static_cast<int64_t>(result.fired.size());
    }
  }
  EXPECT_EQ(g_allocations.load() - before, 0) << "allocations while evaluating warm events";
  EXPECT_GT(fired, 0);
}

// A session evaluated in order groups rules that share a rarely true test
// of one field behind one gate at its kAdaptEvents-th event
// (Session::GroupRules): that event and every one after allocate nothing
// either (the constructor reserved the gates' room).
TEST(Allocations, NoneWhenAnOrderedSessionPutsItsRulesBehindGates) {
  std::string text = R"(ruleset alloc.gates version "1.0.0"

schema t version 1 {
  id: string @key
  ts: time
  mcc: int
  amount: decimal
  country: string
}

uses schema t
)";
  const char* conds[] = {"mcc == 5 and amount >= 1.00", "mcc == 7 and amount >= 1.00",
                         "mcc in {9, 11} and amount < 50.00", "mcc == 70 and country == \"PH\"",
                         "country == \"NZ\" and amount >= 90.00"};
  for (size_t r = 0; r < std::size(conds); ++r) {
    text += "rule g" + std::to_string(r) + " {\n  when " + conds[r] +
            "\n  then score 10\n       decide review\n}\n";
  }
  Compilation c = CompileSources({SourceInput{"gates.vgl", text}});
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  ASSERT_EQ(c.program->strategy, eval::EvalStrategy::kOrdered);
  std::vector<std::unique_ptr<eval::Event>> events;
  eval::EventJsonReader reader;
  std::string error;
  for (int i = 0; i < 1500; ++i) {
    const int mcc = i % 10 == 0 ? 5 + 2 * (i / 10 % 4) : 100 + i % 97;  // a gated value 1 in 10
    const std::string line = "{\"id\":\"t" + std::to_string(i) + "\",\"ts\":\"2026-03-01T00:00:00Z\"," +
                             "\"mcc\":" + std::to_string(mcc) + ",\"amount\":" +
                             std::to_string(i % 100) + ".00,\"country\":\"" +
                             (i % 3 == 0 ? "PH" : "NZ") + "\"}";
    auto e = std::make_unique<eval::Event>(c.program->schema);
    ASSERT_TRUE(reader.Read(line, *e, &error)) << error << ": " << line;
    events.push_back(std::move(e));
  }
  // The result's lists reach their largest in a first pass by another
  // session, so that what is counted below is the session's own.
  eval::Result result;
  {
    eval::Session first(c.program);
    for (const auto& e : events) first.Evaluate(*e, result);
  }
  eval::Session session(c.program);
  int64_t fired = 0;
  for (size_t i = 0; i < 100; ++i) session.Evaluate(*events[i], result);  // warm, still counting
  const long before = g_allocations.load();
  for (size_t i = 100; i < events.size(); ++i) {  // the kAdaptEvents-th among them
    session.Evaluate(*events[i], result);
    fired += static_cast<int64_t>(result.fired.size());
  }
  EXPECT_EQ(g_allocations.load() - before, 0) << "allocations across the session's grouping";
  static_assert(eval::Session::kAdaptEvents > 100 && eval::Session::kAdaptEvents < 1500);
  size_t gates = 0;
  for (const eval::OrderedTest& t : session.ordered_tests()) gates += t.kind == eval::OrderedTest::kGate;
  EXPECT_EQ(gates, 1u);  // mcc's four rules behind one
  EXPECT_GT(fired, 0);
}

// Recording: once every key exists and the windows slide (each round a day
// later, so old entries leave), the state reuses its memory.
TEST(Allocations, RecordingReachesASteadyState) {
  Compilation c = CompileFiles({std::string(VIGIL_SOURCE_DIR) + "/rules/examples/card_rules.vgl"});
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  std::vector<std::unique_ptr<eval::Event>> events = ExampleEvents(*c.program);
  const int ts = c.program->schema.time_slot;
  std::vector<int64_t> base;
  for (const auto& e : events) base.push_back(e->at(ts).i);
  eval::Session session(c.program);
  eval::Result result;
  auto round = [&](int64_t day) {
    for (size_t i = 0; i < events.size(); ++i) {
      events[i]->SetTime(ts, base[i] + day * 86400 * 1000000LL);
      session.Evaluate(*events[i], result);
    }
  };
  for (int day = 0; day < 10; ++day) round(day);
  long before = g_allocations.load();
  for (int day = 10; day < 110; ++day) round(day);
  EXPECT_EQ(g_allocations.load() - before, 0) << "allocations while recording in a steady state";
  EXPECT_GT(session.store()->Stats().keys, 0u);
}

// The example lines that are valid events (the file also holds a bad one,
// whose error message is allowed to allocate).
std::vector<std::string> ExampleLines(const eval::Program& program) {
  std::ifstream in(std::string(VIGIL_SOURCE_DIR) + "/examples/events.jsonl");
  std::vector<std::string> lines;
  eval::EventJsonReader reader;
  eval::Event event(program.schema);
  std::string line, error;
  while (std::getline(in, line)) {
    if (reader.Read(line, event, &error)) lines.push_back(line);
  }
  return lines;
}

// Ingest: a warm reader turns JSON lines into events without allocating
// (the one-pass path, and the reference path behind it).
TEST(Allocations, NonePerEventReadingJson) {
  Compilation c = CompileFiles({std::string(VIGIL_SOURCE_DIR) + "/rules/examples/card_rules.vgl"});
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  const std::vector<std::string> lines = ExampleLines(*c.program);
  ASSERT_GE(lines.size(), 10u);
  for (bool fast : {true, false}) {
    eval::EventJsonReader reader;
    reader.set_fast(fast);
    eval::Event event(c.program->schema);
    std::string error;
    size_t read = 0;
    for (const auto& line : lines) read += reader.Read(line, event, &error) ? 1 : 0;
    ASSERT_EQ(read, lines.size()) << error;
    long before = g_allocations.load();
    for (int round = 0; round < 100; ++round) {
      for (const auto& line : lines) read += reader.Read(line, event, &error) ? 1 : 0;
    }
    EXPECT_EQ(g_allocations.load() - before, 0) << (fast ? "one-pass" : "reference") << " path";
  }
}

// Output: results and evidence records are formatted into a reused buffer.
TEST(Allocations, NonePerEventFormattingResults) {
  Compilation c = CompileFiles({std::string(VIGIL_SOURCE_DIR) + "/rules/examples/card_rules.vgl"});
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  std::vector<std::unique_ptr<eval::Event>> events = ExampleEvents(*c.program);
  eval::Session session(c.program);
  eval::Result result;
  eval::EvalOptions what_if;
  what_if.record = false;
  eval::ExplainOptions fired_only;
  fired_only.fired_only = true;
  std::string out;
  size_t fired = 0;
  auto round = [&] {
    for (const auto& e : events) {
      out.clear();
      session.Evaluate(*e, result, what_if);
      eval::WriteResultJson(*c.program, result, 1, out);
      eval::WriteDecisionJson(*c.program, result, 1, out);
      fired += result.fired.size();
    }
  };
  for (int warm = 0; warm < 3; ++warm) round();
  long before = g_allocations.load();
  for (int r = 0; r < 100; ++r) round();
  EXPECT_EQ(g_allocations.load() - before, 0) << "allocations while formatting results";
  EXPECT_GT(fired, 0u);
}

// The whole stream of `vigil eval` (stream/eval_stream.hpp): reading,
// evaluating in input order (the pack has an aggregate), formatting. What it allocates does not grow with
// the events: chunks, events, results and buffers are reused.
class CountingOutput : public stream::Handler {
 public:
  explicit CountingOutput(const eval::Program& p) : program_(p) {}
  void Format(const stream::Evaluated& e, stream::ChunkOutput& out) override {
    eval::WriteResultJson(program_, *e.results[0], e.line, out.text);
    out.text += '\n';
  }
  bool Failed(uint64_t, const std::string&, stream::ChunkOutput&) override { return false; }
  void Deliver(stream::ChunkOutput& out) override { bytes += out.text.size(); }
  size_t bytes = 0;

 private:
  const eval::Program& program_;
};

// The allocations of one run over `input` read as raw blocks (what vigil
// eval reads from a pipe: stream::ReadBytes), or as byte ranges at offsets
// (from a regular file: stream::ReadAt) when `ranges`, without recording;
// the output must exceed `min_output` bytes.
long BlocksAllocations(const Compilation& c, const std::string& input, unsigned threads,
                       size_t chunk_lines, size_t read_bytes, size_t min_output, bool ranges = false) {
  CountingOutput output(*c.program);
  eval::EvalOptions what_if;
  what_if.record = false;
  stream::Side side{c.program, nullptr, what_if};
  stream::StreamOptions options;
  options.threads = threads;
  options.chunk_lines = chunk_lines;
  options.read_bytes = read_bytes;
  size_t at = 0;
  const stream::ReadAt read_at = [&](char* buffer, size_t size, uint64_t offset) -> int64_t {
    const size_t n = std::min(size, input.size() - static_cast<size_t>(offset));
    std::memcpy(buffer, input.data() + offset, n);
    return static_cast<int64_t>(n);
  };
  const long before = g_allocations.load();
  if (ranges) {
    stream::RunStream(std::span<const stream::Side>(&side, 1), output, read_at, input.size(), options);
  } else {
    stream::RunStream(std::span<const stream::Side>(&side, 1), output,
                      vigil::test_input::BytesOf(input, at), options);
  }
  const long spent = g_allocations.load() - before;
  EXPECT_GT(output.bytes, min_output);
  return spent;
}

// The same through raw blocks (or ranges), chunks of 64 lines read 4 KiB at
// a time.
long BlockStreamAllocations(const Compilation& c, const std::vector<std::string>& lines,
                            size_t events, unsigned threads, bool ranges = false) {
  std::string input;
  for (size_t i = 0; i < events; ++i) input += lines[i % lines.size()] + (i % 5 == 0 ? "\r\n" : "\n");
  return BlocksAllocations(c, input, threads, 64, 4096, events * 50, ranges);
}

long StreamAllocations(const Compilation& c, const std::vector<std::string>& lines, size_t events,
                       unsigned threads) {
  std::vector<std::string> shifted;
  for (size_t i = 0; i < events; ++i) shifted.push_back(lines[i % lines.size()]);
  CountingOutput output(*c.program);
  // Without recording (the same events come round again): the aggregates'
  // query path runs in the ordered stage, the state does not grow.
  eval::EvalOptions what_if;
  what_if.record = false;
  stream::Side side{c.program, nullptr, what_if};
  stream::StreamOptions options;
  options.threads = threads;
  options.chunk_lines = 64;
  size_t at = 0;
  const long before = g_allocations.load();
  stream::RunStream(std::span<const stream::Side>(&side, 1), output,
                    [&](std::string& line, bool* too_long) {
                      *too_long = false;
                      if (at == shifted.size()) return false;
                      line.assign(shifted[at++]);  // fits the capacity reached by then
                      return true;
                    },
                    options);
  const long spent = g_allocations.load() - before;
  EXPECT_GT(output.bytes, events * 50);
  return spent;
}

// On two threads each thread owns its chunks (their events, whose strings
// grow to the longest value each slot has held) and its reader, so a run's
// warm-up depends on which chunks of the input each thread happened to take:
// measured at 1,257 to 2,879 allocations for runs of 4,000 events (the
// lowest on a loaded machine, where one thread took nearly every chunk) and
// the same levels for 16,000, 64,000 and 128,000 (block reading, chunks of
// 64 lines). The bound lies above that spread and below what 252,000 more
// events would add at one allocation per chunk (3,937) or per event.
constexpr long kTwoThreadsWarmUpSpread = 3000;

// A chunk's events are made as its lines first need them: a one-line input
// (a CI job's `vigil eval` of one event) makes one event, not chunk_lines of
// them for every chunk of every thread (2 x 2 x 1,024 events here, each at
// least one allocation).
TEST(Allocations, AOneLineStreamMakesOnlyTheEventsItReads) {
  Compilation c = CompileFiles({std::string(VIGIL_SOURCE_DIR) + "/rules/examples/card_rules.vgl"});
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  const std::vector<std::string> lines = ExampleLines(*c.program);
  ASSERT_GE(lines.size(), 1u);
  for (unsigned threads : {1u, 2u}) {
    for (bool ranges : {false, true}) {
      const long spent = BlocksAllocations(c, lines[0] + "\n", threads, 1024,
                                           stream::StreamOptions{}.read_bytes, 50, ranges);
      EXPECT_LT(spent, 1024) << threads << " thread(s), ranges " << ranges;
    }
  }
}

TEST(Allocations, TheStreamAllocatesTheSameForFourTimesTheEvents) {
  Compilation c = CompileFiles({std::string(VIGIL_SOURCE_DIR) + "/rules/examples/card_rules.vgl"});
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  const std::vector<std::string> lines = ExampleLines(*c.program);
  ASSERT_GE(lines.size(), 10u);
  // A first run warms what is made once per process (static tables).
  StreamAllocations(c, lines, 4000, 1);
  // 12,000 more events may only add what the buffers take to reach the size
  // of their largest chunk (a chunk's text and output grow to fit it once),
  // far below one allocation per event. On two threads, each thread's
  // warm-up (its reader) also varies with the chunks it happens to take.
  const long one = StreamAllocations(c, lines, 4000, 1);
  const long four = StreamAllocations(c, lines, 16000, 1);
  EXPECT_LT(four, one + 20) << "allocations grew with the events on one thread";
  // Two threads: kTwoThreadsWarmUpSpread.
  const long two = StreamAllocations(c, lines, 4000, 2);
  const long two_many = StreamAllocations(c, lines, 256000, 2);
  EXPECT_LT(two_many, two + kTwoThreadsWarmUpSpread)
      << "allocations grew with the events on two threads";
}

TEST(Allocations, TheStreamReadingBlocksAllocatesTheSameForFourTimesTheEvents) {
  Compilation c = CompileFiles({std::string(VIGIL_SOURCE_DIR) + "/rules/examples/card_rules.vgl"});
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  const std::vector<std::string> lines = ExampleLines(*c.program);
  ASSERT_GE(lines.size(), 10u);
  BlockStreamAllocations(c, lines, 4000, 1);  // warms what is made once per process
  // The chunks' buffers grow to fit their reads once; the carried partial
  // line's buffer once; nothing per line or per block after that.
  const long one = BlockStreamAllocations(c, lines, 4000, 1);
  const long four = BlockStreamAllocations(c, lines, 16000, 1);
  EXPECT_LT(four, one + 20) << "allocations grew with the events on one thread";
  const long two = BlockStreamAllocations(c, lines, 4000, 2);
  const long two_many = BlockStreamAllocations(c, lines, 256000, 2);
  EXPECT_LT(two_many, two + kTwoThreadsWarmUpSpread)
      << "allocations grew with the events on two threads";
}

// Ranges: a chunk's buffer grows to its range and its last line's rest once,
// its per-line vectors to the most lines a range held (ranges are sized by
// the lines seen, so that varies a little at first); nothing per line or per
// range after that.
TEST(Allocations, TheStreamReadingRangesAllocatesTheSameForFourTimesTheEvents) {
  Compilation c = CompileFiles({std::string(VIGIL_SOURCE_DIR) + "/rules/examples/card_rules.vgl"});
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  const std::vector<std::string> lines = ExampleLines(*c.program);
  ASSERT_GE(lines.size(), 10u);
  BlockStreamAllocations(c, lines, 4000, 1, true);  // warms what is made once per process
  const long one = BlockStreamAllocations(c, lines, 4000, 1, true);
  const long four = BlockStreamAllocations(c, lines, 16000, 1, true);
  EXPECT_LT(four, one + 20) << "allocations grew with the events on one thread";
  const long two = BlockStreamAllocations(c, lines, 4000, 2, true);
  const long two_many = BlockStreamAllocations(c, lines, 256000, 2, true);
  EXPECT_LT(two_many, two + kTwoThreadsWarmUpSpread)
      << "allocations grew with the events on two threads";
}

// The baselines (docs/language.md, "Baselines"): median and percentile copy
// their window into a buffer the session reuses, windows with an offset keep
// 90 days of history. Once the windows are full and slide, nothing is
// allocated, neither when recording nor in a what-if.
TEST(Allocations, BaselinesAllocateNothingOnceWarm) {
  std::ifstream schema_file(std::string(VIGIL_SOURCE_DIR) + "/rules/examples/card_txn.vgl");
  std::stringstream schema;
  schema << schema_file.rdbuf();
  const std::string rules = R"(ruleset alloc.baselines version "1.0.0"
uses schema card_txn
rule baselines {
  severity low
  when median(amount, by: card_id, within: 30d)
         >= 1.5 * median(amount, by: card_id, within: 60d, offset: 30d)
    or percentile(amount, 90, by: card_id, within: 7d, current: false) > 100.00
    or since_previous(by: card_id, within: 7d) < 1h
    or avg(amount, by: merchant_id, within: 7d, offset: 1d, current: false) > 0
  then score 1
}
)";
  Compilation c = CompileSources({SourceInput{"card_txn.vgl", schema.str()},
                                  SourceInput{"baselines.vgl", rules}});
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  std::vector<std::unique_ptr<eval::Event>> events = ExampleEvents(*c.program);
  ASSERT_GE(events.size(), 10u);
  const int ts = c.program->schema.time_slot;
  std::vector<int64_t> base;
  for (const auto& e : events) base.push_back(e->at(ts).i);
  eval::Session session(c.program);
  eval::Result result;
  eval::EvalOptions what_if;
  what_if.record = false;
  int64_t fired = 0;
  auto round = [&](int64_t day) {
    for (size_t i = 0; i < events.size(); ++i) {
      events[i]->SetTime(ts, base[i] + day * 86400 * 1000000LL);
      session.Evaluate(*events[i], result);
      fired += static_cast<int64_t>(result.fired.size());
      session.Evaluate(*events[i], result, what_if);
    }
  };
  // 90 days fill the longest reach (60d + 30d offset); a key's history is
  // compacted once half of it has left the windows, so its buffers reach their
  // size after about twice the reach. Then the windows slide.
  for (int day = 0; day < 300; ++day) round(day);
  long before = g_allocations.load();
  for (int day = 300; day < 400; ++day) round(day);
  EXPECT_EQ(g_allocations.load() - before, 0) << "allocations while evaluating baselines";
  EXPECT_GT(fired, 0);
}

}  // namespace
}  // namespace vigil
