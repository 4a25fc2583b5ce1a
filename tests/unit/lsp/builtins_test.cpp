// The language server's tables of functions and keywords agree with the
// language: every function it documents compiles as a call, an unknown one
// does not, and its keywords are exactly the lexer's words.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "api/compiler.hpp"
#include "lsp/builtins.hpp"

namespace vigil::lsp {
namespace {

// A condition calling each entry, over the schema below.
const std::map<std::string, std::string> kFunctionCalls = {
    {"lower", "lower(s) == \"a\""}, {"upper", "upper(s) == \"A\""}, {"len", "len(s) > 1"},
    {"contains", "contains(s, \"x\")"}, {"starts_with", "starts_with(s, \"x\")"},
    {"ends_with", "ends_with(s, \"x\")"}, {"abs", "abs(n) > 1"}, {"min", "min(n, 3) > 1"},
    {"max", "max(n, 3) > 1"}, {"hour", "hour(ts) > 1"}, {"weekday", "weekday(ts, \"UTC\") > 1"},
    {"days_between", "days_between(ts, ts) > 1"}, {"coalesce", "coalesce(s, \"x\") == \"x\""},
    {"sha256", "sha256(s) == \"x\""}, {"to_int", "to_int(n > 1) == 1"},
};
const std::map<std::string, std::string> kAggregateCalls = {
    {"count", "count(by: k, within: 1h) > 1"}, {"sum", "sum(n, by: k, within: 1h) > 1"},
    {"avg", "avg(n, by: k, within: 1h) > 1"}, {"min", "min(n, by: k, within: 1h) > 1"},
    {"max", "max(n, by: k, within: 1h) > 1"}, {"distinct", "distinct(s, by: k, within: 1h) > 1"},
    {"median", "median(n, by: k, within: 1h, offset: 1h) > 1"},
    {"percentile", "percentile(n, 90, by: k, within: 1h, current: false) > 1"},
    {"since_previous", "since_previous(by: k, within: 1h) > 1s"},
};

Compilation CompileCondition(const std::string& condition) {
  std::string text =
      "ruleset t.b version \"1.0.0\"\n"
      "schema e version 1 { ts: time\n k: string @key\n s: string\n n: int }\n"
      "uses schema e\n"
      "rule r { title \"x\"\n severity low\n when " + condition + "\n then score 1 }\n";
  CompileOptions options;
  options.allow_filesystem = false;
  return CompileSources({SourceInput{"t.vgl", text}}, options);
}

TEST(LspBuiltinsTest, EveryDocumentedFunctionCompiles) {
  for (const BuiltinDoc& b : Builtins()) {
    const auto& table = b.aggregate ? kAggregateCalls : kFunctionCalls;
    auto it = table.find(std::string(b.name));
    ASSERT_NE(it, table.end()) << "no sample call for " << b.name;
    Compilation c = CompileCondition(it->second);
    EXPECT_TRUE(c.ok()) << b.name << ":\n" << c.RenderDiagnostics();
    EXPECT_NE(b.signature.find(b.name), std::string_view::npos);
    EXPECT_FALSE(b.doc.empty());
  }
  EXPECT_EQ(Builtins().size(), kFunctionCalls.size() + kAggregateCalls.size());
  Compilation unknown = CompileCondition("lowercase(s) == \"a\"");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(CodeName(unknown.diagnostics[0]), "E2003");
}

TEST(LspBuiltinsTest, KeywordsAreTheLexersWords) {
  std::ifstream in(std::string(VIGIL_SOURCE_DIR) + "/grammar/VigilLexer.g4");
  std::set<std::string> lexer;
  std::regex word(R"(^[A-Z_]+\s*:\s*'([a-z]+)'\s*;.*)");
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, word)) lexer.insert(m[1]);
  }
  ASSERT_GT(lexer.size(), 40u);
  std::set<std::string> ours(Keywords().begin(), Keywords().end());
  EXPECT_EQ(ours, lexer);
}

}  // namespace
}  // namespace vigil::lsp
