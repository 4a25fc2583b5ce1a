// Name resolution and type checking: codes, messages and suggestions.
#include "test_util.hpp"

namespace vigil::testing {
namespace {

Compilation Rule(const std::string& cond, const std::string& extra = "") {
  return CompileText(Header() + extra + "rule r { when " + cond + " then score 1 }\n");
}

TEST(Check, UnknownFieldSuggestsTheClosestName) {
  Compilation c = Rule("amout > 10");
  ASSERT_EQ(Codes(c), std::vector<std::string>{"E2001"});
  EXPECT_EQ(c.diagnostics[0].message, "unknown name 'amout'");
  EXPECT_EQ(c.diagnostics[0].help, "did you mean 'amount'?");
}

TEST(Check, UnknownFunctionSuggests) {
  Compilation c = Rule("lowr(name) == \"a\"");
  ASSERT_EQ(Codes(c), std::vector<std::string>{"E2003"});
  EXPECT_EQ(c.diagnostics[0].help, "did you mean 'lower'?");
}

TEST(Check, TypeMismatch) {
  Compilation c = Rule("country == 5");
  ASSERT_EQ(Codes(c), std::vector<std::string>{"E3001"});
  EXPECT_EQ(c.diagnostics[0].message, "'==' cannot combine string and int");
}

TEST(Check, ConditionMustBeBool) {
  EXPECT_EQ(Codes(Rule("amount + 1")), std::vector<std::string>{"E3002"});
}

TEST(Check, WrongArguments) {
  Compilation c = Rule("contains(name) ");
  ASSERT_EQ(Codes(c), std::vector<std::string>{"E3003"});
  EXPECT_EQ(c.diagnostics[0].message, "contains() takes (string, string), but was given (string)");
}

TEST(Check, InvalidRegexIsACompileError) {
  EXPECT_EQ(Codes(Rule("name matches \"(unclosed\"")), std::vector<std::string>{"E3004"});
}

TEST(Check, UnknownDecisionSuggests) {
  Compilation c = CompileText(Header() + "rule r { when true then decide reviw }\n");
  ASSERT_EQ(Codes(c), std::vector<std::string>{"E2004"});
  EXPECT_EQ(c.diagnostics[0].help, "did you mean 'review'?");
}

TEST(Check, DuplicateRuleIds) {
  Compilation c = CompileText(Header() + "rule r { when true then score 1 }\nrule r { when true then score 1 }\n");
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E2008"});
}

TEST(Check, DuplicateNames) {
  EXPECT_EQ(Codes(CompileText(Header() + "const amount = 5\n")), std::vector<std::string>{"E2002"});
}

TEST(Check, LetCycle) {
  Compilation c = CompileText(Header() + "let a = b\nlet b = a\nrule r { when a then score 1 }\n");
  EXPECT_EQ(Codes(c)[0], "E2013");
}

TEST(Check, MixedSetTypes) {
  EXPECT_EQ(Codes(Rule("mcc in {1, \"a\"}")), std::vector<std::string>{"E3006"});
}

TEST(Check, ParamTypeMismatch) {
  EXPECT_EQ(Codes(CompileText(Header() + "param P: int = \"x\"\n")),
            std::vector<std::string>{"E3001"});
}

TEST(Check, UnknownSeverityAndMode) {
  Compilation c = CompileText(Header() + "rule r { severity hihg mode shdow when true then score 1 }\n");
  EXPECT_EQ(Codes(c), (std::vector<std::string>{"E2007", "E2007"}));
  EXPECT_EQ(c.diagnostics[0].help, "did you mean 'high'?");
}

TEST(Check, UnknownSchemaAndMissingUses) {
  EXPECT_EQ(Codes(CompileText("ruleset a.b version \"1.0.0\"\nuses schema nope\n")),
            std::vector<std::string>{"E2005"});
  Compilation c = CompileText(R"(ruleset a.b version "1.0.0"
schema s version 1 { amount: decimal }
rule r { when amount > 1 then score 1 }
)");
  ASSERT_EQ(Codes(c), std::vector<std::string>{"E2001"});
  EXPECT_EQ(c.diagnostics[0].help, "'amount' is a field of schema 's': add `uses schema s`");
}

TEST(Check, RulesNeedARuleset) {
  Compilation c = CompileText("schema s version 1 { a: int }\nuses schema s\nrule r { when a > 1 then score 1 }\n");
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E2014"});
}

TEST(Check, AggregatesAreTyped) {
  EXPECT_TRUE(Rule("count(by: card_id, within: 24h) >= 5").ok());
  EXPECT_TRUE(Rule("sum(amount, by: card_id, within: 1h, where: mcc == 5967) > 10.00").ok());
  EXPECT_TRUE(Rule("avg(count_, by: card_id, within: 1h) > 1.5").ok());  // avg(int) is a decimal
  EXPECT_TRUE(Rule("max(ts, by: card_id, within: 1h) > ts - 1h").ok());
  EXPECT_TRUE(Rule("distinct(country, by: card_id, within: 7d) >= 4").ok());
  EXPECT_TRUE(Rule("min(count_, 3) == 1").ok());  // min/max without by: are the plain functions
}

TEST(Check, AggregateArgumentErrors) {
  auto code = [](const std::string& cond) {
    std::vector<std::string> c = Codes(Rule(cond));
    return c.empty() ? std::string("ok") : c[0];
  };
  EXPECT_EQ(code("count(by: amount, within: 1h) > 1"), "E3012");      // not a @key field
  EXPECT_EQ(code("count(by: 3, within: 1h) > 1"), "E3012");           // not a field
  EXPECT_EQ(code("count(by: card_id, within: 3) > 1"), "E3012");      // not a duration
  EXPECT_EQ(code("count(by: card_id, within: -1h) > 1"), "E3012");    // not positive
  EXPECT_EQ(code("count(by: card_id) > 1"), "E3012");                 // no window
  EXPECT_EQ(code("count(amount, by: card_id, within: 1h) > 1"), "E3012");
  EXPECT_EQ(code("sum(by: card_id, within: 1h) > 1"), "E3012");       // nothing to sum
  EXPECT_EQ(code("sum(name, by: card_id, within: 1h) > 1"), "E3012"); // strings do not add
  EXPECT_EQ(code("count(by: card_id, within: 1h, per: 2) > 1"), "E2015");
  EXPECT_EQ(code("count(by: card_id, within: 1h, within: 2h) > 1"), "E3012");
  EXPECT_EQ(code("count(by: card_id, within: 1h, where: amount) > 1"), "E3002");
  EXPECT_EQ(code("sum(count(by: card_id, within: 1h), by: card_id, within: 1h) > 1"), "E3012");
}

TEST(Check, AggregatesNeedTheEventTime) {
  Compilation c = CompileText(R"(ruleset t.a version "1.0.0"
schema s version 1 { card: string @key }
uses schema s
rule r { when count(by: card, within: 1h) > 1 then score 1 }
)");
  ASSERT_EQ(Codes(c), std::vector<std::string>{"E3012"});
  EXPECT_NE(c.diagnostics[0].message.find("no `ts` or @time field"), std::string::npos);
}

TEST(Check, ManyErrorsInOneRun) {
  Compilation c = CompileText(Header() + R"(
rule a { when amout > 1 then score 1 }
rule b { when country == 5 then score 1 }
rule c { when lowr(name) == "x" then score 1 }
)");
  EXPECT_EQ(Codes(c), (std::vector<std::string>{"E2001", "E3001", "E2003"}));
}

TEST(Check, TestBlocksAreChecked) {
  Compilation c = CompileText(Header() + R"(
rule r { when amount > 1 then decide review }
test "t" {
  event { amonut: 5.00 } expect fires rr, decision revew
}
)");
  EXPECT_EQ(Codes(c), (std::vector<std::string>{"E2001", "E2011", "E2004"}));
}

TEST(Imports, ResolveRelativeAndDetectCycles) {
  Compilation c = CompileSources({
      {"pack/main.vgl", "ruleset a.b version \"1.0.0\"\nimport \"schema.vgl\"\nuses schema s\n"
                        "rule r { when x > 1 then score 1 }\n"},
      {"pack/schema.vgl", "schema s version 1 { x: int }\n"}});
  EXPECT_TRUE(c.ok()) << c.RenderDiagnostics();
  c = CompileSources({{"a.vgl", "import \"b.vgl\"\n"}, {"b.vgl", "import \"a.vgl\"\n"}},
                     [] { CompileOptions o; o.allow_filesystem = false; return o; }());
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E2010"});
  c = CompileSources({{"a.vgl", "import \"missing.vgl\"\n"}}, [] { CompileOptions o; o.allow_filesystem = false; return o; }());
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E2009"});
}

TEST(Lists, LoadedFromFilesWithCommentsAndErrors) {
  std::string dir = ::testing::TempDir() + "/vigil_lists";
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir + "/countries.txt") << "# watch countries\nPH\n  TH  \n\nCO\n";
    std::ofstream(dir + "/mccs.txt") << "5967\nabc\n";
  }
  std::string rules = Header() + "list W: set<string> from \"countries.txt\"\n"
                                 "rule r { when country in W then score 1 }\n";
  Compilation c = CompileSources({{dir + "/rules.vgl", rules}});
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  EXPECT_EQ(Evaluate(c, {{"country", "TH"}}).fired, std::vector<std::string>{"r"});
  EXPECT_TRUE(Evaluate(c, {{"country", "NZ"}}).fired.empty());
  c = CompileSources({{dir + "/rules.vgl", Header() + "list M: set<int> from \"mccs.txt\"\n"}});
  ASSERT_EQ(Codes(c), std::vector<std::string>{"E3009"});
  EXPECT_NE(c.RenderDiagnostics().find("mccs.txt:2:1"), std::string::npos) << c.RenderDiagnostics();
  c = CompileSources({{dir + "/rules.vgl", Header() + "list M: set<int> from \"nope.txt\"\n"}});
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E2009"});
}

}  // namespace
}  // namespace vigil::testing
