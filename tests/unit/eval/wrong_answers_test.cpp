// Evaluation answers that were wrong (issue 13): overflowing scores, time
// arithmetic at the ends of the time range, and event lines that were read
// although they were not JSON.
#include "eval/event_json.hpp"
#include "test_util.hpp"

namespace vigil::testing {
namespace {

TEST(Scores, SaturateInsteadOfWrapping) {
  Compilation c = CompileText(Header() + R"(
rule a { when country == "PH" then score 9223372036854775807 }
rule b { when country == "PH" then score 9223372036854775807 }
rule n { when country == "TH" then score -9223372036854775807 score -9223372036854775807 }
rule m { when country == "TH" then score -5 }
)");
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  EXPECT_EQ(Evaluate(c, {{"country", "PH"}}).score, INT64_MAX);  // was -2
  EXPECT_EQ(Evaluate(c, {{"country", "TH"}}).score, INT64_MIN);
}

TEST(TimeArithmetic, ResultsOutsideTheTimeRangeAreMissing) {
  const std::map<std::string, FieldValue> top = {{"ts", Time{"9999-12-31T23:00:00Z"}}};
  EXPECT_TRUE(Fires("(ts + 59m) is present", top));
  EXPECT_TRUE(Fires("(ts + 1h) is missing", top));
  EXPECT_TRUE(Fires("(ts - 106751991d) is missing", top));  // would wrap int64
  EXPECT_TRUE(Fires("(1h + ts) is missing", top));
  const std::map<std::string, FieldValue> bottom = {{"ts", Time{"0001-01-01T01:00:00Z"}}};
  EXPECT_TRUE(Fires("(ts - 1h) is present", bottom));
  EXPECT_TRUE(Fires("(ts - 2h) is missing", bottom));
  EXPECT_TRUE(Fires("(ts + wait) is missing", {{"ts", Time{"2026-03-01T00:00:00Z"}},
                                               {"wait", int64_t{INT64_MAX}}}));
}

TEST(TimeArithmetic, LocalHoursAtTheTopOfTheRange) {
  // The issue: hour(ts, "Pacific/Auckland") at the top of the time range
  // gave a wrong hour (an overflow); 23:59 UTC is 12:59 on the next day there.
  const std::map<std::string, FieldValue> top = {{"ts", Time{"9999-12-31T23:59:59.999999Z"}}};
  EXPECT_TRUE(Fires(R"(hour(ts, "Pacific/Auckland") == 12)", top));
  EXPECT_TRUE(Fires(R"(weekday(ts, "Pacific/Auckland") == 6)", top));
  EXPECT_TRUE(Fires("hour(ts) == 23 and weekday(ts) == 5", top));
  EXPECT_TRUE(Fires(R"(hour(ts, "Etc/GMT+11") == 13)",
                    {{"ts", Time{"0001-01-01T00:00:00Z"}}}));
  EXPECT_TRUE(Fires("days_between(ts, 9999-12-31T23:59:59Z) == 3652058",
                    {{"ts", Time{"0001-01-01T00:00:00Z"}}}));
}

class StrictEventLines : public ::testing::Test {
 protected:
  void SetUp() override {
    c_ = CompileText(Header());
    ASSERT_TRUE(c_.ok()) << c_.RenderDiagnostics();
    event_ = std::make_unique<eval::Event>(c_.program->schema);
  }
  const eval::Value& F(const char* name) { return event_->at(c_.program->schema.Find(name)); }
  std::string Read(const std::string& json) {
    std::string error;
    return reader_.Read(json, *event_, &error) ? "ok" : error;
  }
  Compilation c_;
  std::unique_ptr<eval::Event> event_;
  eval::EventJsonReader reader_;
};

TEST_F(StrictEventLines, WhatTheIssueFoundAcceptedIsRefused) {
  const std::string ok = R"({"ts":"2026-03-01T10:00:00Z","country":"PH"})";
  EXPECT_EQ(Read(ok), "ok");
  EXPECT_EQ(Read(ok + " " + ok),
            "malformed JSON at column 46: unexpected '{' after the object (a line holds "
            "exactly one object)");
  EXPECT_EQ(Read(ok + "}"),
            "malformed JSON at column 45: unexpected '}' after the object (a line holds "
            "exactly one object)");
  EXPECT_EQ(Read(R"({"country":"PH","other":[1,,2]})"),
            "malformed JSON at column 28, in member 'other': expected a value, found ','");
  EXPECT_EQ(Read(R"({"country":"PH","other":tru})"),
            "malformed JSON at column 25, in member 'other': expected a value, found 't'");
  EXPECT_EQ(Read(R"({"country":"PH","other":"\q"})"),
            "malformed JSON at column 26, in member 'other': unknown escape '\\q' in a string");
}

TEST_F(StrictEventLines, ValuesThatCannotBeHeld) {
  EXPECT_EQ(Read(R"({"country":"P\u0000H"})"),
            "field 'country': a string cannot contain U+0000 (NUL)");
  EXPECT_EQ(Read(R"({"flags":["a","\u0000"]})"),
            "field 'flags': a string cannot contain U+0000 (NUL)");
  EXPECT_EQ(Read(R"({"txn_id":"t\u0000"})"), "field 'txn_id': a string cannot contain U+0000 (NUL)");
  EXPECT_EQ(Read(R"({"ts":9223372036854775807})"),
            "field 'ts': time 9223372036854775807 is out of range (times are "
            "0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z)");
  EXPECT_EQ(Read(R"({"ts":"9999-12-31T23:30:00-01:00"})"),
            "field 'ts': expected an RFC 3339 time string, a date \"YYYY-MM-DD\" or integer "
            "microseconds, found "
            "\"9999-12-31T23:30:00-01:00\"");
  // Decimals: zero is zero with any exponent; the others say what is wrong.
  EXPECT_EQ(Read(R"({"amount":0E+384})"), "ok");
  EXPECT_EQ(F("amount").i, 0);
  EXPECT_EQ(Read(R"({"amount":1E+384})"),
            "field 'amount': decimal 1E+384: out of range (decimals hold "
            "±9,223,372,036,854.775807)");
  EXPECT_EQ(Read(R"({"amount":0.1234567})"),
            "field 'amount': decimal 0.1234567: more than 6 fractional digits");
  EXPECT_EQ(Read(R"({"amount":"1e999999"})"),
            "field 'amount': decimal \"1e999999\": out of range (decimals hold "
            "±9,223,372,036,854.775807)");
}

}  // namespace
}  // namespace vigil::testing
