// Syntax errors a rule author meets often, in words that say what to do and
// at the place to do it (issue 13, "Parser").
#include <fmt/format.h>

#include <algorithm>

#include "test_util.hpp"

namespace vigil::testing {
namespace {

// "line:column: message" of the first diagnostic.
std::string First(const Compilation& c) {
  if (c.diagnostics.empty()) return "(no diagnostic)";
  const Diagnostic& d = c.diagnostics[0];
  LineCol at = c.sources.file(d.range.file).Position(d.range.begin);
  return fmt::format("{}:{}: {} {}", at.line, at.column, CodeName(d), d.message);
}

int HeaderLines() {
  const std::string header = Header();
  return static_cast<int>(std::count(header.begin(), header.end(), '\n'));
}

TEST(ParseErrors, MissingThenIsNamed) {
  Compilation c = CompileText(Header() + "rule r { when amount > 1 score 1 }\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(First(c), fmt::format("{}:26: E1003 expected 'then' before 'score': a rule's actions "
                                  "follow 'then'",
                                  HeaderLines() + 1));
}

TEST(ParseErrors, MissingThenBeforeDecide) {
  Compilation c = CompileText(Header() + "rule r { when amount > 1 decide review }\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(First(c).find("expected 'then' before 'decide'"), std::string::npos) << First(c);
}

TEST(ParseErrors, UnclosedParenthesisIsPointedAt) {
  Compilation c = CompileText(Header() +
                              "rule r {\n"
                              "  when (amount > 1 and mcc > 2\n"
                              "  then score 1\n"
                              "}\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(First(c), fmt::format("{}:8: E1003 this '(' is not closed: expected ')' before 'then' "
                                  "(line {})",
                                  HeaderLines() + 2, HeaderLines() + 3));
}

TEST(ParseErrors, InnermostUnclosedParenthesis) {
  Compilation c = CompileText(Header() +
                              "rule r {\n"
                              "  when (amount > 1 and (mcc > 2 or mcc < 1)\n"
                              "       and (ok\n"
                              "  then score 1\n"
                              "}\n");
  ASSERT_FALSE(c.ok());
  // `(ok` is the innermost '(' still open at 'then'.
  EXPECT_EQ(First(c).substr(0, First(c).find(' ')), fmt::format("{}:12:", HeaderLines() + 3))
      << First(c);
}

TEST(ParseErrors, RuleWithoutThenIsAnError) {
  Compilation c = CompileText(Header() + "rule quiet {\n  title \"q\"\n  when amount > 1\n}\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(First(c), fmt::format("{}:6: E1003 rule 'quiet' has no 'then' clause",
                                  HeaderLines() + 1));
}

TEST(ParseErrors, TestFileWithoutSchemaSaysWhyOnce) {
  Compilation c = CompileText(
      "ruleset t version \"1.0.0\"\n"
      "test \"a\" {\n  event { amount: 50.00, country: \"PH\" }\n}\n"
      "test \"b\" {\n  event { amount: 1.00 }\n}\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(First(c), "3:11: E2001 unknown field 'amount' in test event: no schema is in use");
  EXPECT_NE(c.diagnostics[0].help.find("uses schema"), std::string::npos);
  const std::vector<std::string> codes = Codes(c);
  EXPECT_EQ(std::count(codes.begin(), codes.end(), "E2001"), 1);
}

}  // namespace
}  // namespace vigil::testing
