// Three-valued logic (LANGUAGE.md §3): the full truth tables of and, or and
// not over true, false and unknown (a comparison with a missing field).
#include "test_util.hpp"

namespace vigil::testing {
namespace {

enum class Tri { kTrue, kFalse, kUnknown };

// A = (amount > 10.00), B = (mcc == 1); each made true, false or unknown.
std::map<std::string, FieldValue> Event(Tri a, Tri b) {
  std::map<std::string, FieldValue> e;
  if (a != Tri::kUnknown) e["amount"] = Dec{a == Tri::kTrue ? "20.00" : "5.00"};
  if (b != Tri::kUnknown) e["mcc"] = b == Tri::kTrue ? 1 : 2;
  return e;
}

// The three-valued result of `expr`, observed through firing and `is missing`.
Tri Observe(const std::string& expr, Tri a, Tri b) {
  if (Fires(expr, Event(a, b))) return Tri::kTrue;
  if (Fires("(" + expr + ") is missing", Event(a, b))) return Tri::kUnknown;
  return Tri::kFalse;
}

const Tri kAll[] = {Tri::kTrue, Tri::kFalse, Tri::kUnknown};

Tri And(Tri a, Tri b) {
  if (a == Tri::kFalse || b == Tri::kFalse) return Tri::kFalse;
  if (a == Tri::kUnknown || b == Tri::kUnknown) return Tri::kUnknown;
  return Tri::kTrue;
}
Tri Or(Tri a, Tri b) {
  if (a == Tri::kTrue || b == Tri::kTrue) return Tri::kTrue;
  if (a == Tri::kUnknown || b == Tri::kUnknown) return Tri::kUnknown;
  return Tri::kFalse;
}

TEST(ThreeValuedLogic, AndTruthTable) {
  for (Tri a : kAll) {
    for (Tri b : kAll) {
      EXPECT_EQ(Observe("amount > 10.00 and mcc == 1", a, b), And(a, b))
          << static_cast<int>(a) << " and " << static_cast<int>(b);
    }
  }
}

TEST(ThreeValuedLogic, OrTruthTable) {
  for (Tri a : kAll) {
    for (Tri b : kAll) {
      EXPECT_EQ(Observe("amount > 10.00 or mcc == 1", a, b), Or(a, b))
          << static_cast<int>(a) << " or " << static_cast<int>(b);
    }
  }
}

TEST(ThreeValuedLogic, NotTruthTable) {
  EXPECT_EQ(Observe("not amount > 10.00", Tri::kTrue, Tri::kTrue), Tri::kFalse);
  EXPECT_EQ(Observe("not amount > 10.00", Tri::kFalse, Tri::kTrue), Tri::kTrue);
  EXPECT_EQ(Observe("not amount > 10.00", Tri::kUnknown, Tri::kTrue), Tri::kUnknown);
}

TEST(ThreeValuedLogic, LongChainsShortCircuitCorrectly) {
  // false anywhere in an `and` chain wins over unknown, wherever it stands.
  EXPECT_EQ(Observe("mcc == 1 and amount > 10.00 and mcc == 1", Tri::kFalse, Tri::kUnknown),
            Tri::kFalse);
  EXPECT_EQ(Observe("mcc == 1 or amount > 10.00 or mcc == 1", Tri::kTrue, Tri::kUnknown),
            Tri::kTrue);
}

TEST(ThreeValuedLogic, IsMissingAndIsPresent) {
  EXPECT_TRUE(Fires("amount is missing", {}));
  EXPECT_FALSE(Fires("amount is present", {}));
  EXPECT_TRUE(Fires("amount is present", {{"amount", Dec{"1.00"}}}));
  EXPECT_FALSE(Fires("amount is missing", {{"amount", Dec{"1.00"}}}));
}

TEST(ThreeValuedLogic, ComparisonWithMissingNeverFires) {
  EXPECT_FALSE(Fires("country == \"PH\"", {}));
  EXPECT_FALSE(Fires("country != \"PH\"", {}));
  EXPECT_FALSE(Fires("mcc in {1, 2}", {}));
  EXPECT_FALSE(Fires("mcc not in {1, 2}", {}));
}

}  // namespace
}  // namespace vigil::testing

namespace vigil::testing {
namespace {

// Found by fuzzing: an empty string may have no storage at all; comparing
// two of them (field against constant, or two fields) must still work.
TEST(Logic, EmptyStringsCompareEqual) {
  EXPECT_TRUE(Fires("country == \"\"", {{"country", ""}}));
  EXPECT_FALSE(Fires("country != \"\"", {{"country", ""}}));
  EXPECT_TRUE(Fires("country == card_country", {{"country", ""}, {"card_country", ""}}));
  EXPECT_TRUE(Fires("country != card_country", {{"country", ""}, {"card_country", "NZ"}}));
  EXPECT_FALSE(Fires("country == \"NZ\"", {{"country", ""}}));
}

}  // namespace
}  // namespace vigil::testing
