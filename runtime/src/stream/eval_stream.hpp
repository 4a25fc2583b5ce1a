// Evaluates a stream of JSON Lines events on several threads, with every
// result exactly what a single-threaded run gives, delivered in input order
// (docs/performance.md, "All cores"). `vigil eval`, `vigil diff` and
// `vigil test`'s fixtures run on it.
//
// The stream is cut into chunks of lines. Each thread (the calling thread is
// one of them) owns its chunks and takes each of them through every stage,
// so that a chunk's memory stays on one core:
//   - it reads the next lines of the input into its chunk under a read token
//     (one thread at a time; the token's order is the input's order, and the
//     partial line a chunk ends with goes to the next reader); or, from a
//     regular file, takes the next byte range under the token and reads and
//     cuts it without (range_lines.hpp), its lines numbered in range order;
//   - it reads (parses and converts) the chunk's events;
//   - it evaluates them: a rule set without aggregates is stateless, and
//     each thread evaluates its chunk with its own Session, in parallel; a
//     rule set with aggregates is evaluated chunk after chunk, in input
//     order, by one Session shared in turn by the threads (a token passed
//     from chunk to chunk): every key's history, for any number of keys and
//     aggregate groups (per card and per merchant at once), is recorded in
//     input order before any later event is evaluated, which is what makes
//     the results those of one thread. On several threads that shared stage
//     keeps only each event's aggregate phase (Session::RunAggregatePhase,
//     its hashes found before it by the chunk's thread), and the chunk's
//     thread then evaluates the rules on its own Session with what it found
//     (Session::EvaluateAfterPhase), unless the handler needs_session();
//   - the handler formats each result (in parallel, except where it needs
//     the Session's state of that moment, such as evidence records of rules
//     with aggregates);
//   - it delivers the chunk, and those after it that are ready, in input
//     order (when an earlier chunk is not done yet, its thread will).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "eval/event.hpp"
#include "eval/program.hpp"
#include "eval/result.hpp"
#include "base/limits.hpp"
#include "eval/session.hpp"
#include "state/backend.hpp"
#include "stream/block_lines.hpp"
#include "stream/range_lines.hpp"

