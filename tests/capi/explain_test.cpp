// Evidence records and event ids through the C ABI, as a host gets them:
// explaining never changes the aggregates' state, explain_ex explains the
// last evaluation only, and every result names its event.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "vigil/vigil.h"

namespace {

const char kRules[] = R"(ruleset capi.explain version "1.0.0"
schema s version 1 {
  ref: string @id
  ts: time @time
  card: string @key @pii @subject
  amount: decimal
}
uses schema s
rule burst {
  title "burst"
  severity medium
  when count(by: card, within: 1h) >= 2
  then score 10 decide review reason "{count(by: card, within: 1h)} uses of one card"
}
rule big {
  title "big"
  severity high
  when amount > 100
  then score 5
}
)";

class CApiExplain : public ::testing::Test {
 protected:
  void SetUp() override { Open(kRules); }
  void TearDown() override { Close(); }

  void Open(const std::string& rules) {
    vigil_compiler* c = nullptr;
    ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
    ASSERT_EQ(vigil_compiler_add_source(c, "mem.vgl", 7, rules.data(), rules.size()), VIGIL_OK);
    ASSERT_EQ(vigil_compiler_build(c, &rs_), VIGIL_OK) << vigil_compiler_diag_render(c);
    vigil_compiler_free(c);
    ASSERT_EQ(vigil_session_new(rs_, nullptr, &s_), VIGIL_OK);
    ASSERT_EQ(vigil_event_new(rs_, &e_), VIGIL_OK);
    ASSERT_EQ(vigil_result_new(&r_), VIGIL_OK);
  }
  void Close() {
    vigil_result_free(r_);
    vigil_event_free(e_);
    vigil_session_free(s_);
    vigil_ruleset_release(rs_);
  }

  void Eval(const std::string& json) {
    ASSERT_EQ(vigil_event_set_json(e_, json.data(), json.size()), VIGIL_OK) << vigil_event_errmsg(e_);
    ASSERT_EQ(vigil_session_eval(s_, e_, r_), VIGIL_OK) << vigil_session_errmsg(s_);
  }
  std::string ExplainEx(uint32_t flags) {
    const char* json = nullptr;
    size_t len = 0;
    EXPECT_EQ(vigil_session_explain_ex(s_, e_, r_, flags, &json, &len), VIGIL_OK)
        << vigil_session_errmsg(s_);
    return json == nullptr ? "" : std::string(json, len);
  }
  std::string Explain() {
    const char* json = nullptr;
    size_t len = 0;
    EXPECT_EQ(vigil_session_explain(s_, e_, r_, &json, &len), VIGIL_OK) << vigil_session_errmsg(s_);
    return json == nullptr ? "" : std::string(json, len);
  }
  std::string ResultJson() {
    const char* json = nullptr;
    size_t len = 0;
    EXPECT_EQ(vigil_result_json(r_, &json, &len), VIGIL_OK);
    return json == nullptr ? "" : std::string(json, len);
  }
  static std::string Payment(int minute, const char* amount = "20") {
    return "{\"ref\":\"p" + std::to_string(minute) + "\",\"ts\":\"2026-03-01T10:0" +
           std::to_string(minute) + ":00Z\",\"card\":\"4111\",\"amount\":" + amount + "}";
  }
  static bool Has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }

  vigil_ruleset* rs_ = nullptr;
  vigil_session* s_ = nullptr;
  vigil_event* e_ = nullptr;
  vigil_result* r_ = nullptr;
};

constexpr const char kCount2[] =
    "\"value\":\"2\",\"aggregate\":{\"function\":\"count\",\"by\":[\"card\"],"
    "\"key\":{\"card\":\"****\"},\"within\":\"1h\",\"events\":2}";

TEST_F(CApiExplain, ExplainingNeverChangesTheAggregatesState) {
  Eval(Payment(1));
  EXPECT_TRUE(Has(ExplainEx(0), "\"events\":1}")) << ExplainEx(0);
  EXPECT_TRUE(Has(Explain(), "\"events\":1}"));  // the ABI 1.0 call records nothing either
  Eval(Payment(2));  // eval, explain, eval: the second payment counts 2, not 4
  EXPECT_STREQ(vigil_result_decision(r_), "review");
  const std::string record = ExplainEx(VIGIL_EXPLAIN_FIRED_ONLY);
  EXPECT_TRUE(Has(record, kCount2)) << record;
  EXPECT_TRUE(Has(Explain(), kCount2));
  EXPECT_TRUE(Has(ExplainEx(0), kCount2));
  Eval(Payment(3));
  EXPECT_TRUE(Has(ExplainEx(0), "\"events\":3}"));
}

