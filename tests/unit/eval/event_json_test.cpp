// Reading JSON Lines events: every conversion and every error shape.
#include "eval/event_json.hpp"

#include "test_util.hpp"

namespace vigil::testing {
namespace {

class EventJsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    c_ = CompileText(Header());
    ASSERT_TRUE(c_.ok()) << c_.RenderDiagnostics();
    event_ = std::make_unique<eval::Event>(c_.program->schema);
  }
  bool Read(const std::string& json) { return reader_.Read(json, *event_, &error_); }
  const eval::Value& F(const char* name) { return event_->at(c_.program->schema.Find(name)); }

  Compilation c_;
  std::unique_ptr<eval::Event> event_;
  eval::EventJsonReader reader_;
  std::string error_;
};

TEST_F(EventJsonTest, ConvertsEveryType) {
  ASSERT_TRUE(Read(R"({"ts":"2026-03-01T10:00:00Z","card_id":"c1","amount":20.10,"rate":0.5,)"
                   R"("count_":3,"mcc":5967,"country":"PH","flags":["VPN","TOR"],"ok":true,)"
                   R"("wait":"90m","extra":{"nested":[1,2]}})"))
      << error_;
  EXPECT_EQ(F("ts").i, *ParseTime("2026-03-01T10:00:00Z"));
  EXPECT_EQ(F("card_id").str(), "c1");
  EXPECT_EQ(F("amount").i, 20100000);
  EXPECT_EQ(F("amount").scale, 2);
  EXPECT_DOUBLE_EQ(F("rate").f, 0.5);
  EXPECT_EQ(F("mcc").i, 5967);
  EXPECT_EQ(F("flags").set_size(), 2u);
  EXPECT_EQ(F("flags").set_items()[1].view(), "TOR");
  EXPECT_TRUE(F("ok").b);
  EXPECT_EQ(F("wait").i, 90LL * 60 * 1000000);
  EXPECT_FALSE(F("name").present);
}

TEST_F(EventJsonTest, DecimalsAreExactFromTextOrStrings) {
  ASSERT_TRUE(Read(R"({"amount":0.1})"));
  EXPECT_EQ(F("amount").i, 100000);
  ASSERT_TRUE(Read(R"({"amount":"12.345"})"));
  EXPECT_EQ(F("amount").i, 12345000);
  ASSERT_TRUE(Read(R"({"amount":1e2})"));
  EXPECT_EQ(F("amount").i, 100000000);
}

TEST_F(EventJsonTest, NullIsMissingAndResetClearsTheLastEvent) {
  ASSERT_TRUE(Read(R"({"amount":1.00,"country":"PH"})"));
  ASSERT_TRUE(Read(R"({"amount":null})"));
  EXPECT_FALSE(F("amount").present);
  EXPECT_FALSE(F("country").present);
}

TEST_F(EventJsonTest, TimesAsIntegersAndIds) {
  ASSERT_TRUE(Read(R"({"txn_id":"t9","ts":1772359200000000})"));
  EXPECT_EQ(F("ts").i, 1772359200000000LL);
  EXPECT_EQ(reader_.last_id(), "t9");
}

TEST_F(EventJsonTest, ErrorsNameTheFieldAndWhatWasFound) {
  EXPECT_FALSE(Read(R"({"amount":"abc"})"));
  EXPECT_EQ(error_, "field 'amount': expected a decimal number, found \"abc\"");
  EXPECT_FALSE(Read(R"({"mcc":1.5})"));
  EXPECT_EQ(error_, "field 'mcc': expected an integer, found 1.5");
  EXPECT_FALSE(Read(R"({"mcc":"5967"})"));
  EXPECT_EQ(error_, "field 'mcc': expected an integer, found \"5967\"");
  EXPECT_FALSE(Read(R"({"ts":"yesterday"})"));
  EXPECT_EQ(error_, "field 'ts': expected an RFC 3339 time string, a date \"YYYY-MM-DD\" or integer "
                    "microseconds, found \"yesterday\"");
  EXPECT_FALSE(Read(R"({"flags":["a",1]})"));
  EXPECT_EQ(error_, "field 'flags': expected an array of strings, found a non-string element");
  EXPECT_FALSE(Read(R"({"ok":"yes"})"));
  EXPECT_FALSE(Read(R"({"amount":0.1234567})"));
  EXPECT_FALSE(Read(R"({"mcc":1,"mcc":2})"));
  EXPECT_EQ(error_, "field 'mcc' appears twice");
}

TEST_F(EventJsonTest, MalformedLines) {
  EXPECT_FALSE(Read("[1,2]"));
  EXPECT_EQ(error_, "malformed JSON at column 1: expected a JSON object, found '['");
  EXPECT_FALSE(Read(R"({"amount":)"));
  EXPECT_FALSE(Read(R"({"a":1} x)"));
  EXPECT_FALSE(Read("{\"country\":\"\xC3\x28\"}"));  // invalid UTF-8
  EXPECT_FALSE(Read(""));
  EXPECT_TRUE(Read(R"({"mcc":1})"));  // the reader recovers after errors
}

}  // namespace
}  // namespace vigil::testing
