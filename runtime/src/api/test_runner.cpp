#include "api/test_runner.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "base/bom.hpp"
#include "base/time_util.hpp"
#include "base/file_io.hpp"
#include "base/limits.hpp"
#include "eval/event_json.hpp"
#include "eval/session.hpp"
#include "state/store.hpp"
#include "stream/eval_stream.hpp"

namespace vigil {

namespace {

using Clock = std::chrono::steady_clock;

// What happened, for failure messages: fired [a, b], decision review, score 40.
std::string Actual(const eval::Program& p, const eval::Result& r) {
  std::string fired;
  for (const auto& f : r.fired) fired += (fired.empty() ? "" : ", ") + p.rules[f.rule].id;
  for (const auto& f : r.shadow) {
    fired += (fired.empty() ? "" : ", ") + p.rules[f.rule].id + " (shadow)";
  }
  return fmt::format("fired [{}], decision {}, score {}", fired, p.decisions[r.decision], r.score);
}

// Rule indexes by id and by qualified id (the first rule wins, as tests and
// fixtures name rules), so that each expectation is one lookup.
class RuleIds {
 public:
  explicit RuleIds(const eval::Program& p) {
    for (size_t i = 0; i < p.rules.size(); ++i) {
      by_id_.emplace(p.rules[i].id, static_cast<int>(i));
      by_id_.emplace(p.rules[i].qualified_id, static_cast<int>(i));
    }
  }
  int Find(std::string_view id) const {
    auto it = by_id_.find(id);
    return it == by_id_.end() ? -1 : it->second;
  }

 private:
  std::unordered_map<std::string_view, int> by_id_;
};

bool Fired(const eval::Result& r, int rule) {
  for (const auto& f : r.fired) {
    if (static_cast<int>(f.rule) == rule) return true;
  }
  for (const auto& f : r.shadow) {
    if (static_cast<int>(f.rule) == rule) return true;
  }
  return false;
}

// A test's events are a short stream of their own, where time may jump
// months ahead between two events (a year of history, then today's burst):
// the bound on times far ahead of the stream (state/time_guard.hpp), which
// protects a bank's continuous stream, is off in tests (docs/testing.md).
std::shared_ptr<state::Backend> TestState() {
  state::StoreOptions options;
  options.max_skew_us = state::kNoSkewBound;
  return std::make_shared<state::Store>(options);
}

class Runner {
 public:
  Runner(const Compilation& c, unsigned threads)
      : c_(c), p_(*c.program), ids_(p_), fired_any_(p_.rules.size(), false), threads_(threads) {}

  void Note(const eval::Result& r) {
    for (const auto& f : r.fired) fired_any_[f.rule] = true;
    for (const auto& f : r.shadow) fired_any_[f.rule] = true;
  }

  // One expectation of an inline test; empty when it holds.
  std::string Check(const sema::TestExpectation& e, const eval::Result& r) {
    switch (e.kind) {
      case sema::TestExpectation::kFires:
      case sema::TestExpectation::kNotFires: {
        int rule = ids_.Find(e.rule);
        bool want = e.kind == sema::TestExpectation::kFires;
        if (rule < 0) {
          return want ? fmt::format("expected {}, but rule {} is disabled by an override", e.text,
                                    e.rule)
                      : std::string();
        }
        return Fired(r, rule) == want ? std::string()
                                      : fmt::format("expected {}: {}", e.text, Actual(p_, r));
      }
      case sema::TestExpectation::kDecision:
        return r.decision == e.index ? std::string()
                                     : fmt::format("expected {}: {}", e.text, Actual(p_, r));
      case sema::TestExpectation::kScore:
        return r.score == e.score ? std::string()
                                  : fmt::format("expected {}: {}", e.text, Actual(p_, r));
      case sema::TestExpectation::kTag:
        for (const std::string* t : r.tags) {
          if (*t == e.tag) return {};
        }
        return fmt::format("expected {}: {}, tags [{}]", e.text, Actual(p_, r), Tags(r));
    }
    return {};
  }

