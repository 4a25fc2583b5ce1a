// The parser: accepted forms, syntax errors in our words, and the limits
// that keep hostile rule files from crashing or hanging the compiler.
#include "test_util.hpp"

namespace vigil::testing {
namespace {

bool HasCode(const Compilation& c, const std::string& code) {
  for (const auto& x : Codes(c)) {
    if (x == code) return true;
  }
  return false;
}

std::string FirstMessage(const Compilation& c) {
  return c.diagnostics.empty() ? std::string() : c.diagnostics[0].message;
}

TEST(Parse, AcceptsTheSpecOverviewWithoutAggregates) {
  Compilation c = CompileText(R"(
ruleset fcacp.csam_commerce version "1.4.0"
schema card_txn version 1 {
  ts: time
  card_id: string @key @pii
  amount: decimal
  mcc: int
  merchant_country: string
  card_country: string
  currency: string
  merchant_id: string @key
}
uses schema card_txn

const HIGH_RISK_MCC = {5967, 4816, 7273, 5816, 6051}
param SMALL_AMOUNT: decimal = 50.00
let cross_border = merchant_country != card_country   // a comment

rule small_cross_border_digital {
  title    "Repeated small cross-border payments to high-risk digital merchants"
  severity high
  tags     "typology:live-streaming", "source:fintrac-2020"
  when amount < SMALL_AMOUNT
   and mcc in HIGH_RISK_MCC
   and cross_border
  then score  40
       decide review
       reason "{amount} {currency} to {merchant_id}"
}

test "small payment goes to review" {
  event { ts: 2026-03-01T10:00:00Z, card_id: "c1", amount: 20.00, mcc: 5967,
          merchant_country: "PH", card_country: "NZ", currency: "NZD", merchant_id: "m9" }
    repeat 4 every 1h
    expect fires small_cross_border_digital, decision review, score 40
}
)");
  EXPECT_TRUE(c.ok()) << c.RenderDiagnostics();
  ASSERT_EQ(c.tests.size(), 1u);
  EXPECT_EQ(c.tests[0].steps[0].repeat, 4);
  EXPECT_EQ(c.tests[0].steps[0].every_micros, 3600000000LL);
}

TEST(Parse, KeywordsThatIntroduceClausesAreStillFieldNames) {
  Compilation c = CompileText(R"(ruleset a.b version "1.0.0"
schema s version 1 { score: int  version: string  event: string  tag: string }
uses schema s
rule r { when score > 5 and version == "2" and event != tag then score 1 }
)");
  EXPECT_TRUE(c.ok()) << c.RenderDiagnostics();
}

TEST(Parse, RulesetNamesMayUseReservedWords) {
  Compilation c = CompileText("ruleset acme.test.rule version \"1.0.0\"\n");
  EXPECT_TRUE(c.ok()) << c.RenderDiagnostics();
}

TEST(Parse, ExpectedExpressionAfterOperator) {
  Compilation c = CompileText(Header() + "rule r { when amount > 1 and then score 1 }\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(Codes(c)[0], "E1003");
  EXPECT_EQ(FirstMessage(c), "expected an expression after 'and', found 'then'");
}

TEST(Parse, UnexpectedCharacter) {
  Compilation c = CompileText(Header() + "rule r { when amount $ 1 then score 1 }\n");
  EXPECT_TRUE(HasCode(c, "E1001"));
  EXPECT_EQ(FirstMessage(c), "unexpected character '$'");
}

TEST(Parse, UnterminatedString) {
  Compilation c = CompileText(Header() + "rule r { when country == \"PH then score 1 }\n");
  EXPECT_TRUE(HasCode(c, "E1002"));
}

TEST(Parse, UnexpectedEndOfFile) {
  Compilation c = CompileText(Header() + "rule r { when amount > 1 then score 1\n");
  EXPECT_TRUE(HasCode(c, "E1004"));
}

TEST(Parse, BadEscapeAndBadDuration) {
  Compilation c = CompileText(Header() + "rule r { when name == \"a\\qb\" then score 1 }\n");
  EXPECT_TRUE(HasCode(c, "E1005"));
  c = CompileText(Header() + "rule r { when wait > 24hours then score 1 }\n");
  EXPECT_TRUE(HasCode(c, "E1006"));
  EXPECT_EQ(FirstMessage(c), "unknown duration unit 'hours' in '24hours'");
}

TEST(Parse, BadTimeAndVersion) {
  Compilation c = CompileText(Header() + "rule r { when ts > 2026-02-30T00:00:00Z then score 1 }\n");
  EXPECT_TRUE(HasCode(c, "E1007"));
  c = CompileText("ruleset a.b version \"1.0\"\n");
  EXPECT_TRUE(HasCode(c, "E1010"));
}

TEST(Parse, SeveralErrorsInOneRun) {
  Compilation c = CompileText(Header() + R"(
rule a { when amount > then score 1 }
rule b { when $ then score 1 }
rule c { when amount < 5 then score }
)");
  EXPECT_GE(c.error_count(), 3u) << c.RenderDiagnostics();
}

TEST(Parse, ErrorsStopAtTheLimit) {
  std::string text = Header();
  for (int i = 0; i < 100; ++i) text += "rule r" + std::to_string(i) + " { when $ then score 1 }\n";
  Compilation c = CompileText(text);
  EXPECT_TRUE(HasCode(c, "E4005"));
  EXPECT_LE(c.diagnostics.size(), 21u);
}

TEST(Limits, DeepNestingIsAnErrorNotACrash) {
  std::string deep(100000, '(');
  deep += "true";
  deep += std::string(100000, ')');
  Compilation c = CompileText(Header() + "rule r { when " + deep + " then score 1 }\n");
  EXPECT_TRUE(HasCode(c, "E4004"));
}

TEST(Limits, DeepUnaryChainsAreAnError) {
  std::string nots;
  for (int i = 0; i < 50000; ++i) nots += "not ";
  Compilation c = CompileText(Header() + "rule r { when " + nots + "true then score 1 }\n");
  EXPECT_TRUE(HasCode(c, "E4004"));
}

TEST(Limits, LongArithmeticChainsAreAnError) {
  std::string sum = "mcc";
  for (int i = 0; i < 5000; ++i) sum += " + 1";
  Compilation c = CompileText(Header() + "rule r { when " + sum + " > 0 then score 1 }\n");
  EXPECT_TRUE(HasCode(c, "E4004"));
}

TEST(Limits, LongAndChainsAreFine) {
  std::string cond = "mcc > 0";
  for (int i = 0; i < 5000; ++i) cond += " and mcc > 0";
  Compilation c = CompileText(Header() + "rule r { when " + cond + " then score 1 }\n");
  EXPECT_TRUE(c.ok()) << c.RenderDiagnostics();
}

TEST(Limits, HugeIdentifier) {
  Compilation c = CompileText(Header() + "rule r { when " + std::string(100000, 'x') +
                              " > 1 then score 1 }\n");
  EXPECT_TRUE(HasCode(c, "E4002"));
}

TEST(Limits, HugeString) {
  Compilation c = CompileText(Header() + "rule r { when name == \"" + std::string(100000, 'x') +
                              "\" then score 1 }\n");
  EXPECT_TRUE(HasCode(c, "E4003"));
}

TEST(Limits, HugeFile) {
  std::string text = Header() + "# " + std::string(50u << 20, 'x') + "\n";
  Compilation c = CompileText(text);
  EXPECT_TRUE(HasCode(c, "E4001"));
}

TEST(Limits, InvalidUtf8) {
  Compilation c = CompileText(Header() + "rule r { when name == \"\xC3\x28\" then score 1 }\n");
  EXPECT_TRUE(HasCode(c, "E1008"));
}

TEST(Limits, EmptyAndGarbageFilesDoNotCrash) {
  EXPECT_TRUE(CompileText("").ok() || true);
  for (const char* junk : {"}}}}", "rule", "rule r {", "((((", "\"", "@@@", "ruleset",
                           "rule r { when then }", "let = 5", "schema s version x {"}) {
    Compilation c = CompileText(junk);
    EXPECT_FALSE(c.ok()) << junk;
    EXPECT_FALSE(c.diagnostics.empty()) << junk;
  }
}

}  // namespace
}  // namespace vigil::testing
