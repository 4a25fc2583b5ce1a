// Dates (docs/language.md, "Dates"): a date alone is midnight UTC of that day,
// in rule files, events and list values; a day that does not exist is an
// error saying which part is wrong.
#include "base/time_util.hpp"
#include "eval/event_json.hpp"
#include "format/formatter.hpp"
#include "test_util.hpp"

namespace vigil::testing {
namespace {

TEST(Date, ParsesToMidnightUtc) {
  EXPECT_EQ(ParseDate("2024-11-02"), ParseTime("2024-11-02T00:00:00Z"));
  EXPECT_EQ(ParseDate("2024-02-29"), ParseTime("2024-02-29T00:00:00Z"));  // a leap year
  EXPECT_EQ(ParseDate("0001-01-01"), kMinTime);
  EXPECT_EQ(ParseDate("9999-12-31"), ParseTime("9999-12-31T00:00:00Z"));
  EXPECT_EQ(ParseTimeOrDate("2024-11-02"), ParseTime("2024-11-02T00:00:00Z"));
  EXPECT_EQ(ParseTimeOrDate("2024-11-02T10:00:00Z"), ParseTime("2024-11-02T10:00:00Z"));
}

TEST(Date, SaysWhatIsWrongWithADayThatDoesNotExist) {
  std::string why;
  EXPECT_FALSE(ParseDate("2024-02-30", &why));
  EXPECT_EQ(why, "day 30 does not exist (2024-02 has 29 days)");
  EXPECT_FALSE(ParseDate("2023-02-29", &why));
  EXPECT_EQ(why, "day 29 does not exist (2023-02 has 28 days)");
  EXPECT_FALSE(ParseDate("2024-13-01", &why));
  EXPECT_EQ(why, "month 13 does not exist");
  EXPECT_FALSE(ParseDate("2024-00-10", &why));
  EXPECT_EQ(why, "month 0 does not exist");
  EXPECT_FALSE(ParseDate("0000-01-01", &why));
  EXPECT_EQ(why, "year 0 is out of range (0001 to 9999)");
  EXPECT_FALSE(ParseDate("2024-1-01", &why));
  EXPECT_EQ(why, "expected a date YYYY-MM-DD");
  EXPECT_FALSE(DateToTime(10000, 1, 1, &why));
  EXPECT_EQ(why, "year 10000 is out of range (0001 to 9999)");
  EXPECT_FALSE(DateToTime(2024, 4, 31, &why));
  EXPECT_EQ(why, "day 31 does not exist (2024-04 has 30 days)");
}

TEST(Date, EventTimeFieldsTakeADateAlone) {
  Compilation c = CompileText(Header());
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  eval::Event event(c.program->schema);
  eval::EventJsonReader reader;
  std::string error;
  ASSERT_TRUE(reader.Read(R"({"ts":"2024-11-02","card_id":"c"})", event, &error)) << error;
  EXPECT_EQ(event.at(c.program->schema.Find("ts")).i, *ParseTime("2024-11-02T00:00:00Z"));
  EXPECT_FALSE(reader.Read(R"({"ts":"2024-02-30","card_id":"c"})", event, &error));
  EXPECT_EQ(error,
            "field 'ts': \"2024-02-30\" is not a date: day 30 does not exist (2024-02 has 29 days)");
  EXPECT_FALSE(reader.Read(R"({"ts":"2024-13-01"})", event, &error));
  EXPECT_EQ(error, "field 'ts': \"2024-13-01\" is not a date: month 13 does not exist");
  // The one-pass reader and the reference reader agree on dates.
  for (bool fast : {true, false}) {
    eval::EventJsonReader r;
    r.set_fast(fast);
    ASSERT_TRUE(r.Read(R"({"ts":"2024-02-29","card_id":"c"})", event, &error)) << error;
    EXPECT_EQ(event.at(c.program->schema.Find("ts")).i, *ParseTime("2024-02-29T00:00:00Z"));
    EXPECT_FALSE(r.Read(R"({"ts":"2023-02-29"})", event, &error));
    EXPECT_EQ(error,
              "field 'ts': \"2023-02-29\" is not a date: day 29 does not exist (2023-02 has 28 days)");
  }
  // Neither a date nor a time: the message names both.
  EXPECT_FALSE(reader.Read(R"({"ts":"02/11/2024"})", event, &error));
  EXPECT_NE(error.find("a date \"YYYY-MM-DD\""), std::string::npos) << error;
}

TEST(Date, LiteralsAreMidnightAndDaysBetweenCountsCalendarDays) {
  EXPECT_TRUE(Fires("ts == 2026-03-01T00:00:00Z", {{"ts", Time{"2026-03-01T00:00:00Z"}}}));
  EXPECT_TRUE(Fires("ts >= 2026-03-01 and ts < 2026-03-02", {{"ts", Time{"2026-03-01T23:59:59Z"}}}));
  EXPECT_TRUE(Fires("days_between(2026-02-28, ts) == 0", {{"ts", Time{"2026-02-28T23:59:59Z"}}}));
  EXPECT_TRUE(Fires("days_between(2026-02-28, ts) == 1", {{"ts", Time{"2026-03-01T00:00:00Z"}}}));
  // A date is one token: 2024-11-02 is a time, not 2024 - 11 - 2.
  Compilation c = CompileText(Header() + "rule r { when count_ == 2024-11-02 then score 1 }\n");
  EXPECT_NE(c.RenderDiagnostics().find("E30"), std::string::npos) << c.RenderDiagnostics();
}

TEST(Date, ABadDateLiteralIsAnErrorAtItsPlace) {
  Compilation c = CompileText(Header() + "rule r { when ts > 2024-02-30 then score 1 }\n");
  ASSERT_FALSE(c.ok());
  const std::string text = c.RenderDiagnostics();
  EXPECT_NE(text.find("E1007"), std::string::npos) << text;
  EXPECT_NE(text.find("2024-02-30 is not a valid date: day 30 does not exist (2024-02 has 29 days)"),
            std::string::npos)
      << text;
  c = CompileText(Header() + "rule r { when ts > 2024-13-01 then score 1 }\n");
  EXPECT_NE(c.RenderDiagnostics().find("month 13 does not exist"), std::string::npos);
}

TEST(Date, ListFilesOfTimesTakeDates) {
  EXPECT_EQ(ParseNumericValue(Kind::kTime, "2024-11-02"), ParseTime("2024-11-02T00:00:00Z"));
  EXPECT_FALSE(ParseNumericValue(Kind::kTime, "2024-02-30"));
}

TEST(Date, TheFormatterKeepsADateAsWritten) {
  const std::string text = Header() + "rule r {\n  when ts >= 2024-11-02\n  then score 1\n}\n";
  SourceManager sources;
  uint32_t id = sources.Add("f.vgl", text);
  DiagSink diags;
  std::optional<std::string> out = format::Format(sources, id, diags);
  ASSERT_TRUE(out.has_value());
  EXPECT_NE(out->find("ts >= 2024-11-02\n"), std::string::npos) << *out;
}

}  // namespace
}  // namespace vigil::testing
