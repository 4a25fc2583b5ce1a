// One row of the performance table (docs/performance.md) per run; bench/run.sh
// runs it once per workload, each in its own process so that peak memory is
// the row's own.
//
//   vigil_perf --header
//   vigil_perf --workload DIR [--seconds S]    stateless workload of gen.py
//   vigil_perf --velocity DIR [--seconds S]    gen.py --velocity workload
//   vigil_perf --velocity DIR --profile        vigil's aggregate rules alone, 20 runs (perf record)
//   vigil_perf --list-load N                   compile a list of N entries
//   vigil_perf --workload DIR --profile        vigil's one-core loop only (for perf record)
//   --strategy auto|index|ordered              how the rules are evaluated (plan/strategy.hpp):
//                                              the planner's choice (default) or a forced one
//   --ring N                                   events in the timed ring (default 4096)
//   --cpu-time                                 time the stateless loops by thread CPU time
//
// Stateless rows: every event of DIR/events.jsonl is evaluated by vigil and
// by the hand-written evaluator (bench/handwritten_gen.py) and both must give
// exactly the generator's expected firings; then both are timed on a ring of
// already-parsed events (evaluation only) on one core, and vigil on every
// core (one Session per thread over the shared compiled rule set).
// Velocity rows: the whole stream in event order with state updates, on one
// thread and on two sharing one state (as bench/velocity_bench.cpp); beside
// the hand-written velocity baseline, and the state path alone: vigil with
// only the rules that use aggregates against the hand-written windows alone.
#include <fmt/format.h>
#include <malloc.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#include "alloc_counter.hpp"
#include "api/compiler.hpp"
#include "eval/event_json.hpp"
#include "eval/session.hpp"
#include "handwritten.hpp"
#include "handwritten_velocity.hpp"
#include "spin_barrier.hpp"
#include "state/store.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using vigil::eval::Event;
using vigil::eval::Program;

// Events evaluated round-robin in the timed loops: about a megabyte of
// parsed events, so they are in cache as they would be in a host that has
// just parsed each one (and not the same few events every time).
// --ring N: a smaller ring (64) stays in the first-level caches, which
// separates the cost of reaching an event's memory from the rules' own.
size_t g_ring = 4096;

// --strategy: the planner's choice, or one forced to compare them.
vigil::plan::StrategyChoice g_strategy = vigil::plan::StrategyChoice::kAuto;

// --cpu-time: the timed loops count the thread's CPU time instead of the
// wall clock, so that on a machine shared with other work the time the
// thread waits for a core is not counted (its caches are still shared).
bool g_cpu_time = false;

// CPU time of the calling thread: a loop's own cost, without the time other
// processes on a busy machine take the core away (--cpu-time, velocity rows).
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

