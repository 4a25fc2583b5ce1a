#include "stream/eval_stream.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <type_traits>

#include "eval/event_json.hpp"

namespace vigil::stream {

namespace {

// A side's events and results for the lines of a chunk; kept warm from
// chunk to chunk, so that a run allocates nothing per event once started.
struct SideChunk {
  std::vector<std::unique_ptr<eval::Event>> events;
  std::vector<eval::Result> results;
  std::vector<int64_t> outlier_references;
  // Two-phase evaluation (Run::split_): per line, what the ordered stage's
  // aggregate phase gave, and the aggregates' values and event counts
  // (`aggregates` of each a line, line after line).
  std::vector<eval::Session::AggregatePhase> phases;
  std::vector<eval::Session::PhaseHashes> hashes;  // found before the ordered stage
  std::vector<eval::Value> agg_values;
  std::vector<int64_t> agg_events;
};

struct Chunk {
  uint64_t seq = 0;
  size_t owner = 0;  // the worker whose chunk it is (it goes back there once delivered)
  std::string text;  // the lines, back to back
  // The lines are followed in `text` by a stop and padding, as BlockLines
  // leaves them: read in place (EventJsonReader::ReadInPlace).
  bool in_place = false;
  std::vector<LineRef> lines;
  uint64_t range_start = 0, range_end = 0;  // the input's bytes it reads (RunStream over ReadAt)
  std::vector<std::string> errors;  // per line: the reader's message, empty when read
  std::vector<SideChunk> sides;
  size_t formatted_upto = 0;  // lines evaluated (and so to format)
  ChunkOutput out;
};

// What a thread of the stream keeps: its readers, its sessions for stateless
// rule sets, and its own chunks. A worker reads its chunk's lines, parses,
// evaluates and formats them, and most often delivers them too, so that a
// chunk's memory stays in the cache of the core that uses it instead of
// crossing cores at every stage (docs/performance.md, "All cores").
struct Worker {
  std::vector<std::unique_ptr<eval::EventJsonReader>> readers;
  std::vector<std::unique_ptr<eval::Session>> sessions;
  std::vector<std::unique_ptr<Chunk>> chunks;
  std::vector<Chunk*> free;  // guarded by Run::mu_
};

// Chunks per worker on several threads: one being worked on, and one more so
// that a worker whose finished chunk waits for an earlier one to be delivered
// goes on with its next chunk meanwhile.
constexpr size_t kChunksPerWorker = 2;

class Run {
 public:
  Run(std::span<const Side> sides, Handler& handler, const StreamOptions& options)
      : sides_(sides), handler_(handler), options_(options) {
    if (sides_.empty() || sides_.size() > 2) std::abort();  // one rule set, or OLD and NEW
    for (const Side& s : sides_) ordered_ = ordered_ || !s.program->aggregates.empty();
    if (ordered_) {
      for (const Side& s : sides_) {
        shared_.push_back(std::make_unique<eval::Session>(s.program, s.store));
      }
    }
  }

  // `fill(chunk)` puts the next lines of the input in the chunk, or says
  // which of it the chunk is to read: false when the input is all read (the
  // chunk may still hold its last lines). It runs under the read token
  // (read_mu_): one worker at a time, each chunk's number taken with it, so
  // the numbers are the input's order. `load(chunk)` runs right after it on
  // the same worker, without the token, before the chunk is processed.
  template <typename Fill, typename Load>
  StreamTotals Go(Fill fill, Load load) {
    const unsigned threads = ThreadCount(options_.threads);
    const size_t per_worker = threads == 1 ? 1 : kChunksPerWorker;
    // On several threads, the ordered stage keeps only the aggregates: each
    // worker evaluates its chunk's rules on its own sessions afterwards.
    // Not when Format reads the ordered stage's session (needs_session), nor
    // for string aggregates (Session::AggregatesAreScalars).
    split_ = ordered_ && threads > 1 && !handler_.needs_session();
    for (const Side& s : sides_) split_ = split_ && eval::Session::AggregatesAreScalars(*s.program);
    workers_.resize(threads);
    ready_.reserve(threads * per_worker);  // never more chunks than that are ready
    // The calling thread is worker 0: `threads` threads in all, one per core.
    std::vector<std::thread> others;
    for (unsigned t = 1; t < threads; ++t) {
      others.emplace_back([this, t, per_worker, &fill, &load] { Guarded(t, per_worker, fill, load); });
    }
    if (threads == 1) {
      Work(0, per_worker, fill, load);  // an exception goes straight to the caller
    } else {
      Guarded(0, per_worker, fill, load);
    }
    for (std::thread& t : others) t.join();
    if (error_) std::rethrow_exception(error_);
    return totals_;
  }

