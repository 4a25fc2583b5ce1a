// The compile driver's inspect hook and the language server's name index
// built from it: declarations, uses across files, and the checker's rules.
#include <gtest/gtest.h>

#include "api/compiler.hpp"
#include "lsp/index.hpp"

namespace vigil::lsp {
namespace {

const char* kLib =
    "schema txn version 1 {\n  ts: time @time\n  card: string @key\n  amount: decimal\n}\n"
    "param LIMIT: decimal = 50.00\nlet small = amount < LIMIT\n";
const char* kMain =
    "ruleset t.idx version \"1.0.0\"\nimport \"lib.vgl\"\nuses schema txn\n"
    "rule r {\n  title \"x\"\n  severity low\n  when small and count(by: card, within: 1h) > 2\n"
    "  then score 1\n}\n"
    "test \"t\" {\n  event { ts: 2026-01-01T00:00:00Z, card: \"c\", amount: 1.00 }\n"
    "    expect fires r\n}\n";

struct Inspected {
  int calls = 0;
  bool had_module = false;
  Index index;
};

Inspected CompileAndIndex(const std::string& main) {
  Inspected out;
  CompileOptions options;
  options.allow_filesystem = false;
  options.inspect = [&](const std::vector<sema::LoadedFile>& files, const sema::Module* module) {
    ++out.calls;
    out.had_module = module != nullptr;
    out.index = Index::Build(files, module);
  };
  Compile({"main.vgl"}, {SourceInput{"main.vgl", main, false}, SourceInput{"lib.vgl", kLib, false}},
          options);
  return out;
}

TEST(LspIndexTest, InspectSeesTheModuleWhenTheFilesCheck) {
  Inspected ok = CompileAndIndex(kMain);
  EXPECT_EQ(ok.calls, 1);
  EXPECT_TRUE(ok.had_module);
  std::string broken = kMain;
  broken.replace(broken.find("when small"), 10, "when smal");
  Inspected bad = CompileAndIndex(broken);
  EXPECT_EQ(bad.calls, 1);
  EXPECT_FALSE(bad.had_module);
  // The ASTs still arrive: names declared in both files are known.
  EXPECT_TRUE(bad.index.FindValue("small").has_value());
  EXPECT_TRUE(bad.index.FindRule("r").has_value());
  std::string syntax = kMain;
  syntax.replace(syntax.find("then"), 4, "");
  Inspected unparsed = CompileAndIndex(syntax);
  EXPECT_EQ(unparsed.calls, 1);
  EXPECT_FALSE(unparsed.had_module);
  // main.vgl did not parse, so its imports were not followed: the server
  // keeps the names of the last good versions (LspWorkspace, protocol_test).
  EXPECT_FALSE(unparsed.index.FindRule("r").has_value());
  EXPECT_FALSE(unparsed.index.FindValue("LIMIT").has_value());
}

TEST(LspIndexTest, UsesAcrossFilesResolveToTheirDeclarations) {
  Inspected in = CompileAndIndex(kMain);
  const Index& index = in.index;
  auto refs_of = [&](DeclKind kind, const std::string& name) {
    auto id = index.FindDecl(kind, name);
    EXPECT_TRUE(id.has_value()) << name;
    return id ? index.RefsTo(*id).size() : 0;
  };
  EXPECT_EQ(refs_of(DeclKind::kLet, "small"), 2u);    // declaration, use in the rule
  EXPECT_EQ(refs_of(DeclKind::kParam, "LIMIT"), 2u);  // declaration, use in the let
  EXPECT_EQ(refs_of(DeclKind::kField, "card"), 3u);   // declaration, by:, test event
  EXPECT_EQ(refs_of(DeclKind::kRule, "r"), 2u);       // declaration, expect fires
  auto let = index.FindDecl(DeclKind::kLet, "small");
  EXPECT_EQ(index.decls[*let].type, "bool");  // from sema
  auto test = index.FindDecl(DeclKind::kTest, "t");
  ASSERT_TRUE(test.has_value());
  EXPECT_EQ(index.decls[*test].rules, std::vector<std::string>{"r"});
  // The aggregate call, with its window and key.
  ASSERT_EQ(index.calls.size(), 1u);
  EXPECT_TRUE(index.calls[0].aggregate);
  EXPECT_TRUE(index.calls[0].by && index.calls[0].within);
  // A use is found at its offset, and the lookup agrees with the list.
  auto field = index.FindDecl(DeclKind::kField, "card");
  for (const Ref* r : index.RefsTo(*field)) {
    const Ref* at = index.RefAt(r->range.file, r->range.begin + 1);
    ASSERT_NE(at, nullptr);
    EXPECT_EQ(at->decl, *field);
  }
}

}  // namespace
}  // namespace vigil::lsp
