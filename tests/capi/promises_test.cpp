// Promises of vigil.h that a new integrator relies on (issue 13): explaining
// never changes the aggregates' state, the self-test keeps its message, what
// a compilation may read and who may override what. Each test names the
// function or promise it covers.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "vigil/vigil.h"

namespace {

// Two payments of one card: `repeat_card` reviews the third in a day, and
// `seen` reports the count in its reason.
const char kVelocity[] = R"(ruleset t.velocity version "1.0.0"
schema p version 1 {
  ts: time
  card: string @key
  amount: decimal
}
uses schema p
rule repeat_card {
  when count(by: card, within: 24h) >= 3
  then score 10 decide review
}
rule seen {
  when count(by: card, within: 24h) >= 1
  then score 0 reason "{count(by: card, within: 24h)} payments"
}
)";

class Velocity : public ::testing::Test {
 protected:
  void SetUp() override {
    vigil_compiler* c = nullptr;
    ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
    ASSERT_EQ(vigil_compiler_add_source(c, "v.vgl", 5, kVelocity, sizeof(kVelocity) - 1), VIGIL_OK);
    ASSERT_EQ(vigil_compiler_build(c, &rs_), VIGIL_OK) << vigil_compiler_diag_render(c);
    vigil_compiler_free(c);
    ASSERT_EQ(vigil_session_new(rs_, nullptr, &s_), VIGIL_OK);
    ASSERT_EQ(vigil_result_new(&r_), VIGIL_OK);
    for (vigil_event*& e : e_) ASSERT_EQ(vigil_event_new(rs_, &e), VIGIL_OK);
    Set(e_[0], "2026-03-01T10:00:00Z");
    Set(e_[1], "2026-03-01T11:00:00Z");
    Set(e_[2], "2026-03-01T12:00:00Z");
  }
  void TearDown() override {
    for (vigil_event* e : e_) vigil_event_free(e);
    vigil_result_free(r_);
    vigil_session_free(s_);
    vigil_ruleset_release(rs_);
  }
  void Set(vigil_event* e, const std::string& ts) {
    std::string json = R"({"ts":")" + ts + R"(","card":"c1","amount":10.00})";
    ASSERT_EQ(vigil_event_set_json(e, json.data(), json.size()), VIGIL_OK);
  }
  // The reason of `seen` in r_: "N payments".
  std::string SeenReason() {
    for (size_t i = 0; i < vigil_result_fired_count(r_); ++i) {
      vigil_fired_info f{};
      f.struct_size = sizeof f;
      EXPECT_EQ(vigil_result_fired_get(r_, i, &f), VIGIL_OK);
      if (std::strstr(f.qualified_id, "/seen") != nullptr) return f.reason;
    }
    return "(seen did not fire)";
  }
  uint64_t Entries() {
    vigil_state* st = nullptr;
    EXPECT_EQ(vigil_session_get_state(s_, &st), VIGIL_OK);
    vigil_state_stats stats{};
    stats.struct_size = sizeof stats;
    EXPECT_EQ(vigil_state_get_stats(st, &stats), VIGIL_OK);
    vigil_state_release(st);
    return stats.entries;
  }
  std::string Explain(vigil_event* e) {
    const char* json = nullptr;
    size_t len = 0;
    EXPECT_EQ(vigil_session_explain(s_, e, r_, &json, &len), VIGIL_OK) << vigil_session_errmsg(s_);
    return json == nullptr ? "" : std::string(json, len);
  }
  vigil_ruleset* rs_ = nullptr;
  vigil_session* s_ = nullptr;
  vigil_result* r_ = nullptr;
  vigil_event* e_[3] = {};
};

// vigil_session_explain: "Explaining never changes the aggregates' state".
// The production bug: eval then explain recorded the payment twice, so the
// second payment counted 4 and was falsely reviewed.
TEST_F(Velocity, SessionExplainAfterEvalRecordsNothing_EvalExplainEvalGivesCount2) {
  ASSERT_EQ(vigil_session_eval(s_, e_[0], r_), VIGIL_OK);
  EXPECT_EQ(SeenReason(), "1 payments");
  std::string record = Explain(e_[0]);
  EXPECT_NE(record.find("\"format\":\"vigil.explain/1\""), std::string::npos);
  EXPECT_EQ(Entries(), 1u);
  EXPECT_EQ(SeenReason(), "1 payments");  // the result is the evaluation explained
  ASSERT_EQ(vigil_session_eval(s_, e_[1], r_), VIGIL_OK);
  EXPECT_EQ(SeenReason(), "2 payments");
  EXPECT_STREQ(vigil_result_decision(r_), "allow");
  EXPECT_EQ(Entries(), 2u);
}

// vigil_session_explain: "the record describes that evaluation, with the
// aggregate values it computed": the count shown is the one decided on.
TEST_F(Velocity, SessionExplainReusesTheLastEvaluationsAggregateValues) {
  ASSERT_EQ(vigil_session_eval(s_, e_[0], r_), VIGIL_OK);
  ASSERT_EQ(vigil_session_eval(s_, e_[1], r_), VIGIL_OK);
  std::string record = Explain(e_[1]);
  EXPECT_NE(record.find("{\"expr\":\"count(by: card, within: 24h)\",\"value\":\"2\"}"),
            std::string::npos)
      << record;
  record = Explain(e_[1]);  // twice: still nothing recorded
  EXPECT_NE(record.find("\"value\":\"2\""), std::string::npos) << record;
  EXPECT_EQ(Entries(), 2u);
}