size_t HeapInUse() {
  struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

// The one-minute load average: other processes on the machine slow the
// loops down, so each row says how busy the machine was.
double LoadAverage() {
  double load[1] = {0};
  return getloadavg(load, 1) == 1 ? load[0] : -1;
}

double PeakRssMiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

struct Compiled {
  std::shared_ptr<const Program> program;
  double compile_ms = 0;
  double heap_mib = 0;
};

// Compiles three times; the fastest time, the heap the kept rule set holds.
bool Compile(const std::string& path, Compiled& out) {
  out.compile_ms = 1e30;
  for (int i = 0; i < 3; ++i) {
    out.program.reset();
    size_t before = HeapInUse();
    auto t0 = Clock::now();
    vigil::CompileOptions options;
    options.strategy = g_strategy;
    vigil::Compilation c = vigil::CompileFiles({path}, options);
    auto t1 = Clock::now();
    if (!c.ok()) {
      std::cerr << c.RenderDiagnostics();
      return false;
    }
    out.compile_ms = std::min(out.compile_ms, Seconds(t0, t1) * 1e3);
    out.program = c.program;
    c = vigil::Compilation{};  // keep only the program
    out.heap_mib = static_cast<double>(HeapInUse() - before) / (1 << 20);
  }
  return true;
}

// The generator's expected firings, one line per event: the rule ids.
std::vector<std::string> ExpectedIds(const std::string& line) {
  std::vector<std::string> ids;
  size_t at = line.find("\"fired\"");
  if (at == std::string::npos) return ids;
  at = line.find('[', at);
  size_t end = line.find(']', at);
  for (size_t q = line.find('"', at); q < end; q = line.find('"', q)) {
    size_t close = line.find('"', q + 1);
    ids.push_back(line.substr(q + 1, close - q - 1));
    q = close + 1;
  }
  return ids;
}

vigil::bench::Txn ToTxn(const Program& p, const Event& e) {
  auto slot = [&](const char* name) { return static_cast<size_t>(p.schema.Find(name)); };
  vigil::bench::Txn t;
  t.amount = e.at(slot("amount")).i / 10000;  // decimal units (10^-6) to cents
  t.mcc = e.at(slot("mcc")).i;
  t.account_age_days = e.at(slot("account_age_days")).i;
  t.currency = e.at(slot("currency")).str();
  t.merchant_country = e.at(slot("merchant_country")).str();
  t.card_country = e.at(slot("card_country")).str();
  t.channel = e.at(slot("channel")).str();
  t.descriptor = e.at(slot("descriptor")).str();
  t.ip_country = e.at(slot("ip_country")).str();
  return t;
}

struct Timing {
  double ns_per_event = 0;
  double events_per_s = 0;
  double allocs_per_event = 0;
};

// Runs `one(i)` over the ring for about `seconds`, in passes of the ring.
template <typename F>
Timing TimeRing(double seconds, size_t ring, F&& one) {
  uint64_t events = 0;
  const uint64_t allocs0 = vigil::bench::ThreadAllocations();
  auto t0 = Clock::now();
  const double cpu0 = ThreadCpuSeconds();
  double elapsed = 0;
  do {
    for (size_t i = 0; i < ring; ++i) one(i);
    events += ring;
    elapsed = g_cpu_time ? ThreadCpuSeconds() - cpu0 : Seconds(t0, Clock::now());
  } while (elapsed < seconds);
  Timing t;
  t.events_per_s = static_cast<double>(events) / elapsed;
  t.ns_per_event = elapsed * 1e9 / static_cast<double>(events);
  t.allocs_per_event = static_cast<double>(vigil::bench::ThreadAllocations() - allocs0) /
                       static_cast<double>(events);
  return t;
}

int StatelessRow(const std::string& dir, double seconds, bool profile) {
  Compiled c;
  if (!Compile(dir + "/rules.vgl", c)) return 1;
  const Program& p = *c.program;
  vigil::bench::HandwrittenFn hand = vigil::bench::FindHandwritten(p.rulesets[0].name);
  if (hand == nullptr) {
    std::cerr << "no hand-written evaluator for " << p.rulesets[0].name
              << ": run bench/run.sh, which generates and builds it\n";
    return 1;
  }
  // Agreement on every event: vigil, hand-written and the generator's oracle.
  std::ifstream events(dir + "/events.jsonl");
  std::ifstream expected(dir + "/expected.jsonl");
  vigil::eval::EventJsonReader reader;
  vigil::eval::Session session(c.program);
  vigil::eval::Result result;
  auto hand_result = std::make_unique<vigil::bench::HandResult>();
  std::vector<std::unique_ptr<Event>> ring;
  std::string line, want, error;
  size_t total = 0, mismatches = 0;
  auto scratch = std::make_unique<Event>(p.schema);
  while (std::getline(events, line)) {
    if (!std::getline(expected, want)) {
      std::cerr << "expected.jsonl is shorter than events.jsonl\n";
      return 1;
    }
    Event& e =
        ring.size() < g_ring ? *ring.emplace_back(std::make_unique<Event>(p.schema)) : *scratch;
    if (!reader.Read(line, e, &error)) {
      std::cerr << "event " << total + 1 << ": " << error << "\n";
      return 1;
    }
    session.Evaluate(e, result);
    std::vector<std::string> ids = ExpectedIds(want);
    bool same = ids.size() == result.fired.size();
    for (size_t k = 0; same && k < ids.size(); ++k)
      same = p.rules[result.fired[k].rule].id == ids[k];
    if (!profile) {
      hand(ToTxn(p, e), *hand_result);
      same = same && hand_result->count == ids.size();
      for (size_t k = 0; same && k < ids.size(); ++k)
        same = p.rules[hand_result->fired[k]].id == ids[k];
    }
    if (!same && mismatches++ < 5) std::cerr << "event " << total + 1 << ": firings differ\n";
    ++total;
  }
  // Text the ring's Txn views point into lives in the ring's events.
  std::vector<vigil::bench::Txn> txns;
  for (const auto& e : ring) txns.push_back(ToTxn(p, *e));

  // How many rules the index leaves to evaluate, on average.
  std::vector<uint64_t> bits(p.rule_index.words());
  double candidates = 0;
  for (const auto& e : ring) {
    p.rule_index.Candidates(e->values(), bits.data());
    for (uint64_t w : bits) candidates += __builtin_popcountll(w);
  }
  candidates /= static_cast<double>(ring.size());

  int64_t sink = 0;
  Timing vigil1 = TimeRing(seconds, ring.size(), [&](size_t i) {
    session.Evaluate(*ring[i], result);
    sink += static_cast<int64_t>(result.fired.size());
  });
  // The strategy and the planner's estimates behind the choice (per event,
  // in units of an integer comparison).
  const std::string strategy =
      p.strategy == vigil::eval::EvalStrategy::kIndex
          ? fmt::format("index, {:.1f} rules/ev past it", candidates)
          : std::string("ordered");
  const std::string estimate = fmt::format("estimate: ordered {:.0f}, index {:.0f}",
                                           p.strategy_estimate.ordered, p.strategy_estimate.index);
  if (profile) {  // only vigil's loop ran: for `perf record`
    std::cout << fmt::format(
        "{} rules: {:.0f} ns/event; {} ({}); index: {} fields, {} rules, {:.2f} MiB\n",
        p.rules.size(), vigil1.ns_per_event, strategy, estimate, p.rule_index.indexed_fields(),
        p.rule_index.indexed_rules(), static_cast<double>(p.rule_index.memory_bytes()) / (1 << 20));
    return mismatches == 0 ? 0 : 1;
  }
  Timing hand1 = TimeRing(seconds, txns.size(), [&](size_t i) {
    hand(txns[i], *hand_result);
    sink += hand_result->count;
  });
  // Every core: one session per thread, all started together.
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::vector<double> rates(cores);
  std::vector<std::thread> threads;
  std::atomic<unsigned> ready{0};
  for (unsigned t = 0; t < cores; ++t) {
    threads.emplace_back([&, t] {
      vigil::eval::Session s(c.program);
      vigil::eval::Result r;
      int64_t local = 0;
      ready.fetch_add(1);
      while (ready.load() < cores) {
      }
      Timing tm = TimeRing(seconds, ring.size(), [&](size_t i) {
        s.Evaluate(*ring[(i + t * 997) % ring.size()], r);
        local += static_cast<int64_t>(r.fired.size());
      });
      rates[t] = tm.events_per_s;
      if (local < 0) std::abort();
    });
  }
  for (auto& th : threads) th.join();
  double all = 0;
  for (double r : rates) all += r;
  if (sink < 0) std::abort();

  std::cout << fmt::format(
      "| {} | stateless, {} ({}) | {:.0f} | {:.1f} | {:.2f}M | {:.0f} | "
      "{:.2f}M ({}) | {:.2f}x | {:.2f} | "
      "{:.0f} | {:.2f} | {:.0f} | {}/{} |\n",
      p.rules.size(), strategy, estimate, c.compile_ms, c.heap_mib, vigil1.events_per_s / 1e6,
      vigil1.ns_per_event, all / 1e6, cores, all / vigil1.events_per_s, vigil1.allocs_per_event,
      hand1.ns_per_event, vigil1.ns_per_event / hand1.ns_per_event, PeakRssMiB(),
      total - mismatches, total);
  return mismatches == 0 ? 0 : 1;
}

// The rules of a generated rule set that use aggregates (`within:`), with
// the header and schema before the first rule: vigil's state path with the
// stateless rules taken out. `names` receives the kept rules' names.
std::string AggregateRulesOnly(const std::string& text, std::vector<std::string>& names) {
  std::string out;
  size_t at = 0;
  const size_t first = text.find("\nrule ");
  if (first == std::string::npos) return out;
  out = text.substr(0, first + 1);
  at = first + 1;
  while (at < text.size()) {
    size_t end = text.find("\n}\n", at);
    end = end == std::string::npos ? text.size() : end + 3;
    const std::string block = text.substr(at, end - at);
    if (block.starts_with("rule ") && block.find("within:") != std::string::npos) {
      const size_t name_end = block.find_first_of(" {", 5);
      names.push_back(block.substr(5, name_end - 5));
      out += block;
      out += '\n';
    }
    at = end;
    while (at < text.size() && text[at] == '\n') ++at;
  }
  return out;
}

// Repetitions of each timed loop of a velocity row, alternated so that a
// change of the machine's load falls on all of them alike; the fastest counts.
// The one-thread loops are timed in thread CPU time; the two-thread run by
// the wall clock.
constexpr int kVelocityRuns = 3;

int VelocityRow(const std::string& dir, bool profile) {
  // Host allocator settings of docs/state.md, as in bench/velocity_bench.cpp.
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 256 << 20);
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  Compiled c;
  if (!Compile(dir + "/rules.vgl", c)) return 1;
  const Program& p = *c.program;
  // The same rule set with only its aggregate rules, for vigil's state path
  // alone (beside the hand-written windows alone).
  std::vector<std::string> agg_rule_names;
  std::shared_ptr<const Program> agg_program;
  {
    std::ifstream rules_file(dir + "/rules.vgl");
    std::string text((std::istreambuf_iterator<char>(rules_file)),
                     std::istreambuf_iterator<char>());
    vigil::Compilation ac = vigil::CompileSources(
        {vigil::SourceInput{dir + "/rules.vgl (aggregate rules only)",
                            AggregateRulesOnly(text, agg_rule_names)}});
    if (!ac.ok()) {
      std::cerr << ac.RenderDiagnostics();
      return 1;
    }
    agg_program = ac.program;
  }
  std::ifstream in(dir + "/events.jsonl");
  vigil::eval::EventJsonReader reader;
  std::vector<std::unique_ptr<Event>> events;
  std::string line, error;
  while (std::getline(in, line)) {
    auto e = std::make_unique<Event>(p.schema);
    if (!reader.Read(line, *e, &error)) {
      std::cerr << "event " << events.size() + 1 << ": " << error << "\n";
      return 1;
    }
    events.push_back(std::move(e));
  }
  // The generator's firings of the aggregate rules, for the state path alone.
  int64_t want_agg = 0;
  {
    std::ifstream expected(dir + "/expected.jsonl");
    while (std::getline(expected, line)) {
      for (const std::string& id : ExpectedIds(line)) {
        want_agg += std::count(agg_rule_names.begin(), agg_rule_names.end(), id);
      }
    }
  }
  vigil::state::StoreOptions options;
  options.lateness_us = 3600LL * 1000000;  // as bench/velocity_bench.cpp: see docs/state.md
  // One thread, the stream in order, from a fresh state; returns the seconds.
  vigil::state::StoreStats stats;
  auto run_vigil = [&](const std::shared_ptr<const Program>& program, int64_t& fired) {
    auto store = std::make_shared<vigil::state::Store>(options);
    vigil::eval::Session session(program, store);
    vigil::eval::Result result;
    fired = 0;
    const double t0 = ThreadCpuSeconds();
    for (const auto& e : events) {
      session.Evaluate(*e, result);
      fired += static_cast<int64_t>(result.fired.size());
    }
    double s = ThreadCpuSeconds() - t0;
    stats = store->Stats();
    return s;
  };
  if (profile) {  // the state path alone, for perf record
    int64_t fired = 0;
    double best = 1e30;
    for (int i = 0; i < 20; ++i) best = std::min(best, run_vigil(agg_program, fired));
    std::cout << fmt::format("aggregate rules alone: {:.0f} ns/ev, {} firings, {} expected\n",
                             best * 1e9 / static_cast<double>(events.size()), fired, want_agg);
    return fired == want_agg ? 0 : 1;
  }
  // The hand-written velocity baseline (bench/handwritten_velocity.hpp) on
  // the same parsed events, in the same order: the stateless rules'
  // hand-written evaluator plus per-card deques.
  std::string stateless_name = p.rulesets[0].name;
  if (stateless_name.ends_with("_vel")) stateless_name.resize(stateless_name.size() - 4);
  vigil::bench::HandwrittenFn hand = vigil::bench::FindHandwritten(stateless_name);
  const int card_slot = p.schema.Find("card_id");
  const int ts_slot = p.schema.time_slot;
  std::vector<vigil::bench::Txn> txns;
  for (const auto& e : events) txns.push_back(ToTxn(p, *e));
  auto hand_result = std::make_unique<vigil::bench::HandResult>();
  auto run_hand = [&](int64_t& fired) {
    vigil::bench::HandVelocity windows;
    fired = 0;
    const double t0 = ThreadCpuSeconds();
    for (size_t i = 0; i < events.size(); ++i) {
      hand_result->Clear();
      hand(txns[i], *hand_result);
      fired += hand_result->count;
      fired += windows.Step(events[i]->at(static_cast<size_t>(card_slot)).str(), txns[i],
                            events[i]->at(static_cast<size_t>(ts_slot)).i);
    }
    return ThreadCpuSeconds() - t0;
  };
  // The windows alone (the hand-written state path), in a fresh map.
  auto run_windows = [&](int64_t& fired) {
    vigil::bench::HandVelocity alone;
    fired = 0;
    const double t0 = ThreadCpuSeconds();
    for (size_t i = 0; i < events.size(); ++i) {
      fired += alone.Step(events[i]->at(static_cast<size_t>(card_slot)).str(), txns[i],
                          events[i]->at(static_cast<size_t>(ts_slot)).i);
    }
    return ThreadCpuSeconds() - t0;
  };
  double one = 1e30, agg_seconds = 1e30, hand_seconds = 1e30, windows_seconds = 1e30;
  int64_t fired1 = 0, agg_fired = 0, hand_fired = -1, window_fired = -1;
  vigil::state::StoreStats full_stats;
  for (int run = 0; run < kVelocityRuns; ++run) {
    one = std::min(one, run_vigil(c.program, fired1));
    full_stats = stats;
    if (hand != nullptr) hand_seconds = std::min(hand_seconds, run_hand(hand_fired));
    windows_seconds = std::min(windows_seconds, run_windows(window_fired));
    agg_seconds = std::min(agg_seconds, run_vigil(agg_program, agg_fired));
  }
  // Two threads sharing one state, partitioned by card, meeting every chunk.
  constexpr size_t kChunk = 2048;
  std::vector<std::vector<std::vector<uint32_t>>> parts(2);
  for (uint32_t i = 0; i < events.size(); ++i) {
    size_t h = std::hash<std::string_view>()(events[i]->at(static_cast<size_t>(card_slot)).str());
    for (auto& part : parts) part.resize(i / kChunk + 1);
    parts[h % 2][i / kChunk].push_back(i);
  }
  auto shared = std::make_shared<vigil::state::Store>(options);
  std::atomic<int64_t> fired2{0};
  vigil::bench::SpinBarrier sync(2);
  std::vector<std::thread> threads;
  auto t0 = Clock::now();
  for (const auto& part : parts) {
    threads.emplace_back([&] {
      vigil::eval::Session s(c.program, shared);
      vigil::eval::Result r;
      int64_t n = 0;
      for (const auto& chunk : part) {
        for (uint32_t i : chunk) {
          s.Evaluate(*events[i], r);
          n += static_cast<int64_t>(r.fired.size());
        }
        sync.Wait();
      }
      fired2 += n;
    });
  }
  for (auto& th : threads) th.join();
  double two = Seconds(t0, Clock::now());
  const double n = static_cast<double>(events.size());
  std::ifstream meta_file(dir + "/meta.json");
  std::string meta((std::istreambuf_iterator<char>(meta_file)), std::istreambuf_iterator<char>());
  size_t at = meta.find("\"firings\":");
  const int64_t want = at == std::string::npos ? -1 : std::stoll(meta.substr(at + 10));
  const bool agree = fired1 == want && fired2.load() == want;
  const bool state_agree = agg_fired == want_agg && window_fired == want_agg;
  const std::string hand_ns =
      hand == nullptr ? "-" : fmt::format("{:.0f}", hand_seconds * 1e9 / n);
  const std::string ratio = hand == nullptr ? "-" : fmt::format("{:.2f}", one / hand_seconds);
  const std::string hand_agree =
      hand == nullptr ? "no hand-written baseline (run bench/run.sh table, which builds it)"
                      : fmt::format("hand-written {}", hand_fired);
  // The state paths alone: vigil with only the aggregate rules against the
  // hand-written windows alone, both firing the aggregate rules' firings.
  const std::string state_path = fmt::format(
      "state path alone: vigil's aggregate rules {:.0f} ns/ev, hand-written windows {:.0f} ns/ev, "
      "**{:.2f}x** ({} and {} firings, {} expected)",
      agg_seconds * 1e9 / n, windows_seconds * 1e9 / n, agg_seconds / windows_seconds, agg_fired,
      window_fired, want_agg);
  std::cout << fmt::format(
      "| {} | velocity ({} aggregates, {} keys, {:.0f} B/key) | {:.0f} | {:.1f} | {:.2f}M | {:.0f} "
      "| "
      "{:.2f}M (2) | {:.2f}x | - | {} | {} | {:.0f} | {} firings (1 and 2 threads), {} expected, {}; "
      "{}; load {:.1f} |\n",
      p.rules.size(), p.aggregates.size(), full_stats.keys,
      full_stats.keys ? static_cast<double>(full_stats.bytes) / static_cast<double>(full_stats.keys)
                      : 0.0,
      c.compile_ms, c.heap_mib, n / one / 1e6, one * 1e9 / n, n / two / 1e6, one / two, hand_ns,
      ratio, PeakRssMiB(),
      agree ? fmt::format("{}", fired1) : fmt::format("{} / {}", fired1, fired2.load()), want,
      hand_agree, state_path, LoadAverage());
  return agree && state_agree && (hand == nullptr || hand_fired == want) ? 0 : 1;
}

