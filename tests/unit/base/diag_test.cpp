#include "base/diag.hpp"

#include <gtest/gtest.h>

#include "sema/suggest.hpp"

namespace vigil {
namespace {

TEST(Render, CaretUnderTheRangeWithHelp) {
  SourceManager sources;
  uint32_t id = sources.Add("r.vgl", "line one\n  when amout > 1\n");
  Diagnostic d{Severity::kError, DiagCode::kUnknownName, SourceRange{id, 16, 21}, true,
               "unknown name 'amout'", "did you mean 'amount'?"};
  EXPECT_EQ(Render(d, sources),
            "r.vgl:2:8: error[E2001]: unknown name 'amout'\n"
            " 2 |   when amout > 1\n"
            "   |        ^~~~~\n"
            "   = help: did you mean 'amount'?\n");
}

TEST(Render, ColumnsCountCodePoints) {
  SourceManager sources;
  uint32_t id = sources.Add("r.vgl", "\"é☕\" x\n");
  Diagnostic d{Severity::kError, DiagCode::kUnknownName, SourceRange{id, 8, 9}, true, "m", ""};
  // Column 6 (code points); the caret is 7 columns in because ☕ is wide.
  EXPECT_EQ(Render(d, sources), "r.vgl:1:6: error[E2001]: m\n 1 | \"é☕\" x\n   |       ^\n");
}

TEST(Render, WithoutRange) {
  SourceManager sources;
  Diagnostic d{Severity::kError, DiagCode::kFileNotFound, {}, false, "cannot read \"x\"", ""};
  EXPECT_EQ(Render(d, sources), "error[E2009]: cannot read \"x\"\n");
}

TEST(DiagSink, StopsAtTheLimit) {
  DiagSink sink(3);
  for (int i = 0; i < 10; ++i) sink.Error(DiagCode::kSyntax, {}, "x");
  EXPECT_EQ(sink.error_count(), 3u);
  ASSERT_EQ(sink.diagnostics().size(), 4u);
  EXPECT_EQ(sink.diagnostics().back().code, DiagCode::kTooManyErrors);
  EXPECT_TRUE(sink.saturated());
}

TEST(Suggest, SameKindCandidatesWithinDistance) {
  std::vector<std::string> names = {"amount", "account_age_days", "mcc", "merchant_id"};
  EXPECT_EQ(sema::SuggestionHelp("amout", names), "did you mean 'amount'?");
  EXPECT_EQ(sema::SuggestionHelp("AMOUNT", names), "did you mean 'amount'?");
  EXPECT_EQ(sema::SuggestionHelp("mmc", names), "did you mean 'mcc'?");  // transposition
  EXPECT_EQ(sema::SuggestionHelp("zzz", names), "");
  EXPECT_EQ(sema::SuggestionHelp(std::string(100000, 'a'), names), "");
  EXPECT_EQ(sema::EditDistance("kitten", "sitting"), 3u);
}

}  // namespace
}  // namespace vigil
