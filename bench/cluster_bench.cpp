// Velocity over a Redis Cluster beside the embedded store: the generator's
// --velocity workload evaluated through the C ABI with the state in the
// process (vigil_state_new) or in the cluster (libvigil_redis.so), on 1 and 2
// host threads. Prints events/s, the latency of one evaluation (p50, p99) and
// the firings, checked against the generator's expected.jsonl.
//
//   vigil_cluster_bench --workload DIR [--cluster HOST:PORT,...] [--timeout-ms N]
//
// Events are parsed before timing. Two threads partition events by card, as a
// platform routes a card's payments to one worker; with the embedded store
// they meet every kChunk events (as in velocity_bench.cpp) so that they stay
// within its lateness; with Redis each thread has its own connections and
// goes at its own pace (the lateness is checked per key, in the script).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "spin_barrier.hpp"
#include "vigil/vigil.h"
#include "vigil/vigil_redis.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kChunk = 2048;
constexpr int64_t kLatenessUs = 3600LL * 1000000;

struct Workload {
  vigil_ruleset* rules = nullptr;
  std::vector<std::string> lines;
  std::vector<std::vector<uint32_t>> partitions;  // by card, for 2 threads
  int64_t expected_firings = 0;
};

bool Load(const std::string& dir, Workload& w) {
  vigil_compiler* c = nullptr;
  vigil_compiler_new(nullptr, &c);
  const std::string rules = dir + "/rules.vgl";
  vigil_compiler_add_file(c, rules.c_str(), rules.size());
  if (vigil_compiler_build(c, &w.rules) != VIGIL_OK) {
    std::fputs(vigil_compiler_diag_render(c), stderr);
    vigil_compiler_free(c);
    return false;
  }
  vigil_compiler_free(c);
  std::ifstream in(dir + "/events.jsonl");
  w.partitions.resize(2);
  for (std::string line; std::getline(in, line);) {
    // The card decides the thread (a string compare is enough here).
    size_t at = line.find("\"card_id\":");
    size_t h = at == std::string::npos ? 0 : std::hash<std::string>()(line.substr(at, 30));
    w.partitions[h % 2].push_back(static_cast<uint32_t>(w.lines.size()));
    w.lines.push_back(std::move(line));
  }
  std::ifstream expected(dir + "/expected.jsonl");
  for (std::string line; std::getline(expected, line);) {
    size_t at = line.find("\"fired\":");
    if (at == std::string::npos) continue;
    std::string list = line.substr(at);
    if (list.find('[') + 1 < list.size() && list[list.find('[') + 1] != ']') {
      w.expected_firings += 1 + static_cast<int64_t>(std::count(list.begin(), list.end(), ','));
    }
  }
  return !w.lines.empty();
}

struct Run {
  int64_t events = 0, fired = 0, failed = 0;
  std::vector<int64_t> latencies_ns;
  double seconds = 0;
};

// One thread's session over `order` (indexes into w.lines).
void Evaluate(const Workload& w, vigil_state* state, const std::vector<uint32_t>& order,
              vigil::bench::SpinBarrier* sync, Run& run) {
  vigil_session* s = nullptr;
  vigil_event* e = nullptr;
  vigil_result* r = nullptr;
  vigil_session_new(w.rules, nullptr, &s);
  vigil_session_set_state(s, state);
  vigil_event_new(w.rules, &e);
  vigil_result_new(&r);
  run.latencies_ns.reserve(order.size());
  size_t chunk = 0;
  for (uint32_t i : order) {
    if (sync != nullptr) {
      while (i / kChunk > chunk) {  // meet the other thread at each chunk of the stream
        sync->Wait();
        ++chunk;
      }
    }
    const std::string& line = w.lines[i];
    vigil_event_set_json(e, line.data(), line.size());
    const auto t0 = Clock::now();
    vigil_status st = vigil_session_eval(s, e, r);
    const auto t1 = Clock::now();
    run.latencies_ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
    ++run.events;
    if (st != VIGIL_OK || vigil_result_state_error(r)) {
      ++run.failed;
    } else {
      run.fired += static_cast<int64_t>(vigil_result_fired_count(r));
    }
  }
  if (sync != nullptr) {
    const size_t chunks = (w.lines.size() + kChunk - 1) / kChunk;
    while (++chunk <= chunks) sync->Wait();
  }
  vigil_result_free(r);
  vigil_event_free(e);
  vigil_session_free(s);
}

vigil_redis* OpenCluster(const std::string& nodes, int timeout_ms, const std::string& prefix) {
  vigil_redis_options o;
  std::memset(&o, 0, sizeof(o));
  o.struct_size = sizeof(o);
  o.mode = VIGIL_REDIS_CLUSTER;
  o.nodes = nodes.c_str();
  o.timeout_ms = timeout_ms;
  o.prefix = prefix.c_str();
  vigil_redis* r = nullptr;
  char err[512];
  if (vigil_redis_open(&o, &r, err, sizeof(err)) != VIGIL_OK) {
    std::fprintf(stderr, "vigil_cluster_bench: %s\n", err);
    std::exit(1);
  }
  return r;
}

