// Case files read with their evidence records kept as text (ReadCaseJson):
// written back byte for byte, expanded to the very tree a full parse gives
// for the readers that walk it (report narratives), and checked as strictly.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/json_value.hpp"
#include "case/case_json.hpp"

namespace vigil::cases {
namespace {

namespace fs = std::filesystem;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(CaseRawEvidence, GoldenCasesReadToRawEvidenceAndWriteBackTheSameBytes) {
  const fs::path dir = fs::path(VIGIL_SOURCE_DIR) / "tests/cli/data/case/golden";
  size_t files = 0, raw = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    ++files;
    const std::string text = ReadText(entry.path());
    Case c;
    std::string error;
    ASSERT_TRUE(ReadCaseJson(text, entry.path().string(), &c, &error)) << error;
    EXPECT_EQ(WriteCaseJson(c), text) << entry.path();

    json::Value doc;
    json::ParseError e;
    ASSERT_TRUE(json::Parse(text, &doc, &e)) << e.message;
    const auto& alerts = doc.Find("alerts")->items();
    ASSERT_EQ(alerts.size(), c.alerts.size());
    for (size_t i = 0; i < alerts.size(); ++i) {
      const json::Value& evidence = c.alerts[i].evidence;
      if (evidence.is_raw()) ++raw;
      EXPECT_EQ(ExpandEvidence(evidence), *alerts[i].Find("evidence")) << entry.path();
    }
  }
  EXPECT_GT(files, 0u);
  EXPECT_GT(raw, 0u);
}

TEST(CaseRawEvidence, RawEvidenceIsCheckedAsStrictlyAsTheRest) {
  const fs::path dir = fs::path(VIGIL_SOURCE_DIR) / "tests/cli/data/case/golden";
  const fs::path first = fs::directory_iterator(dir)->path();
  std::string text = ReadText(first);
  const size_t rules = text.find("\"rules\":[");
  ASSERT_NE(rules, std::string::npos);
  text.insert(rules + 9, "tru,");  // inside the first evidence's condition trees
  Case c;
  std::string error;
  EXPECT_FALSE(ReadCaseJson(text, "x.json", &c, &error));
  json::Value v;
  json::ParseError e;
  ASSERT_FALSE(json::Parse(text, &v, &e));
  EXPECT_EQ(error, "x.json:" + std::to_string(e.line) + ":" + std::to_string(e.column) + ": " +
                       e.message);
  EXPECT_NE(error.find("expected a JSON value, found 't'"), std::string::npos) << error;
}

}  // namespace
}  // namespace vigil::cases
