#include "base/tz.hpp"

#include <gtest/gtest.h>

#include "base/time_util.hpp"

namespace vigil {
namespace {

int64_t At(const char* s) { return *ParseTime(s); }

std::unique_ptr<TimeZone> Zone(const char* name) {
  std::string error;
  auto tz = TimeZone::Load(name, &error);
  EXPECT_NE(tz, nullptr) << name << ": " << error;
  return tz;
}

TEST(TimeZone, AucklandSummerAndWinter) {
  auto tz = Zone("Pacific/Auckland");
  ASSERT_NE(tz, nullptr);
  EXPECT_EQ(tz->OffsetSeconds(At("2026-01-15T00:00:00Z")), 13 * 3600);
  EXPECT_EQ(tz->OffsetSeconds(At("2026-07-15T00:00:00Z")), 12 * 3600);
}

TEST(TimeZone, NewYorkSwitchesAtTheExactInstant) {
  auto tz = Zone("America/New_York");
  ASSERT_NE(tz, nullptr);
  // 2026-03-08 02:00 EST = 07:00 UTC: clocks go forward.
  EXPECT_EQ(tz->OffsetSeconds(At("2026-03-08T06:59:59Z")), -5 * 3600);
  EXPECT_EQ(tz->OffsetSeconds(At("2026-03-08T07:00:00Z")), -4 * 3600);
}

TEST(TimeZone, LondonAndUtc) {
  auto london = Zone("Europe/London");
  ASSERT_NE(london, nullptr);
  EXPECT_EQ(london->OffsetSeconds(At("2026-06-01T12:00:00Z")), 3600);
  EXPECT_EQ(london->OffsetSeconds(At("2026-12-01T12:00:00Z")), 0);
  auto utc = Zone("UTC");
  ASSERT_NE(utc, nullptr);
  EXPECT_EQ(utc->OffsetSeconds(At("2026-06-01T12:00:00Z")), 0);
}

TEST(TimeZone, FarFutureUsesThePosixRule) {
  auto tz = Zone("Pacific/Auckland");
  ASSERT_NE(tz, nullptr);
  EXPECT_EQ(tz->OffsetSeconds(At("2090-01-15T00:00:00Z")), 13 * 3600);
  EXPECT_EQ(tz->OffsetSeconds(At("2090-07-15T00:00:00Z")), 12 * 3600);
}

TEST(TimeZone, PosixRules) {
  TimeZone::PosixRule rule;
  ASSERT_TRUE(TimeZone::ParsePosix("NZST-12NZDT,M9.5.0,M4.1.0/3", &rule));
  EXPECT_EQ(rule.std_offset, 12 * 3600);
  EXPECT_EQ(rule.dst_offset, 13 * 3600);
  EXPECT_EQ(rule.end.seconds, 3 * 3600);
  ASSERT_TRUE(TimeZone::ParsePosix("<-03>3", &rule));
  EXPECT_EQ(rule.std_offset, -3 * 3600);
  EXPECT_FALSE(rule.has_dst);
  EXPECT_FALSE(TimeZone::ParsePosix("NZST-12NZDT,M13.5.0,M4.1.0", &rule));
}

TEST(TimeZone, BadNamesAndDataAreRefused) {
  std::string error;
  EXPECT_EQ(TimeZone::Load("../../etc/passwd", &error), nullptr);
  EXPECT_EQ(TimeZone::Load("/etc/passwd", &error), nullptr);
  EXPECT_EQ(TimeZone::Load("Mars/Olympus_Mons", &error), nullptr);
  EXPECT_EQ(error, "no such time zone in the system tz database");
  EXPECT_EQ(TimeZone::FromTzif("x", "TZif2 garbage", &error), nullptr);
  EXPECT_EQ(TimeZone::FromTzif("x", "", &error), nullptr);
}

}  // namespace
}  // namespace vigil
