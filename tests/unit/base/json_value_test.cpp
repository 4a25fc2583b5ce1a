// The strict JSON reader used for results and case files: exact numbers,
// every malformation refused with its line and column, stable output.
#include "base/json_value.hpp"

#include <gtest/gtest.h>

namespace vigil::json {
namespace {

std::string Error(std::string_view text) {
  Value v;
  ParseError e;
  if (Parse(text, &v, &e)) return "parsed";
  return std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.message;
}

TEST(JsonValue, KeepsNumbersAsWrittenAndMembersInOrder) {
  Value v;
  ParseError e;
  ASSERT_TRUE(Parse(R"( {"b": 19.99, "a": [1, -0, 2e3, true, null], "s": "\u00e9\ud83d\ude00\n"} )",
                    &v, &e))
      << e.message;
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(v.members()[0].first, "b");
  EXPECT_EQ(v.Find("b")->text(), "19.99");
  EXPECT_EQ(v.Find("a")->items()[2].text(), "2e3");
  EXPECT_EQ(v.Find("a")->items()[0].AsInt(), 1);
  EXPECT_FALSE(v.Find("b")->AsInt().has_value());
  EXPECT_EQ(v.Find("s")->text(), "é😀\n");
  std::string out;
  Write(v, out);
  EXPECT_EQ(out, R"({"b":19.99,"a":[1,-0,2e3,true,null],"s":"é😀\n"})");
  Value again;
  ASSERT_TRUE(Parse(out, &again, &e));
  EXPECT_EQ(again, v);
}

TEST(JsonValue, RefusesWhatIsNotStrictJson) {
  EXPECT_EQ(Error("{\"a\":1,}"), "1:8: a trailing ',' before '}'");
  EXPECT_EQ(Error("[1,,2]"), "1:4: expected a JSON value, found ','");
  EXPECT_EQ(Error("{\"a\":1} {\"b\":2}"), "1:9: expected the end of the input after the value, found '{'");
  EXPECT_EQ(Error("{\"a\":1}}"), "1:8: expected the end of the input after the value, found '}'");
  EXPECT_EQ(Error("{\"a\":tru}"), "1:6: expected a JSON value, found 't'");
  EXPECT_EQ(Error("\"\\q\""), "1:3: unknown escape '\\q' in a string");
  EXPECT_EQ(Error("{\"a\":1,\n \"a\":2}"), "2:2: member \"a\" appears twice");
  EXPECT_EQ(Error("01"), "1:2: a number cannot start with 0 followed by digits");
  EXPECT_EQ(Error("1."), "1:3: expected digits after '.', found the end of the input");
  EXPECT_EQ(Error("\"\\ud800\""), "1:8: a high surrogate without its low half");
  EXPECT_EQ(Error("\"a\tb\""), "1:3: a control character (0x09) inside a string; write it as an escape");
  EXPECT_EQ(Error("\"\xff\""), "1:2: invalid UTF-8 inside a string");
  EXPECT_EQ(Error(""), "1:1: expected a JSON value, found the end of the input");
  EXPECT_EQ(Error("{\"a\" 1}"), "1:6: expected ':' after a member name, found '1'");
  EXPECT_EQ(Error("{1:2}"), "1:2: expected a member name in quotes, found '1'");
}

TEST(JsonValue, BoundsNesting) {
  std::string deep(300, '[');
  deep += std::string(300, ']');
  EXPECT_EQ(Error(deep), "1:257: nested deeper than 256 arrays and objects");
}

TEST(JsonValue, PrettyOutputIsStableAndReadable) {
  Value v = Value::Object();
  v.Set("n", Value::Int(3));
  v.Set("tags", Value::Array()).Push(Value::String("a"));
  Value& items = v.Set("items", Value::Array());
  items.Push(Value::Object()).Set("x", Value::Bool(false));
  v.Set("empty", Value::Object());
  std::string out;
  WritePretty(v, out);
  EXPECT_EQ(out,
            "{\n"
            "  \"n\": 3,\n"
            "  \"tags\": [\"a\"],\n"
            "  \"items\": [\n"
            "    {\n"
            "      \"x\": false\n"
            "    }\n"
            "  ],\n"
            "  \"empty\": {}\n"
            "}");
}

}  // namespace
}  // namespace vigil::json
