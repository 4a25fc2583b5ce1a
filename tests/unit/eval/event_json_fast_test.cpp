// The one-pass event reader (eval/event_json_fast.cpp) against the reference
// path (EventJsonReader::ReadReference): on every line, valid or not, the
// same verdict, the same message and the same values. The fuzz target
// fuzz_event_json makes the same comparison on generated input.
#include <algorithm>
#include <cstdio>
#include <random>

#include "base/json_shape.hpp"
#include "eval/event_json.hpp"
#include "mutate.hpp"
#include "test_util.hpp"

namespace vigil::testing {
namespace {

class EventJsonFastTest : public ::testing::Test {
 protected:
  void SetUp() override { Use(Header()); }
  void Use(const std::string& rules) {
    c_ = CompileText(rules);
    ASSERT_TRUE(c_.ok()) << c_.RenderDiagnostics();
    fast_event_ = std::make_unique<eval::Event>(c_.program->schema);
    reference_event_ = std::make_unique<eval::Event>(c_.program->schema);
    reference_.set_fast(false);
  }

  // Reads `line` both ways with a new reader that has learnt the shape of
  // `base` (read twice), so that `line` is met on the shaped path.
  void SameOnShapedLine(const std::string& base, const std::string& line) {
    eval::EventJsonReader primed;
    std::string error;
    ASSERT_TRUE(primed.Read(base, *fast_event_, &error)) << error;
    ASSERT_TRUE(primed.Read(base, *fast_event_, &error)) << error;  // now shaped
    SameWith(primed, line);
  }

  // Reads `line` both ways; a failure message says how they differ.
  void Same(const std::string& line) { SameWith(fast_, line); }
  void SameWith(eval::EventJsonReader& fast, const std::string& line) {
    std::string fast_error, reference_error;
    // With a tail: the line read in place (ReadInPlace) in a buffer where
    // the tail follows it, as in a chunk of the stream.
    const std::string buffer = line + tail_;
    // A used event: every slot present, as a pooled event holds what its
    // last line (of any shape) left there. A shaped line resets only the
    // slots its shape does not name (Event::ResetSlots) and must write every
    // other, a null as missing.
    if (used_event_) {
      for (size_t slot = 0; slot < fast_event_->size(); ++slot) fast_event_->SetValue(slot, eval::Value::Int(7));
    }
    const bool fast_ok =
        tail_.empty() ? fast.Read(line, *fast_event_, &fast_error)
                      : fast.ReadInPlace(std::string_view(buffer.data(), line.size()), *fast_event_, &fast_error);
    const bool reference_ok = reference_.ReadReference(line, *reference_event_, &reference_error);
    ASSERT_EQ(fast_ok, reference_ok) << line << "\n" << fast_error << "\n" << reference_error;
    ++compared_;
    if (!fast_ok) {
      EXPECT_EQ(fast_error, reference_error) << line;
      return;
    }
    ++accepted_;
    EXPECT_EQ(fast.last_id(), reference_.last_id()) << line;
    EXPECT_EQ(fast_event_->member_id(), reference_event_->member_id()) << line;
    EXPECT_EQ(fast_event_->member_id_name(), reference_event_->member_id_name()) << line;
    const eval::Schema& schema = c_.program->schema;
    for (size_t slot = 0; slot < schema.fields.size(); ++slot) {
      const eval::Value& a = fast_event_->at(slot);
      const eval::Value& b = reference_event_->at(slot);
      const Type t = schema.fields[slot].type;
      const std::string where = line + " field " + schema.fields[slot].name;
      ASSERT_EQ(a.present, b.present) << where;
      if (!a.present) continue;
      if (t.is_set) {
        ASSERT_EQ(a.set_size(), b.set_size()) << where;
        for (uint32_t k = 0; k < a.set_size(); ++k) {
          EXPECT_EQ(a.set_items()[k].view(), b.set_items()[k].view()) << where;
        }
        continue;
      }
      switch (t.kind) {
        case Kind::kBool: EXPECT_EQ(a.b, b.b) << where; break;
        case Kind::kString: EXPECT_EQ(a.str(), b.str()) << where; break;
        case Kind::kFloat:
          EXPECT_EQ(std::memcmp(&a.f, &b.f, sizeof a.f), 0) << where << ": " << a.f << " " << b.f;
          break;
        case Kind::kDecimal:
          EXPECT_EQ(a.i, b.i) << where;
          EXPECT_EQ(a.scale, b.scale) << where;
          break;
        default: EXPECT_EQ(a.i, b.i) << where; break;
      }
    }
  }

