// The C ABI as a host uses it: lifetimes, misuse, errors, evaluation, batch,
// explanations, and threads evaluating while another thread hot-reloads.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <sodium.h>
#include <unistd.h>

#include "vigil/vigil.h"

namespace {

const char kRules[] = R"(ruleset capi.test version "3.2.1"
schema s version 1 {
  id: string
  amount: decimal
  country: string
  card: string @key @pii
  score_in: int
  rate: float
  flags: set<string>
}
uses schema s
rule big { severity high tags "t:big" when amount > 10.00
           then score 10 decide review reason "{amount} by {card}" }
rule ph { when country == "PH" then score 5 decide report tag "corridor" }
rule vpn { mode shadow when "VPN" in flags then score 7 decide block }
)";

vigil_ruleset* Build(const std::string& text, vigil_compiler** keep = nullptr) {
  vigil_compiler* c = nullptr;
  EXPECT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  EXPECT_EQ(vigil_compiler_add_source(c, "mem.vgl", 7, text.data(), text.size()), VIGIL_OK);
  vigil_ruleset* rs = nullptr;
  vigil_compiler_build(c, &rs);
  if (keep != nullptr) {
    *keep = c;
  } else {
    vigil_compiler_free(c);
  }
  return rs;
}

TEST(CApi, VersionsAgree) {
  EXPECT_EQ(vigil_version_number(), static_cast<uint32_t>(VIGIL_VERSION_NUMBER));
  EXPECT_STREQ(vigil_version_string(), VIGIL_VERSION_STRING);
  EXPECT_EQ(vigil_abi_version(), static_cast<uint32_t>(VIGIL_ABI_VERSION));
  EXPECT_STREQ(vigil_status_str(VIGIL_ERR_COMPILE), "the rules do not compile");
  EXPECT_STREQ(vigil_status_str(12345), "unknown status");
}

TEST(CApi, CompileErrorsAreIndexedData) {
  vigil_compiler* c = nullptr;
  std::string bad = std::string(kRules) + "rule x { when amout > 1 then score 1 }\nrule y { when country == 5 then score 1 }\n";
  vigil_ruleset* rs = Build(bad, &c);
  EXPECT_EQ(rs, nullptr);
  EXPECT_STREQ(vigil_compiler_errmsg(c), "2 errors; see the diagnostics");
  ASSERT_EQ(vigil_compiler_diag_count(c), 2u);
  vigil_diag_info d;
  d.struct_size = sizeof d;
  ASSERT_EQ(vigil_compiler_diag_get(c, 0, &d), VIGIL_OK);
  EXPECT_EQ(d.severity, VIGIL_SEVERITY_ERROR);
  EXPECT_EQ(d.code, 2001u);
  EXPECT_STREQ(d.code_name, "E2001");
  EXPECT_STREQ(d.file, "mem.vgl");
  EXPECT_EQ(d.line, 16u);
  EXPECT_EQ(d.column, 15u);
  EXPECT_STREQ(d.message, "unknown name 'amout'");
  EXPECT_STREQ(d.help, "did you mean 'amount'?");
  EXPECT_EQ(vigil_compiler_diag_get(c, 2, &d), VIGIL_ERR_RANGE);
  d.struct_size = 8;
  EXPECT_EQ(vigil_compiler_diag_get(c, 0, &d), VIGIL_ERR_MISUSE);
  EXPECT_NE(std::strstr(vigil_compiler_diag_render(c), "mem.vgl:16:15: error[E2001]"), nullptr);
  vigil_compiler_free(c);
}

TEST(CApi, CompilerIsUsedOnce) {
  vigil_compiler* c = nullptr;
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  vigil_ruleset* rs = nullptr;
  EXPECT_EQ(vigil_compiler_build(c, &rs), VIGIL_ERR_MISUSE);  // nothing added
  EXPECT_EQ(vigil_compiler_add_source(c, "a", 1, "x", 1), VIGIL_ERR_MISUSE);
  vigil_compiler_free(c);
}

TEST(CApi, MisuseNeverCrashes) {
  vigil_compiler* c = nullptr;
  EXPECT_EQ(vigil_compiler_new(nullptr, nullptr), VIGIL_ERR_MISUSE);
  vigil_compile_options short_options = {4, 0, 0, 0};
  EXPECT_EQ(vigil_compiler_new(&short_options, &c), VIGIL_ERR_MISUSE);
  EXPECT_EQ(c, nullptr);
  EXPECT_EQ(vigil_compiler_add_source(nullptr, "a", 1, "x", 1), VIGIL_ERR_MISUSE);
  EXPECT_EQ(vigil_compiler_build(nullptr, nullptr), VIGIL_ERR_MISUSE);
  EXPECT_EQ(vigil_session_eval(nullptr, nullptr, nullptr), VIGIL_ERR_MISUSE);
  EXPECT_EQ(vigil_event_set_int(nullptr, 0, 1), VIGIL_ERR_MISUSE);
  EXPECT_EQ(vigil_result_decision(nullptr), nullptr);
  EXPECT_EQ(vigil_ruleset_retain(nullptr), nullptr);
  vigil_compiler_free(nullptr);
  vigil_ruleset_release(nullptr);
  vigil_session_free(nullptr);
  vigil_event_free(nullptr);
  vigil_result_free(nullptr);
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  EXPECT_EQ(vigil_compiler_add_source(c, "a", 1, "\xC3\x28", 2), VIGIL_OK);  // reported at build
  EXPECT_EQ(vigil_compiler_add_source(c, "\xC3\x28", 2, "x", 1), VIGIL_ERR_INVALID_ARG);
  EXPECT_EQ(vigil_compiler_add_source(c, nullptr, 3, "x", 1), VIGIL_ERR_MISUSE);
  vigil_ruleset* rs = nullptr;
  EXPECT_EQ(vigil_compiler_build(c, &rs), VIGIL_ERR_COMPILE);
  vigil_diag_info d;
  d.struct_size = sizeof d;
  ASSERT_EQ(vigil_compiler_diag_get(c, 0, &d), VIGIL_OK);
  EXPECT_EQ(d.code, 1008u);  // invalid UTF-8, with its position
  vigil_compiler_free(c);
}