  // NextLine: each line copied into the chunk's text.
  StreamTotals GoLines(const NextLine& next) {
    uint64_t number = 0;
    std::string line;
    return Go([&](Chunk& chunk) {
      chunk.text.clear();
      chunk.lines.clear();
      while (chunk.lines.size() < options_.chunk_lines) {
        bool too_long = false;
        if (!next(line, &too_long)) return false;
        ++number;
        if (options_.lines_read != nullptr) *options_.lines_read = number;
        if (!too_long && line.find_first_not_of(options_.blank) == std::string::npos) continue;
        LineRef ref;
        ref.offset = chunk.text.size();
        ref.size = too_long ? 0 : line.size();
        ref.number = number;
        ref.too_long = too_long;
        chunk.lines.push_back(ref);
        if (!too_long) chunk.text += line;
      }
      return true;
    }, [](Chunk&) {});
  }

  // ReadBytes: read into the chunk's own buffer, cut in place.
  StreamTotals GoBytes(const ReadBytes& read) {
    BlockLines input(read, options_.max_line, options_.read_bytes, options_.blank);
    return Go([&](Chunk& chunk) {
      const bool more = input.Fill(chunk.text, chunk.lines, options_.chunk_lines);
      chunk.in_place = true;
      if (options_.lines_read != nullptr) *options_.lines_read = input.lines_seen();
      return more;
    }, [](Chunk&) {});
  }

  // ReadAt: the token hands out byte ranges; each worker reads and cuts its
  // own, then numbers its lines in range order (Number).
  StreamTotals GoRanges(const ReadAt& read, uint64_t size) {
    RangeLines input(read, size, options_.max_line, options_.blank);
    uint64_t next = 0;  // the next range's start (read_mu_)
    return Go(
        [&](Chunk& chunk) {
          chunk.range_start = next;
          chunk.range_end = next + std::min<uint64_t>(RangeBytes(chunk.seq), size - next);
          chunk.in_place = true;
          next = chunk.range_end;
          return next < size;
        },
        [&](Chunk& chunk) {
          const RangeCut cut = input.Fill(chunk.range_start, chunk.range_end, chunk.text, chunk.lines);
          Number(chunk, cut);
        });
  }
 private:
  std::unique_ptr<Chunk> NewChunk(size_t owner) {
    auto chunk = std::make_unique<Chunk>();
    chunk->owner = owner;
    chunk->sides.resize(sides_.size());
    for (size_t k = 0; k < sides_.size(); ++k) {
      SideChunk& s = chunk->sides[k];
      // The events are made as the chunk's lines first need them (Process):
      // made here, chunk_lines of them for every chunk, they were 2,064
      // allocations and 2.5M instructions before the first event of a
      // two-thread run of one event (0.6M on one thread).
      s.events.reserve(options_.chunk_lines);
      s.results.resize(options_.chunk_lines);
      s.outlier_references.resize(options_.chunk_lines);
    }
    chunk->errors.resize(options_.chunk_lines);
    return chunk;
  }

  // The bytes of range `k` (under the read token): about chunk_lines lines
  // by the size of the lines of the ranges numbered up to range k - kLag,
  // at most read_bytes; kFirstRange for the first kLag ranges. A function of
  // the input alone, not of which thread cut what first: the chunks, and so
  // how a chunk's messages and results interleave on a terminal, are the
  // same on any number of threads. Waits, rarely, for range k - kLag to be
  // numbered (every range before k is already handed out, so it will be).
  static constexpr uint64_t kLag = 8;
  size_t RangeBytes(uint64_t k) {
    static constexpr size_t kFirstRange = 16 * 1024, kMinRange = 4096;
    const size_t most = std::max<size_t>(options_.read_bytes, 1);
    if (k < kLag) return std::min(kFirstRange, most);
    std::unique_lock lock(mu_);
    number_cv_.wait(lock, [&] { return numbered_ > k - kLag || shutdown_; });
    const uint64_t per_line = line_bytes_[(k - kLag) % kLag];
    if (per_line == 0) return std::min(kFirstRange, most);
    const uint64_t want = per_line * std::max<size_t>(options_.chunk_lines, 1);
    return static_cast<size_t>(std::clamp<uint64_t>(want, std::min(kMinRange, most), most));
  }

