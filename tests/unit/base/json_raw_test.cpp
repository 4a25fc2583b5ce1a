// Members kept as raw text (ParseOptions::raw), the way `vigil case` and
// `vigil report` read evidence records: the same bytes out as a tree gives,
// the same errors at the same places, and only the members named are raw.
#include <gtest/gtest.h>

#include "base/json_value.hpp"

namespace vigil::json {
namespace {

ParseOptions RawOptions(std::vector<RawPath> raw) {
  ParseOptions options;
  options.raw = std::move(raw);
  return options;
}

// Parses `text` as a tree and again with `raw` members: the compact text of
// both, which must be the same.
std::string WrittenBothWays(std::string_view text, const std::vector<RawPath>& raw) {
  Value tree, kept;
  ParseError e;
  EXPECT_TRUE(Parse(text, &tree, &e)) << e.message;
  EXPECT_TRUE(Parse(text, &kept, &e, RawOptions(raw))) << e.message;
  std::string a, b;
  Write(tree, a);
  Write(kept, b);
  EXPECT_EQ(a, b) << "in " << text;
  return b;
}

std::string RawError(std::string_view text, const ParseOptions& options = {}) {
  Value v;
  ParseError e;
  if (Parse(text, &v, &e, options)) return "parsed";
  return std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.message;
}

TEST(JsonRaw, KeepsOnlyTheNamedMembersAsText) {
  Value v;
  ParseError e;
  ASSERT_TRUE(Parse(R"({"explain":{"rules":[{"a":1}],"lets":{"x":true},"fired":[1]},"rules":[2]})",
                    &v, &e, RawOptions({{"explain", "rules"}, {"explain", "lets"}})))
      << e.message;
  const Value* explain = v.Find("explain");
  ASSERT_TRUE(explain != nullptr && explain->is_object());
  ASSERT_TRUE(explain->Find("rules")->is_raw());
  EXPECT_EQ(explain->Find("rules")->text(), R"([{"a":1}])");
  EXPECT_TRUE(explain->Find("lets")->is_raw());
  EXPECT_TRUE(explain->Find("fired")->is_array());  // not named
  EXPECT_TRUE(v.Find("rules")->is_array());         // the same name elsewhere
}

TEST(JsonRaw, ArrayItemsAreNamedByBrackets) {
  Value v;
  ParseError e;
  ASSERT_TRUE(Parse(R"({"alerts":[{"evidence":{"rules":[1]}},{"evidence":{"rules":{}}}]})", &v, &e,
                    RawOptions({{"alerts", "[]", "evidence", "rules"}})))
      << e.message;
  for (const Value& alert : v.Find("alerts")->items()) {
    EXPECT_TRUE(alert.Find("evidence")->Find("rules")->is_raw());
  }
}

TEST(JsonRaw, WritesWhatTheTreeWritesWhateverTheInputLooksLike) {
  const std::vector<RawPath> raw = {{"r"}, {"a", "[]"}};
  // Already compact: kept as it is.
  EXPECT_EQ(WrittenBothWays(R"({"r":{"s":"say \"hi\"\n","n":[1,-0.50,2e3,true,null]}})", raw),
            R"({"r":{"s":"say \"hi\"\n","n":[1,-0.50,2e3,true,null]}})");
  // Spaces between tokens, and escapes Write does not use: rewritten.
  EXPECT_EQ(WrittenBothWays("{\"r\" : { \"s\" : [ 1 ,\n 2 ] } }", raw), R"({"r":{"s":[1,2]}})");
  EXPECT_EQ(WrittenBothWays(R"({"r":"a\/b\u00e9\b\f\u001F\u0041"})", raw),
            "{\"r\":\"a/b\xc3\xa9\\u0008\\u000c\\u001fA\"}");
  EXPECT_EQ(WrittenBothWays(R"({"r":{"k\u0041":1}})", raw), R"({"r":{"kA":1}})");
  EXPECT_EQ(WrittenBothWays(R"({"r":"\ud83d\ude00 \u001f"})", raw),
            "{\"r\":\"\xf0\x9f\x98\x80 \\u001f\"}");
  EXPECT_EQ(WrittenBothWays(R"({"a":[ "x" , {"y":[]} ],"r":[]})", raw), R"({"a":["x",{"y":[]}],"r":[]})");
  EXPECT_EQ(WrittenBothWays(R"({"r":{}})", raw), R"({"r":{}})");
}

TEST(JsonRaw, RefusesTheSameInputsWithTheSameMessages) {
  const ParseOptions raw = RawOptions({{"r"}, {"r", "x"}});
  const char* bad[] = {
      "{\"r\":{\"a\":1,}}",
      "{\"r\":[1,,2]}",
      "{\"r\":{\"a\":tru}}",
      "{\"r\":\"\\q\"}",
      "{\"r\":{\"a\":1,\n \"a\":2}}",
      "{\"r\":{\"b\":{\"a\":1,\"c\":{\"a\":2},\"a\":3}}}",
      "{\"r\":{\"\\u0061\":1,\"a\":2}}",
      "{\"r\":01}",
      "{\"r\":1.}",
      "{\"r\":\"\\ud800\"}",
      "{\"r\":\"\\udc00\"}",
      "{\"r\":\"a\tb\"}",
      "{\"r\":\"\xff\"}",
      "{\"r\":",
      "{\"r\":{\"a\" 1}}",
      "{\"r\":{1:2}}",
      "{\"r\":[1 2]}",
      "{\"r\":{\"a\":1 \"b\":2}}",
      "{\"r\":\"abc",
      "{\"r\":1e}",
      "{\"r\":-}",
      "{\"r\":[1]}}",
      "{\"r\":{\"x\":[1,]}}",
      "{\"r\":1,\"r\":2}",
  };
  for (const char* text : bad) {
    const std::string plain = RawError(text);
    EXPECT_NE(plain, "parsed") << text;
    EXPECT_EQ(RawError(text, raw), plain) << text;
  }
}

TEST(JsonRaw, BoundsNestingInsideRawMembersAsElsewhere) {
  std::string deep = "{\"r\":" + std::string(300, '[') + std::string(300, ']') + "}";
  const std::string plain = RawError(deep);
  EXPECT_EQ(plain, "1:261: nested deeper than 256 arrays and objects");
  EXPECT_EQ(RawError(deep, RawOptions({{"r"}})), plain);
  std::string ok = "{\"r\":" + std::string(200, '[') + std::string(200, ']') + "}";
  EXPECT_EQ(RawError(ok, RawOptions({{"r"}})), "parsed");
}

TEST(JsonRaw, RawValuesParseBackToTheTree) {
  const std::string text = R"({"r":{"s":"\/x","n":[1.50,{"t":false}]}})";
  Value tree, kept, back;
  ParseError e;
  ASSERT_TRUE(Parse(text, &tree, &e));
  ASSERT_TRUE(Parse(text, &kept, &e, RawOptions({{"r"}})));
  ASSERT_TRUE(kept.Find("r")->is_raw());
  ASSERT_TRUE(Parse(kept.Find("r")->text(), &back, &e)) << e.message;
  EXPECT_EQ(back, *tree.Find("r"));
}

}  // namespace
}  // namespace vigil::json
