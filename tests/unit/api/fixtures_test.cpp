// Fixture files are tests too: a malformed line is a failure naming its file
// and line, never a line that passes for want of expectations (issue 13).
#include <filesystem>
#include <fstream>

#include "api/test_runner.hpp"
#include "test_util.hpp"

namespace vigil::testing {
namespace {

const char* kRules = R"(ruleset fx.t version "1.0.0"
schema s version 1 {
  amount: decimal
}
uses schema s
rule big { title "b" severity low when amount > 10.00 then score 1 }
)";

std::string Write(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/fixtures_test_" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::vector<std::string> Failures(const TestReport& r) {
  std::vector<std::string> out;
  for (const auto& t : r.tests) {
    for (const auto& f : t.failures) out.push_back(f.where + ": " + f.message);
  }
  return out;
}

TEST(Fixtures, ATrailingCommaInExpectFailsInsteadOfPassing) {
  Compilation c = CompileText(kRules);
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  const std::string path = Write("trailing.jsonl", "{\"amount\":5.00,\"expect\":{\"fires\":[\"big\"],}}\n");
  TestReport r = RunTests(c, {path});
  ASSERT_EQ(r.failed(), 1u);
  EXPECT_EQ(Failures(r), std::vector<std::string>{
                             path + ":1: bad event: malformed JSON at column 42, in member "
                                    "'expect': a trailing comma before '}' (JSON has none)"});
}

TEST(Fixtures, RepeatedExpectationsAndDirectoriesFail) {
  Compilation c = CompileText(kRules);
  ASSERT_TRUE(c.ok());
  const std::string twice = Write("twice.jsonl",
                                  "{\"amount\":20.00,\"expect\":{\"fires\":[\"big\"],\"fires\":[]}}\n"
                                  "{\"amount\":20.00,\"expect\":{},\"expect\":{\"fires\":[\"big\"]}}\n");
  const std::string dir = ::testing::TempDir() + "/fixtures_test_dir.jsonl";
  std::filesystem::create_directories(dir);
  TestReport r = RunTests(c, {twice, dir});
  EXPECT_EQ(Failures(r),
            (std::vector<std::string>{
                twice + ":1: bad fixture line: \"expect\" has \"fires\" twice",
                twice + ":2: bad fixture line: member \"expect\" appears twice",
                dir + ": cannot read the fixture file: it is a directory"}));
}

TEST(Fixtures, ByteOrderMarkAndCrlfAreNotContent) {
  Compilation c = CompileText(kRules);
  ASSERT_TRUE(c.ok());
  const std::string path = Write("bom.jsonl",
                                 "\xEF\xBB\xBF{\"amount\":20.00,\"expect\":{\"fires\":[\"big\"]}}\r\n"
                                 "{\"amount\":2.00,\"expect\":{\"not_fires\":[\"big\"]}}\r\n");
  TestReport r = RunTests(c, {path});
  EXPECT_EQ(Failures(r), std::vector<std::string>{});
  EXPECT_EQ(r.tests.at(0).events, 2u);
}

TEST(Fixtures, APacksFixturesAreCheckedAlike) {
  Compilation c = CompileText(kRules);
  ASSERT_TRUE(c.ok());
  c.fixtures.push_back(SourceInput{"p.vgp/fixtures/a.jsonl",
                                   "{\"amount\":5.00,\"expect\":{\"fires\":[\"big\"],}}\n", false});
  TestReport r = RunTests(c, {});
  ASSERT_EQ(r.failed(), 1u);
  EXPECT_NE(Failures(r).at(0).find("p.vgp/fixtures/a.jsonl:1: bad event: malformed JSON"),
            std::string::npos);
}

TEST(Fixtures, RepeatsPastTheTimeRangeFailTheTest) {
  Compilation c = CompileText(R"(ruleset fx.r version "1.0.0"
schema s version 1 {
  ts: time
}
uses schema s
rule r { title "r" severity low when ts is present then score 1 }
test "runs past 9999" {
  event { ts: 9999-12-01T00:00:00Z }
    repeat 3 every 20d
    expect fires r
}
)");
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  TestReport r = RunTests(c, {});
  ASSERT_EQ(r.failed(), 1u);
  EXPECT_EQ(Failures(r).at(0),
            "test.vgl:8:3: repetition 3 of this event would be at a time out of range (times are "
            "0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z)");
}

}  // namespace
}  // namespace vigil::testing
