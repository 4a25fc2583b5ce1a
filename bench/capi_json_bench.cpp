// The C ABI end to end on one core (docs/performance.md, "End to end"): each
// event's JSON text given to vigil_event_set_json, then vigil_session_eval,
// as a host does, over a workload's events held in memory, for about two
// seconds in passes over them. Prints one row; before timing, one pass must
// fire exactly the generator's expected count (meta.json "firings").
//   vigil_capi_bench --workload DIR [--seconds S]
#include <time.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "vigil/vigil.h"

namespace {

using Clock = std::chrono::steady_clock;

// This thread's CPU time: what a machine shared with other work inflates least.
double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

long long ExpectedFirings(const std::string& dir) {
  std::ifstream meta_file(dir + "/meta.json");
  std::string meta((std::istreambuf_iterator<char>(meta_file)), std::istreambuf_iterator<char>());
  const size_t at = meta.find("\"firings\":");
  return at == std::string::npos ? -1 : std::stoll(meta.substr(at + 10));
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  double seconds = 2.0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--workload" && i + 1 < argc) {
      dir = argv[++i];
    } else if (a == "--seconds" && i + 1 < argc) {
      seconds = std::stod(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: vigil_capi_bench --workload DIR [--seconds S]\n");
      return 2;
    }
  }
  vigil_compiler* c = nullptr;
  vigil_compiler_new(nullptr, &c);
  const std::string rules = dir + "/rules.vgl";
  vigil_compiler_add_file(c, rules.c_str(), rules.size());
  vigil_ruleset* rs = nullptr;
  if (vigil_compiler_build(c, &rs) != VIGIL_OK) {
    std::fputs(vigil_compiler_diag_render(c), stderr);
    return 1;
  }
  vigil_compiler_free(c);
  std::vector<std::string> lines;
  std::ifstream in(dir + "/events.jsonl");
  for (std::string line; std::getline(in, line);) lines.push_back(std::move(line));
  vigil_session* s = nullptr;
  vigil_event* e = nullptr;
  vigil_result* r = nullptr;
  vigil_session_new(rs, nullptr, &s);
  vigil_event_new(rs, &e);
  vigil_result_new(&r);
  long long fired = 0, failed = 0;
  for (const std::string& line : lines) {
    if (vigil_event_set_json(e, line.data(), line.size()) != VIGIL_OK ||
        vigil_session_eval(s, e, r) != VIGIL_OK) {
      ++failed;
      continue;
    }
    fired += static_cast<long long>(vigil_result_fired_count(r));
  }
  const long long want = ExpectedFirings(dir);
  // Timed passes: a fresh session each pass would re-warm; stateless rule
  // sets keep nothing between events, so the same session goes on.
  long long events = 0, sink = 0;
  const double cpu0 = ThreadCpuSeconds();
  const auto t0 = Clock::now();
  double elapsed = 0;
  do {
    for (const std::string& line : lines) {
      vigil_event_set_json(e, line.data(), line.size());
      vigil_session_eval(s, e, r);
      sink += static_cast<long long>(vigil_result_fired_count(r));
    }
    events += static_cast<long long>(lines.size());
    elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  } while (elapsed < seconds);
  const double cpu = ThreadCpuSeconds() - cpu0;
  std::printf("| C ABI: vigil_event_set_json + vigil_session_eval, %zu rules, 1 core | "
              "%.2fM ev/s (wall) | %.2fM ev/s (CPU) | %.0f ns/ev (CPU) | %lld firings, %lld "
              "expected%s |\n",
              static_cast<size_t>(vigil_ruleset_rule_count(rs)),
              static_cast<double>(events) / elapsed / 1e6, static_cast<double>(events) / cpu / 1e6,
              cpu * 1e9 / static_cast<double>(events), fired, want,
              failed > 0 ? ", some events failed" : "");
  vigil_result_free(r);
  vigil_event_free(e);
  vigil_session_free(s);
  vigil_ruleset_release(rs);
  if (sink < 0) return 1;
  return fired == want && failed == 0 ? 0 : 1;
}
