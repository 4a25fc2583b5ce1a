// Exact decimals, numeric promotion, overflow and division by zero
// (LANGUAGE.md §3), through compiled rules.
#include "test_util.hpp"

namespace vigil::testing {
namespace {

TEST(Decimal, TenthsAddUpExactly) {
  EXPECT_TRUE(Fires("0.10 + 0.20 == 0.30", {}));
  EXPECT_TRUE(Fires("amount + 0.20 == 0.30", {{"amount", Dec{"0.10"}}}));
  EXPECT_TRUE(Fires("amount * 3 == 0.30", {{"amount", Dec{"0.10"}}}));
}

TEST(Decimal, ComparisonIgnoresScale) {
  EXPECT_TRUE(Fires("amount == 20", {{"amount", Dec{"20.00"}}}));
  EXPECT_TRUE(Fires("amount == 20.0", {{"amount", Dec{"20.00"}}}));
  EXPECT_TRUE(Fires("amount < 50.00", {{"amount", Dec{"49.99"}}}));
  EXPECT_FALSE(Fires("amount < 50.00", {{"amount", Dec{"50.00"}}}));
}

TEST(Decimal, IntPromotesToDecimal) {
  EXPECT_TRUE(Fires("mcc + 0.5 == 5967.5", {{"mcc", 5967}}));
  EXPECT_TRUE(Fires("amount in {10, 20}", {{"amount", Dec{"20.00"}}}));
  EXPECT_TRUE(Fires("mcc in {5967.0, 1.5}", {{"mcc", 5967}}));
}

TEST(Decimal, DivisionRoundsToSixPlaces) {
  EXPECT_TRUE(Fires("1.00 / 3 == 0.333333", {}));
  EXPECT_TRUE(Fires("2.00 / 3 == 0.666667", {}));
}

TEST(Float, AnythingWithFloatIsFloat) {
  EXPECT_TRUE(Fires("rate * 2 > 0.5", {{"rate", 0.3}}));
  EXPECT_TRUE(Fires("amount + rate > 1.2", {{"amount", Dec{"1.00"}}, {"rate", 0.3}}));
}

TEST(Overflow, IntegerOverflowIsMissing) {
  EXPECT_TRUE(Fires("(mcc * 9223372036854775807) is missing", {{"mcc", 2}}));
  EXPECT_TRUE(Fires("(mcc + 9223372036854775807) is missing", {{"mcc", 1}}));
  EXPECT_TRUE(Fires("(-mcc - 9223372036854775807) is missing", {{"mcc", 2}}));
  EXPECT_FALSE(Fires("mcc * 9223372036854775807 > 0", {{"mcc", 2}}));
}

TEST(Overflow, DecimalOverflowIsMissing) {
  EXPECT_TRUE(Fires("(amount * amount) is missing", {{"amount", Dec{"9000000000000.00"}}}));
}

TEST(DivisionByZero, IsMissingNotACrash) {
  EXPECT_TRUE(Fires("(mcc / 0) is missing", {{"mcc", 5}}));
  EXPECT_TRUE(Fires("(mcc % 0) is missing", {{"mcc", 5}}));
  EXPECT_TRUE(Fires("(amount / 0) is missing", {{"amount", Dec{"5.00"}}}));
  EXPECT_TRUE(Fires("(rate / 0) is missing", {{"rate", 1.5}}));
  EXPECT_TRUE(Fires("(mcc / (mcc - 5)) is missing", {{"mcc", 5}}));
}

TEST(Integer, DivisionTruncatesAndModKeepsSign) {
  EXPECT_TRUE(Fires("mcc / 2 == 3", {{"mcc", 7}}));
  EXPECT_TRUE(Fires("mcc % 10 == 7", {{"mcc", 5967}}));
  EXPECT_TRUE(Fires("-mcc % 10 == -7", {{"mcc", 5967}}));
}

TEST(TimeArithmetic, DurationsAndInstants) {
  EXPECT_TRUE(Fires("ts + 24h == 2026-03-02T10:00:00Z", {{"ts", Time{"2026-03-01T10:00:00Z"}}}));
  EXPECT_TRUE(Fires("ts - 2026-03-01T00:00:00Z == 10h", {{"ts", Time{"2026-03-01T10:00:00Z"}}}));
  EXPECT_TRUE(Fires("wait * 2 == 1h", {{"wait", static_cast<int64_t>(1800000000)}}));
  EXPECT_TRUE(Fires("ts < 2026-03-01T10:00:00.001Z", {{"ts", Time{"2026-03-01T10:00:00Z"}}}));
}

TEST(Strings, CompareBytewise) {
  EXPECT_TRUE(Fires("country == \"PH\"", {{"country", "PH"}}));
  EXPECT_TRUE(Fires("country != card_country", {{"country", "PH"}, {"card_country", "NZ"}}));
  EXPECT_FALSE(Fires("country != card_country", {{"country", "NZ"}, {"card_country", "NZ"}}));
  EXPECT_TRUE(Fires("country < \"QA\"", {{"country", "PH"}}));
}

TEST(Sets, MembershipAndEventSets) {
  EXPECT_TRUE(Fires("mcc in {5967, 4816}", {{"mcc", 4816}}));
  EXPECT_FALSE(Fires("mcc in {5967, 4816}", {{"mcc", 5411}}));
  EXPECT_TRUE(Fires("mcc not in {5967, 4816}", {{"mcc", 5411}}));
  EXPECT_TRUE(Fires("country in WATCH", {{"country", "PH"}},
                    "list WATCH: set<string> = {\"PH\", \"TH\"}\n"));
  EXPECT_TRUE(Fires("\"VPN\" in flags", {{"flags", std::vector<std::string>{"TOR", "VPN"}}}));
  EXPECT_FALSE(Fires("\"VPN\" in flags", {{"flags", std::vector<std::string>{}}}));
  EXPECT_TRUE(Fires("mcc in HR", {{"mcc", 7273}}, "const HR = {5967, 7273}\n"));
}

TEST(Lets, SharedAndUsableInConditions) {
  EXPECT_TRUE(Fires("cross", {{"country", "PH"}, {"card_country", "NZ"}},
                    "let cross = country != card_country\n"));
  EXPECT_TRUE(Fires("big and cross", {{"country", "PH"}, {"card_country", "NZ"}, {"amount", Dec{"600"}}},
                    "let cross = country != card_country\nlet big = amount >= LIMIT\n"
                    "param LIMIT: decimal = 500\n"));
}

}  // namespace
}  // namespace vigil::testing