  static std::string Tags(const eval::Result& r) {
    std::string out;
    for (const std::string* t : r.tags) out += (out.empty() ? "\"" : ", \"") + *t + "\"";
    return out;
  }

  std::string Where(SourceRange range) const {
    const SourceFile& f = c_.sources.file(range.file);
    LineCol pos = f.Position(range.begin);
    return fmt::format("{}:{}:{}", f.path(), pos.line, pos.column);
  }

  TestOutcome Inline(const sema::TestCase& t) {
    TestOutcome out;
    out.name = t.name;
    out.file = Where(t.range);
    auto start = Clock::now();
    eval::Session session(c_.program, TestState());  // a fresh state for each test
    eval::Event event(p_.schema);
    eval::Result result;
    for (const sema::TestStep& step : t.steps) {
      event.Reset();
      for (const auto& f : step.fields) {
        if (f.is_set) {
          std::vector<std::string_view> items(f.items.begin(), f.items.end());
          event.SetStringSet(f.slot, items);
        } else {
          event.SetValue(f.slot, f.value);
        }
      }
      const int ts = p_.schema.time_slot;
      const eval::Value t0 = ts >= 0 ? event.at(ts) : eval::Value::Missing();
      bool out_of_range = false;
      for (int64_t k = 0; k < step.repeat; ++k) {
        if (k > 0 && t0.present) {
          int64_t shift = 0, at = 0;
          if (__builtin_mul_overflow(k, step.every_micros, &shift) ||
              __builtin_add_overflow(t0.i, shift, &at) || !InTimeRange(at)) {
            out_of_range = true;
            out.failures.push_back(
                {Where(step.range), fmt::format("repetition {} of this event would be at a time {}",
                                                k + 1, kTimeRangeMessage)});
            break;
          }
          event.SetTime(ts, at);
        }
        session.Evaluate(event, result);
        Note(result);
        ++out.events;
        if (OverWorkBound(session, Where(step.range), out)) break;
      }
      if (out_of_range || out.stopped) break;
      // Expectations hold for the last repetition.
      for (const auto& e : step.expectations) {
        std::string failure = Check(e, result);
        if (!failure.empty()) out.failures.push_back({Where(e.range), failure});
      }
    }
    Spent(session);
    out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return out;
  }

  TestOutcome Fixture(const std::string& path) {
    std::string text, error;
    if (!ReadWholeFile(path, limits::kMaxFixtureBytes, &text, &error)) {
      TestOutcome out;
      out.name = path;
      out.file = path;
      out.failures.push_back({path, "cannot read the fixture file: " + error});
      return out;
    }
    std::istringstream in(std::move(text));
    return Fixture(path, in);
  }

  // A fixture's lines from any stream (a file, or a pack's fixture in memory),
  // evaluated by the stream engine of `vigil eval` (stream/eval_stream.hpp)
  // on `threads_` threads: the same results, failures and counts on any
  // number of threads.
  TestOutcome Fixture(const std::string& path, std::istream& in) {
    TestOutcome out;
    out.name = path;
    out.file = path;
    auto start = Clock::now();
    stream::Side side{c_.program, TestState(), eval::EvalOptions{}};
    FixtureHandler handler(*this, path, out);
    std::string raw;
    size_t number = 0;
    auto next = [&](std::string& line, bool* too_long) {
      *too_long = false;  // the whole file is within kMaxFixtureBytes
      if (!std::getline(in, raw)) return false;
      ++number;
      if (number == 1) StripUtf8Bom(raw);  // base/bom.hpp
      if (!raw.empty() && raw.back() == '\r') raw.pop_back();
      line.swap(raw);
      return true;
    };
    stream::StreamOptions options;
    options.threads = threads_;
    const stream::StreamTotals totals =
        stream::RunStream(std::span<const stream::Side>(&side, 1), handler, next, options);
    out.events = totals.evaluated;
    if (in.bad()) out.failures.push_back({path, "reading the fixture file failed"});
    run_work_ += handler.work();
    out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return out;
  }

