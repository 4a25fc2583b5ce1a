// CompileOptions::index_rules = false (vigil check, the language server):
// no rule index is built, and the program still evaluates exactly as the
// indexed one does (the pack's own tests pass, with the same outcomes).
#include <gtest/gtest.h>

#include "api/compiler.hpp"
#include "api/test_runner.hpp"

namespace vigil {
namespace {

void ExpectSameOutcomes(const std::vector<std::string>& files) {
  CompileOptions indexed;
  CompileOptions plain;
  plain.index_rules = false;
  Compilation a = CompileFiles(files, indexed);
  Compilation b = CompileFiles(files, plain);
  ASSERT_TRUE(a.ok()) << a.RenderDiagnostics();
  ASSERT_TRUE(b.ok()) << b.RenderDiagnostics();
  EXPECT_EQ(a.RenderDiagnostics(), b.RenderDiagnostics());
  // The indexed program does use the index: otherwise this compares nothing.
  EXPECT_GT(a.program->rule_index.indexed_rules(), 0u);
  EXPECT_EQ(b.program->rule_index.indexed_rules(), 0u);
  EXPECT_EQ(b.program->rule_index.indexed_fields(), 0u);
  TestReport ra = RunTests(a, {});
  TestReport rb = RunTests(b, {});
  ASSERT_GT(ra.tests.size(), 5u);
  EXPECT_EQ(ra.failed(), 0u);
  EXPECT_EQ(rb.failed(), 0u);
  EXPECT_EQ(ra.passed(), rb.passed());
  EXPECT_EQ(ra.never_fired, rb.never_fired);
}

TEST(IndexRules, CoalitionPackEvaluatesTheSameWithoutTheIndex) {
  ExpectSameOutcomes({"rules/coalition/schema.vgl", "rules/coalition/rules.vgl",
                      "rules/coalition/tests.vgl"});
}

}  // namespace
}  // namespace vigil