class CApiEval : public ::testing::Test {
 protected:
  void SetUp() override {
    rs_ = Build(kRules);
    ASSERT_NE(rs_, nullptr);
    ASSERT_EQ(vigil_session_new(rs_, nullptr, &s_), VIGIL_OK);
    ASSERT_EQ(vigil_event_new(rs_, &e_), VIGIL_OK);
    ASSERT_EQ(vigil_result_new(&r_), VIGIL_OK);
  }
  void TearDown() override {
    vigil_result_free(r_);
    vigil_event_free(e_);
    vigil_session_free(s_);
    vigil_ruleset_release(rs_);
  }
  uint32_t Slot(const char* name) {
    int32_t slot = vigil_ruleset_field_slot(rs_, name, std::strlen(name));
    EXPECT_GE(slot, 0) << name;
    return static_cast<uint32_t>(slot);
  }
  vigil_ruleset* rs_ = nullptr;
  vigil_session* s_ = nullptr;
  vigil_event* e_ = nullptr;
  vigil_result* r_ = nullptr;
};

TEST_F(CApiEval, InspectsTheRuleSet) {
  EXPECT_STREQ(vigil_ruleset_name(rs_), "capi.test");
  EXPECT_STREQ(vigil_ruleset_version(rs_), "3.2.1");
  EXPECT_EQ(std::strlen(vigil_ruleset_digest(rs_)), 64u);
  ASSERT_EQ(vigil_ruleset_rule_count(rs_), 3u);
  vigil_rule_info info;
  info.struct_size = sizeof info;
  ASSERT_EQ(vigil_ruleset_rule_get(rs_, 0, &info), VIGIL_OK);
  EXPECT_STREQ(info.qualified_id, "capi.test/big");
  EXPECT_EQ(info.severity, VIGIL_RULE_SEVERITY_HIGH);
  EXPECT_STREQ(vigil_ruleset_rule_tag(rs_, 0, 0), "t:big");
  EXPECT_EQ(vigil_ruleset_rule_tag(rs_, 0, 1), nullptr);
  ASSERT_EQ(vigil_ruleset_rule_get(rs_, 2, &info), VIGIL_OK);
  EXPECT_EQ(info.shadow, 1);
  EXPECT_EQ(vigil_ruleset_rule_get(rs_, 3, &info), VIGIL_ERR_RANGE);
  ASSERT_EQ(vigil_ruleset_field_count(rs_), 7u);
  vigil_field_info f;
  f.struct_size = sizeof f;
  ASSERT_EQ(vigil_ruleset_field_get(rs_, Slot("card"), &f), VIGIL_OK);
  EXPECT_STREQ(f.name, "card");
  EXPECT_EQ(f.type, VIGIL_TYPE_STRING);
  EXPECT_EQ(f.flags, VIGIL_FIELD_KEY | VIGIL_FIELD_PII);
  EXPECT_EQ(vigil_ruleset_field_slot(rs_, "nope", 4), -1);
}

TEST_F(CApiEval, EvaluatesEventsBuiltBySlot) {
  ASSERT_EQ(vigil_event_set_decimal(e_, Slot("amount"), "20.50", 5), VIGIL_OK);
  ASSERT_EQ(vigil_event_set_string(e_, Slot("country"), "PH", 2), VIGIL_OK);
  ASSERT_EQ(vigil_event_set_string(e_, Slot("card"), "4111", 4), VIGIL_OK);
  const char* flags[] = {"TOR", "VPN"};
  size_t lens[] = {3, 3};
  ASSERT_EQ(vigil_event_set_string_set(e_, Slot("flags"), flags, lens, 2), VIGIL_OK);
  ASSERT_EQ(vigil_session_eval(s_, e_, r_), VIGIL_OK);
  EXPECT_STREQ(vigil_result_decision(r_), "report");
  EXPECT_EQ(vigil_result_score(r_), 15);
  ASSERT_EQ(vigil_result_fired_count(r_), 2u);
  ASSERT_EQ(vigil_result_shadow_count(r_), 1u);
  vigil_fired_info fi;
  fi.struct_size = sizeof fi;
  ASSERT_EQ(vigil_result_fired_get(r_, 0, &fi), VIGIL_OK);
  EXPECT_STREQ(fi.qualified_id, "capi.test/big");
  EXPECT_STREQ(fi.reason, "20.50 by ****");
  EXPECT_STREQ(fi.decision, "review");
  EXPECT_STREQ(fi.version, "3.2.1");
  ASSERT_EQ(vigil_result_fired_get(r_, 2, &fi), VIGIL_OK);
  EXPECT_EQ(fi.shadow, 1);
  EXPECT_EQ(fi.score, 7);
  EXPECT_STREQ(fi.decision, "block");
  EXPECT_EQ(vigil_result_fired_get(r_, 3, &fi), VIGIL_ERR_RANGE);
  ASSERT_EQ(vigil_result_tag_count(r_), 1u);
  EXPECT_STREQ(vigil_result_tag(r_, 0), "corridor");
  const char* json = nullptr;
  size_t len = 0;
  ASSERT_EQ(vigil_result_json(r_, &json, &len), VIGIL_OK);
  EXPECT_EQ(std::strlen(json), len);
  EXPECT_NE(std::strstr(json, "\"decision\":\"report\",\"score\":15"), nullptr);
}

