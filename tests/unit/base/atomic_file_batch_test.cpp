// AtomicFileBatch (how vigil report writes a folder of reports): each file
// appears only complete, under its name, after Commit; nothing of an
// uncommitted batch stays behind but the old files, untouched.
#include "base/atomic_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace vigil {
namespace {

namespace fs = std::filesystem;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class AtomicFileBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigil-batch-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  size_t Files() const {
    size_t n = 0;
    for (auto it = fs::directory_iterator(dir_); it != fs::directory_iterator(); ++it) ++n;
    return n;
  }
  fs::path dir_;
};

TEST_F(AtomicFileBatchTest, FilesAppearCompleteOnlyWhenCommitted) {
  std::ofstream(Path("b.xml")) << "old";
  AtomicFileBatch batch;
  std::string error;
  ASSERT_TRUE(batch.Add(Path("a.xml"), "<a/>", 0644, &error)) << error;
  ASSERT_TRUE(batch.Add(Path("b.xml"), "<b/>", 0644, &error)) << error;
  EXPECT_EQ(batch.pending(), 2u);
  EXPECT_FALSE(fs::exists(Path("a.xml")));  // not before the commit
  EXPECT_EQ(ReadText(Path("b.xml")), "old");
  std::vector<std::pair<std::string, std::string>> failed;
  EXPECT_TRUE(batch.Commit(&failed));
  EXPECT_TRUE(failed.empty());
  EXPECT_EQ(batch.pending(), 0u);
  EXPECT_EQ(ReadText(Path("a.xml")), "<a/>");
  EXPECT_EQ(ReadText(Path("b.xml")), "<b/>");
  EXPECT_EQ(Files(), 2u);  // no temporary file left
}

TEST_F(AtomicFileBatchTest, APathWrittenTwiceInABatchGetsTheSecondContent) {
  AtomicFileBatch batch;
  std::string error;
  ASSERT_TRUE(batch.Add(Path("a.xml"), "<first/>", 0644, &error)) << error;
  ASSERT_TRUE(batch.Add(Path("a.xml"), "<second/>", 0644, &error)) << error;
  EXPECT_EQ(batch.pending(), 1u);
  std::vector<std::pair<std::string, std::string>> failed;
  EXPECT_TRUE(batch.Commit(&failed));
  EXPECT_EQ(ReadText(Path("a.xml")), "<second/>");
  EXPECT_EQ(Files(), 1u);
}

TEST_F(AtomicFileBatchTest, AnUncommittedBatchLeavesTheOldFilesAndNoTemporaryFile) {
  std::ofstream(Path("b.xml")) << "old";
  {
    AtomicFileBatch batch;
    std::string error;
    ASSERT_TRUE(batch.Add(Path("a.xml"), "<a/>", 0644, &error)) << error;
    ASSERT_TRUE(batch.Add(Path("b.xml"), "<b/>", 0644, &error)) << error;
  }
  EXPECT_FALSE(fs::exists(Path("a.xml")));
  EXPECT_EQ(ReadText(Path("b.xml")), "old");
  EXPECT_EQ(Files(), 1u);
}

TEST_F(AtomicFileBatchTest, ALeftoverTemporaryFileIsReplacedNotWrittenThrough) {
  const std::string target = Path("elsewhere.txt");
  std::ofstream(target) << "keep";
  fs::create_symlink(target, AtomicTempPath(Path("a.xml")));
  AtomicFileBatch batch;
  std::string error;
  ASSERT_TRUE(batch.Add(Path("a.xml"), "<a/>", 0644, &error)) << error;
  std::vector<std::pair<std::string, std::string>> failed;
  EXPECT_TRUE(batch.Commit(&failed));
  EXPECT_EQ(ReadText(target), "keep");
  EXPECT_EQ(ReadText(Path("a.xml")), "<a/>");
}

TEST_F(AtomicFileBatchTest, AFileThatCannotBeWrittenIsNamedAndTheOthersAreWritten) {
  AtomicFileBatch batch;
  std::string error;
  EXPECT_FALSE(batch.Add(Path("missing/a.xml"), "<a/>", 0644, &error));
  EXPECT_NE(error.find("cannot create " + Path("missing/a.xml.tmp")), std::string::npos) << error;
  EXPECT_EQ(batch.pending(), 0u);
  ASSERT_TRUE(batch.Add(Path("b.xml"), "<b/>", 0644, &error)) << error;
  std::vector<std::pair<std::string, std::string>> failed;
  EXPECT_TRUE(batch.Commit(&failed));
  EXPECT_EQ(ReadText(Path("b.xml")), "<b/>");
}

TEST_F(AtomicFileBatchTest, ARenameThatFailsIsReportedWithItsPath) {
  fs::create_directories(Path("taken.xml/inside"));  // a non-empty folder: rename fails
  AtomicFileBatch batch;
  std::string error;
  ASSERT_TRUE(batch.Add(Path("taken.xml"), "<t/>", 0644, &error)) << error;
  ASSERT_TRUE(batch.Add(Path("ok.xml"), "<o/>", 0644, &error)) << error;
  std::vector<std::pair<std::string, std::string>> failed;
  EXPECT_FALSE(batch.Commit(&failed));
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].first, Path("taken.xml"));
  EXPECT_NE(failed[0].second.find("cannot rename"), std::string::npos) << failed[0].second;
  EXPECT_FALSE(fs::exists(AtomicTempPath(Path("taken.xml"))));
  EXPECT_EQ(ReadText(Path("ok.xml")), "<o/>");
}

}  // namespace
}  // namespace vigil