  // The fixture's view of each evaluated line, on the stream's threads. It
  // writes nothing shared: a chunk's failures and fired rules travel in its
  // ChunkOutput and are added to the outcome by Deliver, in input order.
  class FixtureHandler : public stream::Handler {
   public:
    FixtureHandler(Runner& runner, const std::string& path, TestOutcome& outcome)
        : runner_(runner), path_(path), outcome_(outcome),
          needs_session_(!runner.p_.aggregates.empty()) {}

    // With aggregates the bound on a test's work reads the session after
    // each event, so lines are checked in the ordered stage.
    bool needs_session() const override { return needs_session_; }

    void Format(const stream::Evaluated& e, stream::ChunkOutput& out) override {
      const eval::Result& result = *e.results[0];
      for (const auto& f : result.fired) out.data.push_back(f.rule);
      for (const auto& f : result.shadow) out.data.push_back(f.rule);
      const std::string where = fmt::format("{}:{}", path_, e.line);
      std::vector<TestFailure> failures;
      if (needs_session_) {
        ++ordered_events_;
        work_.store(e.sessions[0]->window_entries_scanned(), std::memory_order_relaxed);
        TestOutcome bound;
        bound.events = ordered_events_;
        if (runner_.OverWorkBound(*e.sessions[0], where, bound)) {
          Add(out, bound.failures);
          out.counts[0] = 1;  // stopped at the bound
          out.stop = true;
          return;
        }
      }
      thread_local simdjson::dom::parser parser;
      simdjson::dom::element doc;
      simdjson::dom::object top;
      if (parser.parse(e.text.data(), e.text.size()).get(doc) != simdjson::SUCCESS ||
          doc.get(top) != simdjson::SUCCESS) {
        failures.push_back({where, "bad fixture line: not a JSON object"});
      } else {
        const std::string_view id = Id(*e.events[0]);
        const std::string event_name = id.empty() ? "event" : "event " + std::string(id);
        runner_.CheckExpectations(top, result, where, event_name, failures);
      }
      Add(out, failures);
    }

    bool Failed(uint64_t line, const std::string& error, stream::ChunkOutput& out) override {
      Add(out, {{fmt::format("{}:{}", path_, line), "bad event: " + error}});
      return false;  // the next lines are still checked
    }

    void Deliver(stream::ChunkOutput& out) override {
      for (uint32_t rule : out.data) runner_.fired_any_[rule] = true;
      // Failures as "where\0message\0" pairs (Add).
      std::string_view rest = out.messages;
      while (!rest.empty()) {
        const size_t a = rest.find('\0');
        const size_t b = rest.find('\0', a + 1);
        outcome_.failures.push_back({std::string(rest.substr(0, a)),
                                     std::string(rest.substr(a + 1, b - a - 1))});
        rest.remove_prefix(b + 1);
      }
      if (out.counts[0] != 0) outcome_.stopped = true;
    }

    uint64_t work() const { return work_.load(std::memory_order_relaxed); }

   private:
    static void Add(stream::ChunkOutput& out, const std::vector<TestFailure>& failures) {
      for (const TestFailure& f : failures) {
        out.messages += f.where;
        out.messages += '\0';
        out.messages += f.message;
        out.messages += '\0';
      }
    }
    static std::string_view Id(const eval::Event& event) {
      thread_local std::string id;
      id.clear();
      eval::AppendEventId(event, id);
      return id;
    }

    Runner& runner_;
    const std::string& path_;
    TestOutcome& outcome_;
    const bool needs_session_;
    // Events evaluated so far, counted in the ordered stage (which runs on
    // one thread at a time, in input order), for the bound's message.
    uint64_t ordered_events_ = 0;
    std::atomic<uint64_t> work_{0};  // window entries summarised so far
  };