TEST_F(CApiEval, WrongSlotsTypesAndValuesAreErrors) {
  EXPECT_EQ(vigil_event_set_int(e_, 99, 1), VIGIL_ERR_INVALID_ARG);
  EXPECT_EQ(vigil_event_set_int(e_, Slot("amount"), 1), VIGIL_ERR_TYPE);
  EXPECT_STREQ(vigil_event_errmsg(e_), "field 'amount' is decimal, not int");
  EXPECT_EQ(vigil_event_set_decimal(e_, Slot("amount"), "1.2345678", 9), VIGIL_ERR_INVALID_ARG);
  EXPECT_EQ(vigil_event_set_float(e_, Slot("rate"), std::nan("")), VIGIL_ERR_INVALID_ARG);
  EXPECT_EQ(vigil_event_set_float(e_, Slot("rate"), INFINITY), VIGIL_ERR_INVALID_ARG);
  EXPECT_EQ(vigil_event_set_string(e_, Slot("country"), "\xC3\x28", 2), VIGIL_ERR_INVALID_ARG);
  EXPECT_EQ(vigil_event_set_string(e_, Slot("country"), nullptr, 2), VIGIL_ERR_MISUSE);
  EXPECT_EQ(vigil_event_set_decimal_units(e_, Slot("amount"), 1, 7), VIGIL_ERR_INVALID_ARG);
  EXPECT_EQ(vigil_event_set_json(e_, "{\"amount\":\"x\"}", 14), VIGIL_ERR_INVALID_ARG);
  EXPECT_NE(std::strstr(vigil_event_errmsg(e_), "field 'amount'"), nullptr);
  EXPECT_EQ(vigil_event_set_json(e_, "{\"amount\":11}", 13), VIGIL_OK);
  EXPECT_STREQ(vigil_event_errmsg(e_), "");
}

TEST_F(CApiEval, JsonEventsBatchAndExplain) {
  std::vector<vigil_event*> events(3);
  std::vector<vigil_result*> results(3);
  const char* lines[] = {"{\"amount\":1}", "{\"amount\":12.00,\"card\":\"c\"}", "{\"country\":\"PH\"}"};
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(vigil_event_new(rs_, &events[i]), VIGIL_OK);
    ASSERT_EQ(vigil_result_new(&results[i]), VIGIL_OK);
    ASSERT_EQ(vigil_event_set_json(events[i], lines[i], std::strlen(lines[i])), VIGIL_OK);
  }
  size_t failed = 99;
  ASSERT_EQ(vigil_session_eval_batch(s_, events.data(), results.data(), 3, &failed), VIGIL_OK);
  EXPECT_EQ(failed, 3u);
  EXPECT_STREQ(vigil_result_decision(results[0]), "allow");
  EXPECT_STREQ(vigil_result_decision(results[1]), "review");
  EXPECT_STREQ(vigil_result_decision(results[2]), "report");
  const char* json = nullptr;
  size_t len = 0;
  ASSERT_EQ(vigil_session_explain(s_, events[1], results[1], &json, &len), VIGIL_OK);
  EXPECT_NE(std::strstr(json, "\"format\":\"vigil.explain/2\""), nullptr);
  EXPECT_NE(std::strstr(json, "{\"kind\":\"field\",\"field\":\"amount\",\"value\":\"12.00\"}"),
            nullptr)
      << json;
  for (int i = 0; i < 3; ++i) {
    vigil_event_free(events[i]);
    vigil_result_free(results[i]);
  }
}

TEST_F(CApiEval, EventsOfAnotherRuleSetAreRefused) {
  vigil_ruleset* other = Build(kRules);
  vigil_event* foreign = nullptr;
  ASSERT_EQ(vigil_event_new(other, &foreign), VIGIL_OK);
  EXPECT_EQ(vigil_session_eval(s_, foreign, r_), VIGIL_ERR_MISUSE);
  EXPECT_NE(std::strstr(vigil_session_errmsg(s_), "another rule set"), nullptr);
  vigil_event_free(foreign);
  vigil_ruleset_release(other);
}

