// The rule prefilter must never change results: for random events over the
// generated-style rule shapes, every rule fires exactly when its condition,
// evaluated on its own without the index, is true.
#include <random>

#include "eval/evaluator.hpp"
#include "test_util.hpp"

namespace vigil::testing {
namespace {

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
  Compilation c = CompileText(rules);
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

}  // namespace
}  // namespace vigil::testing