  // Checks a fixture line's "expect" object against the result. A member
  // given twice is an error, never "the last one wins".
  void CheckExpectations(simdjson::dom::object top, const eval::Result& r,
                         const std::string& where, const std::string& event_name,
                         std::vector<TestFailure>& failures) {
    simdjson::dom::element expect;
    bool have_expect = false;
    for (auto [key, value] : top) {
      if (key != "expect") continue;
      if (have_expect) {
        failures.push_back({where, "bad fixture line: member \"expect\" appears twice"});
        return;
      }
      have_expect = true;
      expect = value;
    }
    if (!have_expect) return;
    simdjson::dom::object obj;
    if (expect.get(obj) != simdjson::SUCCESS) {
      failures.push_back({where, "\"expect\" must be an object"});
      return;
    }
    std::vector<std::string_view> seen;
    for (auto [key, value] : obj) {
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
        failures.push_back({where, fmt::format("bad fixture line: \"expect\" has \"{}\" twice", key)});
        return;
      }
      seen.push_back(key);
    }
    for (auto [key, value] : obj) {
      std::string failure = FixtureCheck(key, value, r);
      if (!failure.empty()) failures.push_back({where, event_name + ": " + failure});
    }
  }

  // A test whose aggregates have summarised more window entries than
  // limits::kMaxTestWindowWork (or than what is left of the run's
  // kMaxTestRunWindowWork) stops here and fails: its cost grows with the
  // square of its events, and a self-test must end in bounded time.
  bool OverWorkBound(const eval::Session& session, const std::string& where, TestOutcome& out) {
    const uint64_t work = session.window_entries_scanned();
    std::string why;
    if (work > limits::kMaxTestWindowWork) {
      why = fmt::format("the aggregates summarised {} window entries, more than a test may ({})",
                        work, limits::kMaxTestWindowWork);
    } else if (run_work_ + work > limits::kMaxTestRunWindowWork) {
      why = fmt::format("the tests of this run have summarised {} window entries, more than a run "
                        "may ({})",
                        run_work_ + work, limits::kMaxTestRunWindowWork);
    } else {
      return false;
    }
    out.failures.push_back({where, fmt::format("stopped after {} event{}: {}; use fewer repeats or "
                                               "shorter windows",
                                               out.events, out.events == 1 ? "" : "s", why)});
    out.stopped = true;
    return true;
  }
  // Adds a finished test's work to the run's.
  void Spent(const eval::Session& session) { run_work_ += session.window_entries_scanned(); }

  std::string FixtureCheck(std::string_view key, simdjson::dom::element value,
                           const eval::Result& r) {
    if (key == "fires" || key == "not_fires") {
      const bool want = key == "fires";
      simdjson::dom::array ids;
      if (value.get(ids) != simdjson::SUCCESS) {
        return fmt::format("\"{}\" must be a list of rule ids", key);
      }
      std::string out;
      for (auto item : ids) {
        std::string_view id;
        if (item.get(id) != simdjson::SUCCESS) return fmt::format("\"{}\" holds a non-string", key);
        int rule = ids_.Find(id);
        if (rule < 0) {
          out += fmt::format("{}unknown rule '{}' in \"{}\"", out.empty() ? "" : "; ", id, key);
        } else if (Fired(r, rule) != want) {
          out += fmt::format("{}expected {} {}: {}", out.empty() ? "" : "; ",
                             want ? "fires" : "not fires", id, Actual(p_, r));
        }
      }
      return out;
    }
    if (key == "decision") {
      std::string_view d;
      if (value.get(d) != simdjson::SUCCESS) return "\"decision\" must be a string";
      return p_.decisions[r.decision] == d
                 ? std::string()
                 : fmt::format("expected decision {}: {}", d, Actual(p_, r));
    }
    if (key == "score") {
      int64_t s;
      if (value.get(s) != simdjson::SUCCESS) return "\"score\" must be an integer";
      return r.score == s ? std::string() : fmt::format("expected score {}: {}", s, Actual(p_, r));
    }
    if (key == "tags") {
      simdjson::dom::array tags;
      if (value.get(tags) != simdjson::SUCCESS) return "\"tags\" must be a list of strings";
      for (auto item : tags) {
        std::string_view t;
        if (item.get(t) != simdjson::SUCCESS) return "\"tags\" holds a non-string";
        bool seen = false;
        for (const std::string* x : r.tags) seen = seen || *x == t;
        if (!seen) {
          return fmt::format("expected tag \"{}\": {}, tags [{}]", t, Actual(p_, r), Tags(r));
        }
      }
      return {};
    }
    return fmt::format("unknown expectation \"{}\" (fires, not_fires, decision, score, tags)", key);
  }

