// Lint warnings (W5xxx): each one fires where it should, not where it
// should not, and is silenced by `# vigil: allow`.
#include "test_util.hpp"

namespace vigil::testing {
namespace {

std::vector<std::string> Warnings(const std::string& body, const std::string& path = "l.vgl") {
  Compilation c = CompileText(Header() + body, path);
  EXPECT_TRUE(c.ok()) << c.RenderDiagnostics();
  std::vector<std::string> out;
  for (const auto& d : c.diagnostics) {
    if (d.severity == Severity::kWarning) out.push_back(CodeName(d));
  }
  return out;
}

std::string LintRule(const std::string& cond) {
  return "rule r {\n  title \"t\"\n  severity low\n  when " + cond + "\n  then score 1\n}\n";
}

using V = std::vector<std::string>;

TEST(Lint, CleanRulesHaveNoWarnings) {
  EXPECT_EQ(Warnings(LintRule("amount > 10 and amount < 20 and country == \"PH\"")), V{});
  EXPECT_EQ(Warnings(LintRule("amount >= 10 and amount <= 10")), V{});  // exactly 10: possible
  EXPECT_EQ(Warnings(LintRule("country != \"US\" and country != \"PH\"")), V{});
  // Set literals are not declarations.
  EXPECT_EQ(Warnings(LintRule("country in {\"US\", \"PH\"} and mcc in {1, 2}")), V{});
}

TEST(Lint, UnusedDeclarations) {
  EXPECT_EQ(Warnings("const A = 1\nparam P: int = 2\nlet l = amount > 1\nlist L: set<string> = {\"a\"}\n" +
                     LintRule("amount > 1")),
            (V{"W5001", "W5001", "W5001", "W5001"}));
  // Used through another const, a let, a list membership and a param: no warning.
  EXPECT_EQ(Warnings("const A = 1\nconst B = A\nparam P: int = 2\nlist L: set<string> = {\"a\"}\n"
                     "let l = amount > B\n" +
                     LintRule("l and count_ > P and country in L")),
            V{});
}

TEST(Lint, ConstantConditions) {
  EXPECT_EQ(Warnings(LintRule("1 < 2")), V{"W5002"});
  EXPECT_EQ(Warnings(LintRule("\"a\" == \"b\"")), V{"W5002"});
}

TEST(Lint, ContradictoryComparisons) {
  EXPECT_EQ(Warnings(LintRule("amount < 10 and amount > 20")), V{"W5003"});
  EXPECT_EQ(Warnings(LintRule("amount > 10 and amount <= 10.00")), V{"W5003"});
  EXPECT_EQ(Warnings(LintRule("mcc == 5967 and mcc == 4829")), V{"W5003"});
  EXPECT_EQ(Warnings(LintRule("country == \"US\" and country == \"PH\"")), V{"W5003"});
  EXPECT_EQ(Warnings(LintRule("country == \"US\" and country != \"US\"")), V{"W5003"});
  EXPECT_EQ(Warnings(LintRule("ts > 2026-01-02T00:00:00Z and ts < 2026-01-01T00:00:00Z")), V{"W5003"});
  // Different fields, or an `or`, are not contradictions.
  EXPECT_EQ(Warnings(LintRule("amount < 10 and count_ > 20")), V{});
  EXPECT_EQ(Warnings(LintRule("amount < 10 or amount > 20")), V{});
}

TEST(Lint, RulesWithoutTitleOrSeverity) {
  EXPECT_EQ(Warnings("rule r { when amount > 1 then score 1 }\n"), (V{"W5005", "W5006"}));
}

TEST(Lint, DuplicateRuleIdsAcrossRuleSets) {
  Compilation c = CompileSources(
      {SourceInput{"a.vgl", Header() + LintRule("amount > 1")},
       SourceInput{"b.vgl", "ruleset t.other version \"1.0.0\"\nimport \"a.vgl\"\n" + LintRule("amount > 2")}});
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  std::vector<std::string> codes;
  for (const auto& d : c.diagnostics) codes.push_back(CodeName(d));
  EXPECT_EQ(codes, V{"W5004"});
  EXPECT_NE(c.diagnostics[0].message.find("rule id 'r' is also used in rule set 't.unit'"),
            std::string::npos)
      << c.diagnostics[0].message;
}

TEST(Lint, AllowCommentsSilenceOneRuleOrDeclaration) {
  EXPECT_EQ(Warnings("# vigil: allow W5001\nconst A = 1\nconst B = 2\n" + LintRule("amount > 1")),
            V{"W5001"});  // B still warns
  EXPECT_EQ(Warnings("# vigil: allow W5005, W5006\nrule r { when amount > 1 then score 1 }\n"), V{});
  EXPECT_EQ(Warnings("rule r {\n  title \"t\"\n  severity low\n  # vigil: allow W5003\n"
                     "  when amount < 1 and amount > 2\n  then score 1\n}\n"),
            V{});
  // Another code does not silence it.
  EXPECT_EQ(Warnings("# vigil: allow W5001\n" + LintRule("amount < 1 and amount > 2")), V{"W5003"});
}

}  // namespace
}  // namespace vigil::testing
