// One test per built-in function (LANGUAGE.md §3).
#include "test_util.hpp"

namespace vigil::testing {
namespace {

TEST(Builtin, Lower) { EXPECT_TRUE(Fires("lower(name) == \"straße café\"", {{"name", "STRAßE CAFÉ"}})); }
TEST(Builtin, Upper) { EXPECT_TRUE(Fires("upper(name) == \"GIFT FOR YOU\"", {{"name", "Gift for you"}})); }
TEST(Builtin, LenCountsCodePoints) { EXPECT_TRUE(Fires("len(name) == 4", {{"name", "café"}})); }
TEST(Builtin, Contains) {
  EXPECT_TRUE(Fires("contains(name, \"STREAM\")", {{"name", "PAYPAL *STREAMHUB"}}));
  EXPECT_FALSE(Fires("contains(name, \"stream\")", {{"name", "PAYPAL *STREAMHUB"}}));
}
TEST(Builtin, StartsWith) { EXPECT_TRUE(Fires("starts_with(name, \"SQ *\")", {{"name", "SQ *CAFE"}})); }
TEST(Builtin, EndsWith) { EXPECT_TRUE(Fires("ends_with(name, \"HUB\")", {{"name", "STREAMHUB"}})); }
TEST(Builtin, Matches) {
  EXPECT_TRUE(Fires("name matches \"(^|\\\\s)@[a-z0-9_.]{3,30}\"", {{"name", "pay @anna_b"}}));
  EXPECT_FALSE(Fires("name matches \"^gift$\"", {{"name", "a gift"}}));
}
TEST(Builtin, Abs) {
  EXPECT_TRUE(Fires("abs(amount) == 5.25", {{"amount", Dec{"-5.25"}}}));
  EXPECT_TRUE(Fires("abs(mcc - 10) == 3", {{"mcc", 7}}));
}
TEST(Builtin, Min) { EXPECT_TRUE(Fires("min(amount, 100) == 20.5", {{"amount", Dec{"20.5"}}})); }
TEST(Builtin, Max) { EXPECT_TRUE(Fires("max(mcc, 10) == 10", {{"mcc", 7}})); }
TEST(Builtin, HourUtc) { EXPECT_TRUE(Fires("hour(ts) == 23", {{"ts", Time{"2026-03-01T23:30:00Z"}}})); }
TEST(Builtin, HourInZone) {
  // 23:30 UTC on 1 March is 12:30 the next day in Auckland (NZDT, +13).
  EXPECT_TRUE(Fires("hour(ts, \"Pacific/Auckland\") == 12", {{"ts", Time{"2026-03-01T23:30:00Z"}}}));
}
TEST(Builtin, WeekdayIsIso) {
  // 2026-03-01 is a Sunday: 7. 2026-03-02 is a Monday: 1.
  EXPECT_TRUE(Fires("weekday(ts) == 7", {{"ts", Time{"2026-03-01T10:00:00Z"}}}));
  EXPECT_TRUE(Fires("weekday(ts) == 1", {{"ts", Time{"2026-03-02T10:00:00Z"}}}));
}
TEST(Builtin, DaysBetween) {
  EXPECT_TRUE(Fires("days_between(2026-03-01T00:00:00Z, ts) == 2",
                    {{"ts", Time{"2026-03-03T23:00:00Z"}}}));
}
TEST(Builtin, Coalesce) {
  EXPECT_TRUE(Fires("coalesce(country, \"XX\") == \"XX\"", {}));
  EXPECT_TRUE(Fires("coalesce(country, \"XX\") == \"PH\"", {{"country", "PH"}}));
}
TEST(Builtin, Sha256) {
  EXPECT_TRUE(Fires(
      "sha256(name) == \"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"",
      {{"name", "abc"}}));
}
TEST(Builtin, ConstantArgumentsAreFolded) {
  Compilation c = CompileText(Header() + "rule r { when lower(\"ABC\") == \"abc\" then score 1 }\n");
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  EXPECT_EQ(c.program->nodes[c.program->rules[0].when].op, plan::OpCode::kConst);
}

}  // namespace
}  // namespace vigil::testing
