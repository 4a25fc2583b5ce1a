// TimeReader (base/time_reader.hpp) gives exactly ParseTimeOrDate's result on
// every text: the common forms it reads itself, near misses of them, and
// times on new and repeated dates in one reader.
#include "base/time_reader.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
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


// ReadQuoted reads a time where it lies in a padded line, from just after its
// opening quote. Whenever it takes one, the text up to the quote it stops at
// is a string with no quote, backslash or control character in it, and
// Parse (so ParseTimeOrDate) reads that text to the same time; it takes
// only the day seen last (Parse learns a new one), and then every common
// form followed by its quote. Mutants of the forms, each followed by a quote or another byte
// and then bytes that would go on with a time if a read ran past the end.
TEST(TimeReader, ReadQuotedAsParseReadsTheString) {
  TimeReader quoted, parsed;
  std::mt19937 rng(2612);
  const std::string bases[] = {"2026-03-01T00:00:10.792Z", "2024-02-29T23:59:59Z",
                               "1999-12-31T12:30:45.123456Z", "0001-01-01T00:00:00.000Z",
                               "9999-12-31T23:59:59.999999Z", "2026-03-02T00:00:00.000Z"};
  const std::string alphabet = "0123456789-:.TZtz+ 9\"\\\n";
  const std::string tails[] = {"\"", "\n0123456789Z\"", std::string(1, '\0') + "00:00:00.000Z\"",
                               "Z\"", ".123Z\""};
  size_t taken = 0;
  for (int k = 0; k < 40000; ++k) {
    const std::string& base = bases[k % 6];
    const std::string text = k % 4 == 0 ? base : Mutant(base, rng, alphabet, 1 + k % 3);
    const std::string& tail = tails[(k / 6) % 5];
    std::string buffer = text + tail;
    buffer.append(40, '7');  // the padding, readable
    const char* close = nullptr;
    int64_t t = 0;
    if (!quoted.ReadQuoted(buffer.data(), &close, &t)) {
      // Not taken: the reader then reads the string by Parse, which learns
      // a new day; on that day a common form with its quote is taken.
      (void)quoted.Parse(text);
      if (!quoted.ReadQuoted(buffer.data(), &close, &t)) {
        if (tail == "\"" && text == base) ADD_FAILURE() << "a common form not taken: " << text;
        continue;
      }
    }
    ++taken;
    ASSERT_EQ(*close, '"') << buffer;
    const std::string read(buffer.data(), static_cast<size_t>(close - buffer.data()));
    ASSERT_EQ(read.find_first_of(std::string("\"\\") + std::string(1, '\0') + "\n\r\t"), std::string::npos)
        << buffer;
    const std::optional<int64_t> want = parsed.Parse(read);
    ASSERT_TRUE(want.has_value()) << buffer;
    EXPECT_EQ(t, *want) << buffer;
    EXPECT_EQ(want, ParseTimeOrDate(read)) << buffer;
  }
  EXPECT_GT(taken, 2000u);
}

// Every byte value at every place of the fraction and its 'Z' (3 and 6
// digits) and of the byte after the seconds: ReadQuoted takes the text only
// when ParseTimeOrDate reads it, and then as the same time. The 3-digit
// fraction and its 'Z' are checked as one word.
TEST(TimeReader, ReadQuotedFractionsOfEveryByte) {
  const std::string bases[] = {"2026-03-01T00:00:10.792Z", "2026-03-01T23:59:59.999999Z",
                               "2026-03-01T00:00:00.000Z", "2026-03-01T12:00:00Z"};
  size_t taken = 0;
  for (const std::string& base : bases) {
    for (size_t at = 19; at < base.size(); ++at) {
      for (int byte = 0; byte < 256; ++byte) {
        TimeReader reader;
        ASSERT_TRUE(reader.Parse("2026-03-01T00:00:00Z").has_value());  // the day learnt
        std::string text = base;
        text[at] = static_cast<char>(byte);
        std::string buffer = text + "\"";
        buffer.append(40, '7');
        const char* close = nullptr;
        int64_t t = 0;
        const std::optional<int64_t> want = ParseTimeOrDate(text);
        if (!reader.ReadQuoted(buffer.data(), &close, &t)) continue;
        ++taken;
        ASSERT_EQ(close, buffer.data() + text.size()) << text;
        ASSERT_TRUE(want.has_value()) << text;
        EXPECT_EQ(t, *want) << text;
      }
    }
  }
  EXPECT_GT(taken, 30u);
}

// The clock "HH:MM:SS" read as one word (TimeReader::Clock) against a
// byte-by-byte reading, on every clock of the day, on each byte of a valid
// clock replaced by every byte value, and on random words.
TEST(TimeReader, ClockAsReadByteByByte) {
  auto by_bytes = [](const char* p, int* seconds) {
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    for (int i : {0, 1, 3, 4, 6, 7}) {
      if (!digit(p[i])) return false;
    }
    if (p[2] != ':' || p[5] != ':') return false;
    const int h = (p[0] - '0') * 10 + (p[1] - '0'), mi = (p[3] - '0') * 10 + (p[4] - '0'),
              sec = (p[6] - '0') * 10 + (p[7] - '0');
    if (h > 23 || mi > 59 || sec > 59) return false;
    *seconds = (h * 60 + mi) * 60 + sec;
    return true;
  };
  auto same = [&](const char* p) {
    int a = -1, b = -1;
    const bool x = TimeReader::Clock(p, &a), y = by_bytes(p, &b);
    ASSERT_EQ(x, y) << std::string(p, 8);
    if (x) {
      ASSERT_EQ(a, b) << std::string(p, 8);
    }
  };
  char clock[9];
  for (int h = 0; h < 100; ++h) {
    for (int mi = 0; mi < 100; mi += 1) {
      for (int sec : {0, 9, 10, 59, 60, 99}) {
        std::snprintf(clock, sizeof clock, "%02d:%02d:%02d", h, mi, sec);
        same(clock);
        if (::testing::Test::HasFatalFailure()) return;
      }
    }
  }
  for (int at = 0; at < 8; ++at) {
    for (int byte = 0; byte < 256; ++byte) {
      std::memcpy(clock, "23:59:59", 8);
      clock[at] = static_cast<char>(byte);
      same(clock);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
  std::mt19937_64 rng(2613);
  for (int k = 0; k < 100000; ++k) {
    uint64_t w = rng();
    // Mostly near a clock: digits and colons with a few bytes changed.
    if (k % 2 == 0) {
      std::memcpy(&w, "12:34:56", 8);
      w ^= (rng() & rng() & rng() & 0x7F7F7F7F7F7F7F7FULL);
    }
    std::memcpy(clock, &w, 8);
    same(clock);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace vigil::testing
