// Literals and the text of rule files (issue 13, "wrong answers"): float
// forms, out-of-range floats, NUL, and a byte-order mark in an imported file.
#include "test_util.hpp"

namespace vigil::testing {
namespace {

std::string Messages(const Compilation& c) {
  std::string out;
  for (const auto& d : c.diagnostics) out += CodeName(d) + " " + d.message + "\n";
  return out;
}

TEST(FloatLiterals, EveryDocumentedFormIsAFloat) {
  // `2e4` used to be a duration with the unit 'e4'. Compared with a float
  // field, a duration would be a type error.
  for (const char* f : {"2e4", "2E4", "2e+4", "2e-4", "1.5e3", "20000.0e0"}) {
    Compilation c = CompileText(Header() + "rule r { when rate > " + f + " then score 1 }\n");
    EXPECT_TRUE(c.ok()) << f << "\n" << Messages(c);
  }
  EXPECT_TRUE(Fires("rate == 2e4", {{"rate", 20000.0}}));
  EXPECT_TRUE(Fires("rate == 2e-4", {{"rate", 0.0002}}));
  // A unit that starts with e after a number is still an unknown duration unit.
  Compilation c = CompileText(Header() + "rule r { when wait > 2e4x then score 1 }\n");
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E1006"}) << Messages(c);
}

TEST(FloatLiterals, OutOfRangeFloatsSaySo) {
  Compilation c = CompileText(Header() + "const A = 1e400\nconst B = 1e-400\n"
                                         "rule r { when rate > A and rate > B then score 1 }\n");
  ASSERT_EQ(Codes(c), (std::vector<std::string>{"E3013", "E3013"})) << Messages(c);
  EXPECT_EQ(c.diagnostics[0].message, "float 1e400 is out of range: it is too large for a double");
  EXPECT_EQ(c.diagnostics[1].message, "float 1e-400 is out of range: it is too small for a double");
  // Subnormal and zero literals are numbers, not errors.
  EXPECT_TRUE(CompileText(Header() + "const A = 1e-310\nconst Z = 0e-400\n"
                                     "rule r { when rate > A and rate > Z then score 1 }\n")
                  .ok());
}

TEST(NulInStrings, RefusedAlikeWhateverTheSpelling) {
  for (const char* s : {R"("a\u{0}b")", R"("a\u0000b")", R"("\u{000000}")"}) {
    Compilation c = CompileText(Header() + "rule r { when name == " + s + " then score 1 }\n");
    ASSERT_EQ(Codes(c), std::vector<std::string>{"E1011"}) << s << "\n" << Messages(c);
    EXPECT_EQ(c.diagnostics[0].message, "a string cannot contain U+0000 (NUL)");
  }
  std::string raw = Header() + "rule r { when name == \"a";
  raw += '\0';
  raw += "b\" then score 1 }\n";
  Compilation c = CompileText(raw);
  ASSERT_EQ(Codes(c), std::vector<std::string>{"E1011"}) << Messages(c);
  EXPECT_EQ(c.diagnostics[0].message, "a NUL character (U+0000) in a rule file");
  // Other code points through either escape still work, and a malformed \u
  // escape is not called unknown.
  EXPECT_TRUE(Fires(R"(name == "\u00E9\u{E9}")", {{"name", "\xC3\xA9\xC3\xA9"}}));
  c = CompileText(Header() + "rule r { when name == \"\\u12\" then score 1 }\n");
  ASSERT_EQ(Codes(c), std::vector<std::string>{"E1005"});
  EXPECT_EQ(c.diagnostics[0].message, "malformed unicode escape '\\u'");
}

TEST(ByteOrderMark, InAnImportedFileChangesNothing) {
  // The issue: `const WATCH = {"PH","TH"}` in an imported file with a BOM no
  // longer matched "PH".
  Compilation c = CompileSources({
      SourceInput{"main.vgl", Header() + "import \"watch.vgl\"\n"
                                         "rule r { when country in WATCH then score 1 }\n"},
      SourceInput{"watch.vgl", "\xEF\xBB\xBF" "const WATCH = {\"PH\", \"TH\"}\n", false},
  });
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  EXPECT_EQ(Evaluate(c, {{"country", "PH"}}).fired, std::vector<std::string>{"r"});
  EXPECT_EQ(Evaluate(c, {{"country", "TH"}}).fired, std::vector<std::string>{"r"});
  // And in the main file, positions count from after the mark.
  c = CompileText("\xEF\xBB\xBF" + Header() + "rule r { when nope then score 1 }\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.RenderDiagnostics().find("test.vgl:17:15: error[E2001]"), std::string::npos)
      << c.RenderDiagnostics();
}

TEST(ByteOrderMark, InAListFile) {
  const std::string dir = ::testing::TempDir() + "/bom_list";
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir + "/l.txt", std::ios::binary) << "\xEF\xBB\xBF" "PH\nTH\n";
  }
  Compilation c = CompileSources({SourceInput{
      dir + "/r.vgl", Header() + "list L: set<string> from \"l.txt\"\n"
                                 "rule r { when country in L then score 1 }\n"}});
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  EXPECT_EQ(Evaluate(c, {{"country", "PH"}}).fired, std::vector<std::string>{"r"});
  // Latin-1 in a list file is refused with its line, as the C API refuses it.
  {
    std::ofstream(dir + "/l.txt", std::ios::binary) << "PH\ncaf\xE9\n";
  }
  c = CompileSources({SourceInput{dir + "/r.vgl", Header() +
                                                      "list L: set<string> from \"l.txt\"\n"
                                                      "rule r { when country in L then score 1 }\n"}});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.RenderDiagnostics().find("line 2: invalid UTF-8 (byte 0xE9)"), std::string::npos)
      << c.RenderDiagnostics();
}

}  // namespace
}  // namespace vigil::testing