  void MutantsOfAShapedLine(int count);
  void EveryFormOfAShapedLine();

  Compilation c_;
  std::string tail_;  // what follows a line read in place; empty: Read
  bool used_event_ = false;  // every slot of the event made present before each read
  std::unique_ptr<eval::Event> fast_event_, reference_event_;
  eval::EventJsonReader fast_, reference_;
  size_t compared_ = 0, accepted_ = 0;
};

const char* const kLines[] = {
    R"({"ts":"2026-03-01T10:00:00Z","card_id":"c1","amount":20.10,"rate":0.5,"count_":3,"mcc":5967,"country":"PH","flags":["VPN","TOR"],"ok":true,"wait":"90m","extra":{"nested":[1,2]}})",
    R"({"amount":0.1})", R"({"amount":"12.345"})", R"({"amount":1e2})", R"({"amount":-0})",
    R"({"amount":0.1234567})", R"({"amount":"abc"})", R"({"amount":"1\u0032.5"})",
    R"({"amount":null,"country":"PH"})", R"({"amount":true})", R"({"amount":[1]})",
    R"({"mcc":1.5})", R"({"mcc":"5967"})", R"({"mcc":-0})", R"({"mcc":-9223372036854775808})",
    R"({"mcc":9223372036854775807})", R"({"mcc":9223372036854775808})", R"({"mcc":1e3})",
    R"({"mcc":1,"mcc":2})", R"({"mcc":null,"mcc":2})", R"({"mc\u0063":7})",
    R"({"rate":0})", R"({"rate":-0.0})", R"({"rate":1e400})", R"({"rate":1e-400})",
    R"({"rate":2.2250738585072014e-308})", R"({"rate":4.9e-324})", R"({"rate":123456789012345678901234567890})",
    R"({"rate":0.1})", R"({"rate":"0.1"})", R"({"rate":-17})",
    R"({"ts":1772359200000000})", R"({"ts":-99999999999999999})", R"({"ts":"yesterday"})",
    R"({"ts":"2026-03-01T10:00:00.123456+02:00"})", R"({"ts":1.5})",
    R"({"wait":"24h"})", R"({"wait":60000000})", R"({"wait":"-5m"})", R"({"wait":"x"})",
    R"({"ok":false})", R"({"ok":"yes"})", R"({"ok":1})",
    R"({"country":"P\"H"})", R"({"country":"\u0000"})", R"({"country":"é"})", R"({"country":""})",
    R"({"country":5})", R"({"flags":[]})", R"({"flags":["a",1]})", R"({"flags":"a"})",
    R"({"txn_id":"t9","ts":1772359200000000})", R"({"txn_id":12,"event_id":"e1","id":"i"})",
    R"({"id":1.5})", R"({"id":true,"txn_id":"x"})", R"({"event_id":"a","event_id":"b"})",
    R"({"txn_id":"t\u0031"})", R"({"txn_id":-0})", R"({"txn_id":99999999999999999999})",
    "[1,2]", R"({"amount":)", R"({"a":1} x)", "{\"country\":\"\xC3\x28\"}", "", "   ",
    "\xEF\xBB\xBF{}", "{}", " { } ", R"({"a":1,})", R"({"a":01})", R"({"a":"\q"})",
    "{\"country\":\"a\tb\"}", R"({"":1})", R"({"country":"PH"}{"country":"PH"})",
    R"({"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]})",
};

TEST_F(EventJsonFastTest, SameAsTheReferenceOnEdgeCases) {
  for (const char* line : kLines) Same(line);
  EXPECT_GT(accepted_, 20u);
}

// The same member order on every line (the fast path's guess) and then a
// different one: the guess is checked, never trusted.
TEST_F(EventJsonFastTest, MemberOrderChangesAreNoticed) {
  for (int i = 0; i < 3; ++i) Same(R"({"country":"PH","card_country":"US","mcc":1})");
  Same(R"({"card_country":"PH","country":"US","mcc":2})");
  Same(R"({"mcc":3,"name":"n","country":"DE"})");
  Same(R"({"zz":0,"country":"FR"})");
  EXPECT_EQ(fast_event_->at(c_.program->schema.Find("country")).str(), "FR");
}

