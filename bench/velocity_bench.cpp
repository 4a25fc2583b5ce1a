// Velocity throughput: the generator's --velocity workload (stateless rules
// plus per-card count/sum windows) evaluated in event order with the state
// updated on every event, on one thread and on two threads sharing one state.
// Events are parsed before timing; a fresh state per run.
//
//   vigil_velocity_bench --workload DIR [google-benchmark flags]
//
// Two threads: events are partitioned by card (as a bank's platform routes
// a card's payments to one worker), each thread evaluating its partition in
// order against the shared state. Live traffic keeps the threads close in
// event time; replaying a month as fast as possible does not, so the threads
// meet at a barrier every kChunk events of the stream (about 45 minutes of
// event time, less than the store's lateness of one hour; see docs/state.md).
#include <benchmark/benchmark.h>

#include <cstring>
#include <fstream>
#include <iostream>
#include <malloc.h>

#include <atomic>
#include <thread>

#include "api/compiler.hpp"
#include "bench_args.hpp"
#include "spin_barrier.hpp"
#include "eval/event_json.hpp"
#include "eval/session.hpp"
#include "state/store.hpp"

namespace {

struct Workload {
  std::shared_ptr<const vigil::eval::Program> program;
  std::vector<std::unique_ptr<vigil::eval::Event>> events;
  // By card, for two threads: per thread, per chunk of the stream, the
  // indexes of its events.
  std::vector<std::vector<std::vector<uint32_t>>> partitions;
};

constexpr size_t kChunk = 2048;

using vigil::bench::SpinBarrier;

vigil::state::StoreOptions BenchStore() {
  vigil::state::StoreOptions o;
  o.lateness_us = 3600LL * 1000000;
  return o;
}

Workload* g_workload = nullptr;

bool Load(const std::string& dir, Workload& w) {
  vigil::Compilation c = vigil::CompileFiles({dir + "/rules.vgl"});
  if (!c.ok()) {
    std::cerr << c.RenderDiagnostics();
    return false;
  }
  w.program = c.program;
  if (w.program->aggregates.empty()) {
    std::cerr << "the workload has no aggregates: generate it with gen.py --velocity\n";
    return false;
  }
  std::ifstream in(dir + "/events.jsonl");
  std::string line;
  std::string error;
  vigil::eval::EventJsonReader reader;
  const int card = w.program->schema.Find("card_id");
  w.partitions.resize(2);
  while (std::getline(in, line)) {
    auto event = std::make_unique<vigil::eval::Event>(w.program->schema);
    if (!reader.Read(line, *event, &error)) {
      std::cerr << "bad event: " << error << "\n";
      return false;
    }
    size_t h = card < 0 ? 0 : std::hash<std::string_view>()(event->at(card).str());
    auto& part = w.partitions[h % 2];
    const size_t chunk = w.events.size() / kChunk;
    for (auto& p : w.partitions) p.resize(chunk + 1);
    part[chunk].push_back(static_cast<uint32_t>(w.events.size()));
    w.events.push_back(std::move(event));
  }
  return !w.events.empty();
}

void Report(benchmark::State& state, const vigil::state::Store& store, int64_t events,
            int64_t fired) {
  vigil::state::StoreStats st = store.Stats();
  state.SetItemsProcessed(events);
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["ns_per_event"] =
      benchmark::Counter(static_cast<double>(events),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert,
                         benchmark::Counter::kIs1000);
  state.counters["keys"] = static_cast<double>(st.keys);
  state.counters["bytes_per_key"] = st.keys ? static_cast<double>(st.bytes) / st.keys : 0;
  state.counters["state_MiB"] = static_cast<double>(st.bytes) / (1 << 20);
  state.counters["firings"] = static_cast<double>(fired);
}

void BM_VelocityOneThread(benchmark::State& state) {
  Workload& w = *g_workload;
  int64_t events = 0, fired = 0;
  std::shared_ptr<vigil::state::Store> store;
  for (auto _ : state) {
    state.PauseTiming();
    store = std::make_shared<vigil::state::Store>(BenchStore());
    vigil::eval::Session session(w.program, store);
    vigil::eval::Result result;
    fired = 0;
    state.ResumeTiming();
    for (const auto& e : w.events) {
      session.Evaluate(*e, result);
      fired += static_cast<int64_t>(result.fired.size());
    }
    events += static_cast<int64_t>(w.events.size());
  }
  Report(state, *store, events, fired);
}

void BM_VelocityTwoThreads(benchmark::State& state) {
  Workload& w = *g_workload;
  int64_t events = 0;
  std::atomic<int64_t> fired{0};
  std::shared_ptr<vigil::state::Store> store;
  for (auto _ : state) {
    state.PauseTiming();
    store = std::make_shared<vigil::state::Store>(BenchStore());
    fired = 0;
    state.ResumeTiming();
    std::vector<std::thread> threads;
    SpinBarrier sync(static_cast<int>(w.partitions.size()));
    for (const auto& part : w.partitions) {
      threads.emplace_back([&w, &store, &part, &fired, &sync] {
        vigil::eval::Session session(w.program, store);
        vigil::eval::Result result;
        int64_t n = 0;
        for (const auto& chunk : part) {
          for (uint32_t i : chunk) {
            session.Evaluate(*w.events[i], result);
            n += static_cast<int64_t>(result.fired.size());
          }
          sync.Wait();
        }
        fired += n;
      });
    }
    for (auto& t : threads) t.join();
    events += static_cast<int64_t>(w.events.size());
  }
  Report(state, *store, events, fired.load());
}

}  // namespace

int main(int argc, char** argv) {
  vigil::bench::BenchArgs args = vigil::bench::ParseBenchArgs(argc, argv);
  const std::string& dir = args.workload;
  std::vector<char*>& rest = args.rest;
  if (dir.empty()) {
    std::cerr << "usage: vigil_velocity_bench --workload DIR [benchmark flags]\n";
    return 2;
  }
  // Host allocator setting (docs/state.md): keep freed memory instead of
  // returning it to the kernel and faulting it back in, which on a virtual
  // machine costs more than the state updates themselves.
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 256 << 20);
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  std::cerr << "malloc: M_TRIM_THRESHOLD 1 GiB, M_TOP_PAD 256 MiB, M_MMAP_THRESHOLD 1 GiB\n";
  Workload w;
  if (!Load(dir, w)) return 1;
  g_workload = &w;
  std::cerr << "workload " << dir << ": " << w.program->rules.size() << " rules, "
            << w.program->aggregates.size() << " aggregates, " << w.events.size() << " events\n";
  benchmark::RegisterBenchmark("velocity/1_thread", BM_VelocityOneThread)
      ->Iterations(3)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("velocity/2_threads", BM_VelocityTwoThreads)
      ->Iterations(3)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  int bargc = static_cast<int>(rest.size());
  benchmark::Initialize(&bargc, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