// vigil_event_set_json keeps one reader per thread, which learns the member
// order of the lines it reads. Events of two rule sets whose schemas place
// the same members in other slots and types, read alternately on one thread,
// and a rule set freed and replaced in between (its schema may take the freed
// one's address): each event is read by its own schema. (fuzz_capi found
// this one writing past a smaller event's slots.)
TEST_F(CApiEval, JsonEventsOfSeveralRuleSetsOnOneThread) {
  const std::string other_rules = R"(ruleset capi.other version "1.0.0"
schema o version 1 {
  country: int
  amount: string
}
uses schema o
rule many { when country > 3 then score 1 decide review }
)";
  const char line[] = "{\"id\":\"e1\",\"amount\":12.00,\"country\":\"PH\",\"card\":\"c\",\"score_in\":1}";
  const char other_line[] = "{\"id\":\"e1\",\"amount\":\"12.00\",\"country\":7,\"card\":\"c\",\"score_in\":1}";
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 3; ++i) {
      ASSERT_EQ(vigil_event_set_json(e_, line, sizeof line - 1), VIGIL_OK) << vigil_event_errmsg(e_);
    }
    ASSERT_EQ(vigil_session_eval(s_, e_, r_), VIGIL_OK);
    EXPECT_STREQ(vigil_result_decision(r_), "report");
    vigil_ruleset* other = Build(other_rules);
    ASSERT_NE(other, nullptr);
    vigil_event* oe = nullptr;
    vigil_session* os = nullptr;
    ASSERT_EQ(vigil_event_new(other, &oe), VIGIL_OK);
    ASSERT_EQ(vigil_session_new(other, nullptr, &os), VIGIL_OK);
    // The first schema's line is wrong for this one, shaped or not.
    EXPECT_EQ(vigil_event_set_json(oe, line, sizeof line - 1), VIGIL_ERR_INVALID_ARG);
    EXPECT_NE(std::strstr(vigil_event_errmsg(oe), "field 'amount'"), nullptr) << vigil_event_errmsg(oe);
    for (int i = 0; i < 3; ++i) {
      ASSERT_EQ(vigil_event_set_json(oe, other_line, sizeof other_line - 1), VIGIL_OK)
          << vigil_event_errmsg(oe);
    }
    ASSERT_EQ(vigil_session_eval(os, oe, r_), VIGIL_OK);
    EXPECT_STREQ(vigil_result_decision(r_), "review");
    vigil_session_free(os);
    vigil_event_free(oe);
    vigil_ruleset_release(other);
    EXPECT_EQ(vigil_event_set_json(e_, other_line, sizeof other_line - 1), VIGIL_ERR_INVALID_ARG);
  }
}

TEST_F(CApiEval, HandlesFreeInAnyOrder) {
  // Releasing the rule set first: the session, event and result keep it alive.
  vigil_ruleset_release(rs_);
  rs_ = nullptr;
  ASSERT_EQ(vigil_event_set_json(e_, "{\"amount\":50}", 13), VIGIL_OK);
  ASSERT_EQ(vigil_session_eval(s_, e_, r_), VIGIL_OK);
  EXPECT_STREQ(vigil_result_decision(r_), "review");
}

TEST(CApiThreads, EvaluateWhileAnotherThreadHotReloads) {
  std::string v1 = kRules;
  std::string v2 = std::string(kRules) + "rule extra { when amount > 0 then score 1000 }\n";
  vigil_ruleset* current = Build(v1);
  ASSERT_NE(current, nullptr);
  std::mutex mu;  // guards `current`; workers retain what they read
  std::atomic<bool> stop{false};
  std::atomic<long> evaluated{0};
  std::atomic<long> wrong{0};
  auto worker = [&] {
    vigil_ruleset* mine;
    {
      std::lock_guard<std::mutex> lock(mu);
      mine = vigil_ruleset_retain(current);
    }
    vigil_session* s = nullptr;
    vigil_event* e = nullptr;
    vigil_result* r = nullptr;
    vigil_session_new(mine, nullptr, &s);
    vigil_event_new(mine, &e);
    vigil_result_new(&r);
    while (!stop.load()) {
      vigil_ruleset* latest;
      {
        std::lock_guard<std::mutex> lock(mu);
        latest = vigil_ruleset_retain(current);
      }
      if (latest != mine) {
        vigil_session_rebind(s, latest);
        vigil_event_free(e);
        vigil_event_new(latest, &e);
        vigil_ruleset_release(mine);
        mine = latest;
      } else {
        vigil_ruleset_release(latest);
      }
      vigil_event_set_json(e, "{\"amount\":20}", 13);
      if (vigil_session_eval(s, e, r) != VIGIL_OK) wrong++;
      int64_t score = vigil_result_score(r);
      if (score != 10 && score != 1010) wrong++;
      evaluated++;
    }
    vigil_result_free(r);
    vigil_event_free(e);
    vigil_session_free(s);
    vigil_ruleset_release(mine);
  };
  std::thread a(worker), b(worker);
  for (int i = 0; i < 30; ++i) {
    vigil_ruleset* next = Build(i % 2 ? v1 : v2);
    ASSERT_NE(next, nullptr);
    vigil_ruleset* old;
    {
      std::lock_guard<std::mutex> lock(mu);
      old = current;
      current = next;
    }
    vigil_ruleset_release(old);
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
  }
  stop = true;
  a.join();
  b.join();
  vigil_ruleset_release(current);
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(evaluated.load(), 100);
}


// ---------------------------------------------------------------- aggregates' state

const char kVelocityRules[] = R"(ruleset capi.vel version "1.0.0"
schema s version 1 {
  ts: time
  card: string @key
  amount: decimal
}
uses schema s
rule burst { when count(by: card, within: 1h) >= 3
             then decide review reason "{count(by: card, within: 1h)} payments" }
)";

std::string Reason(vigil_result* r) {
  if (vigil_result_fired_count(r) == 0) return "";
  vigil_fired_info info{};
  info.struct_size = sizeof(info);
  EXPECT_EQ(vigil_result_fired_get(r, 0, &info), VIGIL_OK);
  return info.reason;
}

