// Base rules for every input (issue 13, "wrong answers"): a byte-order mark is
// skipped the same way everywhere, text values are UTF-8 without NUL,
// decimals say why they are refused, and times stay in their range.
#include <gtest/gtest.h>

#include "base/bom.hpp"
#include "base/decimal.hpp"
#include "base/list_file.hpp"
#include "base/source.hpp"
#include "base/time_util.hpp"
#include "base/utf8.hpp"

namespace vigil::testing {
namespace {

TEST(Bom, SkippedOnceAtTheStartOnly) {
  EXPECT_EQ(SkipUtf8Bom("\xEF\xBB\xBF" "const"), "const");
  EXPECT_EQ(SkipUtf8Bom("const"), "const");
  EXPECT_EQ(SkipUtf8Bom("\xEF\xBB"), "\xEF\xBB");  // half a mark is content
  EXPECT_EQ(SkipUtf8Bom("a\xEF\xBB\xBF"), "a\xEF\xBB\xBF");
  std::string twice = "\xEF\xBB\xBF\xEF\xBB\xBFx";
  StripUtf8Bom(twice);
  EXPECT_EQ(twice, "\xEF\xBB\xBFx");  // only one mark is skipped
}

TEST(Bom, SourcesCountPositionsFromAfterTheMark) {
  SourceManager sources;
  uint32_t id = sources.Add("a.vgl", "\xEF\xBB\xBF" "const X = 1\n");
  EXPECT_EQ(sources.file(id).text(), "const X = 1\n");
  EXPECT_EQ(sources.file(id).Position(6).column, 7u);
}

TEST(TextValues, Utf8WithoutNul) {
  EXPECT_EQ(utf8::FindInvalidText("PH"), std::string_view::npos);
  EXPECT_EQ(utf8::FindInvalidText(std::string_view("P\0H", 3)), 1u);
  EXPECT_EQ(utf8::FindInvalidText("caf\xE9"), 3u);  // Latin-1
  EXPECT_EQ(utf8::DescribeInvalidText("caf\xE9", 3), "invalid UTF-8 (byte 0xE9)");
  EXPECT_EQ(utf8::DescribeInvalidText(std::string_view("P\0H", 3), 1),
            "a NUL character (U+0000), which no string may contain");
}

TEST(TextValues, ListFilesNameTheLine) {
  EXPECT_EQ(CheckListText("PH\nTH\n"), "");
  EXPECT_EQ(CheckListText("PH\nTH\ncaf\xE9\n"), "line 3: invalid UTF-8 (byte 0xE9)");
  EXPECT_EQ(CheckListText(std::string_view("PH\nT\0H\n", 7)),
            "line 2: a NUL character (U+0000), which no string may contain");
  // The CLI names the file the way its other list-line errors do (l.txt:3).
  EXPECT_EQ(CheckListText("PH\nTH\ncaf\xE9\n", "l.txt"), "l.txt:3: invalid UTF-8 (byte 0xE9)");
  EXPECT_EQ(CheckListText("PH\n", "l.txt"), "");
}

TEST(Decimals, SayWhyTheyAreRefused) {
  DecimalError why;
  // Zero with any exponent is zero.
  for (const char* zero : {"0E+384", "0e-400", "0.000E+99999", "-0E5"}) {
    std::optional<Decimal> d = ParseDecimal(zero, &why);
    ASSERT_TRUE(d) << zero;
    EXPECT_EQ(d->units, 0) << zero;
  }
  EXPECT_FALSE(ParseDecimal("1E+384", &why));
  EXPECT_EQ(why, DecimalError::kRange);
  EXPECT_FALSE(ParseDecimal("9223372036855", &why));
  EXPECT_EQ(why, DecimalError::kRange);
  EXPECT_FALSE(ParseDecimal("1e-7", &why));
  EXPECT_EQ(why, DecimalError::kPrecision);
  EXPECT_FALSE(ParseDecimal("0.1234567", &why));
  EXPECT_EQ(why, DecimalError::kPrecision);
  EXPECT_FALSE(ParseDecimal("12x", &why));
  EXPECT_EQ(why, DecimalError::kSyntax);
  EXPECT_STREQ(DecimalErrorText(DecimalError::kRange),
               "out of range (decimals hold ±9,223,372,036,854.775807)");
  // What was valid stays valid.
  EXPECT_EQ(ParseDecimal("1e2")->units, 100000000);
  EXPECT_EQ(ParseDecimal("1.5000000")->units, 1500000);
  EXPECT_EQ(ParseDecimal("9223372036854.775807")->units, INT64_MAX);
}

TEST(TimeRange, IsWhatRfc3339CanWrite) {
  EXPECT_EQ(*ParseTime("0001-01-01T00:00:00Z"), kMinTime);
  EXPECT_EQ(*ParseTime("9999-12-31T23:59:59.999999Z"), kMaxTime);
  // Offsets can push a written time out of the range.
  EXPECT_FALSE(ParseTime("0001-01-01T00:30:00+01:00"));
  EXPECT_FALSE(ParseTime("9999-12-31T23:30:00-01:00"));
  EXPECT_TRUE(InTimeRange(0));
  EXPECT_FALSE(InTimeRange(INT64_MAX));
  EXPECT_FALSE(InTimeRange(INT64_MIN));
  EXPECT_EQ(TimeToString(kMaxTime), "9999-12-31T23:59:59.999999Z");
  EXPECT_EQ(TimeToString(kMinTime), "0001-01-01T00:00:00Z");
}

TEST(TimeRange, LocalFieldsNeverOverflow) {
  // The issue: hour(ts, "Pacific/Auckland") at the top of the range.
  EXPECT_EQ(HourOf(kMaxTime, 13 * 3600), 12);
  EXPECT_EQ(WeekdayOf(kMaxTime, 13 * 3600), 6);  // 10000-01-01 would be a Saturday
  EXPECT_EQ(HourOf(kMinTime, -11 * 3600), 13);
  // Outside the range (never reached by values vigil holds) they say so.
  EXPECT_EQ(HourOf(INT64_MAX, 13 * 3600), -1);
  EXPECT_EQ(WeekdayOf(INT64_MIN, -3600), -1);
  EXPECT_EQ(DaysBetween(kMinTime, kMaxTime), 3652058);
  // Formatting the int64 limits does not overflow (a year past 9999 prints as such).
  EXPECT_FALSE(TimeToString(INT64_MIN).empty());
  EXPECT_FALSE(TimeToString(INT64_MAX).empty());
}

}  // namespace
}  // namespace vigil::testing