  // A cut range's lines get their numbers, in range order: each waits for
  // the ranges before it, which are being cut (by the other workers) or
  // done, never for their processing. A range whose read failed ends the
  // input before it (it and the ranges after it give no lines); one whose
  // read came back short (the file shrank) ends it after it. Either way no
  // more ranges are handed out.
  void Number(Chunk& chunk, const RangeCut& cut) {
    std::unique_lock lock(mu_);
    number_cv_.wait(lock, [&] { return numbered_ == chunk.seq || shutdown_; });
    if (shutdown_) {  // the run is ending: nothing of this chunk is delivered
      chunk.lines.clear();
      return;
    }
    if (cut.failed || input_ended_) {
      input_ended_ = true;
      stop_reading_.store(true, std::memory_order_relaxed);
      chunk.lines.clear();
    } else {
      for (LineRef& line : chunk.lines) line.number += lines_before_;
      if (cut.last_number > 0) {
        last_line_ = lines_before_ + cut.last_number;
        if (options_.lines_read != nullptr) *options_.lines_read = last_line_;
      }
      lines_before_ += cut.newlines;
      if (cut.short_read) {
        input_ended_ = true;
        stop_reading_.store(true, std::memory_order_relaxed);
      }
    }
    // The size of a line, judged in range order from the ranges with enough
    // lines to judge by (a range of a few long lines says little of the next).
    uint64_t per_line = line_bytes_[(chunk.seq + kLag - 1) % kLag];
    if (cut.newlines >= 16) per_line = std::max<uint64_t>(1, (chunk.range_end - chunk.range_start) / cut.newlines);
    line_bytes_[chunk.seq % kLag] = per_line;
    ++numbered_;
    number_cv_.notify_all();
  }

  // A worker when there are several: an exception ends the run (the other
  // workers stop at their next wait or chunk) and is rethrown by Go once
  // every thread is joined.
  template <typename Fill, typename Load>
  void Guarded(size_t index, size_t per_worker, Fill& fill, Load& load) {
    try {
      Work(index, per_worker, fill, load);
    } catch (...) {
      std::lock_guard lock(mu_);
      if (!error_) error_ = std::current_exception();
      shutdown_ = true;
      stop_reading_.store(true, std::memory_order_relaxed);
      free_cv_.notify_all();
      turn_cv_.notify_all();
      number_cv_.notify_all();
    }
  }

  // One worker: takes one of its free chunks, reads the next lines into it
  // under the read token (or takes the next range under it and reads and
  // cuts that without), reads their events, evaluates and formats them,
  // then delivers what is ready in input order; until the input ends or a
  // line stops the run.
  template <typename Fill, typename Load>
  void Work(size_t index, size_t per_worker, Fill& fill, Load& load) {
    Worker& w = workers_[index];
    // Made on the worker's own thread: its chunks and sessions come from that
    // thread's allocator arena and are first touched by its core.
    for (const Side& s : sides_) {
      w.readers.push_back(std::make_unique<eval::EventJsonReader>());
      if (!ordered_ || split_) w.sessions.push_back(std::make_unique<eval::Session>(s.program, s.store));
    }
    for (size_t i = 0; i < per_worker; ++i) w.chunks.push_back(NewChunk(index));
    {
      std::lock_guard lock(mu_);
      for (const auto& c : w.chunks) w.free.push_back(c.get());
    }
    for (;;) {
      Chunk* c = nullptr;
      {
        std::unique_lock lock(mu_);
        free_cv_.wait(lock, [&] { return shutdown_ || stopped_ || !w.free.empty(); });
        if (shutdown_ || stopped_) break;
        c = w.free.back();
        w.free.pop_back();
      }
      {
        // The read token. BlockLines keeps the partial line a chunk ends
        // with for the next reader, whichever worker that is.
        std::lock_guard read(read_mu_);
        if (input_done_ || stop_reading_.load(std::memory_order_relaxed)) {
          std::lock_guard lock(mu_);
          w.free.push_back(c);
          break;
        }
        c->seq = next_seq_++;
        if (!fill(*c)) input_done_ = true;
      }
      load(*c);
      Process(w, *c);
      Finish(*c);
    }
  }