TEST(CApiState, SharedStateWhatIfRecordOnlySnapshotAndLateness) {
  vigil_ruleset* rs = Build(kVelocityRules);
  ASSERT_NE(rs, nullptr);
  vigil_state_options so = VIGIL_STATE_OPTIONS_INIT;
  so.lateness_us = 0;
  vigil_state* state = nullptr;
  ASSERT_EQ(vigil_state_new(&so, &state), VIGIL_OK);
  vigil_session *a = nullptr, *b = nullptr;
  ASSERT_EQ(vigil_session_new(rs, nullptr, &a), VIGIL_OK);
  ASSERT_EQ(vigil_session_new(rs, nullptr, &b), VIGIL_OK);
  ASSERT_EQ(vigil_session_set_state(a, state), VIGIL_OK);
  ASSERT_EQ(vigil_session_set_state(b, state), VIGIL_OK);
  vigil_event* e = nullptr;
  vigil_result* r = nullptr;
  ASSERT_EQ(vigil_event_new(rs, &e), VIGIL_OK);
  ASSERT_EQ(vigil_result_new(&r), VIGIL_OK);
  auto set = [&](const char* json) {
    ASSERT_EQ(vigil_event_set_json(e, json, std::strlen(json)), VIGIL_OK) << vigil_event_errmsg(e);
  };
  // Record-only warms the state; session b sees what session a recorded.
  int32_t late = -1;
  set(R"({"ts":"2026-03-01T10:00:00Z","card":"c"})");
  ASSERT_EQ(vigil_session_record(a, e, &late), VIGIL_OK);
  EXPECT_EQ(late, 0);
  set(R"({"ts":"2026-03-01T10:01:00Z","card":"c"})");
  ASSERT_EQ(vigil_session_eval(b, e, r), VIGIL_OK);
  EXPECT_EQ(vigil_result_fired_count(r), 0u);
  // A what-if third payment fires but is not kept.
  set(R"({"ts":"2026-03-01T10:02:00Z","card":"c"})");
  ASSERT_EQ(vigil_session_eval_ex(a, e, r, VIGIL_EVAL_NO_RECORD), VIGIL_OK);
  EXPECT_EQ(Reason(r), "3 payments");
  ASSERT_EQ(vigil_session_eval_ex(a, e, r, VIGIL_EVAL_NO_RECORD), VIGIL_OK);
  EXPECT_EQ(Reason(r), "3 payments");
  EXPECT_EQ(vigil_session_eval_ex(a, e, r, 0x80), VIGIL_ERR_INVALID_ARG);

  // Snapshot, then a new state restored from it continues where it was.
  const std::string path = ::testing::TempDir() + "/vigil_capi_state.snap";
  ASSERT_EQ(vigil_state_save(state, path.c_str()), VIGIL_OK) << vigil_state_errmsg();
  vigil_state* restored = nullptr;
  ASSERT_EQ(vigil_state_new(&so, &restored), VIGIL_OK);
  vigil_session* c = nullptr;
  ASSERT_EQ(vigil_session_new(rs, nullptr, &c), VIGIL_OK);
  ASSERT_EQ(vigil_session_set_state(c, restored), VIGIL_OK);
  ASSERT_EQ(vigil_state_load(restored, path.c_str()), VIGIL_OK) << vigil_state_errmsg();
  ASSERT_EQ(vigil_session_eval(c, e, r), VIGIL_OK);
  EXPECT_EQ(Reason(r), "3 payments");
  EXPECT_EQ(vigil_result_late(r), 0);
  // Lateness 0: an event before the card's latest is late, reported, not kept.
  set(R"({"ts":"2026-03-01T09:00:00Z","card":"c"})");
  ASSERT_EQ(vigil_session_eval(c, e, r), VIGIL_OK);
  EXPECT_EQ(vigil_result_late(r), 1);
  vigil_state_stats st{};
  st.struct_size = sizeof(st);
  ASSERT_EQ(vigil_state_get_stats(restored, &st), VIGIL_OK);
  EXPECT_EQ(st.keys, 1u);
  EXPECT_EQ(st.entries, 3u);
  EXPECT_EQ(st.late_events, 1u);
  // A damaged snapshot is refused with a message and changes nothing.
  EXPECT_EQ(vigil_state_load(restored, "/nonexistent/x.snap"), VIGIL_ERR_IO);
  EXPECT_NE(std::string(vigil_state_errmsg()).find("cannot open"), std::string::npos);
  ASSERT_EQ(vigil_state_get_stats(restored, &st), VIGIL_OK);
  EXPECT_EQ(st.entries, 3u);

  // Misuse is an error, never a crash.
  EXPECT_EQ(vigil_state_new(nullptr, nullptr), VIGIL_ERR_MISUSE);
  EXPECT_EQ(vigil_session_set_state(a, nullptr), VIGIL_ERR_MISUSE);
  EXPECT_EQ(vigil_state_save(nullptr, path.c_str()), VIGIL_ERR_MISUSE);
  EXPECT_EQ(vigil_state_get_stats(state, nullptr), VIGIL_ERR_MISUSE);
  EXPECT_EQ(vigil_session_record(nullptr, e, &late), VIGIL_ERR_MISUSE);
  vigil_state_release(nullptr);

  // The state outlives its handle while sessions use it.
  vigil_state_release(state);
  vigil_state* again = nullptr;
  ASSERT_EQ(vigil_session_get_state(a, &again), VIGIL_OK);
  ASSERT_NE(again, nullptr);
  ASSERT_EQ(vigil_state_get_stats(again, &st), VIGIL_OK);
  EXPECT_EQ(st.entries, 2u);
  vigil_state_release(again);

  // Rebinding (hot reload) keeps the state.
  ASSERT_EQ(vigil_session_rebind(a, rs), VIGIL_OK);
  set(R"({"ts":"2026-03-01T10:03:00Z","card":"c"})");
  ASSERT_EQ(vigil_session_eval(a, e, r), VIGIL_OK);
  EXPECT_EQ(Reason(r), "3 payments");

  std::remove(path.c_str());
  vigil_session_free(a);
  vigil_session_free(b);
  vigil_session_free(c);
  vigil_state_release(restored);
  vigil_event_free(e);
  vigil_result_free(r);
  vigil_ruleset_release(rs);
}

}  // namespace

