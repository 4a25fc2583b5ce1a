#include "base/time_util.hpp"

#include <gtest/gtest.h>

namespace vigil {
namespace {

int64_t T(const char* s) {
  std::optional<int64_t> t = ParseTime(s);
  EXPECT_TRUE(t.has_value()) << s;
  return t.value_or(0);
}

TEST(Time, ParsesRfc3339) {
  EXPECT_EQ(T("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(T("2026-03-01T10:00:00Z"), 1772359200LL * 1000000);
  EXPECT_EQ(T("2026-03-01T23:00:00+13:00"), T("2026-03-01T10:00:00Z"));
  EXPECT_EQ(T("2026-03-01t10:00:00.25z"), T("2026-03-01T10:00:00Z") + 250000);
  EXPECT_EQ(T("2026-03-01 10:00:00.000001Z"), T("2026-03-01T10:00:00Z") + 1);
  EXPECT_EQ(T("1969-12-31T23:59:59Z"), -1000000);
  EXPECT_EQ(T("2024-02-29T00:00:00Z") + 86400LL * 1000000, T("2024-03-01T00:00:00Z"));
  EXPECT_EQ(T("2026-03-01T10:00:00.1234560Z"), T("2026-03-01T10:00:00Z") + 123456);
}

TEST(Time, RejectsInvalidInstants) {
  for (const char* bad : {"2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z",
                          "2026-01-01T00:60:00Z", "2026-01-01T00:00:60Z", "2026-01-01T00:00:00",
                          "2026-01-01", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00.1234567Z",
                          "0000-01-01T00:00:00Z", "2026-01-01T00:00:00+24:00", "x"}) {
    EXPECT_FALSE(ParseTime(bad).has_value()) << bad;
  }
}

TEST(Time, FormatsRoundTrip) {
  EXPECT_EQ(TimeToString(T("2026-03-01T10:00:00Z")), "2026-03-01T10:00:00Z");
  EXPECT_EQ(TimeToString(T("2026-03-01T10:00:00.250Z")), "2026-03-01T10:00:00.250Z");
  EXPECT_EQ(TimeToString(T("2026-03-01T10:00:00.000007Z")), "2026-03-01T10:00:00.000007Z");
  EXPECT_EQ(TimeToString(-1), "1969-12-31T23:59:59.999999Z");
}

TEST(Duration, ParsesUnitsAndRoundTrips) {
  EXPECT_EQ(ParseDuration("500ms"), 500000);
  EXPECT_EQ(ParseDuration("30s"), 30000000);
  EXPECT_EQ(ParseDuration("15m"), 900000000);
  EXPECT_EQ(ParseDuration("24h"), 86400000000LL);
  EXPECT_EQ(ParseDuration("7d"), 7 * 86400000000LL);
  EXPECT_EQ(ParseDuration("250us"), 250);
  EXPECT_FALSE(ParseDuration("24hours").has_value());
  EXPECT_FALSE(ParseDuration("h").has_value());
  EXPECT_FALSE(ParseDuration("99999999999999999999d").has_value());
  EXPECT_EQ(DurationToString(86400000000LL), "1d");
  EXPECT_EQ(DurationToString(5400000000LL), "90m");
  EXPECT_EQ(DurationToString(1500000), "1500ms");
  EXPECT_EQ(DurationToString(0), "0s");
}

TEST(Calendar, HourWeekdayAndDays) {
  int64_t t = T("2026-03-01T23:30:00Z");  // a Sunday
  EXPECT_EQ(HourOf(t), 23);
  EXPECT_EQ(WeekdayOf(t), 7);
  EXPECT_EQ(HourOf(t, 13 * 3600), 12);
  EXPECT_EQ(WeekdayOf(t, 13 * 3600), 1);
  EXPECT_EQ(HourOf(T("1969-12-31T22:00:00Z")), 22);
  EXPECT_EQ(WeekdayOf(T("1970-01-01T00:00:00Z")), 4);  // Thursday
  EXPECT_EQ(DaysBetween(T("2026-03-01T00:00:00Z"), T("2026-03-03T23:00:00Z")), 2);
  EXPECT_EQ(DaysBetween(T("2026-03-03T23:00:00Z"), T("2026-03-01T00:00:00Z")), -2);
}

}  // namespace
}  // namespace vigil
