// JsonShape::Lex (base/json_shape.hpp) is only a fast path of the strict
// check: whatever it accepts, CheckJsonObject accepts too, with the same
// members handed over in the same order; anything else it gives up on.
#include "base/json_shape.hpp"

#include <gtest/gtest.h>

#include "mutate.hpp"

#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace vigil {
namespace {

struct Seen {
  std::string key, value;
  bool key_escaped, value_escaped;
  bool operator==(const Seen&) const = default;
};

bool ByCheck(std::string_view text, std::vector<Seen>* out) {
  JsonProblem problem;
  return CheckJsonObject(
      text, &problem,
      [](void* context, const JsonMemberText& m) {
        static_cast<std::vector<Seen>*>(context)->push_back(
            {std::string(m.key), std::string(m.value), m.key_escaped, m.value_escaped});
        return true;
      },
      out);
}

bool ByShape(const JsonShape& shape, std::string_view text, std::vector<Seen>* out) {
  size_t next = 0;
  bool in_order = true;
  const bool ok = shape.Lex(text, [&](size_t i, const JsonMemberText& m) {
    in_order = in_order && i == next++;
    out->push_back({std::string(m.key), std::string(m.value), m.key_escaped, m.value_escaped});
    return true;
  });
  EXPECT_TRUE(in_order);
  return ok;
}

JsonShape ShapeOf(std::string_view text) {
  std::vector<Seen> members;
  EXPECT_TRUE(ByCheck(text, &members)) << text;
  JsonShape shape;
  for (const Seen& m : members) shape.Add(m.key);
  return shape;
}

// Lex accepted `text`: the check must accept it with the same members.
void ExpectAgrees(const JsonShape& shape, const std::string& text, size_t* accepted) {
  std::vector<Seen> fast, checked;
  if (!ByShape(shape, text, &fast)) return;
  ++*accepted;
  ASSERT_TRUE(ByCheck(text, &checked)) << "Lex accepted what the check refuses: " << text;
  ASSERT_EQ(fast, checked) << text;
}

const char kLine[] =
    R"({"txn_id":"t000000001","ts":"2026-03-01T00:00:00.569Z","amount":26.93,"mcc":5541,)"
    R"("rate":-1.25e-3,"ok":false,"gone":null,"name":"Zoë CAFÉ 東京 🎉","n":0})";

TEST(JsonShape, ReadsTheShapeItWasGiven) {
  const JsonShape shape = ShapeOf(kLine);
  ASSERT_EQ(shape.size(), 9u);
  EXPECT_EQ(shape.key(0), "txn_id");
  EXPECT_EQ(shape.key(8), "n");
  std::vector<Seen> fast, checked;
  ASSERT_TRUE(ByShape(shape, kLine, &fast));
  ASSERT_TRUE(ByCheck(kLine, &checked));
  EXPECT_EQ(fast, checked);
  EXPECT_EQ(fast[2].value, "26.93");
  EXPECT_EQ(fast[7].value, "\"Zoë CAFÉ 東京 🎉\"");
  // Trailing whitespace is allowed, as the check allows it.
  fast.clear();
  EXPECT_TRUE(ByShape(shape, std::string(kLine) + " \r\n", &fast));
}

TEST(JsonShape, GivesUpOnAnythingElse) {
  const JsonShape shape = ShapeOf(R"({"a":"x","b":1})");
  std::vector<Seen> out;
  for (const char* text : {
           R"({"a":"x","b":1,"c":2})",  // a member more
           R"({"a":"x"})",              // a member less
           R"({"b":1,"a":"x"})",        // another order
           R"({ "a":"x","b":1})",       // whitespace between tokens
           R"({"a": "x","b":1})", R"({"a":"x" ,"b":1})",
           R"({"a":"\u0078","b":1})",  // an escape
           "{\"a\":\"x\ty\",\"b\":1}",  // a raw control character
           "{\"a\":\"\xC3\x28\",\"b\":1}",  // bad UTF-8
           R"({"a":{"x":1},"b":1})", R"({"a":["x"],"b":1})",  // nested values
           R"({"a":"x","b":01})", R"({"a":"x","b":1.})", R"({"a":"x","b":-})",
           R"({"a":"x","b":1e})", R"({"a":"x","b":+1})", R"({"a":"x","b":tru})",
           R"({"a":"x","b":1} x)", R"({"a":"x","b":1,})", R"({"a":"x,"b":1})", R"({"a":"x","b":1)",
           "", "{", R"({"a")",
       }) {
    out.clear();
    EXPECT_FALSE(ByShape(shape, text, &out)) << text;
  }
  EXPECT_FALSE(ByShape(JsonShape(), "{}", &out));
}