  // Reads, evaluates and formats one chunk on this thread.
  void Process(Worker& w, Chunk& c) {
    c.out.text.clear();
    c.out.messages.clear();
    c.out.data.clear();
    c.out.evaluated = 0;
    c.out.failed = 0;
    c.out.counts[0] = c.out.counts[1] = 0;
    c.out.stop = false;
    c.out.last_line = c.lines.empty() ? 0 : c.lines.back().number;
    c.formatted_upto = 0;
    // A chunk of ranges may hold more lines than chunk_lines (a range is
    // sized by the lines of earlier ranges: where lines get much shorter,
    // the next kLag ranges hold many more, up to read_bytes / 2 of them):
    // its per-line vectors grow to fit them, and once such a chunk is done,
    // go back to chunk_lines, so that a run keeps no more than it needs.
    const size_t most = std::max<size_t>(options_.chunk_lines, 1);
    if (c.lines.size() <= most && c.errors.size() > 4 * most) {
      c.errors.resize(most);
      c.errors.shrink_to_fit();
      for (SideChunk& s : c.sides) {
        if (s.events.size() > most) s.events.resize(most);
        s.events.shrink_to_fit();
        s.results.resize(most);
        s.results.shrink_to_fit();
        s.outlier_references.resize(most);
        s.outlier_references.shrink_to_fit();
        s.phases.clear();
        s.phases.shrink_to_fit();
        s.hashes.clear();
        s.hashes.shrink_to_fit();
        s.agg_values.clear();
        s.agg_values.shrink_to_fit();
        s.agg_events.clear();
        s.agg_events.shrink_to_fit();
      }
      c.out.text.shrink_to_fit();  // cleared above: its storage goes
    }
    if (c.lines.size() <= most && c.lines.capacity() > 4 * most) c.lines.shrink_to_fit();
    if (c.errors.size() < c.lines.size()) {
      c.errors.resize(c.lines.size());
      for (SideChunk& s : c.sides) {
        s.results.resize(c.lines.size());
        s.outlier_references.resize(c.lines.size());
      }
    }
    if (split_) {
      for (size_t k = 0; k < sides_.size(); ++k) {
        SideChunk& s = c.sides[k];
        const size_t aggregates = sides_[k].program->aggregates.size();
        if (s.phases.size() < c.lines.size()) {
          s.phases.resize(c.lines.size());
          s.hashes.resize(c.lines.size());
        }
        if (s.agg_values.size() < c.lines.size() * aggregates) {
          s.agg_values.resize(c.lines.size() * aggregates);
          s.agg_events.resize(c.lines.size() * aggregates);
        }
      }
    }
    // Each line an event of every side: those this chunk has not needed yet
    // are made now (on this thread, as its chunks are), once; a chunk keeps
    // them for its next lines, so a long run makes them in its first chunks.
    for (size_t k = 0; k < sides_.size(); ++k) {
      auto& events = c.sides[k].events;
      while (events.size() < c.lines.size()) {
        events.push_back(std::make_unique<eval::Event>(sides_[k].program->schema));
      }
    }
    // Reading: every side reads the line (schemas may differ); the first
    // side that refuses it gives the error.
    // The common run (one side, lines read where they lie) has its reader
    // and events held through the loop, not looked up again each line.
    const auto read_lines = [&](auto one_in_place, eval::EventJsonReader* first_reader,
                                const std::unique_ptr<eval::Event>* first_events) {
      const LineRef* const lines = c.lines.data();
      const size_t count = c.lines.size();
      for (size_t i = 0; i < count; ++i) {
        const LineRef& ref = lines[i];
        std::string& error = c.errors[i];
        error.clear();
        if (ref.too_long) {
          error = "too long";
          continue;
        }
        const std::string_view text(c.text.data() + ref.offset, ref.size);
        if constexpr (decltype(one_in_place)::value) {
          if (!first_reader->ReadInPlace(text, *first_events[i], &error) && error.empty()) error = "malformed JSON";
        } else {
          for (size_t k = 0; k < sides_.size(); ++k) {
            eval::EventJsonReader& reader = *w.readers[k];
            eval::Event& event = *c.sides[k].events[i];
            if (!(c.in_place ? reader.ReadInPlace(text, event, &error) : reader.Read(text, event, &error))) {
              if (error.empty()) error = "malformed JSON";
              break;
            }
          }
        }
      }
    };
    if (sides_.size() == 1 && c.in_place) {
      read_lines(std::true_type{}, w.readers[0].get(), c.sides[0].events.data());
    } else {
      read_lines(std::false_type{}, nullptr, nullptr);
    }
    if (split_) {
      // What the ordered stage's aggregate phases need of each event alone,
      // found here, in parallel, on this worker's own sessions.
      for (size_t k = 0; k < sides_.size(); ++k) {
        if (sides_[k].program->aggregates.empty()) continue;
        SideChunk& s = c.sides[k];
        for (size_t i = 0; i < c.lines.size(); ++i) {
          if (c.errors[i].empty()) w.sessions[k]->PrepareAggregatePhase(*s.events[i], s.hashes[i]);
        }
      }
    }
    if (ordered_) {
      std::unique_lock lock(mu_);
      turn_cv_.wait(lock, [&] { return turn_ == c.seq || shutdown_; });
      const bool skip = stopped_ || stop_requested_ || shutdown_;
      lock.unlock();
      if (!skip) {
        if (split_) {
          RunAggregatePhases(c);
        } else {
          Evaluate(c, shared_, handler_.needs_session());
        }
      }
      lock.lock();
      ++turn_;
      turn_cv_.notify_all();
      lock.unlock();
      if (!skip && !handler_.needs_session()) FormatEvaluated(c, split_ ? &w : nullptr);
    } else {
      Evaluate(c, w.sessions, true);
    }
  }

