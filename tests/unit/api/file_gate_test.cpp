// What a compilation may read (api/file_gate.hpp, docs/sharing.md): an
// untrusted rule file cannot read the member's files, and nothing that is
// not a rule-set file is ever quoted in a diagnostic.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "api/compiler.hpp"
#include "api/file_gate.hpp"
#include "test_util.hpp"

namespace vigil {
namespace {

namespace fs = std::filesystem;
using testing::Codes;

const char kHead[] = "ruleset t.gate version \"1.0.0\"\nschema s version 1 {\n  c: string\n}\n"
                     "uses schema s\n";

class Gate : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = ::testing::TempDir() + "gate_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(root_);
    fs::create_directories(root_ + "/rules/lists");
    fs::create_directories(root_ + "/secret");
    Write("secret/passwd.vgl", "root:x:0:0:root:/root:/bin/bash\n");
    Write("secret/cards.txt", "4111111111111111\n");
    Write("secret/passwd", "root:x:0:0:root:/root:/bin/bash\n");
    Write("rules/lists/ok.txt", "PH\n");
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& rel, const std::string& text) {
    std::ofstream(root_ + "/" + rel, std::ios::binary) << text;
  }
  Compilation Check(const std::string& body, CompileOptions options = {}) {
    Write("rules/r.vgl", std::string(kHead) + body);
    return CompileFiles({root_ + "/rules/r.vgl"}, options);
  }
  std::string root_;
};

TEST_F(Gate, ImportsAndListsInsideTheTreeAreRead) {
  Write("rules/lib.vgl", "const WATCH = {\"PH\"}\n");
  Compilation c = Check("import \"lib.vgl\"\nlist L: set<string> from \"lists/ok.txt\"\n"
                        "rule r { when c in L or c in WATCH then score 1 }\n");
  EXPECT_TRUE(c.ok()) << c.RenderDiagnostics();
}

TEST_F(Gate, AnImportOutsideTheTreeIsRefusedWithoutReadingIt) {
  Compilation c = Check("import \"../secret/passwd.vgl\"\n");
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E2023"});
  const std::string text = c.RenderDiagnostics();
  EXPECT_NE(text.find("outside the directory tree of the rule files"), std::string::npos) << text;
  EXPECT_NE(text.find("--read-root"), std::string::npos) << text;
  EXPECT_EQ(text.find("root:x:0:0"), std::string::npos) << text;  // never echoed
  c = Check("import \"" + root_ + "/secret/passwd.vgl\"\n");  // absolute paths too
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E2023"});
}

TEST_F(Gate, AListFileOutsideTheTreeIsRefused) {
  Compilation c = Check("list L: set<string> from \"../secret/cards.txt\"\n"
                        "rule r { when c in L then score 1 }\n");
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E2023"});
  EXPECT_EQ(c.RenderDiagnostics().find("4111"), std::string::npos);
}

TEST_F(Gate, ASymbolicLinkOutOfTheTreeIsRefused) {
  fs::create_symlink(root_ + "/secret/cards.txt", root_ + "/rules/lists/link.txt");
  Compilation c = Check("list L: set<string> from \"lists/link.txt\"\n"
                        "rule r { when c in L then score 1 }\n");
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E2023"});
}

TEST_F(Gate, ReadRootsWidenTheTree) {
  CompileOptions options;
  options.read_roots = {root_ + "/secret"};
  Compilation c = Check("list L: set<string> from \"../secret/cards.txt\"\n"
                        "rule r { when c in L then score 1 }\n", options);
  EXPECT_TRUE(c.ok()) << c.RenderDiagnostics();
}

TEST_F(Gate, OnlyRuleFilesAreImportedAndOnlyListFilesReadAsLists) {
  // Even inside an allowed tree, /etc/passwd-like files are never parsed,
  // so no caret line can quote them.
  CompileOptions options;
  options.read_roots = {"/"};
  Compilation c = Check("import \"/etc/passwd\"\n", options);
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E2025"});
  EXPECT_NE(c.RenderDiagnostics().find("only rule files (*.vgl) can be imported"), std::string::npos);
  EXPECT_EQ(c.RenderDiagnostics().find("root:"), std::string::npos);
  c = Check("list L: set<int> from \"../secret/passwd\"\nrule r { when 1 in L then score 1 }\n",
            options);
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E2025"});
  EXPECT_EQ(c.RenderDiagnostics().find("root:"), std::string::npos);
  c = Check("list L: set<string> from \"/proc/self/environ\"\nrule r { when c in L then score 1 }\n",
            options);
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E2025"});
  // A rule file the host names must be one too.
  c = CompileFiles({root_ + "/secret/passwd"});
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E2025"});
  EXPECT_EQ(c.RenderDiagnostics().find("root:"), std::string::npos);
}

TEST_F(Gate, SpecialFilesAreRefusedNotReadOrWaitedOn) {
  ASSERT_EQ(::mkfifo((root_ + "/rules/lists/fifo.txt").c_str(), 0600), 0);
  Compilation c = Check("list L: set<string> from \"lists/fifo.txt\"\n"
                        "rule r { when c in L then score 1 }\n");
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E2009"});
  EXPECT_NE(c.RenderDiagnostics().find("it is a FIFO (named pipe), not a regular file"),
            std::string::npos);
  fs::create_directories(root_ + "/rules/dir.vgl");
  c = Check("import \"dir.vgl\"\n");
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E2009"});
  EXPECT_NE(c.RenderDiagnostics().find("it is a directory"), std::string::npos);
  fs::create_symlink("/dev/zero", root_ + "/rules/zero.vgl");
  CompileOptions options;
  options.read_roots = {"/dev"};
  c = Check("import \"zero.vgl\"\n", options);
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E2009"});
  EXPECT_NE(c.RenderDiagnostics().find("it is a device"), std::string::npos);
}

TEST_F(Gate, PlainFilesUnderASignedOnlyPolicyNeedToBeTheHostsOwn) {
  Write("rules/r.vgl", std::string(kHead) + "rule r { when c == \"PH\" then score 1 }\n");
  CompileOptions options;
  options.require_packs = true;
  Compilation c = CompileFiles({root_ + "/rules/r.vgl"}, options);
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E2020"});
  options.local_files.insert(PathKey(root_ + "/rules/r.vgl"));
  c = CompileFiles({root_ + "/rules/r.vgl"}, options);
  EXPECT_TRUE(c.ok()) << c.RenderDiagnostics();
  // In-memory sources likewise.
  options.local_files.clear();
  c = CompileSources({SourceInput{"mem.vgl", std::string(kHead)}}, options);
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E2020"});
}

TEST(FileGateNames, RuleAndListFileNames) {
  EXPECT_TRUE(FileGate::IsRuleFileName("a/b.vgl"));
  EXPECT_FALSE(FileGate::IsRuleFileName(".vgl"));
  EXPECT_FALSE(FileGate::IsRuleFileName("/etc/passwd"));
  EXPECT_TRUE(FileGate::IsListFileName("lists/x.txt"));
  EXPECT_TRUE(FileGate::IsListFileName("x.sha256"));
  EXPECT_TRUE(FileGate::IsListFileName("x.list"));
  EXPECT_FALSE(FileGate::IsListFileName("/proc/self/environ"));
}

}  // namespace
}  // namespace vigil
