// LineRules (stream/line_rules.hpp) alone: what each cut between two '\n'
// is, and the text it narrows to. Both readers' cut loops call it; their
// tests (block_lines_test.cpp) compare whole inputs with the line model.
#include "stream/line_rules.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vigil::stream {
namespace {

struct Judged {
  LineIs is;
  std::string text;  // the narrowed text, for kEvent
};

Judged JudgeLine(const LineRules& rules, const std::string& line, bool first) {
  // The line sits inside other bytes, as in a chunk's buffer: the rules
  // must read only [start, start + size).
  const std::string buffer = "\xEF\xBB\xBFxx" + line + "\r\n";
  size_t start = 5;
  size_t size = line.size();
  const LineIs is = rules.Judge(buffer.data(), start, size, first);
  return {is, is == LineIs::kEvent ? buffer.substr(start, size) : std::string()};
}

TEST(LineRules, AnEventLineKeepsItsTextWithoutItsCarriageReturn) {
  const LineRules rules(10, " \t");
  EXPECT_EQ(JudgeLine(rules, "{}", false).is, LineIs::kEvent);
  EXPECT_EQ(JudgeLine(rules, "{}", false).text, "{}");
  EXPECT_EQ(JudgeLine(rules, "{}\r", false).text, "{}");
  EXPECT_EQ(JudgeLine(rules, "{}\r\r", false).text, "{}\r");  // only one '\r' goes
  EXPECT_EQ(JudgeLine(rules, "\r{}", false).text, "\r{}");    // and only at the end
}

TEST(LineRules, TheLimitCountsTheCarriageReturnAndTheBom) {
  const LineRules rules(4, "");
  EXPECT_EQ(JudgeLine(rules, "abcd", false).is, LineIs::kEvent);
  EXPECT_EQ(JudgeLine(rules, "abcde", false).is, LineIs::kTooLong);
  EXPECT_EQ(JudgeLine(rules, "abcd\r", false).is, LineIs::kTooLong);
  EXPECT_EQ(JudgeLine(rules, "abc\r", false).text, "abc");
  EXPECT_EQ(JudgeLine(rules, "\xEF\xBB\xBF" "a", true).text, "a");
  EXPECT_EQ(JudgeLine(rules, "\xEF\xBB\xBF" "ab", true).is, LineIs::kTooLong);
}

TEST(LineRules, OnlyTheInputsFirstLineLosesItsBom) {
  const LineRules rules(100, " ");
  EXPECT_EQ(JudgeLine(rules, "\xEF\xBB\xBF{}", true).text, "{}");
  EXPECT_EQ(JudgeLine(rules, "\xEF\xBB\xBF{}", false).text, "\xEF\xBB\xBF{}");
  EXPECT_EQ(JudgeLine(rules, "\xEF\xBB\xBF{}\r", true).text, "{}");
  EXPECT_EQ(JudgeLine(rules, "\xEF\xBB{}", true).text, "\xEF\xBB{}");  // not a whole BOM
  EXPECT_EQ(JudgeLine(rules, "\xEF\xBB\xBF", true).is, LineIs::kBlank);
  EXPECT_EQ(JudgeLine(rules, "\xEF\xBB\xBF \r", true).is, LineIs::kBlank);
  EXPECT_EQ(JudgeLine(rules, "\xEF\xBB\xBF", false).is, LineIs::kEvent);  // a later BOM is text
}

TEST(LineRules, ABlankLineIsOneOfOnlyBlankBytes) {
  const LineRules rules(100, " \t");
  EXPECT_EQ(JudgeLine(rules, "", false).is, LineIs::kBlank);
  EXPECT_EQ(JudgeLine(rules, "\r", false).is, LineIs::kBlank);
  EXPECT_EQ(JudgeLine(rules, " \t ", false).is, LineIs::kBlank);
  EXPECT_EQ(JudgeLine(rules, " \t \r", false).is, LineIs::kBlank);
  EXPECT_EQ(JudgeLine(rules, " {}", false).text, " {}");  // starts blank, is not
  EXPECT_EQ(JudgeLine(rules, "  x", false).is, LineIs::kEvent);
  EXPECT_EQ(JudgeLine(rules, "\f", false).is, LineIs::kEvent);  // not one of the blank bytes
  // No blank bytes given: only an empty line is blank.
  const LineRules none(100, "");
  EXPECT_EQ(JudgeLine(none, " ", false).is, LineIs::kEvent);
  EXPECT_EQ(JudgeLine(none, "\r", false).is, LineIs::kBlank);
}

TEST(LineRules, ALineOverTheLimitIsTooLongEvenIfBlank) {
  const LineRules rules(3, " ");
  EXPECT_EQ(JudgeLine(rules, "    ", false).is, LineIs::kTooLong);
  EXPECT_EQ(JudgeLine(rules, "   ", false).is, LineIs::kBlank);
}

TEST(LineRules, CutWritesTheLineRefOfAnEventOrATooLongLineAndNothingForABlankOne) {
  const LineRules rules(6, " ");
  const std::string text = "\xEF\xBB\xBF{}\r\n   \n{\"a\":1}\n{}\r\n";
  LineRef out{99, 99, 99, true};
  ASSERT_TRUE(rules.Cut(text.data(), 0, 6, 1, true, out));  // the BOM and the '\r' go
  EXPECT_EQ(out.offset, 3u);
  EXPECT_EQ(out.size, 2u);
  EXPECT_EQ(out.number, 1u);
  EXPECT_FALSE(out.too_long);
  out = LineRef{99, 99, 99, true};
  EXPECT_FALSE(rules.Cut(text.data(), 7, 10, 2, false, out));  // blank: nothing written
  EXPECT_EQ(out.offset, 99u);
  EXPECT_EQ(out.number, 99u);
  ASSERT_TRUE(rules.Cut(text.data(), 11, 18, 3, false, out));  // 7 bytes: over the limit
  EXPECT_TRUE(out.too_long);
  EXPECT_EQ(out.number, 3u);
  EXPECT_EQ(out.size, 0u);
  ASSERT_TRUE(rules.Cut(text.data(), 19, 22, 4, false, out));
  EXPECT_EQ(text.substr(out.offset, out.size), "{}");
  EXPECT_EQ(out.number, 4u);
  EXPECT_FALSE(out.too_long);
}

}  // namespace
}  // namespace vigil::stream