// A keyed hashed watchlist: the host supplies the HMAC key; without it the
// rule set does not compile, with it a card typed with spaces matches.
TEST(CApiHashedLists, HostSuppliesTheHmacKey) {
  // HMAC-SHA-256(key "k3y", "4111111111111111"), computed with Python's hmac.
  const char* hex = "1647d69235eb3301dedcda5b17f2338d3f9d41f01727423d9d68ca9926112360";
  const std::string text = std::string(R"(ruleset t.keyed version "1.0.0"
schema s version 1 {
  pan: string
}
uses schema s
list FLAGGED: hashed(normalize: "digits", key: "member") set = {")") + hex + R"("}
rule flagged { when pan in FLAGGED then score 1 }
)";
  vigil_compiler* c = nullptr;
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_source(c, "k.vgl", 5, text.data(), text.size()), VIGIL_OK);
  vigil_ruleset* rs = nullptr;
  EXPECT_EQ(vigil_compiler_build(c, &rs), VIGIL_ERR_COMPILE);  // no key
  vigil_compiler_free(c);

  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  EXPECT_EQ(vigil_compiler_set_hmac_key(c, "member", 6, "", 0), VIGIL_ERR_INVALID_ARG);
  EXPECT_EQ(vigil_compiler_set_hmac_key(nullptr, "member", 6, "k3y", 3), VIGIL_ERR_MISUSE);
  ASSERT_EQ(vigil_compiler_set_hmac_key(c, "member", 6, "k3y", 3), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_source(c, "k.vgl", 5, text.data(), text.size()), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_build(c, &rs), VIGIL_OK);
  vigil_compiler_free(c);
  vigil_session* session = nullptr;
  vigil_event* event = nullptr;
  vigil_result* result = nullptr;
  ASSERT_EQ(vigil_session_new(rs, nullptr, &session), VIGIL_OK);
  ASSERT_EQ(vigil_event_new(rs, &event), VIGIL_OK);
  ASSERT_EQ(vigil_result_new(&result), VIGIL_OK);
  const std::pair<const char*, size_t> cases[] = {
      {R"({"pan":"4111 1111-1111 1111"})", 1}, {R"({"pan":"4111111111111112"})", 0}};
  for (const auto& [json, fired] : cases) {
    ASSERT_EQ(vigil_event_set_json(event, json, std::strlen(json)), VIGIL_OK);
    ASSERT_EQ(vigil_session_eval(session, event, result), VIGIL_OK);
    EXPECT_EQ(vigil_result_fired_count(result), fired) << json;
  }
  vigil_result_free(result);
  vigil_event_free(event);
  vigil_session_free(session);
  vigil_ruleset_release(rs);
}

// Rule packs through the C ABI: an image written here by hand from the
// documented format (docs/sharing.md), signed with libsodium.
class CApiPacks : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    crypto_sign_keypair(pk_, sk_);
    crypto_sign_keypair(other_pk_, other_sk_);
    const std::string rules = R"(ruleset t.packed version "1.2.0"
