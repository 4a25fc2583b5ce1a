// vigil.h [p:eval-no-alloc]: vigil_session_eval allocates nothing once the
// session, event and result are warm. Global operator new and malloc-family
// calls through it are counted in this binary (its own, since replacing
// operator new affects everything linked into it); libvigil.so's calls to
// operator new resolve to the ones defined here.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

#include "vigil/vigil.h"

namespace {
std::atomic<long> g_allocations{0};
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

namespace {

const char kRules[] = R"(ruleset a version "1.0.0"
schema s version 1 {
  ts: time
  card: string @key @pii
  amount: decimal
  country: string
}
uses schema s
rule big { when amount > 10.00 then score 10 decide review reason "{amount} by {card} in {country}" }
rule corridor { when country in {"PH", "TH"} and lower(country) != "x" then score 1 tag "c" }
rule burst { when count(by: card, within: 1h) >= 2 and sum(amount, by: card, within: 1h) > 5 then score 5 }
)";

TEST(Promise, eval_no_alloc) {
  vigil_compiler* c = nullptr;
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_source(c, "a.vgl", 5, kRules, sizeof kRules - 1), VIGIL_OK);
  vigil_ruleset* rs = nullptr;
  ASSERT_EQ(vigil_compiler_build(c, &rs), VIGIL_OK) << vigil_compiler_diag_render(c);
  vigil_compiler_free(c);
  vigil_session* s = nullptr;
  vigil_event* e = nullptr;
  vigil_result* r = nullptr;
  ASSERT_EQ(vigil_session_new(rs, nullptr, &s), VIGIL_OK);
  ASSERT_EQ(vigil_event_new(rs, &e), VIGIL_OK);
  ASSERT_EQ(vigil_result_new(&r), VIGIL_OK);
  // One card seen again and again, events set by slot (setting a string copies
  // it into the event, which may allocate: that is outside the promise).
  ASSERT_EQ(vigil_event_set_string(e, 1, "4111", 4), VIGIL_OK);
  ASSERT_EQ(vigil_event_set_decimal(e, 2, "20.50", 5), VIGIL_OK);
  ASSERT_EQ(vigil_event_set_string(e, 3, "PH", 2), VIGIL_OK);
  const int64_t t0 = 1767225600000000;
  for (int i = 0; i < 200; ++i) {  // warm: the key's history reaches its steady size
    ASSERT_EQ(vigil_event_set_time(e, 0, t0 + i * 60000000LL), VIGIL_OK);
    ASSERT_EQ(vigil_session_eval(s, e, r), VIGIL_OK);
  }
  long before = g_allocations.load();
  for (int i = 200; i < 1200; ++i) {
    vigil_event_set_time(e, 0, t0 + i * 60000000LL);
    vigil_session_eval(s, e, r);
  }
  long during = g_allocations.load() - before;
  EXPECT_STREQ(vigil_result_decision(r), "review");
  EXPECT_EQ(vigil_result_score(r), 16);
  EXPECT_EQ(during, 0) << "allocations while evaluating 1000 warm events";
  vigil_result_free(r);
  vigil_event_free(e);
  vigil_session_free(s);
  vigil_ruleset_release(rs);
}

}  // namespace
