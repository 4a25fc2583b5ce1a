// Rules and results (LANGUAGE.md §4, §7): decisions and their order, scores,
// tags, shadow mode, reason templates and PII masking.
#include "test_util.hpp"

namespace vigil::testing {
namespace {

const char* kEvalRules = R"(
rule small { when amount < 50.00 then score 10 decide review tag "small" reason "{amount} to {country}" }
rule foreign { when country != card_country then score 25 decide report tag "foreign" tag "small" }
rule blocked { when country == "XX" then decide block }
rule watch { mode shadow when amount > 0 then score 99 decide block reason "would block {card_id}" }
rule pii { when amount == 7.00 then reason "card {card_id} paid {amount}" }
)";

TEST(Rules, HighestDecisionWinsAndScoresAdd) {
  Compilation c = CompileText(Header() + kEvalRules);
  Outcome o = Evaluate(c, {{"amount", Dec{"20.00"}}, {"country", "PH"}, {"card_country", "NZ"}});
  EXPECT_EQ(o.fired, (std::vector<std::string>{"small", "foreign"}));
  EXPECT_EQ(o.decision, "report");
  EXPECT_EQ(o.score, 35);
  EXPECT_EQ(o.tags, (std::vector<std::string>{"small", "foreign"}));
  EXPECT_EQ(o.reasons["small"], "20.00 to PH");
}

TEST(Rules, NothingFiredIsTheLowestDecision) {
  Compilation c = CompileText(Header() + kEvalRules);
  Outcome o = Evaluate(c, {{"amount", Dec{"-1.00"}}});
  EXPECT_TRUE(o.fired.empty() || o.fired == std::vector<std::string>{"small"});
  Outcome none = Evaluate(c, {});
  EXPECT_TRUE(none.fired.empty());
  EXPECT_EQ(none.decision, "allow");
  EXPECT_EQ(none.score, 0);
}

TEST(Rules, ShadowRulesNeverChangeTheDecision) {
  Compilation c = CompileText(Header() + kEvalRules);
  Outcome o = Evaluate(c, {{"amount", Dec{"80.00"}}, {"country", "NZ"}, {"card_country", "NZ"},
                      {"card_id", "4111"}});
  EXPECT_TRUE(o.fired.empty());
  EXPECT_EQ(o.shadow, (std::vector<std::string>{"watch"}));
  EXPECT_EQ(o.decision, "allow");
  EXPECT_EQ(o.score, 0);
}

TEST(Rules, PiiIsMaskedUnlessAllowed) {
  Compilation c = CompileText(Header() + kEvalRules);
  std::map<std::string, FieldValue> e = {{"amount", Dec{"7.00"}}, {"card_id", "4111222233334444"}};
  EXPECT_EQ(Evaluate(c, e).reasons["pii"], "card **** paid 7.00");
  EXPECT_EQ(Evaluate(c, e, /*allow_pii=*/true).reasons["pii"], "card 4111222233334444 paid 7.00");
}

TEST(Rules, MissingValuesInReasons) {
  Compilation c = CompileText(Header() + "rule r { when true then reason \"to {country}\" }\n");
  EXPECT_EQ(Evaluate(c, {}).reasons["r"], "to (missing)");
}

TEST(Rules, TemplateBracesEscape) {
  Compilation c = CompileText(Header() + "rule r { when true then reason \"{{literal}} {mcc}\" }\n");
  EXPECT_EQ(Evaluate(c, {{"mcc", 5967}}).reasons["r"], "{literal} 5967");
}

TEST(Rules, CustomDecisionOrder) {
  Compilation c = CompileText(Header() + R"(
decisions pass < hold < refer
rule a { when true then decide refer }
rule b { when true then decide hold }
)");
  EXPECT_EQ(Evaluate(c, {}).decision, "refer");
}

TEST(Rules, ScoreFromParam) {
  Compilation c = CompileText(Header() + "param S: int = 42\nrule a { when true then score S }\n");
  EXPECT_EQ(Evaluate(c, {}).score, 42);
}

TEST(Rules, OverrideChangesParamAndDisablesRule) {
  Compilation c = CompileSources({
      {"base.vgl", Header() + R"(
param LIMIT: decimal = 50.00
rule small { when amount < LIMIT then score 10 }
rule other { when true then score 1 }
)"},
      {"local.vgl", R"(
override t.unit {
  set LIMIT = 30.00
  disable rule other
  severity small critical
}
)"}});
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  Outcome o = Evaluate(c, {{"amount", Dec{"40.00"}}});
  EXPECT_TRUE(o.fired.empty());
  o = Evaluate(c, {{"amount", Dec{"20.00"}}});
  EXPECT_EQ(o.fired, (std::vector<std::string>{"small"}));
  EXPECT_EQ(c.program->rules[0].severity, eval::RuleSeverity::kCritical);
}

// Adopting a shared rule safely: a member switches it to shadow (reported,
// never counted), and a rule the pack ships in shadow back to enforce.
TEST(Rules, OverrideSwitchesRulesToShadowAndBack) {
  Compilation c = CompileSources({
      {"base.vgl", Header() + R"(
rule fresh { when amount > 10.00 then score 40 decide block }
rule trial { mode shadow when amount > 10.00 then score 5 decide review }
)"},
      {"local.vgl", R"(
override t.unit version "1.0.0" {
  mode fresh shadow
  mode trial enforce
}
)"}});
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  eval::Session session(c.program);
  eval::Event event(c.program->schema);
  eval::Result result;
  SetField(event, "amount", Dec{"20.00"});
  session.Evaluate(event, result);
  ASSERT_EQ(result.fired.size(), 1u);
  EXPECT_EQ(c.program->rules[result.fired[0].rule].id, "trial");
  ASSERT_EQ(result.shadow.size(), 1u);
  EXPECT_EQ(c.program->rules[result.shadow[0].rule].id, "fresh");
  EXPECT_EQ(result.score, 5);
  EXPECT_EQ(c.program->decisions[result.decision], "review");
}

TEST(Rules, OverrideForAnotherVersionIsAnError) {
  Compilation c = CompileSources({{"base.vgl", Header() + "rule r { when true then score 1 }\n"},
                                  {"local.vgl", "override t.unit version \"1.1.0\" {\n}\n"}});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(Codes(c), (std::vector<std::string>{"E2018"}));
  const std::string text = c.RenderDiagnostics();
  EXPECT_NE(text.find("local.vgl:1:25"), std::string::npos) << text;
  EXPECT_NE(text.find("is declared at base.vgl:1:1"), std::string::npos) << text;
}

TEST(Rules, ProgramIsSharedAcrossThreadsSafely) {
  Compilation c = CompileText(Header() + kEvalRules);
  ASSERT_TRUE(c.ok());
  auto work = [&](int n, std::vector<int>* fired) {
    eval::Session s(c.program);
    eval::Event e(c.program->schema);
    eval::Result r;
    for (int i = 0; i < n; ++i) {
      e.Reset();
      SetField(e, "amount", Dec{i % 2 ? "20.00" : "70.00"});
      s.Evaluate(e, r);
      fired->push_back(static_cast<int>(r.fired.size()));
    }
  };
  std::vector<int> a, b;
  std::thread t1(work, 1000, &a), t2(work, 1000, &b);
  t1.join();
  t2.join();
  EXPECT_EQ(a, b);
  EXPECT_EQ(a[1], 1);
  EXPECT_EQ(a[0], 0);
}

// A schema without fields: its events have no values (a null pointer), and
// the ordered path's test of a rule `when true` (kTrue) or of constant
// conjuncts the planner folds must not read through it. A
// reference bound to it in OtherTest was undefined behaviour, which this
// test halts on under tools/test.sh --sanitize (UBSan); found by review
// when fuzz_capi was given a seed of such a rule set.
TEST(Rules, ASchemaWithoutFieldsIsEvaluatedInOrder) {
  Compilation c = CompileText(
      "ruleset t.unit version \"1.0.0\"\nschema e version 1 {\n}\nuses schema e\n"
      "rule always { when true then score 1 }\n"
      "rule two { when 1 < 2 and 3 > 2 then score 10 }\n");
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  ASSERT_EQ(c.program->schema.fields.size(), 0u);
  ASSERT_EQ(c.program->strategy, eval::EvalStrategy::kOrdered);
  // The planner folds `two`'s constant conjuncts: each rule is one test
  // read through OtherTest, with no order to choose, so no counting.
  ASSERT_EQ(c.program->ordered.rules.size(), 2u);
  ASSERT_EQ(c.program->ordered.rules[0].count, 1u);
  ASSERT_EQ(c.program->ordered.rules[1].count, 1u);
  eval::Session session(c.program);
  eval::Event event(c.program->schema);
  eval::Result result;
  ASSERT_EQ(event.values(), nullptr);  // what the test is about
  for (uint32_t i = 0; i < eval::Session::kAdaptEvents + 8; ++i) {  // as many as a counting session
    session.Evaluate(event, result);
    ASSERT_EQ(result.fired.size(), 2u) << "event " << i;
    ASSERT_EQ(result.score, 11) << "event " << i;
  }
}

}  // namespace
}  // namespace vigil::testing
