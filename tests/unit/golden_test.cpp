// Golden diagnostics: every tests/golden/diagnostics/<case>.vgl is compiled
// and its rendered diagnostics must equal <case>.stderr byte for byte.
// VIGIL_UPDATE_GOLDEN=1 rewrites the expected files (review the diff).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/compiler.hpp"

namespace vigil {
namespace {

namespace fs = std::filesystem;

const char kDir[] = "tests/golden/diagnostics";

std::vector<std::string> Cases() {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(fs::path(VIGIL_SOURCE_DIR) / kDir)) {
    if (entry.path().extension() == ".vgl") out.push_back(entry.path().stem().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class GoldenDiagnostics : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenDiagnostics, MatchesExpectedText) {
  fs::path root(VIGIL_SOURCE_DIR);
  std::string rel = std::string(kDir) + "/" + GetParam() + ".vgl";
  std::ifstream in(root / rel, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  Compilation c = CompileSources({SourceInput{rel, text.str()}},
                                 [] { CompileOptions o; o.allow_filesystem = false; return o; }());
  std::string got = c.RenderDiagnostics();
  fs::path expected_path = root / kDir / (GetParam() + ".stderr");
  if (std::getenv("VIGIL_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(expected_path, std::ios::binary) << got;
  }
  std::ifstream expected_in(expected_path, std::ios::binary);
  ASSERT_TRUE(expected_in) << "missing " << expected_path << "; run with VIGIL_UPDATE_GOLDEN=1";
  std::stringstream expected;
  expected << expected_in.rdbuf();
  // Cases named lint_* compile, with warnings; the others have errors.
  EXPECT_EQ(c.ok(), GetParam().starts_with("lint_"));
  EXPECT_EQ(got, expected.str());
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenDiagnostics, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<std::string>& param) { return param.param; });

}  // namespace
}  // namespace vigil
