// The formatter: golden cases (tests/golden/fmt/NAME.vgl → NAME.expected.vgl),
// idempotence on every rule file of the repository, comments kept, files
// with syntax errors refused. VIGIL_UPDATE_GOLDEN=1 rewrites the expected files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "format/format_text.hpp"
#include "format/formatter.hpp"
#include "syntax/tokens.hpp"

namespace vigil {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

using testing::FormatText;

std::vector<std::string> Comments(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& t : syntax::Tokenize(text)) {
    if (t.kind == "LINE_COMMENT") {
      std::string c(t.text);
      while (!c.empty() && c.back() == ' ') c.pop_back();
      out.push_back(c);
    }
  }
  return out;
}

std::vector<fs::path> Files(const fs::path& dir, const std::string& suffix) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Format, GoldenCases) {
  const fs::path dir = fs::path(VIGIL_SOURCE_DIR) / "tests/golden/fmt";
  int cases = 0;
  for (const fs::path& input : Files(dir, ".vgl")) {
    if (input.string().ends_with(".expected.vgl")) continue;
    fs::path expected = input;
    expected.replace_extension(".expected.vgl");
    std::string errors;
    std::optional<std::string> got = FormatText(Read(input), &errors);
    ASSERT_TRUE(got) << input << ":\n" << errors;
    if (std::getenv("VIGIL_UPDATE_GOLDEN") != nullptr) {
      std::ofstream(expected, std::ios::binary) << *got;
    }
    EXPECT_EQ(*got, Read(expected)) << input;
    EXPECT_EQ(Comments(*got), Comments(Read(input))) << "comments lost in " << input;
    ++cases;
  }
  EXPECT_GE(cases, 1);
}

TEST(Format, IdempotentOnEveryRuleFileOfTheRepository) {
  std::vector<fs::path> files = Files(fs::path(VIGIL_SOURCE_DIR) / "rules", ".vgl");
  for (const fs::path& f : Files(fs::path(VIGIL_SOURCE_DIR) / "tests/golden/fmt", ".vgl")) {
    files.push_back(f);
  }
  ASSERT_GE(files.size(), 3u);
  for (const fs::path& f : files) {
    const std::string text = Read(f);
    std::optional<std::string> once = FormatText(text);
    ASSERT_TRUE(once) << f;
    std::optional<std::string> twice = FormatText(*once);
    ASSERT_TRUE(twice) << f;
    EXPECT_EQ(*twice, *once) << "formatting " << f << " twice changes it";
    EXPECT_EQ(Comments(*once), Comments(text)) << "comments lost in " << f;
  }
}

TEST(Format, TheRepositorysRuleFilesAreFormatted) {
  for (const fs::path& f : Files(fs::path(VIGIL_SOURCE_DIR) / "rules", ".vgl")) {
    std::optional<std::string> got = FormatText(Read(f));
    ASSERT_TRUE(got) << f;
    EXPECT_EQ(*got, Read(f)) << f << " is not formatted: run vigil fmt on it";
  }
}

TEST(Format, SyntaxErrorsAreReportedAndNothingIsFormatted) {
  std::string errors;
  EXPECT_FALSE(FormatText("rule r { when amount > then score 1 }\n", &errors));
  EXPECT_NE(errors.find("error[E1003]"), std::string::npos) << errors;
}

TEST(Format, DiffShowsHunksWithLineNumbers) {
  std::string d = format::Diff("a.vgl", "x\ny\nz\n", "x\nY\nz\n");
  EXPECT_EQ(d, "--- a.vgl\n+++ a.vgl (formatted)\n@@ -2,1 +2,1 @@\n-y\n+Y\n");
}

}  // namespace
}  // namespace vigil
