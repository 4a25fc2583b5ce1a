// Issue 13, "wrong answers", through the C ABI only (as a host sees them):
// strict JSON events, NUL and UTF-8 refused alike, the time range, saturating
// scores, outliers far in the future, and a state shared by two rule sets or
// loaded with another rule set's snapshot.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <string>

#include "vigil/vigil.h"

namespace {

const char kRules[] = R"(ruleset capi.wrong version "1.0.0"
schema s version 1 {
  ts: time
  card: string @key
  country: string
  amount: decimal
}
uses schema s
rule a { when country == "PH" then score 9223372036854775807 reason "{country}!" }
rule b { when country == "PH" then score 9223372036854775807 }
rule burst { when count(by: card, within: 1h) >= 3 then score 1 decide review }
)";

vigil_ruleset* Build(const std::string& text) {
  vigil_compiler* c = nullptr;
  EXPECT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  EXPECT_EQ(vigil_compiler_add_source(c, "w.vgl", 5, text.data(), text.size()), VIGIL_OK);
  vigil_ruleset* rs = nullptr;
  EXPECT_EQ(vigil_compiler_build(c, &rs), VIGIL_OK) << vigil_compiler_diag_render(c);
  vigil_compiler_free(c);
  return rs;
}

// One session, event and result over a rule set (and optionally a state).
struct Host {
  explicit Host(vigil_ruleset* rs, vigil_state* state = nullptr) {
    EXPECT_EQ(vigil_session_new(rs, nullptr, &session), VIGIL_OK);
    if (state != nullptr) {
      EXPECT_EQ(vigil_session_set_state(session, state), VIGIL_OK);
    }
    EXPECT_EQ(vigil_event_new(rs, &event), VIGIL_OK);
    EXPECT_EQ(vigil_result_new(&result), VIGIL_OK);
  }
  ~Host() {
    vigil_result_free(result);
    vigil_event_free(event);
    vigil_session_free(session);
  }
  vigil_status Json(const std::string& json) {
    return vigil_event_set_json(event, json.data(), json.size());
  }
  // Evaluates a JSON event; returns the decision ("" on error).
  std::string Eval(const std::string& json) {
    if (Json(json) != VIGIL_OK) return std::string("bad: ") + vigil_event_errmsg(event);
    if (vigil_session_eval(session, event, result) != VIGIL_OK) return "";
    return vigil_result_decision(result);
  }
  vigil_session* session = nullptr;
  vigil_event* event = nullptr;
  vigil_result* result = nullptr;
};

std::string Ev(const char* time, const char* card = "c", const char* country = "GB") {
  return std::string("{\"ts\":\"") + time + "\",\"card\":\"" + card + "\",\"country\":\"" +
         country + "\"}";
}

TEST(CApiWrongAnswers, SetJsonIsStrict) {
  vigil_ruleset* rs = Build(kRules);
  ASSERT_NE(rs, nullptr);
  {
    Host h(rs);
    const std::string ok = Ev("2026-03-01T10:00:00Z");
    EXPECT_EQ(h.Json(ok), VIGIL_OK);
    for (const std::string& bad :
         {ok + " " + ok, ok + "}", std::string(R"({"x":[1,,2]})"), std::string(R"({"x":tru})"),
          std::string(R"({"x":"\q"})"), std::string(R"({"country":"PH",})")}) {
      EXPECT_EQ(h.Json(bad), VIGIL_ERR_INVALID_ARG) << bad;
      EXPECT_NE(std::strstr(vigil_event_errmsg(h.event), "malformed JSON at column"), nullptr)
          << vigil_event_errmsg(h.event);
    }
    EXPECT_EQ(h.Json(R"({"country":"PH","country":"TH"})"), VIGIL_ERR_INVALID_ARG);
    EXPECT_STREQ(vigil_event_errmsg(h.event), "field 'country' appears twice");
    // A byte-order mark at the start of the text is skipped, as for files.
    EXPECT_EQ(h.Json("\xEF\xBB\xBF" + ok), VIGIL_OK);
    // Decimals: zero with any exponent is zero; too large says out of range.
    EXPECT_EQ(h.Json(R"({"amount":0E+384})"), VIGIL_OK);
    EXPECT_EQ(h.Json(R"({"amount":1E+384})"), VIGIL_ERR_INVALID_ARG);
    EXPECT_NE(std::strstr(vigil_event_errmsg(h.event), "out of range"), nullptr);
  }
  vigil_ruleset_release(rs);
}