schema s version 1 {
  amount: decimal
}
uses schema s
rule big { when amount > 100.00 then score 1 }
test "big fires" {
  event { amount: 150.00 }
  expect fires big
}
)";
    const std::string manifest = R"({"name": "t.packed", "version": "1.2.0", "marking": "GREEN",
 "schemas": {"s": 1}, "files": ["rules.vgl"]})";
    std::string image = "vigil-pack 1\n";
    for (const auto& [path, body] : {std::pair<std::string, std::string>{"pack.json", manifest},
                                     {"rules.vgl", rules}}) {
      image += "file " + path + " " + std::to_string(body.size()) + "\n" + body + "\n";
    }
    unsigned char digest[32];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(image.data()), image.size());
    const std::string hash = Hex(digest, 32);
    image += "sha256 " + hash + "\n";
    const std::string message = "vigil-pack-signature-v1\n" + hash;
    unsigned char sig[64];
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                         message.size(), sk_);
    signed_ = image + "signature " + Hex(pk_, 32) + " " + Hex(sig, 64) + "\n";
  }
  static std::string Hex(const unsigned char* p, size_t n) {
    std::string out;
    char buf[3];
    for (size_t i = 0; i < n; ++i) {
      std::snprintf(buf, sizeof(buf), "%02x", p[i]);
      out += buf;
    }
    return out;
  }
  std::string Write(const std::string& bytes) {
    // The process id in the name: ctest runs each test of this fixture in a
    // process of its own, two at a time, and with the counter alone two tests
    // wrote and read the same file at once (CI of a20f9cc: a signed pack read
    // back as another test's tampered one).
    std::string path = ::testing::TempDir() + "capi_pack_" + std::to_string(getpid()) + "_" +
                       std::to_string(counter_++) + ".vgp";
    FILE* f = std::fopen(path.c_str(), "wb");
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
    return path;
  }
  // Builds `bytes` as a pack, trusting `trust` (when not null); returns the
  // status, and the first diagnostic's code in *code.
  vigil_status Load(const std::string& bytes, const unsigned char* trust, const char* min_version,
                    uint32_t* code, vigil_ruleset** out = nullptr, uint32_t* passed = nullptr) {
    std::string path = Write(bytes);
    vigil_compiler* c = nullptr;
    EXPECT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
    if (trust != nullptr) {
      EXPECT_EQ(vigil_compiler_pack_key(c, trust, 32, 0), VIGIL_OK);
    }
    if (min_version != nullptr) {
      EXPECT_EQ(vigil_compiler_pack_policy(c, 0, min_version, std::strlen(min_version)), VIGIL_OK);
    }
    EXPECT_EQ(vigil_compiler_add_file(c, path.data(), path.size()), VIGIL_OK);
    vigil_ruleset* rs = nullptr;
    vigil_status st = vigil_compiler_build(c, &rs);
    *code = 0;
    if (vigil_compiler_diag_count(c) > 0) {
      vigil_diag_info info{};
      info.struct_size = sizeof(info);
      vigil_compiler_diag_get(c, 0, &info);
      *code = info.code;
    }
    if (st == VIGIL_OK && passed != nullptr) {
      uint32_t failed = 9;
      EXPECT_EQ(vigil_compiler_selftest(c, passed, &failed), VIGIL_OK);
      EXPECT_EQ(failed, 0u);
    }
    vigil_compiler_free(c);
    if (out != nullptr) {
      *out = rs;
    } else {
      vigil_ruleset_release(rs);
    }
    return st;
  }
  unsigned char pk_[32], sk_[64], other_pk_[32], other_sk_[64];
  std::string signed_;
  int counter_ = 0;
};

TEST_F(CApiPacks, ASignedPackLoadsAndPassesItsSelfTest) {
  uint32_t code = 0, passed = 0;
  vigil_ruleset* rs = nullptr;
  ASSERT_EQ(Load(signed_, pk_, "1.2.0", &code, &rs, &passed), VIGIL_OK);
  EXPECT_EQ(passed, 1u);
  EXPECT_EQ(vigil_ruleset_rule_count(rs), 1u);
  vigil_ruleset_release(rs);
}

TEST_F(CApiPacks, RefusesTamperedUntrustedRevokedAndOlderPacks) {
  uint32_t code = 0;
  std::string tampered = signed_;
  tampered[tampered.find("100.00")] = '9';  // one byte of the rules
  EXPECT_EQ(Load(tampered, pk_, nullptr, &code), VIGIL_ERR_COMPILE);
  EXPECT_EQ(code, 2017u);
  EXPECT_EQ(Load(signed_, other_pk_, nullptr, &code), VIGIL_ERR_COMPILE);  // not trusted
  EXPECT_EQ(code, 2017u);
  EXPECT_EQ(Load(signed_, pk_, "1.3.0", &code), VIGIL_ERR_COMPILE);  // rollback
  EXPECT_EQ(code, 2017u);
  EXPECT_EQ(Load(signed_.substr(0, signed_.size() / 2), nullptr, nullptr, &code), VIGIL_ERR_COMPILE);
  EXPECT_EQ(code, 2017u);
  // Revoked: trusted and revoked at once is refused.
  std::string path = Write(signed_);
  vigil_compiler* c = nullptr;
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  EXPECT_EQ(vigil_compiler_pack_key(c, pk_, 32, 0), VIGIL_OK);
  EXPECT_EQ(vigil_compiler_pack_key(c, pk_, 32, 1), VIGIL_OK);
  EXPECT_EQ(vigil_compiler_pack_key(c, pk_, 31, 0), VIGIL_ERR_INVALID_ARG);
  EXPECT_EQ(vigil_compiler_pack_policy(c, 0, "one", 3), VIGIL_ERR_INVALID_ARG);
  ASSERT_EQ(vigil_compiler_add_file(c, path.data(), path.size()), VIGIL_OK);
  vigil_ruleset* rs = nullptr;
  EXPECT_EQ(vigil_compiler_build(c, &rs), VIGIL_ERR_COMPILE);
  EXPECT_NE(std::string(vigil_compiler_diag_render(c)).find("revoked"), std::string::npos);
  uint32_t passed = 0, failed = 0;
  EXPECT_EQ(vigil_compiler_selftest(c, &passed, &failed), VIGIL_ERR_MISUSE);
  vigil_compiler_free(c);
}