void Print(const char* name, int threads, const std::vector<Run>& runs, double seconds,
           int64_t expected) {
  std::vector<int64_t> lat;
  int64_t events = 0, fired = 0, failed = 0;
  for (const Run& r : runs) {
    lat.insert(lat.end(), r.latencies_ns.begin(), r.latencies_ns.end());
    events += r.events;
    fired += r.fired;
    failed += r.failed;
  }
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double p) {
    return lat.empty() ? 0.0 : lat[std::min(lat.size() - 1, static_cast<size_t>(p * lat.size()))] / 1000.0;
  };
  std::printf("| %-8s | %d | %9.0f | %7.1f | %7.1f | %7.1f | %9lld | %s |\n", name, threads,
              static_cast<double>(events) / seconds, pct(0.50), pct(0.99), pct(0.999),
              static_cast<long long>(fired),
              failed > 0 ? (std::to_string(failed) + " failed").c_str()
                         : (fired == expected ? "= expected" : "DIFFERS from expected"));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir, cluster;
  int timeout_ms = 1000;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--workload") == 0 && i + 1 < argc) {
      dir = argv[++i];
    } else if (std::strcmp(argv[i], "--cluster") == 0 && i + 1 < argc) {
      cluster = argv[++i];
    } else if (std::strcmp(argv[i], "--timeout-ms") == 0 && i + 1 < argc) {
      timeout_ms = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr,
                   "usage: vigil_cluster_bench --workload DIR [--cluster HOST:PORT,...] "
                   "[--timeout-ms N]\n");
      return 2;
    }
  }
  Workload w;
  if (dir.empty() || !Load(dir, w)) return 1;
  std::printf("workload %s: %zu events, expected firings %lld\n", dir.c_str(), w.lines.size(),
              static_cast<long long>(w.expected_firings));
  std::printf("| state    | threads | events/s | p50 µs | p99 µs | p99.9 µs | firings | check |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  std::vector<uint32_t> all(w.lines.size());
  for (uint32_t i = 0; i < all.size(); ++i) all[i] = i;
  for (int threads : {1, 2}) {
    // Embedded: one state shared by the threads.
    vigil_state_options so = VIGIL_STATE_OPTIONS_INIT;
    so.lateness_us = kLatenessUs;
    vigil_state* state = nullptr;
    vigil_state_new(&so, &state);
    std::vector<Run> runs(threads);
    vigil::bench::SpinBarrier sync(threads);
    auto t0 = Clock::now();
    if (threads == 1) {
      Evaluate(w, state, all, nullptr, runs[0]);
    } else {
      std::vector<std::thread> ts;
      for (int t = 0; t < threads; ++t) {
        ts.emplace_back([&, t] { Evaluate(w, state, w.partitions[t], &sync, runs[t]); });
      }
      for (auto& t : ts) t.join();
    }
    Print("embedded", threads, runs,
          std::chrono::duration<double>(Clock::now() - t0).count(), w.expected_firings);
    vigil_state_release(state);
  }
  if (cluster.empty()) return 0;
  for (int threads : {1, 2}) {
    // Redis Cluster: each thread its own connections; a key prefix per run, so
    // that each starts from an empty state.
    std::vector<vigil_redis*> redis;
    std::vector<vigil_state*> states;
    for (int t = 0; t < threads; ++t) {
      redis.push_back(OpenCluster(cluster, timeout_ms, "vigilbench" + std::to_string(threads)));
      vigil_backend b;
      vigil_redis_backend(redis.back(), VIGIL_BACKEND_FAIL_CLOSED, &b);
      vigil_state* s = nullptr;
      vigil_state_new_external(&b, kLatenessUs, &s);
      states.push_back(s);
    }
    std::vector<Run> runs(threads);
    auto t0 = Clock::now();
    if (threads == 1) {
      Evaluate(w, states[0], all, nullptr, runs[0]);
    } else {
      std::vector<std::thread> ts;
      for (int t = 0; t < threads; ++t) {
        ts.emplace_back([&, t] { Evaluate(w, states[t], w.partitions[t], nullptr, runs[t]); });
      }
      for (auto& t : ts) t.join();
    }
    Print("cluster", threads, runs, std::chrono::duration<double>(Clock::now() - t0).count(),
          w.expected_firings);
    for (int t = 0; t < threads; ++t) {
      vigil_redis_stats st;
      std::memset(&st, 0, sizeof(st));
      st.struct_size = sizeof(st);
      vigil_redis_get_stats(redis[t], &st);
      std::fprintf(stderr, "  thread %d: %llu scripts, %llu redirections, %llu failures\n", t,
                   static_cast<unsigned long long>(st.commands),
                   static_cast<unsigned long long>(st.moved + st.ask),
                   static_cast<unsigned long long>(st.failures));
      vigil_state_release(states[t]);
      vigil_redis_close(redis[t]);
    }
  }
  vigil_ruleset_release(w.rules);
  return 0;
}
