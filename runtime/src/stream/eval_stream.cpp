#include "stream/eval_stream.hpp"

#include <algorithm>
#include <cstdlib>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "eval/event_json.hpp"

namespace vigil::stream {

namespace {

// A side's events and results for the lines of a chunk; kept warm from
// chunk to chunk, so that a run allocates nothing per event once started.
struct SideChunk {
  std::vector<std::unique_ptr<eval::Event>> events;
  std::vector<eval::Result> results;
  std::vector<int64_t> outlier_references;
};

struct Chunk {
  uint64_t seq = 0;
  std::string text;  // the lines, back to back
  std::vector<LineRef> lines;
  std::vector<std::string> errors;  // per line: the reader's message, empty when read
  std::vector<SideChunk> sides;
  size_t formatted_upto = 0;  // lines evaluated (and so to format)
  bool done = false;
  ChunkOutput out;
};

// What a thread evaluating chunks keeps: its readers, and its sessions for
// stateless rule sets.
struct Worker {
  std::vector<std::unique_ptr<eval::EventJsonReader>> readers;
  std::vector<std::unique_ptr<eval::Session>> sessions;
};

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

  // `fill(chunk)` puts the next lines of the input in the chunk: false when
  // the input is all read (the chunk may still hold its last lines).
  template <typename Fill>
  StreamTotals Go(Fill fill) {
    const unsigned threads = ThreadCount(options_.threads);
    const size_t pool = threads == 1 ? 1 : 2 * static_cast<size_t>(threads) + 2;
    for (size_t i = 0; i < pool; ++i) free_.push_back(NewChunk());
    std::vector<std::thread> workers;
    if (threads > 1) {
      for (unsigned t = 0; t < threads; ++t) workers.emplace_back([this] { Work(); });
    }
    Worker inline_worker;
    if (threads == 1) Prepare(inline_worker);
    uint64_t seq = 0;
    bool more = true;
    while (more && !stopped_) {
      Chunk* chunk = nullptr;
      {
        std::unique_lock lock(mu_);
        // Deliver what is done, in order, until a chunk is free.
        for (;;) {
          DeliverReady(lock);
          if (stopped_ || !free_.empty()) break;
          done_cv_.wait(lock);
        }
        if (stopped_) break;
        chunk = free_.back().release();
        free_.pop_back();
      }
      chunk->seq = seq++;
      more = fill(*chunk);
      std::unique_lock lock(mu_);
      in_flight_.push_back(std::unique_ptr<Chunk>(chunk));
      if (threads == 1) {
        lock.unlock();
        Process(inline_worker, *chunk);
        lock.lock();
      } else {
        queue_.push_back(chunk);
        work_cv_.notify_one();
      }
    }
    {
      std::unique_lock lock(mu_);
      for (;;) {
        DeliverReady(lock);
        if (in_flight_.empty()) break;
        if (stopped_) {  // the rest is not delivered: wait for the workers to let go of it
          bool all_done = true;
          for (const auto& c : in_flight_) all_done = all_done && c->done;
          if (all_done) break;
        }
        done_cv_.wait(lock);
      }
      shutdown_ = true;
      work_cv_.notify_all();
      turn_cv_.notify_all();
    }
    for (std::thread& t : workers) t.join();
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
    });
  }

  // ReadBytes: read into the chunk's own buffer, cut in place.
  StreamTotals GoBytes(const ReadBytes& read) {
    BlockLines input(read, options_.max_line, options_.read_bytes, options_.blank);
    return Go([&](Chunk& chunk) {
      const bool more = input.Fill(chunk.text, chunk.lines, options_.chunk_lines);
      if (options_.lines_read != nullptr) *options_.lines_read = input.lines_seen();
      return more;
    });
  }

 private:
  std::unique_ptr<Chunk> NewChunk() {
    auto chunk = std::make_unique<Chunk>();
    chunk->sides.resize(sides_.size());
    for (size_t k = 0; k < sides_.size(); ++k) {
      SideChunk& s = chunk->sides[k];
      for (size_t i = 0; i < options_.chunk_lines; ++i) {
        s.events.push_back(std::make_unique<eval::Event>(sides_[k].program->schema));
      }
      s.results.resize(options_.chunk_lines);
      s.outlier_references.resize(options_.chunk_lines);
    }
    chunk->errors.resize(options_.chunk_lines);
    return chunk;
  }

  void Prepare(Worker& w) {
    for (const Side& s : sides_) {
      w.readers.push_back(std::make_unique<eval::EventJsonReader>());
      if (!ordered_) w.sessions.push_back(std::make_unique<eval::Session>(s.program, s.store));
    }
  }

  void Work() {
    Worker w;
    Prepare(w);
    for (;;) {
      Chunk* chunk = nullptr;
      {
        std::unique_lock lock(mu_);
        work_cv_.wait(lock, [&] { return shutdown_ || !queue_.empty(); });
        if (queue_.empty()) return;
        chunk = queue_.front();
        queue_.pop_front();
      }
      Process(w, *chunk);
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
    // Reading: every side reads the line (schemas may differ); the first
    // side that refuses it gives the error.
    for (size_t i = 0; i < c.lines.size(); ++i) {
      const LineRef& ref = c.lines[i];
      std::string& error = c.errors[i];
      error.clear();
      if (ref.too_long) {
        error = "too long";
        continue;
      }
      const std::string_view text(c.text.data() + ref.offset, ref.size);
      for (size_t k = 0; k < sides_.size(); ++k) {
        if (!w.readers[k]->Read(text, *c.sides[k].events[i], &error)) {
          if (error.empty()) error = "malformed JSON";
          break;
        }
      }
    }
    if (ordered_) {
      std::unique_lock lock(mu_);
      turn_cv_.wait(lock, [&] { return turn_ == c.seq || shutdown_; });
      const bool skip = stopped_ || stop_requested_;
      lock.unlock();
      if (!skip) Evaluate(c, shared_, handler_.needs_session());
      lock.lock();
      ++turn_;
      turn_cv_.notify_all();
      lock.unlock();
      if (!skip && !handler_.needs_session()) FormatEvaluated(c);
    } else {
      Evaluate(c, w.sessions, true);
    }
    std::lock_guard lock(mu_);
    c.done = true;
    done_cv_.notify_all();
  }

  // Evaluates the chunk's lines in order; formats each at once when
  // `format_now` (stateless rule sets, or a handler that reads the session).
  void Evaluate(Chunk& c, std::vector<std::unique_ptr<eval::Session>>& sessions, bool format_now) {
    eval::Session* session_ptrs[2] = {};
    const eval::Event* event_ptrs[2] = {};
    const eval::Result* result_ptrs[2] = {};
    const size_t n = sides_.size();
    for (size_t i = 0; i < c.lines.size(); ++i) {
      if (!c.errors[i].empty()) {
        ++c.out.failed;
        const std::string error = c.lines[i].too_long ? std::string() : c.errors[i];
        if (handler_.Failed(c.lines[i].number, error, c.out)) {
          c.out.stop = true;
          c.out.last_line = c.lines[i].number;
          if (ordered_) stop_requested_ = true;
          c.formatted_upto = i;
          return;
        }
        continue;
      }
      for (size_t k = 0; k < n; ++k) {
        SideChunk& s = c.sides[k];
        sessions[k]->Evaluate(*s.events[i], s.results[i], sides_[k].options);
        if (s.results[i].outlier) s.outlier_references[i] = sessions[k]->outlier_reference();
        session_ptrs[k] = sessions[k].get();
        event_ptrs[k] = s.events[i].get();
        result_ptrs[k] = &s.results[i];
      }
      ++c.out.evaluated;
      if (format_now) {
        Evaluated e;
        e.line = c.lines[i].number;
        e.text = std::string_view(c.text.data() + c.lines[i].offset, c.lines[i].size);
        e.outlier_reference = c.sides[0].outlier_references[i];
        e.sessions = std::span<eval::Session* const>(session_ptrs, n);
        e.events = std::span<const eval::Event* const>(event_ptrs, n);
        e.results = std::span<const eval::Result* const>(result_ptrs, n);
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

  // After the ordered stage: formats the lines it evaluated, in parallel
  // with the next chunk's evaluation.
  void FormatEvaluated(Chunk& c) {
    const eval::Event* event_ptrs[2] = {};
    const eval::Result* result_ptrs[2] = {};
    const size_t n = sides_.size();
    for (size_t i = 0; i < c.formatted_upto; ++i) {
      if (!c.errors[i].empty()) continue;
      for (size_t k = 0; k < n; ++k) {
        event_ptrs[k] = c.sides[k].events[i].get();
        result_ptrs[k] = &c.sides[k].results[i];
      }
      Evaluated e;
      e.line = c.lines[i].number;
      e.text = std::string_view(c.text.data() + c.lines[i].offset, c.lines[i].size);
      e.outlier_reference = c.sides[0].outlier_references[i];
      e.events = std::span<const eval::Event* const>(event_ptrs, n);
      e.results = std::span<const eval::Result* const>(result_ptrs, n);
      handler_.Format(e, c.out);
    }
  }

  // Delivers the finished chunks at the head of the run, in order (lock held).
  void DeliverReady(std::unique_lock<std::mutex>& lock) {
    while (!stopped_ && !in_flight_.empty() && in_flight_.front()->done) {
      std::unique_ptr<Chunk> chunk = std::move(in_flight_.front());
      in_flight_.pop_front();
      lock.unlock();
      totals_.evaluated += chunk->out.evaluated;
      totals_.failed += chunk->out.failed;
      handler_.Deliver(chunk->out);
      lock.lock();
      if (chunk->out.stop) {
        stopped_ = true;
        totals_.stopped = true;
      }
      chunk->done = false;
      free_.push_back(std::move(chunk));
    }
  }

  std::span<const Side> sides_;
  Handler& handler_;
  const StreamOptions& options_;
  bool ordered_ = false;  // some side has aggregates: evaluation in input order
  std::vector<std::unique_ptr<eval::Session>> shared_;  // the ordered stage's sessions

  std::mutex mu_;
  std::condition_variable work_cv_, done_cv_, turn_cv_;
  std::deque<Chunk*> queue_;                       // read, not yet taken by a worker
  std::deque<std::unique_ptr<Chunk>> in_flight_;  // in input order, until delivered
  std::vector<std::unique_ptr<Chunk>> free_;
  uint64_t turn_ = 0;             // the chunk whose turn it is in the ordered stage
  bool stop_requested_ = false;   // a failed line asked to stop (ordered stage)
  bool stopped_ = false;          // delivered up to the line that stopped the run
  bool shutdown_ = false;
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

}  // namespace vigil::stream
