// TimeReader (base/time_reader.hpp) gives exactly ParseTimeOrDate's result on
// every text: the common forms it reads itself, near misses of them, and
// times on new and repeated dates in one reader.
#include "base/time_reader.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "mutate.hpp"

namespace vigil::testing {
namespace {

void ExpectSame(TimeReader& reader, const std::string& text) {
  const std::optional<int64_t> want = ParseTimeOrDate(text);
  const std::optional<int64_t> got = reader.Parse(text);
  ASSERT_EQ(got.has_value(), want.has_value()) << text;
  if (want) {
    EXPECT_EQ(*got, *want) << text;
  }
}

TEST(TimeReader, EdgeCases) {
  TimeReader reader;
  const char* const texts[] = {
      "2026-03-01T00:00:00.569Z", "2026-03-01T23:59:59.999Z", "2026-03-01T00:00:00Z",
      "2026-03-01T10:00:00.123456Z", "2026-03-02T10:00:00.123456Z", "2026-03-01T10:00:00.1234567Z",
      "2026-03-01T10:00:00.1234560Z", "2026-03-01T10:00:00.12Z", "2026-03-01T24:00:00Z",
      "2026-03-01T23:60:00Z", "2026-03-01T23:00:60Z", "2026-02-29T00:00:00Z", "2024-02-29T00:00:00.000Z",
      "2100-02-29T00:00:00Z", "2000-02-29T00:00:00Z", "0000-12-31T23:59:59Z", "0001-01-01T00:00:00.000Z",
      "9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999Z", "2026-13-01T00:00:00Z",
      "2026-00-01T00:00:00Z", "2026-03-00T00:00:00Z", "2026-03-32T00:00:00Z", "2026-03-01t00:00:00Z",
      "2026-03-01 00:00:00Z", "2026-03-01T00:00:00z", "2026-03-01T00:00:00+01:00",
      "2026-03-01T00:00:00.000+01:00", "2026-03-01", "2026-3-01T00:00:00.000Z", "2026-03-01T0a:00:00Z",
      "2026-03-01T00:00:00.00aZ", "2026-03-01T00:00:00,000Z", "+026-03-01T00:00:00.000Z",
      "2026-03-01T-1:00:00.000Z", "", "yesterday"};
  for (int round = 0; round < 2; ++round) {
    for (const char* text : texts) ExpectSame(reader, text);
  }
}

// Mutants of the common forms, one reader for all: new dates, repeated
// dates, and texts that only look like them.
TEST(TimeReader, MutatedTimes) {
  TimeReader reader;
  std::mt19937 rng(2611);
  const std::string bases[] = {"2026-03-01T00:00:10.792Z", "2024-02-29T23:59:59Z",
                               "1999-12-31T12:30:45.123456Z", "0001-01-01T00:00:00.000Z"};
  const std::string alphabet = "0123456789-:.TZtz+ 9";
  size_t accepted = 0;
  for (int k = 0; k < 20000; ++k) {
    const std::string& base = bases[k % 4];
    const std::string text = k % 5 == 0 ? base : Mutant(base, rng, alphabet, 1 + k % 2);
    ExpectSame(reader, text);
    if (HasFatalFailure()) return;
    accepted += ParseTimeOrDate(text).has_value();
  }
  EXPECT_GT(accepted, 5000u);
}

}  // namespace
}  // namespace vigil::testing