TEST(CApiWrongAnswers, NulAndInvalidUtf8AreRefusedEverywhere) {
  vigil_ruleset* rs = Build(kRules);
  ASSERT_NE(rs, nullptr);
  {
    Host h(rs);
    const int32_t country = vigil_ruleset_field_slot(rs, "country", 7);
    ASSERT_GE(country, 0);
    EXPECT_EQ(vigil_event_set_string(h.event, static_cast<uint32_t>(country), "P\0H", 3),
              VIGIL_ERR_INVALID_ARG);
    EXPECT_NE(std::strstr(vigil_event_errmsg(h.event), "NUL"), nullptr);
    EXPECT_EQ(vigil_event_set_string(h.event, static_cast<uint32_t>(country), "caf\xE9", 4),
              VIGIL_ERR_INVALID_ARG);
    EXPECT_EQ(h.Json(R"({"country":"P\u0000H"})"), VIGIL_ERR_INVALID_ARG);
    EXPECT_STREQ(vigil_event_errmsg(h.event), "field 'country': a string cannot contain U+0000 (NUL)");
  }
  vigil_ruleset_release(rs);
  // A rule file with a NUL escape does not compile (E1011).
  vigil_compiler* c = nullptr;
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  const std::string text = std::string(kRules) + "const Z = \"a\\u0000\"\n";
  ASSERT_EQ(vigil_compiler_add_source(c, "n.vgl", 5, text.data(), text.size()), VIGIL_OK);
  vigil_ruleset* none = nullptr;
  EXPECT_EQ(vigil_compiler_build(c, &none), VIGIL_ERR_COMPILE);
  vigil_diag_info d;
  d.struct_size = sizeof d;
  ASSERT_EQ(vigil_compiler_diag_get(c, 0, &d), VIGIL_OK);
  EXPECT_STREQ(d.code_name, "E1011");
  vigil_compiler_free(c);
}

TEST(CApiWrongAnswers, ReasonsAreWholeCStringsAndScoresSaturate) {
  vigil_ruleset* rs = Build(kRules);
  ASSERT_NE(rs, nullptr);
  {
    Host h(rs);
    ASSERT_EQ(h.Eval(Ev("2026-03-01T10:00:00Z", "c", "PH")), "allow");
    EXPECT_EQ(vigil_result_score(h.result), INT64_MAX);  // was -2
    vigil_fired_info f;
    f.struct_size = sizeof f;
    ASSERT_EQ(vigil_result_fired_get(h.result, 0, &f), VIGIL_OK);
    EXPECT_STREQ(f.reason, "PH!");
    EXPECT_EQ(std::strlen(f.reason), 3u);
  }
  vigil_ruleset_release(rs);
}

TEST(CApiWrongAnswers, TimesOutsideTheRangeAreRefused) {
  vigil_ruleset* rs = Build(kRules);
  ASSERT_NE(rs, nullptr);
  {
    Host h(rs);
    const int32_t ts = vigil_ruleset_field_slot(rs, "ts", 2);
    ASSERT_GE(ts, 0);
    EXPECT_EQ(vigil_event_set_time(h.event, static_cast<uint32_t>(ts), INT64_MAX),
              VIGIL_ERR_INVALID_ARG);
    EXPECT_NE(std::strstr(vigil_event_errmsg(h.event), "out of range"), nullptr);
    EXPECT_EQ(vigil_event_set_time(h.event, static_cast<uint32_t>(ts), 253402300799999999LL),
              VIGIL_OK);
    EXPECT_EQ(h.Json(R"({"ts":9223372036854775807})"), VIGIL_ERR_INVALID_ARG);
  }
  vigil_ruleset_release(rs);
}