TEST_F(CApiExplain, FiredOnlyRecordsNameTheEventSubjectAndRules) {
  Eval(Payment(1, "150"));
  const std::string record = ExplainEx(VIGIL_EXPLAIN_FIRED_ONLY);
  EXPECT_TRUE(Has(record, "\"format\":\"vigil.explain/2\",\"mode\":\"fired\",\"pii\":\"masked\"")) << record;
  EXPECT_TRUE(Has(record, "\"event\":{\"id\":\"p1\",\"id_field\":\"ref\",\"time\":\"2026-03-01T10:01:00Z\","
                          "\"subject\":{\"field\":\"card\",\"value\":\"****\"}}"))
      << record;
  EXPECT_TRUE(Has(record, "\"rules\":[{\"rule\":\"capi.explain/big\",\"fired\":true")) << record;
  EXPECT_FALSE(Has(record, "capi.explain/burst\",\"fired\":false"));
  EXPECT_TRUE(Has(ExplainEx(0), "capi.explain/burst\",\"fired\":false"));
  EXPECT_FALSE(Has(record, "4111"));
}

TEST_F(CApiExplain, ExplainExExplainsOnlyTheLastEvaluation) {
  const char* json = nullptr;
  size_t len = 0;
  EXPECT_EQ(vigil_session_explain_ex(s_, e_, r_, 0, &json, &len), VIGIL_ERR_MISUSE);
  EXPECT_EQ(json, nullptr);
  EXPECT_NE(std::strstr(vigil_session_errmsg(s_), "evaluate it first"), nullptr);
  Eval(Payment(1));
  vigil_result* other = nullptr;
  ASSERT_EQ(vigil_result_new(&other), VIGIL_OK);
  EXPECT_EQ(vigil_session_explain_ex(s_, e_, other, 0, &json, &len), VIGIL_ERR_MISUSE);
  vigil_result_free(other);
  EXPECT_EQ(vigil_session_explain_ex(s_, e_, r_, 2, &json, &len), VIGIL_ERR_INVALID_ARG);
  EXPECT_EQ(vigil_session_explain_ex(s_, e_, r_, 0, nullptr, &len), VIGIL_ERR_MISUSE);
  EXPECT_EQ(vigil_session_explain_ex(nullptr, e_, r_, 0, &json, &len), VIGIL_ERR_MISUSE);
  EXPECT_EQ(vigil_session_explain_ex(s_, e_, r_, 0, &json, &len), VIGIL_OK);
  vigil_session_rebind(s_, rs_);  // a rebound session has evaluated nothing yet
  EXPECT_EQ(vigil_session_explain_ex(s_, e_, r_, 0, &json, &len), VIGIL_ERR_MISUSE);
}

TEST_F(CApiExplain, ResultJsonNamesTheEvent) {
  Eval(Payment(1));
  EXPECT_TRUE(Has(ResultJson(), "{\"event\":\"p1\",\"decision\":\"allow\"")) << ResultJson();
  // Built by slot: the @id field names it too.
  ASSERT_EQ(vigil_event_reset(e_), VIGIL_OK);
  ASSERT_EQ(vigil_event_set_string(e_, 0, "by-slot", 7), VIGIL_OK);
  ASSERT_EQ(vigil_session_eval(s_, e_, r_), VIGIL_OK);
  EXPECT_TRUE(Has(ResultJson(), "{\"event\":\"by-slot\"")) << ResultJson();
  // Without an id: null.
  ASSERT_EQ(vigil_event_reset(e_), VIGIL_OK);
  ASSERT_EQ(vigil_session_eval(s_, e_, r_), VIGIL_OK);
  EXPECT_TRUE(Has(ResultJson(), "{\"event\":null")) << ResultJson();
}

TEST_F(CApiExplain, WithoutAnIdFieldAJsonMemberNamesTheEvent) {
  Close();
  Open("ruleset t.ids version \"1.0.0\"\nschema s version 1 { amount: decimal }\nuses schema s\n"
       "rule big { title \"big\" severity low when amount > 1 then score 1 }\n");
  Eval("{\"id\":\"c\",\"txn_id\":\"b\",\"event_id\":\"a\",\"amount\":2}");
  EXPECT_TRUE(Has(ResultJson(), "{\"event\":\"a\"")) << ResultJson();
  Eval("{\"id\":\"c\",\"txn_id\":\"b\",\"amount\":2}");
  EXPECT_TRUE(Has(ResultJson(), "{\"event\":\"b\"")) << ResultJson();
  Eval("{\"id\":42,\"amount\":2}");
  EXPECT_TRUE(Has(ResultJson(), "{\"event\":\"42\"")) << ResultJson();
  EXPECT_TRUE(Has(ExplainEx(0), "\"event\":{\"id\":\"42\",\"id_field\":\"id\"")) << ExplainEx(0);
  Eval("{\"amount\":2}");
  EXPECT_TRUE(Has(ResultJson(), "{\"event\":null")) << ResultJson();
  EXPECT_TRUE(Has(ExplainEx(0), "\"event\":{\"id\":null,\"id_field\":null,\"time\":null}"));
}

}  // namespace