namespace vigil::stream {

// One rule set evaluated over the stream (`vigil diff` has two: OLD, NEW).
struct Side {
  std::shared_ptr<const eval::Program> program;
  std::shared_ptr<state::Backend> store;  // for rule sets with aggregates; may be null
  eval::EvalOptions options;
};

// One evaluated line, every side's view of it (at most two sides).
struct Evaluated {
  uint64_t line = 0;  // 1-based line number in the input
  std::string_view text;  // the line as read (valid during Format)
  // The sessions right after this event: given to Format when the rule sets
  // are stateless or the handler needs_session(); empty otherwise.
  std::span<eval::Session* const> sessions;
  std::span<const eval::Event* const> events;
  std::span<const eval::Result* const> results;
  // When results[0]->outlier: the time it was compared with
  // (Session::outlier_reference of that moment).
  int64_t outlier_reference = 0;
};

// What a chunk gives back to the calling thread, in order.
struct ChunkOutput {
  std::string text;      // for stdout
  std::string messages;  // for stderr, in line order
  uint64_t evaluated = 0;
  uint64_t failed = 0;
  uint64_t last_line = 0;   // the last line of the chunk the run got to
  bool stop = false;        // the handler asked to stop at a failed line
  uint64_t counts[2] = {};     // the handler's own counts (vigil eval: late, outliers)
  std::vector<uint32_t> data;  // the handler's own per-event records (vigil diff)
};

class Handler {
 public:
  virtual ~Handler() = default;
  // Whether Format reads the Session's state after the event (an evidence
  // record reads aggregate values): then, for rule sets with aggregates,
  // Format runs in the ordered stage, right after the event's evaluation.
  virtual bool needs_session() const { return false; }
  // Formats one evaluated line into `out`. Runs on a stream thread, for the
  // lines of a chunk in order, and never on two threads for one chunk.
  // Setting out.stop ends the run after this line (nothing after it is
  // evaluated or delivered) where Format runs right after the evaluation:
  // for stateless rule sets, and for any rule set when needs_session().
  virtual void Format(const Evaluated& e, ChunkOutput& out) = 0;
  // A line that could not be read: `error` is the reader's message, or
  // empty when the line was over the input's line limit (`NextLine`'s
  // too_long, or a raw line over StreamOptions::max_line). True stops the
  // run at this line. Same threads as Format.
  virtual bool Failed(uint64_t line, const std::string& error, ChunkOutput& out) = 0;
  // Chunk by chunk in input order, on any of the stream's threads (the
  // calling thread is one): one call at a time, each ordered after the
  // previous one (a mutex orders them, so what Deliver writes in the handler
  // needs no lock of its own), and all of them before RunStream returns,
  // when the caller reads the handler's totals. No other member runs
  // concurrently with Deliver on the same chunk.
  virtual void Deliver(ChunkOutput& out) = 0;
};

// The next line of input: false at the end; `too_long` set for a line over
// the limit (its text dropped). Called by one thread at a time (the one that
// holds the read token, not always the calling thread), in input order.
using NextLine = std::function<bool(std::string& line, bool* too_long)>;

struct StreamOptions {
  unsigned threads = 1;      // 0: every core
  size_t chunk_lines = 1024;
  const char* blank = " \t";  // a line of only these bytes is skipped
  // Progress, the number of the last line read: updated by the thread that
  // reads, under the read token (or, over ranges, by the thread that numbers
  // a range, in range order, under the stream's lock); the caller reads it
  // once RunStream has returned (or unwound).
  uint64_t* lines_read = nullptr;
  // Raw input (ReadBytes): the most read at once into a chunk's buffer, and
  // the longest line (longer ones are too_long), as block_lines.hpp says.
  size_t read_bytes = 1u << 20;
  size_t max_line = limits::kMaxEventJsonBytes;
};

struct StreamTotals {
  uint64_t evaluated = 0;
  uint64_t failed = 0;
  bool stopped = false;  // a failed line stopped the run
};

// Runs the whole stream over one or two sides. Blank lines are skipped and
// counted in line numbers.
StreamTotals RunStream(std::span<const Side> sides, Handler& handler, const NextLine& next,
                       const StreamOptions& options);

// The same over raw input, read in blocks straight into the chunks and cut
// into lines in place (block_lines.hpp: the lines of the CLI's LineReader,
// CRLF, a BOM, a last line without '\n' and the line limit included). The
// read token's share of the work per line is then a memchr, and `read` is
// called by one thread at a time (docs/performance.md, "All cores").
StreamTotals RunStream(std::span<const Side> sides, Handler& handler, const ReadBytes& read,
                       const StreamOptions& options);

// The same over input read at offsets (a regular file of `size` bytes), in
// ranges that each thread reads and cuts on its own (range_lines.hpp): the
// read token's share of the work per chunk is then an addition, and a
// chunk's lines are numbered, in input order, once the chunks before it are
// cut. The lines are those of the ReadBytes form, byte for byte; a read
// error ends the input before the range whose read hit it (a range's last
// line reads on past its end), a short read (the file shrank) after it.
// StreamOptions's read_bytes is the most a range holds; a range holds about
// chunk_lines lines, judged from the ranges 8 before it (16 KiB for the
// first 8), so that the chunks are the same on any number of threads; where
// lines get much shorter a chunk holds many more for a while.
StreamTotals RunStream(std::span<const Side> sides, Handler& handler, const ReadAt& read,
                       uint64_t size, const StreamOptions& options);

// The number of threads `threads` stands for (0: every core, at least 1).
unsigned ThreadCount(unsigned threads);

}  // namespace vigil::stream
