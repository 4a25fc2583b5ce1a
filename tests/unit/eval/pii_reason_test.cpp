// Reasons and lets mask what is personal data, and only that: a count (or a
// distinct count) grouped `by:` a @pii key is not the key (issue 13 §4); a
// sum, average, minimum or maximum of a @pii value is the value's.
#include <gtest/gtest.h>

#include "test_util.hpp"

namespace vigil::testing {
namespace {

constexpr const char kSchema[] = R"(ruleset t.pii version "1.0.0"
schema txn version 1 {
  ts: time @time
  card_id: string @key @pii
  birth_year: int @pii
  amount: decimal
}
uses schema txn
)";

std::string Reason(const std::string& reason_expr, bool allow_pii = false) {
  Compilation c = CompileText(std::string(kSchema) + "rule r { when amount > 0 then score 1 reason \"" +
                              reason_expr + "\" }\n");
  Outcome o = Evaluate(c, {{"ts", Time{"2026-03-01T10:00:00Z"}}, {"card_id", "4111"},
                           {"birth_year", 1961}, {"amount", Dec{"12.50"}}},
                       allow_pii);
  return o.reasons["r"];
}

TEST(PiiReasons, CountsGroupedByAPiiKeyAreShown) {
  EXPECT_EQ(Reason("{count(by: card_id, within: 24h)} in 24h"), "1 in 24h");
  EXPECT_EQ(Reason("{distinct(amount, by: card_id, within: 24h)}"), "1");
  EXPECT_EQ(Reason("{sum(amount, by: card_id, within: 24h)}"), "12.50");  // amount is not @pii
}

TEST(PiiReasons, PiiValuesAndWhatIsMadeOfThemStayMasked) {
  EXPECT_EQ(Reason("card {card_id}"), "card ****");
  EXPECT_EQ(Reason("{max(birth_year, by: card_id, within: 24h)}"), "****");
  EXPECT_EQ(Reason("{sum(birth_year, by: card_id, within: 24h)}"), "****");
  EXPECT_EQ(Reason("{count(by: card_id, within: 24h, where: birth_year > 1950)}"), "1");
  EXPECT_EQ(Reason("card {card_id}", true), "card 4111");
}

TEST(PiiReasons, LetsOfCountsByAPiiKeyAreShown) {
  Compilation c = CompileText(std::string(kSchema) +
                              "let seen = count(by: card_id, within: 24h)\n"
                              "let year = birth_year + 0\n"
                              "rule r { when amount > 0 then score 1 reason \"{seen} uses, {year}\" }\n");
  Outcome o = Evaluate(c, {{"ts", Time{"2026-03-01T10:00:00Z"}}, {"card_id", "4111"},
                           {"birth_year", 1961}, {"amount", Dec{"12.50"}}});
  EXPECT_EQ(o.reasons["r"], "1 uses, ****");
}

}  // namespace
}  // namespace vigil::testing