TEST(JsonShape, AVisitorCanStopIt) {
  const JsonShape shape = ShapeOf(R"({"a":1,"b":2})");
  size_t visits = 0;
  EXPECT_FALSE(shape.Lex(R"({"a":1,"b":2})", [&](size_t, const JsonMemberText&) {
    ++visits;
    return false;
  }));
  EXPECT_EQ(visits, 1u);
}

// Bytes changed, inserted and removed at random: whatever Lex accepts, the
// check accepts with the same members.
TEST(JsonShape, NeverAcceptsWhatTheCheckRefuses) {
  const JsonShape shape = ShapeOf(kLine);
  std::mt19937 rng(20261130);
  const std::string alphabet = "{}[],:\"\\0123456789.-+eEtrufalsn \t\xC3\xA9\x80\x01u";
  size_t accepted = 0;
  for (int k = 0; k < 20000; ++k) {
    const std::string v = testing::Mutant(kLine, rng, alphabet, 3);
    ExpectAgrees(shape, v, &accepted);
    if (::testing::Test::HasFatalFailure()) return;
  }
  // Many mutants keep the shape (a changed digit or letter): the fast path
  // is exercised, not only refused.
  EXPECT_GT(accepted, 2000u);
}


// A member's token compared where it lies (JsonShape::Name): the SSE2 way
// (two 16-byte compares, the second only past 16 bytes) and the way by
// masked words give memcmp's answer, for names of every length around the
// 16- and 32-byte edges, with each byte of the token (and the byte after it)
// changed, and text that ends inside the token.
TEST(JsonShape, TokensComparedAsByMemcmp) {
  std::mt19937 rng(2616);
  for (size_t length = 1; length <= 40; ++length) {
    std::string name;
    for (size_t i = 0; i < length; ++i) name += static_cast<char>('a' + rng() % 26);
    JsonShape shape;
    shape.Add("first");
    shape.Add(name);
    const JsonShape::Member& m = shape.members()[1];
    const std::string token = ",\"" + name + "\":";
    ASSERT_EQ(m.size, token.size());
    for (size_t at = 0; at <= token.size(); ++at) {
      for (const int delta : {0, 1, -1, 0x20, 0x80}) {
        std::string text = token + "1}";
        if (at < text.size()) text[at] = static_cast<char>(text[at] + delta);
        for (const size_t cut : {text.size(), at}) {
          // The text ends at `cut`, then a control character and padding.
          std::string padded = text.substr(0, cut);
          padded += '\n';
          padded.append(48, '"');
          const char* const end = padded.data() + cut;
          const bool want = cut >= token.size() && std::memcmp(padded.data(), token.data(), token.size()) == 0;
          ASSERT_EQ(shape.SameTokenWords(padded.data(), end, m), want) << padded << " " << cut;
#if defined(__SSE2__)
          ASSERT_EQ(shape.SameTokenSse2(padded.data(), end, m), want) << padded << " " << cut;
#endif
          const char* p = padded.data();
          ASSERT_EQ(shape.Name(1, p, end), want);
          if (want) {
            ASSERT_EQ(p, padded.data() + token.size());
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace vigil
