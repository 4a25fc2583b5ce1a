// Warnings about what a shared file says rather than how its rules read
// (issue 13): bidirectional controls that make a line display in another
// order than it compiles (W5009), and rule sets where no rule decides (W5010).
#include "test_util.hpp"

namespace vigil::testing {
namespace {

std::vector<std::string> WarningCodes(const Compilation& c) {
  std::vector<std::string> out;
  for (const auto& d : c.diagnostics) {
    if (d.severity == Severity::kWarning) out.push_back(CodeName(d));
  }
  return out;
}

const char* kRule = "rule r {\n  title \"t\"\n  severity low\n  when country == \"PH\"\n  then score 1\n}\n";
using V = std::vector<std::string>;

TEST(BidiControls, AreWarnedAboutOncePerLine) {
  // "PH" RLO ... : reads as one thing, compiles as another.
  const std::string rlo = "\xE2\x80\xAE";
  Compilation c = CompileText(Header() + "# admin only " + rlo + " } ; " + rlo + "\n" + kRule);
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  ASSERT_EQ(WarningCodes(c), V{"W5009"}) << c.RenderDiagnostics();
  const Diagnostic& d = c.diagnostics[0];
  EXPECT_EQ(d.message,
            "bidirectional control character U+202E (RIGHT-TO-LEFT OVERRIDE): this line may "
            "display in another order than it is read and compiled");
  // The rendered line shows the control as U+FFFD, never the control itself.
  const std::string shown = c.RenderDiagnostics();
  EXPECT_EQ(shown.find(rlo), std::string::npos) << shown;
  EXPECT_NE(shown.find("\xEF\xBF\xBD"), std::string::npos) << shown;
  // Every control of the set, in a string too.
  for (const char* ctl : {"\xE2\x80\xAA", "\xE2\x80\xAB", "\xE2\x80\xAC", "\xE2\x80\xAD",
                          "\xE2\x81\xA6", "\xE2\x81\xA7", "\xE2\x81\xA8", "\xE2\x81\xA9"}) {
    c = CompileText(Header() + "rule r {\n  title \"t\"\n  severity low\n  when name == \"a" +
                    ctl + "b\"\n  then score 1\n}\n");
    EXPECT_EQ(WarningCodes(c), V{"W5009"}) << c.RenderDiagnostics();
  }
  // Other right-to-left text (Hebrew, Arabic) and the escape are fine.
  c = CompileText(Header() + "rule r {\n  title \"t\"\n  severity low\n  when name == \"\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D\" or name == \"\\u{202E}\"\n  then score 1\n}\n");
  EXPECT_EQ(WarningCodes(c), V{}) << c.RenderDiagnostics();
  // Silenced like any warning.
  c = CompileText(Header() + "# vigil: allow W5009\nconst X = \"a" + rlo + "\"\n" + kRule +
                  "rule q {\n  title \"t\"\n  severity low\n  when name == X\n  then score 1\n}\n");
  EXPECT_EQ(WarningCodes(c), V{}) << c.RenderDiagnostics();
}

TEST(BidiControls, InAnImportedFileToo) {
  Compilation c = CompileSources({
      SourceInput{"main.vgl", Header() + "import \"more.vgl\"\n" + kRule},
      SourceInput{"more.vgl", "const Y = \"\xE2\x81\xA6x\xE2\x81\xA9\"\n", false},
  });
  ASSERT_EQ(WarningCodes(c), (V{"W5009", "W5001"})) << c.RenderDiagnostics();
  EXPECT_NE(c.RenderDiagnostics().find("more.vgl:1:12: warning[W5009]"), std::string::npos)
      << c.RenderDiagnostics();
}

TEST(NoRules, AnEmptyRuleSetIsWarnedAbout) {
  Compilation c = CompileText("");
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(WarningCodes(c), V{"W5010"});
  EXPECT_EQ(c.diagnostics[0].message,
            "no rule is enforced (the rule files declare no rules): every event will get "
            "decision 'allow' and score 0");
  c = CompileText(Header());  // a schema and no rules
  EXPECT_EQ(WarningCodes(c), V{"W5010"});
  // Every rule in shadow mode, or disabled: nothing decides either.
  c = CompileText(Header() + "rule r {\n  title \"t\"\n  severity low\n  mode shadow\n"
                             "  when country == \"PH\"\n  then score 1\n}\n");
  ASSERT_EQ(WarningCodes(c), V{"W5010"});
  EXPECT_NE(c.diagnostics[0].message.find("every rule is in shadow mode or disabled"),
            std::string::npos);
  c = CompileSources({SourceInput{"a.vgl", Header() + kRule},
                      SourceInput{"o.vgl", "override t.unit { disable rule r }\n"}});
  EXPECT_EQ(WarningCodes(c), V{"W5010"}) << c.RenderDiagnostics();
  // One enforced rule is enough.
  EXPECT_EQ(WarningCodes(CompileText(Header() + kRule)), V{});
}

}  // namespace
}  // namespace vigil::testing