// vigil_session_explain: "otherwise ... evaluated into result as a what-if":
// an event never evaluated, or changed since, is counted but not recorded.
TEST_F(Velocity, SessionExplainOfAnotherOrChangedEventIsAWhatIf) {
  ASSERT_EQ(vigil_session_eval(s_, e_[0], r_), VIGIL_OK);
  ASSERT_EQ(vigil_session_eval(s_, e_[1], r_), VIGIL_OK);
  std::string record = Explain(e_[2]);  // not evaluated yet: what-if, counts 3
  EXPECT_NE(record.find("{\"expr\":\"count(by: card, within: 24h)\",\"value\":\"3\"}"),
            std::string::npos)
      << record;
  EXPECT_STREQ(vigil_result_decision(r_), "review");  // the what-if's result
  EXPECT_EQ(Entries(), 2u);
  // Changed after its evaluation: the record cannot be of the old values.
  ASSERT_EQ(vigil_session_eval(s_, e_[2], r_), VIGIL_OK);
  EXPECT_EQ(Entries(), 3u);
  Set(e_[2], "2026-03-01T12:30:00Z");
  record = Explain(e_[2]);
  EXPECT_NE(record.find("\"value\":\"4\""), std::string::npos) << record;
  EXPECT_EQ(Entries(), 3u);
  // vigil_session_record in between: the session's values are the recorded event's.
  int32_t late = 9;
  ASSERT_EQ(vigil_session_eval(s_, e_[0], r_), VIGIL_OK);  // records the first payment again
  ASSERT_EQ(vigil_session_record(s_, e_[1], &late), VIGIL_OK);
  const uint64_t before = Entries();
  Explain(e_[0]);
  EXPECT_EQ(Entries(), before);
}

// vigil_session_eval_batch then explain of its last event: reused, not recorded.
TEST_F(Velocity, SessionExplainAfterBatchRecordsNothing) {
  vigil_result* r2 = nullptr;
  ASSERT_EQ(vigil_result_new(&r2), VIGIL_OK);
  const vigil_event* events[2] = {e_[0], e_[1]};
  vigil_result* results[2] = {r2, r_};
  ASSERT_EQ(vigil_session_eval_batch(s_, events, results, 2, nullptr), VIGIL_OK);
  Explain(e_[1]);
  EXPECT_EQ(Entries(), 2u);
  EXPECT_EQ(SeenReason(), "2 payments");
  vigil_result_free(r2);
}

// vigil_compiler_selftest: "returns VIGIL_ERR_TEST ... the counts are still
// written, and vigil_compiler_errmsg names the first failed test". It used to
// return VIGIL_OK with failed = 1 and an empty message.
TEST(SelfTest, CompilerSelftestFailureKeepsItsMessageAndStatus) {
  const std::string text = std::string(kVelocity) + R"(
test "one payment is reviewed" {
  event { ts: 2026-03-01T10:00:00Z, card: "z", amount: 1.00 }
    expect decision review
}
test "one payment is allowed" {
  event { ts: 2026-03-01T10:00:00Z, card: "z", amount: 1.00 }
    expect decision allow
}
)";
  vigil_compiler* c = nullptr;
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_source(c, "v.vgl", 5, text.data(), text.size()), VIGIL_OK);
  vigil_ruleset* rs = nullptr;
  ASSERT_EQ(vigil_compiler_build(c, &rs), VIGIL_OK) << vigil_compiler_diag_render(c);
  uint32_t passed = 9, failed = 9;
  EXPECT_EQ(vigil_compiler_selftest(c, &passed, &failed), VIGIL_ERR_TEST);
  EXPECT_EQ(passed, 1u);
  EXPECT_EQ(failed, 1u);
  const std::string message = vigil_compiler_errmsg(c);
  EXPECT_NE(message.find("1 of 2 tests failed"), std::string::npos) << message;
  EXPECT_NE(message.find("\"one payment is reviewed\""), std::string::npos) << message;
  EXPECT_NE(message.find("v.vgl:"), std::string::npos) << message;
  EXPECT_STREQ(vigil_status_str(VIGIL_ERR_TEST), "a self-test failed");
  vigil_ruleset_release(rs);
  vigil_compiler_free(c);
}

// vigil_compiler_selftest: VIGIL_OK with the counts when every test passes,
// and an empty message.
TEST(SelfTest, CompilerSelftestPassingIsOk) {
  const std::string text = std::string(kVelocity) + R"(
test "one payment is allowed" {
  event { ts: 2026-03-01T10:00:00Z, card: "z", amount: 1.00 }
    expect decision allow, fires seen
}
)";
  vigil_compiler* c = nullptr;
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_source(c, "v.vgl", 5, text.data(), text.size()), VIGIL_OK);
  vigil_ruleset* rs = nullptr;
  ASSERT_EQ(vigil_compiler_build(c, &rs), VIGIL_OK) << vigil_compiler_diag_render(c);
  uint32_t passed = 9, failed = 9;
  EXPECT_EQ(vigil_compiler_selftest(c, &passed, &failed), VIGIL_OK);
  EXPECT_EQ(passed, 1u);
  EXPECT_EQ(failed, 0u);
  EXPECT_STREQ(vigil_compiler_errmsg(c), "");
  vigil_ruleset_release(rs);
  vigil_compiler_free(c);
}

}  // namespace
