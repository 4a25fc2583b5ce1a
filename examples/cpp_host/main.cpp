// A multi-threaded host: two worker threads evaluate events while a third
// thread recompiles and swaps in the rule set every few milliseconds — the
// hot-reload pattern documented in vigil.h.
//
//   cpp_host RULES.vgl EVENTS.jsonl [MILLISECONDS]
//
// Each worker holds its own session, event and result; the current rule set
// is published under a mutex, and each worker retains what it reads, so a
// rule set is freed only when the last worker has moved on.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "vigil/vigil.h"

namespace {

vigil_ruleset* Compile(const char* path) {
  vigil_compiler* c = nullptr;
  vigil_ruleset* rs = nullptr;
  if (vigil_compiler_new(nullptr, &c) != VIGIL_OK) return nullptr;
  vigil_compiler_add_file(c, path, std::strlen(path));
  if (vigil_compiler_build(c, &rs) != VIGIL_OK) {
    std::fputs(vigil_compiler_diag_render(c), stderr);
  }
  vigil_compiler_free(c);
  return rs;
}

class Published {
 public:
  explicit Published(vigil_ruleset* rs) : current_(rs) {}
  ~Published() { vigil_ruleset_release(current_); }
  // A new reference for the caller.
  vigil_ruleset* Get() {
    std::lock_guard<std::mutex> lock(mu_);
    return vigil_ruleset_retain(current_);
  }
  void Swap(vigil_ruleset* next) {
    vigil_ruleset* old;
    {
      std::lock_guard<std::mutex> lock(mu_);
      old = current_;
      current_ = next;
    }
    vigil_ruleset_release(old);  // freed when the last worker lets go
  }

 private:
  std::mutex mu_;
  vigil_ruleset* current_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s RULES.vgl EVENTS.jsonl [MILLISECONDS]\n", argv[0]);
    return 2;
  }
  int millis = argc > 3 ? std::atoi(argv[3]) : 300;
  std::vector<std::string> lines;
  std::ifstream in(argv[2]);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  vigil_ruleset* first = Compile(argv[1]);
  if (first == nullptr || lines.empty()) return 1;
  Published rules(first);
  std::atomic<bool> stop{false};
  std::atomic<long> evaluated{0}, failures{0}, reloads{0};

  auto worker = [&](size_t offset) {
    vigil_ruleset* mine = rules.Get();
    vigil_session* s = nullptr;
    vigil_event* e = nullptr;
    vigil_result* r = nullptr;
    vigil_session_new(mine, nullptr, &s);
    vigil_event_new(mine, &e);
    vigil_result_new(&r);
    for (size_t i = offset; !stop.load(std::memory_order_relaxed); ++i) {
      vigil_ruleset* latest = rules.Get();
      if (latest != mine) {  // a reload happened: move this worker over
        vigil_session_rebind(s, latest);
        vigil_event_free(e);
        vigil_event_new(latest, &e);
        vigil_ruleset_release(mine);
        mine = latest;
      } else {
        vigil_ruleset_release(latest);
      }
      const std::string& line = lines[i % lines.size()];
      if (vigil_event_set_json(e, line.data(), line.size()) != VIGIL_OK) continue;  // bad line
      if (vigil_session_eval(s, e, r) != VIGIL_OK || vigil_result_decision(r) == nullptr) {
        failures.fetch_add(1);
      }
      evaluated.fetch_add(1, std::memory_order_relaxed);
    }
    vigil_result_free(r);
    vigil_event_free(e);
    vigil_session_free(s);
    vigil_ruleset_release(mine);
  };

  std::thread a(worker, 0), b(worker, lines.size() / 2);
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(millis);
  while (std::chrono::steady_clock::now() < until) {
    vigil_ruleset* next = Compile(argv[1]);
    if (next == nullptr) {
      failures.fetch_add(1);
      break;
    }
    rules.Swap(next);
    reloads.fetch_add(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stop = true;
  a.join();
  b.join();
  std::printf("%ld events evaluated by 2 threads across %ld reloads, %ld failures\n",
              evaluated.load(), reloads.load(), failures.load());
  return failures.load() == 0 && evaluated.load() > 0 && reloads.load() > 0 ? 0 : 1;
}