  // A line that could not be read, given to the handler in line order;
  // true when that stops the run there (the chunk's lines before it are
  // then the ones to format).
  bool ReportFailed(Chunk& c, size_t i) {
    ++c.out.failed;
    const std::string error = c.lines[i].too_long ? std::string() : c.errors[i];
    if (!handler_.Failed(c.lines[i].number, error, c.out)) return false;
    c.out.stop = true;
    c.out.last_line = c.lines[i].number;
    if (ordered_) stop_requested_ = true;
    c.formatted_upto = i;
    return true;
  }

  // Evaluates the chunk's lines in order; formats each at once when
  // `format_now` (stateless rule sets, or a handler that reads the session).
  void Evaluate(Chunk& c, std::vector<std::unique_ptr<eval::Session>>& sessions, bool format_now) {
    eval::Session* session_ptrs[2] = {};
    const eval::Event* event_ptrs[2] = {};
    const eval::Result* result_ptrs[2] = {};
    const size_t n = sides_.size();
    // One side (most runs): its session, events and results held through
    // the loop, not looked up again after each call.
    SideChunk* const one = n == 1 ? &c.sides[0] : nullptr;
    eval::Session* const one_session = one != nullptr ? sessions[0].get() : nullptr;
    const eval::EvalOptions* const one_options = one != nullptr ? &sides_[0].options : nullptr;
    const std::unique_ptr<eval::Event>* const one_events = one != nullptr ? one->events.data() : nullptr;
    eval::Result* const one_results = one != nullptr ? one->results.data() : nullptr;
    session_ptrs[0] = one_session;
    // One record for the chunk, as in FormatEvaluated.
    Evaluated e;
    e.sessions = std::span<eval::Session* const>(session_ptrs, n);
    e.events = std::span<const eval::Event* const>(event_ptrs, n);
    e.results = std::span<const eval::Result* const>(result_ptrs, n);
    for (size_t i = 0; i < c.lines.size(); ++i) {
      if (!c.errors[i].empty()) {
        if (ReportFailed(c, i)) return;
        continue;
      }
      if (one != nullptr) {
        one_session->Evaluate(*one_events[i], one_results[i], *one_options);
        if (one_results[i].outlier) one->outlier_references[i] = one_session->outlier_reference();
        event_ptrs[0] = one_events[i].get();
        result_ptrs[0] = &one_results[i];
      } else {
        for (size_t k = 0; k < n; ++k) {
          SideChunk& s = c.sides[k];
          sessions[k]->Evaluate(*s.events[i], s.results[i], sides_[k].options);
          if (s.results[i].outlier) s.outlier_references[i] = sessions[k]->outlier_reference();
          session_ptrs[k] = sessions[k].get();
          event_ptrs[k] = s.events[i].get();
          result_ptrs[k] = &s.results[i];
        }
      }
      ++c.out.evaluated;
      if (format_now) {
        e.line = c.lines[i].number;
        e.text = std::string_view(c.text.data() + c.lines[i].offset, c.lines[i].size);
        e.outlier_reference = c.sides[0].outlier_references[i];
        handler_.Format(e, c.out);
        if (c.out.stop) {  // the handler ends the run after this line
          c.out.last_line = c.lines[i].number;
          if (ordered_) stop_requested_ = true;
          c.formatted_upto = i + 1;
          return;
        }
      }
    }
    c.formatted_upto = c.lines.size();
  }