  std::vector<std::string> NeverFired() const {
    std::vector<std::string> out;
    for (size_t i = 0; i < p_.rules.size(); ++i) {
      if (!fired_any_[i]) out.push_back(p_.rules[i].qualified_id);
    }
    return out;
  }

 private:
  const Compilation& c_;
  const eval::Program& p_;
  RuleIds ids_;
  std::vector<bool> fired_any_;
  uint64_t run_work_ = 0;  // window entries summarised by the tests run so far
  unsigned threads_ = 1;   // for fixtures (stream::StreamOptions::threads)
};

void AppendXml(std::string_view text, std::string& out) {
  for (char ch : text) {
    switch (ch) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\n': out += "&#10;"; break;
      default:
        // Control characters are not allowed in XML 1.0.
        if (static_cast<unsigned char>(ch) >= 0x20 || ch == '\t') out += ch;
        break;
    }
  }
}

}  // namespace

size_t TestReport::passed() const {
  size_t n = 0;
  for (const auto& t : tests) n += t.passed() ? 1 : 0;
  return n;
}

size_t TestReport::failed() const { return tests.size() - passed(); }

TestReport RunTests(const Compilation& compilation, const std::vector<std::string>& fixtures,
                    unsigned threads) {
  TestReport report;
  Runner runner(compilation, threads);
  for (const auto& t : compilation.tests) report.tests.push_back(runner.Inline(t));
  for (const auto& f : compilation.fixtures) {
    std::istringstream in(f.text);
    report.tests.push_back(runner.Fixture(f.path, in));
  }
  for (const auto& f : fixtures) report.tests.push_back(runner.Fixture(f));
  report.never_fired = runner.NeverFired();
  return report;
}

std::string JUnitXml(const TestReport& report, const std::string& suite_name) {
  double total = 0;
  for (const auto& t : report.tests) total += t.seconds;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n";
  out += "  <testsuite name=\"";
  AppendXml(suite_name, out);
  out += fmt::format("\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" time=\"{:.6f}\">\n",
                     report.tests.size(), report.failed(), total);
  for (const auto& t : report.tests) {
    out += "    <testcase classname=\"";
    AppendXml(t.file, out);
    out += "\" name=\"";
    AppendXml(t.name, out);
    out += fmt::format("\" time=\"{:.6f}\"", t.seconds);
    if (t.passed()) {
      out += "/>\n";
      continue;
    }
    out += ">\n";
    for (const auto& f : t.failures) {
      out += "      <failure message=\"";
      AppendXml(f.message, out);
      out += "\">";
      AppendXml(f.where + ": " + f.message, out);
      out += "</failure>\n";
    }
    out += "    </testcase>\n";
  }
  if (!report.never_fired.empty()) {
    out += "    <system-out>rules no test fired:";
    for (const auto& r : report.never_fired) {
      out += ' ';
      AppendXml(r, out);
    }
    out += "</system-out>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace vigil