// Schemas with an id field and with none, and bytes changed at random in
// valid lines: every variant reads the same both ways.
TEST_F(EventJsonFastTest, SameAsTheReferenceOnMutatedLines) {
  const std::string base[] = {
      R"({"txn_id":"t000000001","ts":"2026-03-01T00:00:00.569Z","card_id":"c9009614","amount":26.93,"mcc":5541,"country":"IT","rate":-1.25e-3,"ok":false,"wait":"1h","flags":["a","b"]})",
      R"({"ts":1772359200000000,"amount":"7","count_":-42,"name":"Zoë \u00e9","card_country":null})",
  };
  std::mt19937 rng(16);
  const std::string alphabet = "{}[],:\"\\0123456789.-+eEtrufalsn \xC3\xA9\x01u";
  for (const std::string& line : base) {
    Same(line);
    for (int k = 0; k < 4000; ++k) {
      const std::string v = Mutant(line, rng, alphabet, 3);
      Same(v);
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_GT(accepted_, 100u);
}

// The shaped path (base/json_shape.hpp): a reader that has just read a line
// tries the next one as the same shape first. Each mutant is read by a
// reader fresh from the valid line, so the shaped try is made on every one
// (a long run of misses would otherwise make the reader try it less often).
TEST_F(EventJsonFastTest, ShapedPathSameAsTheReference) { MutantsOfAShapedLine(3000); }

void EventJsonFastTest::MutantsOfAShapedLine(int count) {
  const std::string base =
      R"({"txn_id":"t000000001","ts":"2026-03-01T00:00:00.569Z","card_id":"c9009614","amount":26.93,"mcc":5541,"country":"IT","rate":-1.25e-3,"ok":false,"wait":"1h","count_":7,"name":"Zoë","zz":[1],"id":3})";
  std::mt19937 rng(1130);
  const std::string alphabet = "{}[],:\"\\0123456789.-+eEtrufalsn \xC3\xA9\x01u";
  for (int k = 0; k < count; ++k) {
    const std::string v = Mutant(base, rng, alphabet, 2);
    eval::EventJsonReader fresh;
    std::string error;
    ASSERT_TRUE(fresh.Read(base, *fast_event_, &error)) << error;
    SameWith(fresh, v);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(accepted_, static_cast<size_t>(count / 10));
}

// A stream whose lines change shape now and then, and lines with whitespace
// (which the shaped path never takes): each line reads as the reference
// reads it, in one reader.
TEST_F(EventJsonFastTest, ShapesThatChangeInOneStream) {
  const char* lines[] = {
      R"({"country":"PH","mcc":1,"amount":2.5})", R"({"country":"US","mcc":2,"amount":3})",
      R"({"country":"US","mcc":2,"amount":3,"ok":true})", R"({"country":"DE","mcc":3,"amount":4})",
      R"({ "country": "FR", "mcc": 4 })", R"({"country":"GB","mcc":5,"amount":"6.75"})",
      R"({"country":"GB","mcc":5,"amount":"6.75"} )", R"({"country":"G\u0042","mcc":5,"amount":1})",
      R"({"country":"GB","mcc":5,"mcc":6})", R"({"country":"GB","mcc":"x","amount":1})",
  };
  for (int round = 0; round < 70; ++round) {
    for (const char* line : lines) Same(line);
    if (HasFatalFailure()) return;
  }
}

// The shaped path converts strings, ints, decimals and times inline
// (ConvertShaped) and leaves every other form to the general conversion:
// each field of a learnt shape, given values of every form, in a reader
// primed on the valid line, reads as the reference reads it.
TEST_F(EventJsonFastTest, ShapedValuesOfEveryForm) { EveryFormOfAShapedLine(); }

void EventJsonFastTest::EveryFormOfAShapedLine() {
  const std::string base =
      R"({"txn_id":"t1","ts":"2026-03-01T00:00:00.569Z","card_id":"c9","amount":26.93,"mcc":5541,"country":"IT"})";
  const char* const numbers[] = {
      "0", "-0", "0.0", "-0.00", "1", "-1", "26.93", "26.930", "0.000001", "0.0000001", "1.1234560",
      "1.1234567", "999999999999.999999", "9999999999999", "-999999999999.5", "123456789012345678",
      "1234567890123456789", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
      "12345678901234567890", "1e2", "-1.5E-3", "1.5e+1", "00", "01", "1.", ".5", "-", "+1", "1.2.3",
      "0e0", "5E0"};
  const char* const texts[] = {
      "\"26.93\"", "\"5541\"", "\"\"", "\"a\"", "\"é\"", "\"a\\u0041\"", "null", "true", "false",
      "[1]", "{}", "\"2026-03-01\"", "\"2026-02-29\"", "\"2024-02-29T23:59:59Z\"",
      "\"2026-03-01T10:00:00.123456+02:00\"", "\"2026-03-01T10:00:00.1234567Z\"",
      "\"2026-03-01T10:00:00.1234560Z\"", "\"2026-13-01T00:00:00Z\"", "\"0000-01-01T00:00:00Z\"",
      "\"0001-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59.999999Z\"", "\"2026-03-01t10:00:00z\"",
      "\"2026-03-01 10:00:00Z\"", "\"2026-03-01T24:00:00Z\"", "\"2026-03-01T10:00:60Z\"",
      "\"2026-03-01T10:00:00\"", "\"yesterday\"", "1772359200000000", "-99999999999999999"};
  const char* const fields[] = {"ts", "card_id", "amount", "mcc", "country", "txn_id"};
  for (const char* field : fields) {
    const std::string key = std::string("\"") + field + "\":";
    const size_t at = base.find(key) + key.size();
    const size_t end = base.find_first_of(",}", base[at] == '"' ? base.find('"', at + 1) : at);
    std::vector<std::string> values(std::begin(numbers), std::end(numbers));
    values.insert(values.end(), std::begin(texts), std::end(texts));
    for (const std::string& value : values) {
      const std::string line = base.substr(0, at) + value + base.substr(end);
      eval::EventJsonReader primed;
      std::string error;
      ASSERT_TRUE(primed.Read(base, *fast_event_, &error)) << error;
      ASSERT_TRUE(primed.Read(base, *fast_event_, &error)) << error;  // now shaped
      SameWith(primed, line);
      if (HasFatalFailure()) return;
      SameWith(primed, base);  // and the shape still reads its own line
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_GT(accepted_, 200u);
}

// Lines read where they lie in a chunk of the stream (ReadInPlace): after
// each line, the '\n', '\r' or zero that BlockLines leaves there, then bytes
// that would continue a number, a string, a name or the object if a scan
// went on past the line's end (the next line of a chunk, or old bytes).
// Every mutant and every form of every field reads as the reference reads
// it, and the values read are those of the line.
TEST_F(EventJsonFastTest, InPlaceSameAsTheReference) {
  const std::string tails[] = {
      std::string("\n") + "0123456789}\"txn_id\":\"x\",\"ts\":1}0123456789",
      std::string("\r\n") + "99999.5e3\"}\"}]},\"mcc\":1234567890123",
      std::string(1, '\0') + std::string(40, '7'),
      std::string("\n") + std::string(40, '"'),
  };
  for (const std::string& tail : tails) {
    ASSERT_GE(tail.size(), kJsonShapePadding);
    tail_ = tail;
    MutantsOfAShapedLine(1000);
    if (HasFatalFailure()) return;
    EveryFormOfAShapedLine();
    if (HasFatalFailure()) return;
  }
}

// A decimal whose digits and '.' lie in the 8 bytes at its first digit is
// read in one conversion (ShapedDecimal); every split of 0 to 8 whole digits
// and 0 to 8 fraction digits (leading zeros, a sign), ended by every byte
// that ends a number or would go on with it, read as the reference reads
// it, by Read and in place.
TEST_F(EventJsonFastTest, DecimalsAtTheEdgesOfAWord) {
  const std::string head = R"({"txn_id":"t1","ts":"2026-03-01T00:00:00.569Z","card_id":"c9","amount":)";
  const std::string base = head + R"(26.93,"mcc":5541,"country":"IT"})";
  const std::string rest = R"(,"mcc":5541,"country":"IT"})";
  const std::string ends[] = {rest, ".5" + rest, "e2" + rest, "E2" + rest, "x" + rest, " " + rest,
                              "." + rest, "e" + rest, "0" + rest, "}", ""};
  const std::string tails[] = {"", std::string("\n") + "0123456789.e" + std::string(40, '7')};
  const char digits[] = "9081726354";
  for (const std::string& tail : tails) {
    tail_ = tail;
    for (int whole = 0; whole <= 8; ++whole) {
      for (int fraction = -1; fraction <= 8; ++fraction) {  // -1: no '.'
        for (int lead = 0; lead < 3; ++lead) {  // leading digit: as is, '0', or a '-' first
          std::string number;
          for (int i = 0; i < whole; ++i) number += digits[(i + whole) % 10];
          if (lead == 1 && whole > 0) number[0] = '0';
          if (fraction >= 0) number += '.';
          for (int i = 0; i < fraction; ++i) number += digits[(i * 3 + fraction) % 10];
          if (lead == 2) number = "-" + number;
          for (const std::string& end : ends) {
            SameOnShapedLine(base, head + number + end);
            if (HasFatalFailure()) return;
          }
        }
      }
    }
  }
  EXPECT_GT(accepted_, 300u);
}

// An integer of up to 7 digits is read from the one word at its first
// digit (ShapedInt), longer ones eight digits at a time: every length of 0
// to 20 digits, as is, with a leading zero and with a '-'; zero, "-0", the
// largest int64, one past it and the smallest; each ended by every byte
// that ends a number or would go on with it; by Read and in place, the
// integer first seen on a shaped line, against the reference reader.
// A schema without fields has no values: every member is unknown, and the
// shaped path must not touch the (null) values to skip them. Found by
// fuzz_capi under UBSan (a reference bound to the null values); this test
// halts there under tools/test.sh --sanitize.
TEST_F(EventJsonFastTest, ASchemaWithoutFieldsReadsItsLinesShaped) {
  Use("ruleset t.unit version \"1.0.0\"\nschema e version 1 {\n}\nuses schema e\n"
      "rule r { when true then score 1 }\n");
  if (HasFatalFailure()) return;
  ASSERT_EQ(c_.program->schema.fields.size(), 0u);
  for (int i = 0; i < 6; ++i) {  // learnt, then shaped
    Same(R"({"a":1,"b":"x","c":2.5,"d":"2026-03-01T00:00:00Z"})");
    if (HasFatalFailure()) return;
  }
}

TEST_F(EventJsonFastTest, IntegersOfEveryLength) {
  const std::string head = R"({"txn_id":"t1","ts":"2026-03-01T00:00:00.569Z","card_id":"c9","amount":26.93,"mcc":)";
  const std::string base = head + R"(5541,"country":"IT"})";
  const std::string rest = R"(,"country":"IT"})";
  const std::string ends[] = {rest, ".5" + rest, "e2" + rest, "E2" + rest, "x" + rest, " " + rest, "." + rest,
                              "e" + rest, "E" + rest, "-" + rest, "/" + rest, ":" + rest, "}", ""};
  const std::string tails[] = {"", std::string("\n") + "0123456789.e" + std::string(40, '7')};
  std::vector<std::string> numbers = {"0", "-0", "00", "-00", "9223372036854775807", "9223372036854775808",
                                      "-9223372036854775808", "-9223372036854775809", "999999999999999999",
                                      "1000000000000000000", "-999999999999999999"};
  const char digits[] = "9081726354";
  for (int n = 0; n <= 20; ++n) {
    for (int lead = 0; lead < 4; ++lead) {  // as is, a leading '0', a '-' first, a leading '1' and nines
      std::string number;
      for (int i = 0; i < n; ++i) number += lead == 3 ? '9' : digits[(i * 7 + n) % 10];
      if (lead == 3 && n > 0) number[0] = '1';
      if (lead == 1 && n > 0) number[0] = '0';
      if (lead == 2) number = "-" + number;
      numbers.push_back(number);
    }
  }
  for (const std::string& tail : tails) {
    tail_ = tail;
    for (const std::string& number : numbers) {
      for (const std::string& end : ends) {
        SameOnShapedLine(base, head + number + end);
        if (HasFatalFailure()) return;
      }
    }
  }
  EXPECT_GT(accepted_, 300u);
}

// Random streams read by one reader each (so shapes are learnt, used and
// missed as in a stream), every line against the reference reader: string
// values of every length around the 16- and 32-byte blocks of the scans,
// with every escape, raw UTF-8, invalid bytes and control characters;
// integers and decimals at their limits and in other forms; times of the
// common forms on new and repeated dates and of other forms; members in
// other orders, unknown members (one with a name over 32 bytes), duplicates
// and missing members; half the streams read in place.
TEST_F(EventJsonFastTest, RandomStreamsOfEveryForm) {
  std::mt19937 rng(2617);
  auto pick = [&](auto const& list) { return list[rng() % std::size(list)]; };
  const char* const pieces[] = {"a", "Z", "0", " ", "~", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r",
                                "\\t", "\\u00e9", "\\ud83d\\ude00", "\xC3\xA9", "\xE6\x9D\xB1",
                                "\xF0\x9F\x8E\x89", "\xC3", "\x01", "\x7F", "\\u0000", "\\x"};
  auto string_value = [&]() {
    const size_t n = rng() % 4 == 0 ? rng() % 70 : (rng() % 2 ? 15 + rng() % 3 : 31 + rng() % 3);
    std::string text = "\"";
    const bool plain = rng() % 3 != 0;
    for (size_t i = 0; i < n; ++i) text += plain || rng() % 8 != 0 ? std::string(1, "abcXYZ019 -_.:"[rng() % 14]) : pick(pieces);
    return text + "\"";
  };
  const char* const ints[] = {"0", "-0", "1", "-1", "7", "5541", "-5541", "12345678", "123456789",
                              "999999999999999999", "-999999999999999999", "1234567890123456789",
                              "9223372036854775807", "-9223372036854775808", "9223372036854775808",
                              "00", "01", "1e3", "1.0", "-", "1.5", "\"12\"", "null", "true"};
  auto int_value = [&]() {
    if (rng() % 4 != 0) return std::to_string(static_cast<int64_t>(rng()) - (1ll << 31));
    return std::string(pick(ints));
  };
  auto decimal_value = [&]() {
    if (rng() % 5 == 0) return std::string(pick(ints));
    std::string text = rng() % 4 == 0 ? "-" : "";
    const size_t whole = rng() % 15;
    for (size_t i = 0; i < whole; ++i) text += static_cast<char>('0' + (i == 0 && whole > 1 ? 1 + rng() % 9 : rng() % 10));
    if (rng() % 3 != 0) {
      text += '.';
      const size_t scale = rng() % 9;
      for (size_t i = 0; i < scale; ++i) text += static_cast<char>('0' + rng() % 10);
    }
    if (rng() % 10 == 0) text = "\"" + text + "\"";
    return text;
  };
  const char* const times[] = {"\"2026-03-01\"", "\"2026-03-01T10:00:00.123456+02:00\"", "\"2026-03-01T24:00:00Z\"",
                               "\"2026-03-01T10:00:00.1234567Z\"", "\"2026-03-01t10:00:00Z\"", "1772359200000000",
                               "\"2026-02-30T00:00:00Z\"", "\"9999-12-31T23:59:59.999999Z\"", "null", "\"x\""};
  auto time_value = [&]() {
    if (rng() % 6 == 0) return std::string(pick(times));
    char text[40];
    const unsigned day = rng() % 8 == 0 ? 1 + rng() % 31 : 1, month = rng() % 8 == 0 ? 1 + rng() % 12 : 3;
    const bool odd = rng() % 10 == 0;
    const unsigned h = rng() % (odd ? 26 : 24), mi = rng() % (odd ? 61 : 60), sec = rng() % (odd ? 61 : 60);
    const unsigned digits = rng() % 3;
    std::snprintf(text, sizeof text, "\"2026-%02u-%02uT%02u:%02u:%02u%s%sZ\"", month, day, h, mi, sec,
                  digits == 0 ? "" : ".", digits == 0 ? "" : digits == 1 ? "123" : "123456");
    return std::string(text);
  };
  struct Member {
    const char* name;
    int kind;  // 0 string, 1 int, 2 decimal, 3 time, 4 anything
  };
  const Member members[] = {{"txn_id", 0}, {"ts", 3}, {"card_id", 0}, {"amount", 2}, {"mcc", 1},
                            {"country", 0}, {"card_country", 0}, {"name", 0}, {"count_", 1},
                            {"an_unknown_member_with_a_long_name", 4}, {"zz", 4}};
  auto value_of = [&](int kind) {
    switch (kind) {
      case 0: return rng() % 10 == 0 ? int_value() : string_value();
      case 1: return int_value();
      case 2: return decimal_value();
      case 3: return time_value();
      default: return rng() % 2 ? string_value() : decimal_value();
    }
  };
  const std::string tail = std::string("\n") + "0123456789}\"txn_id\":\"x\",\"ts\":1}0123456789";
  for (int stream = 0; stream < 40; ++stream) {
    tail_ = stream % 2 ? tail : "";
    used_event_ = stream % 4 >= 2;
    std::vector<Member> order(std::begin(members), std::end(members));
    std::shuffle(order.begin(), order.end(), rng);
    order.resize(4 + rng() % (order.size() - 3));
    eval::EventJsonReader reader;
    for (int k = 0; k < 400; ++k) {
      std::vector<Member> line_members = order;
      if (rng() % 10 == 0) std::shuffle(line_members.begin(), line_members.end(), rng);
      if (rng() % 20 == 0) line_members.push_back(line_members[rng() % line_members.size()]);  // twice
      if (rng() % 20 == 0) line_members.pop_back();
      std::string line = "{";
      for (size_t i = 0; i < line_members.size(); ++i) {
        if (i > 0) line += rng() % 100 == 0 ? " , " : ",";
        line += std::string("\"") + line_members[i].name + "\":" + value_of(line_members[i].kind);
      }
      line += "}";
      SameWith(reader, line);
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_GT(accepted_, 3000u);
}

// A shaped line over an event that holds values in every slot (a pooled
// event, last filled by a line of another shape): the slots the shape does
// not name read missing, and so does a member given as null, whether the
// shape leaves few slots unset (each marked missing) or many (Reset).
TEST_F(EventJsonFastTest, AShapedLineOverAUsedEvent) {
  used_event_ = true;
  const std::string all = R"({"ts":"2026-03-01T00:00:00Z","card_id":"c1","amount":2.5,"count_":3,"mcc":5541,)"
                          R"("country":"IT","card_country":"FR","name":"n","ok":true})";
  const std::string few = R"({"ts":"2026-03-01T00:00:00Z","card_id":"c1","amount":2.5})";
  const std::string nulls[] = {
      R"({"ts":null,"card_id":"c1","amount":2.5,"count_":3,"mcc":5541,"country":"IT","card_country":"FR","name":"n","ok":true})",
      R"({"ts":"2026-03-01T00:00:01Z","card_id":null,"amount":null,"count_":null,"mcc":null,"country":"IT","card_country":null,"name":"n","ok":null})",
      R"({"ts":null,"card_id":null,"amount":2.5})",
  };
  for (int tail = 0; tail < 2; ++tail) {
    tail_ = tail == 1 ? std::string("\n") + std::string(40, '7') : "";
    for (int k = 0; k < 3; ++k) Same(all);  // learnt, then shaped: 3 slots unset
    Same(nulls[0]);
    Same(nulls[1]);
    Same(all);
    for (int k = 0; k < 3; ++k) Same(few);  // 9 slots unset
    Same(nulls[2]);
    if (HasFatalFailure()) return;
  }
}

TEST_F(EventJsonFastTest, SchemaWithAnIdField) {
  Use(R"(ruleset t.ids version "1.0.0"
schema s version 1 {
  event_id: string
  ts: time
  n: int
}
uses schema s
)");
  Same(R"({"event_id":"e1","ts":1,"n":2,"txn_id":"t"})");
  Same(R"({"txn_id":"t","n":2})");
  Same(R"({"event_id":5})");
}

// One reader is shared by the events of several rule sets (the C ABI keeps
// one per thread): a shape learnt on one schema's events must never be used
// to place another schema's values. The second schema has the line's members
// in other slots, of other types, and fewer of them; the fuzz target
// fuzz_capi once wrote past such an event's slots.
TEST_F(EventJsonFastTest, AShapeBelongsToTheSchemaItWasLearntOn) {
  const Compilation small = CompileText(R"(ruleset t.small version "1.0.0"
schema s version 1 {
  amount: string
  mcc: string
}
uses schema s
)");
  ASSERT_TRUE(small.ok()) << small.RenderDiagnostics();
  const std::string line =
      R"({"txn_id":"t1","ts":"2026-03-01T00:00:00Z","card_id":"c9","amount":26.93,"mcc":5541,"country":"IT"})";
  eval::EventJsonReader shared;
  std::string error;
  for (int round = 0; round < 3; ++round) {
    // A fresh event of each schema, as a host creates them; the small one is
    // made and freed each round, so it may take the address of the last.
    ASSERT_TRUE(shared.Read(line, *fast_event_, &error)) << error;
    ASSERT_TRUE(shared.Read(line, *fast_event_, &error)) << error;  // now shaped
    EXPECT_EQ(fast_event_->at(static_cast<size_t>(c_.program->schema.Find("mcc"))).i, 5541);
    auto other = std::make_unique<eval::Schema>(small.program->schema);
    eval::Event event(*other);
    ASSERT_FALSE(shared.Read(line, event, &error));
    EXPECT_NE(error.find("amount"), std::string::npos) << error;
    const std::string text = R"({"amount":"26.93","mcc":"5541","country":"IT"})";
    ASSERT_TRUE(shared.Read(text, event, &error)) << error;
    ASSERT_TRUE(shared.Read(text, event, &error)) << error;
    EXPECT_EQ(event.at(1).str(), "5541");
    // And back: the first schema's shape is learnt again, not misapplied.
    ASSERT_TRUE(shared.Read(line, *fast_event_, &error)) << error;
    EXPECT_EQ(fast_event_->at(static_cast<size_t>(c_.program->schema.Find("country"))).str(), "IT");
    EXPECT_EQ(fast_event_->at(static_cast<size_t>(c_.program->schema.Find("mcc"))).i, 5541);
  }
}

// A shaped line whose member takes the long way (a time of another form, a
// value the member's op does not read) goes on with the shape after it
// (OtherMembers, then CommonMembers again) rather than giving the whole line
// to the strict check: read in place, its later strings are kept where they
// lie in the buffer, which only the shaped path does (the strict check
// copies each string into the event's storage), and its values are the
// reference's.
TEST_F(EventJsonFastTest, AShapedLineGoesOnAfterAMemberReadTheLongWay) {
  const std::string base =
      R"({"txn_id":"t1","ts":"2026-03-01T00:00:00.569Z","card_id":"c9","amount":26.93,"mcc":5541,"country":"IT"})";
  const std::string odd[] = {
      R"({"txn_id":"t2","ts":"2026-03-01T10:00:00.123456+02:00","card_id":"c8","amount":1.5,"mcc":5541,"country":"FR"})",
      R"({"txn_id":"t3","ts":1772359200000000,"card_id":"c7","amount":"2.5","mcc":5541,"country":"DE"})",
      R"({"txn_id":"t4","ts":"2026-03-02T00:00:00Z","card_id":"c6","amount":3,"mcc":null,"country":"ES"})",
      // An exponent after a short decimal (Java and JavaScript write small and
      // large numbers so: 2.5e-7, 1.0E7).
      R"({"txn_id":"t5","ts":"2026-03-02T00:00:00Z","card_id":"c5","amount":2.5e1,"mcc":5541,"country":"PT"})",
      R"({"txn_id":"t6","ts":"2026-03-02T00:00:00Z","card_id":"c4","amount":7.25E-2,"mcc":5541,"country":"NL"})",
  };
  const int country = c_.program->schema.Find("country");
  ASSERT_GE(country, 0);
  tail_ = std::string("\n") + std::string(40, '7');
  for (const std::string& line : odd) {
    Same(base);
    Same(base);  // now shaped
    Same(line);
    if (HasFatalFailure()) return;
    const std::string buffer = line + tail_;
    std::string error;
    ASSERT_TRUE(fast_.ReadInPlace(std::string_view(buffer.data(), line.size()), *fast_event_, &error))
        << error;
    const std::string_view read = fast_event_->at(static_cast<size_t>(country)).str();
    EXPECT_TRUE(read.data() >= buffer.data() && read.data() + read.size() <= buffer.data() + line.size())
        << line << ": country not read in place, so not by the shaped path";
  }
}

}  // namespace
}  // namespace vigil::testing