  // The ordered stage of a two-phase run (split_): each line's aggregate
  // phase, in order, on the shared sessions; a line that cannot be read is
  // reported here, as Evaluate does, so that a stop at it also stops the
  // aggregates' state there.
  void RunAggregatePhases(Chunk& c) {
    const size_t n = sides_.size();
    // The store's slot of the key of the line kLookahead ahead is asked for
    // before each line's phase: the first of a phase's dependent misses
    // (the slot, the key's entry, its history) overlaps the lines between.
    constexpr size_t kLookahead = 4;
    for (size_t i = 0; i < c.lines.size() && i < kLookahead; ++i) PrefetchKeys(c, i);
    for (size_t i = 0; i < c.lines.size(); ++i) {
      if (i + kLookahead < c.lines.size()) PrefetchKeys(c, i + kLookahead);
      if (!c.errors[i].empty()) {
        if (ReportFailed(c, i)) return;
        continue;
      }
      for (size_t k = 0; k < n; ++k) {
        const size_t aggregates = sides_[k].program->aggregates.size();
        if (aggregates == 0) continue;  // a stateless side: all of it after the stage
        SideChunk& s = c.sides[k];
        shared_[k]->RunAggregatePhase(*s.events[i], sides_[k].options, s.phases[i],
                                      s.agg_values.data() + i * aggregates,
                                      s.agg_events.data() + i * aggregates, &s.hashes[i]);
      }
      ++c.out.evaluated;
    }
    c.formatted_upto = c.lines.size();
  }

  void PrefetchKeys(const Chunk& c, size_t i) {
    if (!c.errors[i].empty()) return;
    for (size_t k = 0; k < sides_.size(); ++k) {
      if (!sides_[k].program->aggregates.empty()) {
        shared_[k]->PrefetchFirstKey(c.sides[k].hashes[i].key_hash);
      }
    }
  }

  // After the ordered stage: formats the lines it evaluated, in parallel
  // with the next chunk's evaluation. After a two-phase stage (split_),
  // `rules_on` is the chunk's worker: each line's rules are evaluated first,
  // on its sessions, with the aggregates the stage found (Format's stop is
  // then Deliver's to act on, as it is here for any ordered stage).
  void FormatEvaluated(Chunk& c, Worker* rules_on = nullptr) {
    const eval::Event* event_ptrs[2] = {};
    const eval::Result* result_ptrs[2] = {};
    const size_t n = sides_.size();
    // One record for the chunk, its spans made once (over the arrays
    // refilled for each line): a line sets only what is its own.
    Evaluated e;
    e.events = std::span<const eval::Event* const>(event_ptrs, n);
    e.results = std::span<const eval::Result* const>(result_ptrs, n);
    for (size_t i = 0; i < c.formatted_upto; ++i) {
      if (!c.errors[i].empty()) continue;
      for (size_t k = 0; k < n; ++k) {
        SideChunk& s = c.sides[k];
        if (rules_on != nullptr) EvaluateAfterPhase(*rules_on->sessions[k], k, s, i);
        event_ptrs[k] = s.events[i].get();
        result_ptrs[k] = &s.results[i];
      }
      e.line = c.lines[i].number;
      e.text = std::string_view(c.text.data() + c.lines[i].offset, c.lines[i].size);
      e.outlier_reference = c.sides[0].outlier_references[i];
      handler_.Format(e, c.out);
    }
  }

  // Line i's rules on side k, with the aggregates the ordered stage found;
  // a side without aggregates evaluated whole.
  void EvaluateAfterPhase(eval::Session& session, size_t k, SideChunk& s, size_t i) {
    const size_t aggregates = sides_[k].program->aggregates.size();
    if (aggregates == 0) {
      session.Evaluate(*s.events[i], s.results[i], sides_[k].options);
      return;
    }
    const eval::Session::AggregatePhase& phase = s.phases[i];
    session.EvaluateAfterPhase(*s.events[i], phase, s.agg_values.data() + i * aggregates,
                               s.agg_events.data() + i * aggregates, s.results[i],
                               sides_[k].options);
    if (phase.outlier) s.outlier_references[i] = phase.outlier_reference;
  }