TEST(CApiWrongAnswers, AnEventFarAheadIsAnOutlierNotTheKeysNewLatest) {
  vigil_ruleset* rs = Build(kRules);
  ASSERT_NE(rs, nullptr);
  vigil_state_options o = VIGIL_STATE_OPTIONS_INIT;
  EXPECT_EQ(o.max_skew_us, -1);
  vigil_state* state = nullptr;
  ASSERT_EQ(vigil_state_new(&o, &state), VIGIL_OK);
  {
    Host h(rs, state);
    EXPECT_EQ(h.Eval(Ev("2026-03-01T10:00:00Z")), "allow");
    EXPECT_EQ(h.Eval(Ev("9999-01-01T00:00:00Z")), "allow");
    EXPECT_EQ(vigil_result_outlier(h.result), 1);
    EXPECT_EQ(vigil_result_late(h.result), 0);
    EXPECT_EQ(h.Eval(Ev("2026-03-01T10:01:00Z")), "allow");
    EXPECT_EQ(vigil_result_outlier(h.result), 0);
    EXPECT_EQ(vigil_result_late(h.result), 0);
    // The third event of the key in the hour: the velocity rule still fires.
    EXPECT_EQ(h.Eval(Ev("2026-03-01T10:02:00Z")), "review");
    int32_t late = -1;
    ASSERT_EQ(h.Json(Ev("2099-01-01T00:00:00Z")), VIGIL_OK);
    ASSERT_EQ(vigil_session_record(h.session, h.event, &late), VIGIL_OK);
    EXPECT_EQ(late, 2);
    vigil_state_stats st;
    st.struct_size = sizeof st;
    ASSERT_EQ(vigil_state_get_stats(state, &st), VIGIL_OK);
    EXPECT_EQ(st.outlier_events, 2u);
    EXPECT_EQ(st.late_events, 0u);
    // A host built against the 1.0 header passes the 1.0 size and still works.
    vigil_state_stats old;
    old.struct_size = 48;
    old.outlier_events = 777;
    EXPECT_EQ(vigil_state_get_stats(state, &old), VIGIL_OK);
    EXPECT_EQ(old.outlier_events, 777u);  // beyond its struct: untouched
    EXPECT_EQ(old.keys, st.keys);
  }
  vigil_state_release(state);
  // max_skew_us = 0: no bound; a 1.0-size options struct gets the default.
  o.max_skew_us = 0;
  ASSERT_EQ(vigil_state_new(&o, &state), VIGIL_OK);
  {
    Host h(rs, state);
    h.Eval(Ev("2026-03-01T10:00:00Z"));
    h.Eval(Ev("9999-01-01T00:00:00Z"));
    EXPECT_EQ(vigil_result_outlier(h.result), 0);
  }
  vigil_state_release(state);
  o.struct_size = 16;
  o.max_skew_us = 0;  // not read: beyond a 1.0 struct
  ASSERT_EQ(vigil_state_new(&o, &state), VIGIL_OK);
  {
    Host h(rs, state);
    h.Eval(Ev("2026-03-01T10:00:00Z"));
    h.Eval(Ev("9999-01-01T00:00:00Z"));
    EXPECT_EQ(vigil_result_outlier(h.result), 1);
  }
  vigil_state_release(state);
  o.struct_size = 8;
  EXPECT_EQ(vigil_state_new(&o, &state), VIGIL_ERR_MISUSE);
  vigil_ruleset_release(rs);
}

const char kOther[] = R"(ruleset capi.other version "1.0.0"
schema s version 1 {
  ts: time
  card: string @key
  country: string
  amount: decimal
}
uses schema s
rule spend { when sum(amount, by: card, within: 2h) > 100.00 then score 1 decide report }
)";

