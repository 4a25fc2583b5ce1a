// CompileOptions::index_rules = false (vigil check, the language server):
// no rule index is built, and the program still evaluates exactly as the
// indexed one does.
#include <random>

#include "api/test_runner.hpp"
#include "test_util.hpp"

namespace vigil::testing {
namespace {

CompileOptions WithoutIndex() {
  CompileOptions options;
  options.index_rules = false;
  return options;
}

TEST(IndexRules, RandomEventsFireTheSameRulesWithoutTheIndex) {
  std::string rules = Header();
  const char* countries[] = {"PH", "NZ", "US", "TH", "GB"};
  std::mt19937 rng(11);
  for (int r = 0; r < 60; ++r) {
    std::string cond;
    switch (r % 4) {
      case 0: cond = "country == \"" + std::string(countries[rng() % 5]) + "\" and amount > 10"; break;
      case 1: cond = "mcc in {5967, 4816, " + std::to_string(rng() % 10) + "} and country != card_country"; break;
      case 2: cond = "not (country == \"PH\") and mcc == " + std::to_string(rng() % 4); break;
      default: cond = "mcc == " + std::to_string(rng() % 4) + " and country in {\"US\", \"GB\"}"; break;
    }
    rules += "rule r" + std::to_string(r) + " { when " + cond + " then score 1 }\n";
  }
  CompileOptions with_index;
  with_index.strategy = plan::StrategyChoice::kIndex;  // 60 rules might be evaluated in order
  Compilation indexed = CompileSources({SourceInput{"test.vgl", rules}}, with_index);
  Compilation plain = CompileSources({SourceInput{"test.vgl", rules}}, WithoutIndex());
  ASSERT_TRUE(indexed.ok()) << indexed.RenderDiagnostics();
  ASSERT_TRUE(plain.ok()) << plain.RenderDiagnostics();
  EXPECT_EQ(indexed.RenderDiagnostics(), plain.RenderDiagnostics());
  // The indexed program does use the index, the other none.
  EXPECT_GT(indexed.program->rule_index.indexed_rules(), 20u);
  EXPECT_EQ(plain.program->rule_index.indexed_rules(), 0u);
  EXPECT_EQ(plain.program->rule_index.indexed_fields(), 0u);
  eval::Session a(indexed.program), b(plain.program);
  eval::Event ea(indexed.program->schema), eb(plain.program->schema);
  eval::Result ra, rb;
  size_t fired = 0;
  for (int i = 0; i < 2000; ++i) {
    ea.Reset();
    eb.Reset();
    const char* country = countries[rng() % 5];
    const char* card_country = countries[rng() % 5];
    const int mcc = static_cast<int>(rng() % 6 == 0 ? 5967 : rng() % 10);
    const std::string amount = std::to_string(rng() % 60) + ".50";
    for (eval::Event* e : {&ea, &eb}) {
      SetField(*e, "country", country);
      SetField(*e, "card_country", card_country);
      SetField(*e, "mcc", mcc);
      SetField(*e, "amount", Dec{amount});
    }
    a.Evaluate(ea, ra);
    b.Evaluate(eb, rb);
    std::vector<uint32_t> fa, fb;
    for (const auto& f : ra.fired) fa.push_back(f.rule);
    for (const auto& f : rb.fired) fb.push_back(f.rule);
    ASSERT_EQ(fa, fb) << "event " << i;
    fired += fa.size();
  }
  EXPECT_GT(fired, 500u);
}

TEST(IndexRules, CoalitionPackTestsGiveTheSameOutcomesWithoutTheIndex) {
  const std::vector<std::string> files{"rules/coalition/schema.vgl", "rules/coalition/rules.vgl",
                                       "rules/coalition/tests.vgl"};
  Compilation a = CompileFiles(files);
  Compilation b = CompileFiles(files, WithoutIndex());
  ASSERT_TRUE(a.ok()) << a.RenderDiagnostics();
  ASSERT_TRUE(b.ok()) << b.RenderDiagnostics();
  EXPECT_EQ(a.RenderDiagnostics(), b.RenderDiagnostics());
  TestReport ta = RunTests(a, {});
  TestReport tb = RunTests(b, {});
  ASSERT_GT(ta.tests.size(), 5u);
  EXPECT_EQ(ta.failed(), 0u);
  EXPECT_EQ(tb.failed(), 0u);
  EXPECT_EQ(ta.passed(), tb.passed());
  EXPECT_EQ(ta.never_fired, tb.never_fired);
}

}  // namespace
}  // namespace vigil::testing
