// The rule prefilter must never change results: for random events over the
// generated-style rule shapes, every rule fires exactly when its condition,
// evaluated on its own without the index, is true.
#include <random>

#include "eval/evaluator.hpp"
#include "test_util.hpp"

namespace vigil::testing {
namespace {

// These tests are about the index, so they force it: the planner would
// evaluate rule sets this small in order (plan/strategy.hpp).
Compilation CompileIndexed(const std::string& text) {
  CompileOptions options;
  options.strategy = plan::StrategyChoice::kIndex;
  return CompileSources({SourceInput{"test.vgl", text}}, options);
}

bool FiresIndexed(const std::string& cond, const std::map<std::string, FieldValue>& fields) {
  Compilation c = CompileIndexed(Header() + "\nrule r { when " + cond + " then score 1 }\n");
  if (!c.ok()) {
    ADD_FAILURE() << "compile failed for `" << cond << "`:\n" << c.RenderDiagnostics();
    return false;
  }
  EXPECT_EQ(c.program->strategy, eval::EvalStrategy::kIndex);
  return !Evaluate(c, fields).fired.empty();
}

TEST(RuleIndex, SkipsOnlyRulesThatCannotFire) {
  std::string rules = Header();
  const char* countries[] = {"PH", "NZ", "US", "TH", "GB"};
  std::mt19937 rng(7);
  for (int r = 0; r < 60; ++r) {
    std::string cond;
    switch (r % 6) {
      case 0: cond = "country == \"" + std::string(countries[rng() % 5]) + "\" and amount > 10"; break;
      case 1: cond = "mcc in {5967, 4816, " + std::to_string(rng() % 10) + "} and country != card_country"; break;
      case 2: cond = "card_country in {\"PH\", \"TH\"} or mcc == 1"; break;
      case 3: cond = "not (country == \"PH\") and mcc == " + std::to_string(rng() % 4); break;
      case 4: cond = "amount >= " + std::to_string(rng() % 50) + " and (country == \"NZ\" or country is missing)"; break;
      default: cond = "mcc == " + std::to_string(rng() % 4) + " and country in {\"US\", \"GB\"}"; break;
    }
    rules += "rule r" + std::to_string(r) + " { when " + cond + " then score 1 }\n";
  }
  Compilation c = CompileIndexed(rules);
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  EXPECT_GT(c.program->rule_index.indexed_rules(), 20u);
  eval::Session session(c.program);
  eval::Event event(c.program->schema);
  eval::Result result;
  int fired_total = 0;
  for (int i = 0; i < 3000; ++i) {
    event.Reset();
    if (rng() % 5) SetField(event, "country", countries[rng() % 5]);
    if (rng() % 5) SetField(event, "card_country", countries[rng() % 5]);
    if (rng() % 5) SetField(event, "mcc", static_cast<int>(rng() % 6 == 0 ? 5967 : rng() % 10));
    if (rng() % 5) SetField(event, "amount", Dec{std::to_string(rng() % 60) + ".50"});
    session.Evaluate(event, result);
    std::vector<bool> fired(c.program->rules.size(), false);
    for (const auto& f : result.fired) fired[f.rule] = true;
    session.Begin(event);
    for (uint32_t r = 0; r < c.program->rules.size(); ++r) {
      bool expected = session.EvalNode(c.program->rules[r].when).is_true();
      ASSERT_EQ(fired[r], expected) << "event " << i << " rule " << c.program->rules[r].id;
      fired_total += expected;
    }
  }
  EXPECT_GT(fired_total, 1000);
}

// Numeric atoms split a field into classes at their constants: the values
// at, just below and just above each constant, and the int64 extremes.
TEST(RuleIndex, NumericBoundariesAreExact) {
  const int64_t values[] = {INT64_MIN, -1, 0, 4, 5, 6, 9, 10, 11, INT64_MAX};
  const char* conds[] = {"mcc >= 5", "mcc > 5", "mcc < 10 and mcc >= 5", "mcc <= 5", "mcc == 10",
                         "mcc != 10", "mcc in {0, 5, 11}", "mcc not in {0, 5, 11}",
                         "not (mcc < 5) and mcc != 9"};
  for (const char* cond : conds) {
    for (int64_t v : values) {
      bool want = false;
      std::string c = cond;
      if (c == "mcc >= 5") want = v >= 5;
      if (c == "mcc > 5") want = v > 5;
      if (c == "mcc < 10 and mcc >= 5") want = v < 10 && v >= 5;
      if (c == "mcc <= 5") want = v <= 5;
      if (c == "mcc == 10") want = v == 10;
      if (c == "mcc != 10") want = v != 10;
      if (c == "mcc in {0, 5, 11}") want = v == 0 || v == 5 || v == 11;
      if (c == "mcc not in {0, 5, 11}") want = !(v == 0 || v == 5 || v == 11);
      if (c == "not (mcc < 5) and mcc != 9") want = v >= 5 && v != 9;
      EXPECT_EQ(FiresIndexed(cond, {{"mcc", v}}), want) << cond << " with mcc = " << v;
    }
    // An atom on a missing field is unknown, negated or not.
    EXPECT_FALSE(FiresIndexed(cond, {})) << cond << " with mcc missing";
  }
}

TEST(RuleIndex, DecidedAtomsLeaveTheResidual) {
  Compilation c = CompileIndexed(Header() +
                              "rule a { when country == \"PH\" and amount >= 10.00 then score 1 }\n"
                              "rule b { when country != card_country and mcc in {1, 2} then score 1 }\n"
                              "rule c { when contains(name, \"x\") or mcc == 3 then score 1 }\n");
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  const eval::Program& p = *c.program;
  EXPECT_EQ(p.rule_index.indexed_rules(), 2u);
  EXPECT_EQ(p.rule_index.indexed_fields(), 3u);  // country, amount, mcc
  EXPECT_EQ(p.residuals[0].count, 0u);  // both atoms decided by the index
  EXPECT_EQ(p.residuals[1].count, 1u);  // country != card_country is left
  EXPECT_EQ(p.residuals[2].count, 1u);  // an `or` is evaluated whole
  EXPECT_TRUE(FiresIndexed("country == \"PH\" and amount >= 10.00",
                    {{"country", std::string("PH")}, {"amount", Dec{"10.00"}}}));
  EXPECT_FALSE(FiresIndexed("country == \"PH\" and amount >= 10.00",
                     {{"country", std::string("PH")}, {"amount", Dec{"9.99"}}}));
}

}  // namespace
}  // namespace vigil::testing