// External lists: replaced by one thread while others evaluate (never
// paused; ThreadSanitizer checks the publication in CI), and the last
// replacement is what every thread then sees.
TEST(CApiThreads, ExternalListReplacedWhileEvaluating) {
  const std::string text = R"(ruleset t.ext version "1.0.0"
schema s version 1 {
  merchant: string
  mcc: int
}
uses schema s
list WATCH: set<string> external
list CODES: set<int> external
rule watched { when merchant in WATCH then score 1 }
rule coded { when mcc in CODES then score 1 }
)";
  vigil_ruleset* rs = Build(text);
  ASSERT_NE(rs, nullptr);
  // Before the host supplies it, membership is unknown: nothing fires.
  vigil_session* s0 = nullptr;
  vigil_event* e0 = nullptr;
  vigil_result* r0 = nullptr;
  ASSERT_EQ(vigil_session_new(rs, nullptr, &s0), VIGIL_OK);
  ASSERT_EQ(vigil_event_new(rs, &e0), VIGIL_OK);
  ASSERT_EQ(vigil_result_new(&r0), VIGIL_OK);
  const char* json = R"({"merchant":"m1","mcc":4829})";
  ASSERT_EQ(vigil_event_set_json(e0, json, std::strlen(json)), VIGIL_OK);
  ASSERT_EQ(vigil_session_eval(s0, e0, r0), VIGIL_OK);
  EXPECT_EQ(vigil_result_fired_count(r0), 0u);
  const char* codes[] = {"4829", "x"};
  const size_t code_lens[] = {4, 1};
  EXPECT_EQ(vigil_ruleset_set_list(rs, "CODES", 5, codes, code_lens, 2), VIGIL_ERR_INVALID_ARG);
  EXPECT_NE(std::string(vigil_ruleset_errmsg()).find("value 1 (\"x\") is not a int"), std::string::npos)
      << vigil_ruleset_errmsg();
  EXPECT_EQ(vigil_ruleset_set_list(rs, "NOPE", 4, codes, code_lens, 1), VIGIL_ERR_RANGE);
  ASSERT_EQ(vigil_ruleset_set_list(rs, "CODES", 5, codes, code_lens, 1), VIGIL_OK);
  ASSERT_EQ(vigil_session_eval(s0, e0, r0), VIGIL_OK);
  EXPECT_EQ(vigil_result_fired_count(r0), 1u);

  std::atomic<bool> stop{false};
  std::atomic<long> evaluated{0}, seen_full{0};
  auto worker = [&](int seed) {
    vigil_session* s = nullptr;
    vigil_event* e = nullptr;
    vigil_result* r = nullptr;
    vigil_session_new(rs, nullptr, &s);
    vigil_event_new(rs, &e);
    vigil_result_new(&r);
    const char* merchants[] = {R"({"merchant":"a"})", R"({"merchant":"b"})", R"({"merchant":"c"})"};
    while (!stop.load()) {
      int hits = 0;
      for (int k = 0; k < 3; ++k) {
        const char* m = merchants[(k + seed) % 3];
        vigil_event_set_json(e, m, std::strlen(m));
        vigil_session_eval(s, e, r);
        hits += static_cast<int>(vigil_result_fired_count(r));
        ++evaluated;
      }
      if (hits == 3) ++seen_full;
    }
    vigil_result_free(r);
    vigil_event_free(e);
    vigil_session_free(s);
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) threads.emplace_back(worker, t);
  const char* full[] = {"a", "b", "c"};
  const size_t lens[] = {1, 1, 1};
  for (int i = 0; i < 400; ++i) {
    ASSERT_EQ(vigil_ruleset_set_list(rs, "WATCH", 5, full, lens, i % 2 ? 3 : 0), VIGIL_OK);
  }
  ASSERT_EQ(vigil_ruleset_set_list(rs, "WATCH", 5, full, lens, 3), VIGIL_OK);
  while (seen_full.load() == 0) std::this_thread::yield();
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_GT(evaluated.load(), 0);
  vigil_result_free(r0);
  vigil_event_free(e0);
  vigil_session_free(s0);
  vigil_ruleset_release(rs);
}

// The host declares the schema its events follow; rules that need more fail
// to build with a message naming the field.
TEST(CApiHostSchema, RulesNeedingMoreThanTheHostProvidesFail) {
  const std::string rules = R"(ruleset t.host version "1.0.0"
schema pay version 2 {
  amount: decimal
  country: string
}
uses schema pay
rule r { when amount > 1.00 and country == "PH" then score 1 }
)";
  auto build = [&](const std::string& host, std::string* rendered) {
    vigil_compiler* c = nullptr;
    EXPECT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
    EXPECT_EQ(vigil_compiler_set_host_schema(c, "host.vgl", 8, host.data(), host.size()), VIGIL_OK);
    EXPECT_EQ(vigil_compiler_add_source(c, "r.vgl", 5, rules.data(), rules.size()), VIGIL_OK);
    vigil_ruleset* rs = nullptr;
    vigil_status st = vigil_compiler_build(c, &rs);
    *rendered = vigil_compiler_diag_render(c);
    vigil_ruleset_release(rs);
    vigil_compiler_free(c);
    return st;
  };
  std::string text;
  EXPECT_EQ(build("schema pay version 3 {\n  amount: decimal\n  country: string\n  extra: int\n}\n", &text),
            VIGIL_OK)
      << text;
  EXPECT_EQ(build("schema pay version 3 {\n  amount: decimal\n}\n", &text), VIGIL_ERR_COMPILE);
  EXPECT_NE(text.find("E2019]: the rules need field 'country: string'"), std::string::npos) << text;
  EXPECT_EQ(build("schema pay version 1 {\n  amount: decimal\n  country: string\n}\n", &text),
            VIGIL_ERR_COMPILE);
  EXPECT_NE(text.find("need schema 'pay' version 2, but the host provides version 1"), std::string::npos)
      << text;
  EXPECT_EQ(build("not a schema", &text), VIGIL_ERR_COMPILE);
}