// A rule set with one list of n distinct 64-hex-digit entries (the size of a
// hashed watchlist of card numbers), loaded from a file at compile time.
int ListLoad(size_t n) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / fmt::format("vigil-list-{}", getpid());
  std::filesystem::create_directories(dir);
  {
    std::ofstream list(dir / "big.txt");
    std::mt19937_64 rng(1);
    for (size_t i = 0; i < n; ++i)
      list << fmt::format("{:016x}{:016x}{:016x}{:016x}\n", rng(), rng(), rng(), rng());
    std::ofstream rules(dir / "rules.vgl");
    rules << "ruleset bench.list version \"1.0.0\"\n"
             "schema s version 1 {\n  card_hash: string\n}\nuses schema s\n"
             "list FLAGGED: set<string> from \"big.txt\"\n"
             "rule flagged { when card_hash in FLAGGED then score 100 decide block }\n";
  }
  Compiled c;
  bool ok = Compile((dir / "rules.vgl").string(), c);
  std::filesystem::remove_all(dir);
  if (!ok) return 1;
  std::cout << fmt::format("list of {} entries: compiled in {:.0f} ms, {:.1f} MiB of heap\n", n,
                           c.compile_ms, c.heap_mib);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string workload, velocity;
  double seconds = 2.0;
  size_t list = 0;
  bool profile = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--header") {
      std::cout << "| rules | workload | compile ms | rule set MiB | 1 core ev/s | 1 core ns/ev | "
                   "all cores ev/s | scaling | allocs/ev | hand-written ns/ev | vigil / hand | "
                   "peak RSS MiB | agree |\n"
                   "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
      return 0;
    }
    if (a == "--workload" && i + 1 < argc) {
      workload = argv[++i];
    } else if (a == "--velocity" && i + 1 < argc) {
      velocity = argv[++i];
    } else if (a == "--seconds" && i + 1 < argc) {
      seconds = std::stod(argv[++i]);
    } else if (a == "--profile") {
      profile = true;
    } else if (a == "--cpu-time") {
      g_cpu_time = true;
    } else if (a == "--ring" && i + 1 < argc) {
      g_ring = std::max<size_t>(1, std::stoull(argv[++i]));
    } else if (a == "--strategy" && i + 1 < argc) {
      std::string s = argv[++i];
      if (s == "index") {
        g_strategy = vigil::plan::StrategyChoice::kIndex;
      } else if (s == "ordered") {
        g_strategy = vigil::plan::StrategyChoice::kOrdered;
      } else if (s != "auto") {
        std::cerr << "vigil_perf: unknown strategy '" << s << "': expected auto, index or ordered\n";
        return 2;
      }
    } else if (a == "--list-load" && i + 1 < argc) {
      list = std::stoull(argv[++i]);
    } else {
      std::cerr << "usage: vigil_perf --header | --workload DIR [--profile] | --velocity DIR [--profile] | "
                   "--list-load N [--seconds S] [--strategy auto|index|ordered] [--ring N] [--cpu-time]\n";
      return 2;
    }
  }
  if (list > 0) return ListLoad(list);
  if (!velocity.empty()) return VelocityRow(velocity, profile);
  if (!workload.empty()) return StatelessRow(workload, seconds, profile);
  std::cerr << "nothing to do: see --help\n";
  return 2;
}
