// Evaluating an event allocates nothing once the session, event and result
// are warm. Global operator new is replaced in this test binary (and only
// here) to count allocations.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <new>
#include <sstream>

#include "api/compiler.hpp"
#include "eval/event_json.hpp"
#include "eval/session.hpp"

namespace {
std::atomic<long> g_allocations{0};
}

// Every form of new and delete goes through malloc/free here, so that
// sanitizers see matching pairs.
namespace {
void* Counted(size_t n) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n == 0 ? 1 : n);
}
}  // namespace

void* operator new(size_t n) {
  if (void* p = Counted(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) {
  if (void* p = Counted(n)) return p;
  throw std::bad_alloc();
}
void* operator new(size_t n, const std::nothrow_t&) noexcept { return Counted(n); }
void* operator new[](size_t n, const std::nothrow_t&) noexcept { return Counted(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace vigil {
namespace {

// The example events, parsed once (allocation happens here, not below).
std::vector<std::unique_ptr<eval::Event>> ExampleEvents(const eval::Program& program) {
  std::ifstream in(std::string(VIGIL_SOURCE_DIR) + "/examples/events.jsonl");
  std::vector<std::unique_ptr<eval::Event>> events;
  eval::EventJsonReader reader;
  std::string line, error;
  while (std::getline(in, line)) {
    auto e = std::make_unique<eval::Event>(program.schema);
    if (reader.Read(line, *e, &error)) events.push_back(std::move(e));
  }
  return events;
}

TEST(Allocations, NonePerEventOnTheEvaluationPath) {
  Compilation c = CompileFiles({std::string(VIGIL_SOURCE_DIR) + "/rules/examples/card_rules.vgl"});
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  std::vector<std::unique_ptr<eval::Event>> events = ExampleEvents(*c.program);
  ASSERT_GE(events.size(), 10u);
  // The pack has a windowed aggregate: evaluating without recording runs
  // its whole query path (key, shard, window) and must not allocate either.
  ASSERT_FALSE(c.program->aggregates.empty());
  eval::Session session(c.program);
  eval::Result result;
  eval::EvalOptions what_if;
  what_if.record = false;
  int64_t fired = 0;
  for (int warm = 0; warm < 3; ++warm) {
    for (const auto& e : events) session.Evaluate(*e, result, what_if);
  }
  long before = g_allocations.load();
  for (int round = 0; round < 100; ++round) {
    for (const auto& e : events) {
      session.Evaluate(*e, result, what_if);
      fired += static_cast<int64_t>(result.fired.size());
    }
  }
  EXPECT_EQ(g_allocations.load() - before, 0) << "allocations while evaluating warm events";
  EXPECT_GT(fired, 0);
}

// Recording: once every key exists and the windows slide (each round a day
// later, so old entries leave), the state reuses its memory.
TEST(Allocations, RecordingReachesASteadyState) {
  Compilation c = CompileFiles({std::string(VIGIL_SOURCE_DIR) + "/rules/examples/card_rules.vgl"});
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  std::vector<std::unique_ptr<eval::Event>> events = ExampleEvents(*c.program);
  const int ts = c.program->schema.time_slot;
  std::vector<int64_t> base;
  for (const auto& e : events) base.push_back(e->at(ts).i);
  eval::Session session(c.program);
  eval::Result result;
  auto round = [&](int64_t day) {
    for (size_t i = 0; i < events.size(); ++i) {
      events[i]->SetTime(ts, base[i] + day * 86400 * 1000000LL);
      session.Evaluate(*events[i], result);
    }
  };
  for (int day = 0; day < 10; ++day) round(day);
  long before = g_allocations.load();
  for (int day = 10; day < 110; ++day) round(day);
  EXPECT_EQ(g_allocations.load() - before, 0) << "allocations while recording in a steady state";
  EXPECT_GT(session.store()->Stats().keys, 0u);
}

}  // namespace
}  // namespace vigil
