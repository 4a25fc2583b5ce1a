// vigil fmt never writes what it cannot read back to the same tokens
// (issue 13: a file with a byte-order mark came out as `cons  WATC    {"PH"  "TH"`).
#include <gtest/gtest.h>

#include "format/format_text.hpp"
#include "format/formatter.hpp"

namespace vigil {
namespace {

using testing::FormatText;

TEST(FmtSafety, AFileWithAByteOrderMarkIsFormattedWithoutIt) {
  std::string errors;
  std::optional<std::string> out =
      FormatText("\xEF\xBB\xBF" "const WATCH = {\"PH\",\"TH\"}\n", &errors);
  ASSERT_TRUE(out) << errors;
  EXPECT_EQ(*out, "const WATCH = {\"PH\", \"TH\"}\n");
}

TEST(FmtSafety, TheTokenCheckCatchesTheOutputTheIssueSaw) {
  const std::string before = "const WATCH = {\"PH\",\"TH\"}\n";
  EXPECT_EQ(format::FirstChangedToken(before, "const WATCH = {\"PH\", \"TH\"}\n"), -1);
  EXPECT_EQ(format::FirstChangedToken(before, "const   WATCH={ \"PH\" ,\n \"TH\" }"), -1);
  // What the formatter wrote for the file with a BOM: every token shifted.
  EXPECT_EQ(format::FirstChangedToken(before, "cons  WATC    {\"PH\"  \"TH\"\n"), 0);
  // A lost, added or changed token anywhere, and a changed comment.
  EXPECT_EQ(format::FirstChangedToken(before, "const WATCH = {\"PH\"}\n"), 19);
  EXPECT_EQ(format::FirstChangedToken(before, "const WATCH = {\"PH\",\"TH\"}}\n"), 26);  // the end
  EXPECT_EQ(format::FirstChangedToken("x # a\n", "x # b\n"), 2);
  // Trailing blanks of a comment are layout.
  EXPECT_EQ(format::FirstChangedToken("x # a   \n", "x # a\n"), -1);
}

TEST(FmtSafety, EveryFormattedFileReadsBackToItsTokens) {
  // The check runs inside Format on every file; a file that formats at all
  // has passed it. Spot-check a file with comments, sets and templates.
  const std::string text =
      "ruleset t version \"1.0.0\"  # head\n"
      "schema s version 1 { ts: time\n amount: decimal }\nuses schema s\n"
      "rule r {\n title \"x\"\n  when amount>{1,2}   # why\n then score 1 reason \"{amount}\" }\n";
  std::string errors;
  std::optional<std::string> out = FormatText(text, &errors);
  ASSERT_TRUE(out) << errors;
  EXPECT_EQ(format::FirstChangedToken(text, *out), -1);
}

}  // namespace
}  // namespace vigil
