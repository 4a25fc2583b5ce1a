#include "base/decimal.hpp"

#include <gtest/gtest.h>

namespace vigil {
namespace {

Decimal D(const char* s) {
  std::optional<Decimal> d = ParseDecimal(s);
  EXPECT_TRUE(d.has_value()) << s;
  return d.value_or(Decimal{});
}

TEST(DecimalParse, KeepsScaleAndValue) {
  EXPECT_EQ(D("20.00").units, 20000000);
  EXPECT_EQ(D("20.00").scale, 2);
  EXPECT_EQ(D("-0.5").units, -500000);
  EXPECT_EQ(D("+7").units, 7000000);
  EXPECT_EQ(D("1.5e2").units, 150000000);
  EXPECT_EQ(D("15E-1").units, 1500000);
  EXPECT_EQ(D("0.123456").units, 123456);
  EXPECT_EQ(D("1.5000000").units, 1500000);  // trailing zeros past 6 digits are exact
}

TEST(DecimalParse, RejectsInexactAndMalformed) {
  for (const char* bad : {"", "1.", ".5", "--1", "1e400", "0.1234567", "abc", "1,5", "1e",
                          "9223372036854.775808", "1 "}) {
    EXPECT_FALSE(ParseDecimal(bad).has_value()) << bad;
  }
  EXPECT_TRUE(ParseDecimal("9223372036854.775807").has_value());
  EXPECT_TRUE(ParseDecimal("-9223372036854.775808").has_value());
}

TEST(DecimalArithmetic, ExactTenths) {
  Decimal r;
  ASSERT_TRUE(DecimalAdd(D("0.10"), D("0.20"), &r));
  EXPECT_EQ(DecimalCompare(r, D("0.30")), 0);
  EXPECT_EQ(DecimalToString(r), "0.30");
}

TEST(DecimalArithmetic, MulAndDivRoundHalfToEven) {
  Decimal r;
  ASSERT_TRUE(DecimalDiv(D("1"), D("3"), &r));
  EXPECT_EQ(r.units, 333333);
  ASSERT_TRUE(DecimalDiv(D("2"), D("3"), &r));
  EXPECT_EQ(r.units, 666667);
  // 0.000005 / 2 = 0.0000025 → ties to even → 0.000002
  ASSERT_TRUE(DecimalDiv(D("0.000005"), D("2"), &r));
  EXPECT_EQ(r.units, 2);
  ASSERT_TRUE(DecimalDiv(D("0.000015"), D("2"), &r));
  EXPECT_EQ(r.units, 8);
  ASSERT_TRUE(DecimalMul(D("1.5"), D("0.000001"), &r));
  EXPECT_EQ(r.units, 2);  // 0.0000015 → 0.000002
  ASSERT_TRUE(DecimalMul(D("12.34"), D("2.5"), &r));
  EXPECT_EQ(DecimalToString(r), "30.850");
}

TEST(DecimalArithmetic, OverflowAndDivisionByZeroFail) {
  Decimal r;
  EXPECT_FALSE(DecimalAdd(D("9223372036854.775807"), D("0.000001"), &r));
  EXPECT_FALSE(DecimalSub(D("-9223372036854.775808"), D("0.000001"), &r));
  EXPECT_FALSE(DecimalMul(D("9000000000000"), D("2"), &r));
  EXPECT_FALSE(DecimalDiv(D("1"), D("0"), &r));
  EXPECT_FALSE(DecimalMod(D("1"), D("0"), &r));
  EXPECT_FALSE(DecimalNeg(D("-9223372036854.775808"), &r));
  EXPECT_FALSE(DecimalFromInt(INT64_MAX).has_value());
  EXPECT_EQ(DecimalFromInt(-5)->units, -5000000);
}

TEST(DecimalFormat, PrintsScaleAndNeverDropsDigits) {
  EXPECT_EQ(DecimalToString(D("-12.30")), "-12.30");
  EXPECT_EQ(DecimalToString(D("7")), "7");
  EXPECT_EQ(DecimalToString(Decimal{1500000, 0}), "1.5");  // a scale too small is widened
  EXPECT_EQ(DecimalToString(D("-9223372036854.775808")), "-9223372036854.775808");
  EXPECT_DOUBLE_EQ(DecimalToDouble(D("-2.25")), -2.25);
}

}  // namespace
}  // namespace vigil
