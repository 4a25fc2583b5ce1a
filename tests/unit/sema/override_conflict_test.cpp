// Settings that depend on the order of files are errors (issue 13): a param
// set twice by overrides, a rule's severity or mode set twice, and a field
// given twice in a test event.
#include "test_util.hpp"

namespace vigil::testing {
namespace {

const char* kOverrideRules = R"(ruleset p.test version "1.0.0"
schema s version 1 {
  ts: time
  amount: int
}
uses schema s
param LIMIT: int = 10
rule big {
  title "big"
  severity low
  when amount > LIMIT
  then score 1
}
)";

Compilation With(std::vector<std::pair<std::string, std::string>> overrides) {
  std::vector<SourceInput> in{SourceInput{"rules.vgl", kOverrideRules}};
  for (auto& [path, text] : overrides) in.push_back(SourceInput{path, text});
  return CompileSources(std::move(in));
}

TEST(OverrideConflicts, TwoFilesSettingOneParamIsAnErrorInEitherOrder) {
  for (bool swap : {false, true}) {
    std::vector<std::pair<std::string, std::string>> files = {
        {"a.vgl", "override p.test { set LIMIT = 20 }\n"},
        {"b.vgl", "override p.test { set LIMIT = 40 }\n"}};
    if (swap) std::swap(files[0], files[1]);
    Compilation c = With(files);
    ASSERT_EQ(Codes(c), std::vector<std::string>{"E3014"}) << c.RenderDiagnostics();
    const std::string first = swap ? "b.vgl:1:19" : "a.vgl:1:19";
    EXPECT_EQ(c.diagnostics[0].message,
              "param 'LIMIT' is already set by an override at " + first);
  }
}

TEST(OverrideConflicts, OneOverrideSettingAParamTwice) {
  Compilation c = With({{"o.vgl", "override p.test {\n  set LIMIT = 20\n  set LIMIT = 30\n}\n"}});
  ASSERT_EQ(Codes(c), std::vector<std::string>{"E3014"}) << c.RenderDiagnostics();
  EXPECT_NE(c.RenderDiagnostics().find("o.vgl:3:3: error[E3014]"), std::string::npos)
      << c.RenderDiagnostics();
}

TEST(OverrideConflicts, SeverityAndModeTwice) {
  Compilation c = With({{"o.vgl", "override p.test { severity big high }\n"},
                        {"q.vgl", "override p.test { severity big critical\n mode big shadow\n"
                                  " mode big enforce }\n"}});
  EXPECT_EQ(Codes(c), (std::vector<std::string>{"E3014", "E3014"})) << c.RenderDiagnostics();
  // One setting of each is fine, and so is disabling a rule twice (idempotent).
  c = With({{"o.vgl", "override p.test { severity big high\n mode big shadow\n set LIMIT = 5 }\n"},
            {"q.vgl", "override p.test { disable rule big\n disable rule big }\n"}});
  EXPECT_TRUE(c.ok()) << c.RenderDiagnostics();
}

TEST(TestEvents, AFieldGivenTwiceIsAnError) {
  Compilation c = CompileText(std::string(kOverrideRules) +
                              "test \"dup\" {\n"
                              "  event { ts: 2026-03-01T10:00:00Z, amount: 5, amount: 50 }\n"
                              "    expect fires big\n}\n");
  ASSERT_EQ(Codes(c), std::vector<std::string>{"E3015"}) << c.RenderDiagnostics();
  EXPECT_EQ(c.diagnostics[0].message, "field 'amount' is given twice in this test event");
  EXPECT_EQ(c.diagnostics[0].help, "it is first given at test.vgl:15:37");
}

}  // namespace
}  // namespace vigil::testing
