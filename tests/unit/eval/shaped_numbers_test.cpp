// The shaped line's number readers (eval/shaped_numbers.hpp) on their own:
// that each plain form is taken, with the reference reader's value and the
// end where it ends, and that each other form is refused. The line tests
// (event_json_fast_test.cpp) compare whole lines with the reference reader,
// which a reader that refused everything would also pass.
#include "eval/shaped_numbers.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cstring>
#include <string>

#include "base/decimal.hpp"

namespace vigil::testing {
namespace {

using eval::shaped_numbers::ShapedDecimal;
using eval::shaped_numbers::ShapedInt;

// `text` then `after`, then the padding a shaped line has after it.
std::string Padded(const std::string& text, const std::string& after) {
  return text + after + std::string(kJsonShapePadding, '\0');
}

const char* const kEnds[] = {",", "}", " ", ""};

TEST(ShapedNumbers, EveryPlainIntegerOfOneToEighteenDigitsIsTaken) {
  const char digits[] = "9081726354";
  int taken = 0;
  for (int n = 1; n <= 18; ++n) {
    for (int form = 0; form < 4; ++form) {  // mixed digits, nines, a power of ten, negative
      std::string text;
      for (int i = 0; i < n; ++i) text += form == 1 ? '9' : digits[(i * 7 + n) % 10];
      if (form == 2) text = "1" + std::string(static_cast<size_t>(n - 1), '0');
      if (text[0] == '0') text[0] = '7';
      if (form == 3) text = "-" + text;
      int64_t want = 0;
      std::from_chars(text.data(), text.data() + text.size(), want);
      for (const char* end : kEnds) {
        const std::string buffer = Padded(text, end);
        const char* p = buffer.data();
        int64_t got = -1;
        ASSERT_TRUE(ShapedInt(p, &got)) << text << " then '" << end << "'";
        EXPECT_EQ(got, want) << text;
        EXPECT_EQ(p, buffer.data() + text.size()) << text;
        ++taken;
      }
    }
  }
  for (const char* text : {"0", "7", "-7", "10", "-9999999"}) {
    const std::string buffer = Padded(text, ",");
    const char* p = buffer.data();
    int64_t got = -1;
    ASSERT_TRUE(ShapedInt(p, &got)) << text;
    EXPECT_EQ(got, std::stoll(text));
    ++taken;
  }
  EXPECT_EQ(taken, 18 * 4 * 4 + 5);
}

TEST(ShapedNumbers, OtherIntegerFormsAreRefused) {
  // Leading zeros (not JSON), "-0" (the reference path reads it), no digit,
  // and more digits than cannot overflow, short and long.
  for (const char* text : {"00", "01", "-01", "00000000001", "-0", "-", "-x", "1234567890123456789",
                           "-9223372036854775808"}) {
    const std::string buffer = Padded(text, ",");
    const char* p = buffer.data();
    int64_t got = 0;
    EXPECT_FALSE(ShapedInt(p, &got)) << text;
    EXPECT_EQ(p, buffer.data()) << text << ": refused, yet moved";
  }
}

TEST(ShapedNumbers, PlainDecimalsAreTakenAsParseDecimalReadsThem) {
  int taken = 0;
  for (int whole = 1; whole <= 12; ++whole) {
    for (int scale = 0; scale <= 6; ++scale) {
      for (bool negative : {false, true}) {
        std::string text = negative ? "-" : "";
        for (int i = 0; i < whole; ++i) text += static_cast<char>('1' + (i * 3 + whole) % 9);
        if (scale > 0) text += ".";
        for (int i = 0; i < scale; ++i) text += static_cast<char>('0' + (i * 7 + scale) % 10);
        const auto want = ParseDecimal(text);
        ASSERT_TRUE(want.has_value()) << text;
        for (const char* end : kEnds) {
          const std::string buffer = Padded(text, end);
          const char* p = buffer.data();
          Decimal got{};
          ASSERT_TRUE(ShapedDecimal(p, &got)) << text << " then '" << end << "'";
          EXPECT_EQ(got.units, want->units) << text;
          EXPECT_EQ(got.scale, want->scale) << text;
          EXPECT_EQ(p, buffer.data() + text.size()) << text;
          ++taken;
        }
      }
    }
  }
  // A zero whole part (the one leading zero JSON allows), on both paths.
  for (const char* text : {"0", "0.5", "-0.25", "0.000001", "0.123456", "-0.1"}) {
    const auto want = ParseDecimal(text);
    ASSERT_TRUE(want.has_value()) << text;
    const std::string buffer = Padded(text, ",");
    const char* p = buffer.data();
    Decimal got{};
    ASSERT_TRUE(ShapedDecimal(p, &got)) << text;
    EXPECT_EQ(got.units, want->units) << text;
    EXPECT_EQ(got.scale, want->scale) << text;
    EXPECT_EQ(p, buffer.data() + std::strlen(text)) << text;
    ++taken;
  }
  EXPECT_EQ(taken, 12 * 7 * 2 * 4 + 6);
}

// A number followed by an exponent is another number (2.5e-7, 1.0E7: how
// Java and JavaScript write small and large numbers): refused, so that
// Convert reads it whole (ParseDecimal takes exponents). Taking its digits
// up to the 'e' would give the line to the strict check at the next member.
TEST(ShapedNumbers, ADecimalWithAnExponentIsRefused) {
  for (const char* text : {"2.5e1", "2.5E1", "7.25e-2", "1.5E+3", "26.93e0", "123.4567e2", "0.5e1",
                           "25e-1", "1.", ".5", "01.5", "1.1234567"}) {
    const std::string buffer = Padded(text, ",");
    const char* p = buffer.data();
    Decimal got{};
    EXPECT_FALSE(ShapedDecimal(p, &got)) << text;
    EXPECT_EQ(p, buffer.data()) << text << ": refused, yet moved";
  }
}

}  // namespace
}  // namespace vigil::testing
