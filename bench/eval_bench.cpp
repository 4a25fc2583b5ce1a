// Stateless evaluation throughput on a generated workload: events are parsed
// before timing starts, so the figure is evaluation alone (one core).
//
//   vigil_eval_bench --workload DIR [google-benchmark flags]
//
// DIR holds rules.vgl and events.jsonl from shared/bench/gen.py.
#include <benchmark/benchmark.h>

#include <cstring>
#include <fstream>
#include <iostream>

#include "api/compiler.hpp"
#include "bench_args.hpp"
#include "vigil/vigil.h"
#include "eval/event_json.hpp"
#include "eval/session.hpp"

namespace {

struct Workload {
  std::shared_ptr<const vigil::eval::Program> program;
  std::vector<std::unique_ptr<vigil::eval::Event>> events;
  // The same rules and events through the C ABI (libvigil.so).
  vigil_ruleset* ruleset = nullptr;
  std::vector<vigil_event*> c_events;
};

Workload* g_workload = nullptr;

bool Load(const std::string& dir, Workload& w) {
  vigil::Compilation c = vigil::CompileFiles({dir + "/rules.vgl"});
  if (!c.ok()) {
    std::cerr << c.RenderDiagnostics();
    return false;
  }
  w.program = c.program;
  std::ifstream in(dir + "/events.jsonl");
  std::string line;
  std::string error;
  vigil::eval::EventJsonReader reader;
  while (std::getline(in, line)) {
    auto event = std::make_unique<vigil::eval::Event>(w.program->schema);
    if (!reader.Read(line, *event, &error)) {
      std::cerr << "bad event: " << error << "\n";
      return false;
    }
    w.events.push_back(std::move(event));
    vigil_event* ce = nullptr;
    if (w.ruleset == nullptr) {
      vigil_compiler* compiler = nullptr;
      std::string path = dir + "/rules.vgl";
      vigil_compiler_new(nullptr, &compiler);
      vigil_compiler_add_file(compiler, path.data(), path.size());
      if (vigil_compiler_build(compiler, &w.ruleset) != VIGIL_OK) return false;
      vigil_compiler_free(compiler);
    }
    if (vigil_event_new(w.ruleset, &ce) != VIGIL_OK ||
        vigil_event_set_json(ce, line.data(), line.size()) != VIGIL_OK) {
      return false;
    }
    w.c_events.push_back(ce);
  }
  return !w.events.empty();
}

void BM_EvaluateStateless(benchmark::State& state) {
  Workload& w = *g_workload;
  vigil::eval::Session session(w.program);
  vigil::eval::Result result;
  size_t i = 0;
  int64_t fired = 0;
  for (auto _ : state) {
    session.Evaluate(*w.events[i], result);
    fired += static_cast<int64_t>(result.fired.size());
    if (++i == w.events.size()) i = 0;
  }
  benchmark::DoNotOptimize(fired);
  state.SetItemsProcessed(state.iterations());
  state.counters["rules"] = static_cast<double>(w.program->rules.size());
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["ns_per_event"] = benchmark::Counter(
      static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert, benchmark::Counter::kIs1000);
}

// The same loop through the C ABI, to measure what the boundary costs.
void BM_EvaluateThroughCApi(benchmark::State& state) {
  Workload& w = *g_workload;
  vigil_session* session = nullptr;
  vigil_result* result = nullptr;
  vigil_session_new(w.ruleset, nullptr, &session);
  vigil_result_new(&result);
  size_t i = 0;
  int64_t fired = 0;
  for (auto _ : state) {
    vigil_session_eval(session, w.c_events[i], result);
    fired += static_cast<int64_t>(vigil_result_fired_count(result));
    if (++i == w.c_events.size()) i = 0;
  }
  benchmark::DoNotOptimize(fired);
  state.SetItemsProcessed(state.iterations());
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["ns_per_event"] = benchmark::Counter(
      static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert, benchmark::Counter::kIs1000);
  vigil_result_free(result);
  vigil_session_free(session);
}

}  // namespace

int main(int argc, char** argv) {
  vigil::bench::BenchArgs args = vigil::bench::ParseBenchArgs(argc, argv);
  const std::string& dir = args.workload;
  std::vector<char*>& rest = args.rest;
  if (dir.empty()) {
    std::cerr << "usage: vigil_eval_bench --workload DIR [benchmark flags]\n";
    return 2;
  }
  Workload w;
  if (!Load(dir, w)) return 1;
  g_workload = &w;
  std::cerr << "workload " << dir << ": " << w.program->rules.size() << " rules, "
            << w.events.size() << " events\n";
  benchmark::RegisterBenchmark("evaluate/stateless", BM_EvaluateStateless)->MinTime(2.0);
  benchmark::RegisterBenchmark("evaluate/stateless_c_abi", BM_EvaluateThroughCApi)->MinTime(2.0);
  int bargc = static_cast<int>(rest.size());
  benchmark::Initialize(&bargc, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
