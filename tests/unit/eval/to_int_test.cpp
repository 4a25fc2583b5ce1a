// to_int(b): 1 for true, 0 for false, missing for unknown (docs/language.md,
// "Built-in functions"), so indicators can be weighed (rules/coalition R36).
#include "test_util.hpp"

namespace vigil::testing {
namespace {

TEST(ToInt, WeighsIndicators) {
  EXPECT_TRUE(Fires("to_int(amount > 10.00) == 1", {{"amount", Dec{"20.00"}}}));
  EXPECT_TRUE(Fires("to_int(amount > 10.00) == 0", {{"amount", Dec{"5.00"}}}));
  // Unknown (a missing field) is missing, so a comparison with it is unknown...
  EXPECT_FALSE(Fires("to_int(amount > 10.00) == 0", {{"mcc", 1}}));
  EXPECT_TRUE(Fires("to_int(amount > 10.00) is missing", {{"mcc", 1}}));
  // ... and coalesce makes it count 0.
  EXPECT_TRUE(Fires("coalesce(to_int(amount > 10.00), 0) * 3 + to_int(mcc == 1) * 2 == 2",
                    {{"mcc", 1}}));
  EXPECT_TRUE(Fires("to_int(ok) + to_int(not ok) == 1", {{"ok", true}}));
}

TEST(ToInt, TakesOnlyABool) {
  Compilation c = CompileText(Header() + "rule r { when to_int(mcc) == 1 then score 1 }\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.RenderDiagnostics().find("to_int"), std::string::npos) << c.RenderDiagnostics();
}

}  // namespace
}  // namespace vigil::testing