TEST(CApiWrongAnswers, OneStateServesTwoRuleSetsWithoutDroppingEither) {
  vigil_ruleset* a = Build(kRules);
  vigil_ruleset* b = Build(kOther);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  vigil_state* state = nullptr;
  ASSERT_EQ(vigil_state_new(nullptr, &state), VIGIL_OK);
  {
    Host ha(a, state);
    Host hb(b, state);
    // Each rule set sees its own events (different cards), interleaved.
    EXPECT_EQ(ha.Eval(Ev("2026-03-01T10:00:00Z", "c1")), "allow");
    EXPECT_EQ(hb.Eval(R"({"ts":"2026-03-01T10:00:00Z","card":"c2","amount":60.00})"), "allow");
    EXPECT_EQ(ha.Eval(Ev("2026-03-01T10:01:00Z", "c1")), "allow");
    EXPECT_EQ(hb.Eval(R"({"ts":"2026-03-01T10:01:00Z","card":"c2","amount":60.00})"), "report");
    EXPECT_EQ(ha.Eval(Ev("2026-03-01T10:02:00Z", "c1")), "review");  // used to lose its count
    vigil_state_stats st;
    st.struct_size = sizeof st;
    ASSERT_EQ(vigil_state_get_stats(state, &st), VIGIL_OK);
    EXPECT_EQ(st.aggregates, 2u);
    EXPECT_EQ(st.unused_aggregates, 0u);
  }
  vigil_state_stats st;
  st.struct_size = sizeof st;
  ASSERT_EQ(vigil_state_get_stats(state, &st), VIGIL_OK);
  EXPECT_EQ(st.unused_aggregates, 2u);  // both sessions freed: kept, not updated
  vigil_state_release(state);
  vigil_ruleset_release(a);
  vigil_ruleset_release(b);
}

TEST(CApiWrongAnswers, SavingAfterLoadingAnotherRuleSetsSnapshotKeepsIt) {
  const std::string path =
      ::testing::TempDir() + "/capi_wrong_" + std::to_string(::getpid()) + ".snap";
  vigil_ruleset* a = Build(kRules);
  vigil_ruleset* b = Build(kOther);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  vigil_state* state = nullptr;
  ASSERT_EQ(vigil_state_new(nullptr, &state), VIGIL_OK);
  {
    Host ha(a, state);
    ha.Eval(Ev("2026-03-01T10:00:00Z", "c1"));
    ha.Eval(Ev("2026-03-01T10:01:00Z", "c1"));
    ASSERT_EQ(vigil_state_save(state, path.c_str()), VIGIL_OK) << vigil_state_errmsg();
  }
  vigil_state_release(state);
  // Rule set b loads a's snapshot (they share no aggregate) and saves.
  ASSERT_EQ(vigil_state_new(nullptr, &state), VIGIL_OK);
  {
    Host hb(b, state);
    ASSERT_EQ(vigil_state_load(state, path.c_str()), VIGIL_OK) << vigil_state_errmsg();
    vigil_state_stats st;
    st.struct_size = sizeof st;
    ASSERT_EQ(vigil_state_get_stats(state, &st), VIGIL_OK);
    EXPECT_EQ(st.unused_aggregates, 1u);  // a's count, which b does not use
    hb.Eval(R"({"ts":"2026-03-01T10:01:30Z","card":"c2","amount":1.00})");
    ASSERT_EQ(vigil_state_save(state, path.c_str()), VIGIL_OK) << vigil_state_errmsg();
  }
  vigil_state_release(state);
  // a's history survived b's save.
  ASSERT_EQ(vigil_state_new(nullptr, &state), VIGIL_OK);
  {
    Host ha(a, state);
    ASSERT_EQ(vigil_state_load(state, path.c_str()), VIGIL_OK) << vigil_state_errmsg();
    EXPECT_EQ(ha.Eval(Ev("2026-03-01T10:02:00Z", "c1")), "review");
  }
  vigil_state_release(state);
  vigil_ruleset_release(a);
  vigil_ruleset_release(b);
  ::unlink(path.c_str());
}

}  // namespace