  // A chunk is worked on: delivers it and the chunks after it that are
  // ready, in input order, unless another worker is delivering (then that
  // one will). Most often a worker delivers its own chunk, whose output is
  // still in its core's cache; it delivers another's only when that one
  // finished first and waits for this one. Each delivered chunk goes back to
  // its worker.
  void Finish(Chunk& c) {
    std::unique_lock lock(mu_);
    ready_.push_back(&c);
    if (delivering_) return;
    delivering_ = true;
    for (;;) {
      auto next = std::find_if(ready_.begin(), ready_.end(),
                               [&](const Chunk* r) { return r->seq == delivered_; });
      if (next == ready_.end()) break;
      Chunk* chunk = *next;
      *next = ready_.back();
      ready_.pop_back();
      if (!stopped_ && !shutdown_) {
        lock.unlock();
        // Only the one worker with delivering_ set gets here: the calls of
        // Deliver are one after the other, each ordered after the previous
        // by mu_, and all of them before RunStream returns.
        totals_.evaluated += chunk->out.evaluated;
        totals_.failed += chunk->out.failed;
        handler_.Deliver(chunk->out);
        lock.lock();
        if (chunk->out.stop) {
          stopped_ = true;
          totals_.stopped = true;
          stop_reading_.store(true, std::memory_order_relaxed);
        }
      }
      ++delivered_;
      workers_[chunk->owner].free.push_back(chunk);
      free_cv_.notify_all();
    }
    delivering_ = false;
  }

  std::span<const Side> sides_;
  Handler& handler_;
  const StreamOptions& options_;
  bool ordered_ = false;  // some side has aggregates: evaluation in input order
  // Ordered, on several threads: only the aggregate phase is in input order
  // (Session::RunAggregatePhase); the rules are each worker's (Go says when).
  bool split_ = false;
  std::vector<std::unique_ptr<eval::Session>> shared_;  // the ordered stage's sessions
  std::vector<Worker> workers_;  // [0] is the calling thread

  std::mutex read_mu_;  // the read token
  uint64_t next_seq_ = 0;    // the next chunk's number (read_mu_)
  bool input_done_ = false;  // the input is all read (read_mu_)
  // Set with stopped_ or shutdown_: readers stop at their next chunk.
  std::atomic<bool> stop_reading_{false};


  std::mutex mu_;  // everything below
  std::condition_variable free_cv_, turn_cv_, number_cv_;
  uint64_t numbered_ = 0;      // the next range to number (Number)
  uint64_t lines_before_ = 0;  // the lines before it
  uint64_t last_line_ = 0;     // the number of the last line cut
  bool input_ended_ = false;   // a range's read failed or came back short
  // The size of a line judged after range j was numbered, at [j % kLag]
  // (0: none judged yet): what range j + kLag's size is judged by.
  uint64_t line_bytes_[kLag] = {};
  std::vector<Chunk*> ready_;  // worked on, not yet delivered (any order)
  uint64_t delivered_ = 0;     // the next chunk to deliver
  bool delivering_ = false;    // a worker is delivering (Finish)
  uint64_t turn_ = 0;             // the chunk whose turn it is in the ordered stage
  bool stop_requested_ = false;   // a failed line asked to stop (ordered stage)
  bool stopped_ = false;          // delivered up to the line that stopped the run
  bool shutdown_ = false;         // a worker's exception ends the run
  std::exception_ptr error_;      // that exception
  StreamTotals totals_;
};

}  // namespace

unsigned ThreadCount(unsigned threads) {
  if (threads > 0) return threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

StreamTotals RunStream(std::span<const Side> sides, Handler& handler, const NextLine& next,
                       const StreamOptions& options) {
  Run run(sides, handler, options);
  return run.GoLines(next);
}

StreamTotals RunStream(std::span<const Side> sides, Handler& handler, const ReadBytes& read,
                       const StreamOptions& options) {
  Run run(sides, handler, options);
  return run.GoBytes(read);
}

StreamTotals RunStream(std::span<const Side> sides, Handler& handler, const ReadAt& read,
                       uint64_t size, const StreamOptions& options) {
  Run run(sides, handler, options);
  return run.GoRanges(read, size);
}

}  // namespace vigil::stream
