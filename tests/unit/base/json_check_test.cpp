// The strict JSON check that every event line passes before values are read
// (issue 13, "the JSON event reader accepts malformed lines").
#include "base/json_check.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vigil::testing {
namespace {

std::string Problem(std::string_view text) {
  JsonProblem p;
  if (CheckJsonObject(text, &p)) return "ok";
  return p.Describe();
}

TEST(JsonCheck, AcceptsWellFormedObjects) {
  for (const char* ok : {
           R"({})",
           R"(  {"a":1}  )",
           "{\"a\":1}\r\n",
           R"({"a":[1,2,{"b":null}],"c":true,"d":false,"e":-0.5e-3,"f":"x\"\\\/\b\f\n\r\t\u00e9"})",
           R"({"a":"\ud83d\ude00"})",
           "{\"a\":\"h\xC3\xA9llo \xF0\x9F\x98\x80\"}",
           R"({"a":0,"b":-0,"c":1E+2,"d":123456789012345678901234567890})",
           R"({"a":1,"a":2})",  // duplicate names are JSON; readers refuse the ones they use
       }) {
    EXPECT_EQ(Problem(ok), "ok") << ok;
  }
}

TEST(JsonCheck, RefusesWhatTheIssueFoundAccepted) {
  EXPECT_EQ(Problem(R"({"a":1} {"b":2})"),
            "at column 9: unexpected '{' after the object (a line holds exactly one object)");
  EXPECT_EQ(Problem(R"({"a":1}})"),
            "at column 8: unexpected '}' after the object (a line holds exactly one object)");
  EXPECT_EQ(Problem(R"({"x":[1,,2]})"), "at column 9, in member 'x': expected a value, found ','");
  EXPECT_EQ(Problem(R"({"x":tru})"), "at column 6, in member 'x': expected a value, found 't'");
  EXPECT_EQ(Problem(R"({"x":"\q"})"), "at column 7, in member 'x': unknown escape '\\q' in a string");
  EXPECT_EQ(Problem(R"({"expect":{"fires":["big"],}})"),
            "at column 28, in member 'expect': a trailing comma before '}' (JSON has none)");
}

TEST(JsonCheck, RefusesEveryOtherDeviationFromRfc8259) {
  const char* bad[] = {
      "",                        // nothing
      "[1]",                     // not an object
      "\xEF\xBB\xBF{}",          // a BOM inside a line
      R"({"a":1,})",             // trailing comma
      R"({"a":[1,]})",           // trailing comma in an array
      R"({a:1})",                // unquoted name
      R"({'a':1})",              // single quotes
      R"({"a" 1})",              // missing colon
      R"({"a":1 "b":2})",        // missing comma
      R"({"a":01})",             // leading zero
      R"({"a":+1})",             // plus sign
      R"({"a":1.})",             // no fraction digits
      R"({"a":.5})",             // no integer digits
      R"({"a":1e})",             // no exponent digits
      R"({"a":NaN})",            // not JSON
      R"({"a":Infinity})",
      R"({"a":truex})",          // a literal running on
      R"({"a":12a})",            // a number running on
      R"({"a":nul})",
      R"({"a":"\x"})",           // unknown escape
      R"({"a":"\u12"})",         // short \u
      R"({"a":"\ud800"})",       // lone high surrogate
      R"({"a":"\udc00"})",       // lone low surrogate
      R"({"a":"\ud800\u0041"})", // high surrogate with a non-surrogate
      "{\"a\":\"tab\there\"}",   // raw control character
      "{\"a\":\"\xC3\x28\"}",    // invalid UTF-8
      "{\"a\":\"\xED\xA0\x80\"}",  // UTF-8 encoded surrogate
      R"({"a":"unterminated})",
      R"({"a":1)",               // unclosed object
      R"({"a":[1,2)",            // unclosed array
      R"({"a":1} // comment)",
  };
  for (const char* b : bad) EXPECT_NE(Problem(b), "ok") << b;
}

TEST(JsonCheck, NestingIsBounded) {
  std::string deep = "{\"a\":";
  for (size_t i = 0; i < kMaxJsonDepth; ++i) deep += "[";
  std::string ok = deep;
  for (size_t i = 0; i < kMaxJsonDepth; ++i) ok += "]";
  EXPECT_NE(Problem(ok + "}"), "ok");  // the object itself is a level
  std::string fits = "{\"a\":";
  for (size_t i = 0; i + 1 < kMaxJsonDepth; ++i) fits += "[";
  for (size_t i = 0; i + 1 < kMaxJsonDepth; ++i) fits += "]";
  EXPECT_EQ(Problem(fits + "}"), "ok");
  std::string hostile = "{\"a\":" + std::string(1000000, '[');
  EXPECT_NE(Problem(hostile).find("nested deeper than 64 levels"), std::string::npos);
}

TEST(JsonCheck, ColumnsCountCodePoints) {
  JsonProblem p;
  ASSERT_FALSE(CheckJsonObject("{\"\xC3\xA9\":x}", &p));
  EXPECT_EQ(p.column, 6u);  // {, ", é, ", : then x
  EXPECT_EQ(p.offset, 6u);
}

}  // namespace
}  // namespace vigil::testing
