// Who may override what, and where the decision order comes from, when rule
// sets from several sources (packs, the host's own files) are compiled
// together (docs/sharing.md). Packs are built in memory.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "api/compiler.hpp"
#include "pack/pack.hpp"
#include "test_util.hpp"

namespace vigil {
namespace {

using testing::Codes;

// A pack image of `name` (rule set `ruleset` 1.0.0) holding one rule file.
SourceInput Pack(const std::string& path, const std::string& ruleset, const std::string& rules,
                 const std::string& lists_json = "[]",
                 std::map<std::string, std::string> extra = {}) {
  std::map<std::string, std::string> files = std::move(extra);
  files["pack.json"] = "{\"name\": \"" + ruleset + "\", \"version\": \"1.0.0\", \"files\": "
                       "[\"rules.vgl\"], \"lists\": " + lists_json + "}";
  files["rules.vgl"] = rules;
  return SourceInput{path, pack::WriteImage(files)};
}

const char kOwner[] = R"(ruleset p.test version "1.0.0"
schema s version 1 {
  amount: decimal
}
uses schema s
param LIMIT: decimal = 100.00
rule big { when amount > LIMIT then score 10 decide block }
)";

// Another bank's pack: a rule set of its own, and an override of p.test.
const char kOther[] = R"(ruleset b.other version "1.0.0"
uses schema s
rule small { when amount < 1.00 then score 1 }
override p.test { disable rule big }
)";

std::string Rendered(const Compilation& c) { return c.RenderDiagnostics(); }

TEST(PackOverrides, APackCannotOverrideAnotherSourcesRuleSet) {
  Compilation c = CompileSources({Pack("a.vgp", "p.test", kOwner), Pack("b.vgp", "b.other", kOther)});
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E2021"});
  const std::string text = Rendered(c);
  EXPECT_NE(text.find("an override in pack \"b.vgp\" targets rule set 'p.test', which the pack "
                      "does not declare (it comes from pack \"a.vgp\")"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rule set 'p.test' is declared at a.vgp/rules.vgl:1:1"), std::string::npos)
      << text;
  EXPECT_NE(text.find("b.vgp/rules.vgl:4:10"), std::string::npos) << text;  // both places
}

TEST(PackOverrides, TheHostMayAllowItAndIsWarned) {
  CompileOptions options;
  options.allow_pack_overrides = true;
  Compilation c = CompileSources(
      {Pack("a.vgp", "p.test", kOwner), Pack("b.vgp", "b.other", kOther)}, options);
  ASSERT_TRUE(c.ok()) << Rendered(c);
  ASSERT_FALSE(c.diagnostics.empty());
  EXPECT_EQ(CodeName(c.diagnostics[0]), "W5008");  // then the lint warnings of the rules
  EXPECT_NE(Rendered(c).find("b.vgp/rules.vgl:4:10: warning[W5008]: an override in pack \"b.vgp\" "
                             "re-tunes rule set 'p.test' of pack \"a.vgp\""),
            std::string::npos)
      << Rendered(c);
  ASSERT_EQ(c.program->overrides.size(), 1u);
  const eval::AppliedOverride& o = c.program->overrides[0];
  EXPECT_EQ(o.kind, eval::AppliedOverride::Kind::kDisable);
  EXPECT_EQ(o.file, "b.vgp/rules.vgl");
  EXPECT_EQ(o.line, 4u);
  EXPECT_EQ(o.pack, "b.vgp");
  EXPECT_EQ(o.ruleset, "p.test");
  EXPECT_EQ(o.target, "big");
  for (const auto& r : c.program->rules) EXPECT_NE(r.id, "big");  // disabled: not compiled
}

TEST(PackOverrides, APackMayOverrideItsOwnRuleSets) {
  const std::string rules = std::string(kOwner) + "override p.test { severity big high }\n";
  Compilation c = CompileSources({Pack("a.vgp", "p.test", rules)});
  ASSERT_TRUE(c.ok()) << Rendered(c);
  ASSERT_EQ(c.program->overrides.size(), 1u);
  EXPECT_EQ(c.program->overrides[0].pack, "a.vgp");
  EXPECT_EQ(c.program->overrides[0].value, "high");
}

TEST(PackOverrides, TheHostsOwnFilesMayOverrideAnyRuleSetAndEveryChangeIsRecorded) {
  const std::string member = "override p.test {\n  set LIMIT = 120.00\n  mode big shadow\n}\n";
  Compilation c = CompileSources({Pack("a.vgp", "p.test", kOwner), SourceInput{"member.vgl", member}});
  ASSERT_TRUE(c.ok()) << Rendered(c);
  ASSERT_EQ(c.program->overrides.size(), 2u);
  const eval::AppliedOverride& set = c.program->overrides[0];
  EXPECT_EQ(set.kind, eval::AppliedOverride::Kind::kSetParam);
  EXPECT_EQ(set.file, "member.vgl");
  EXPECT_EQ(set.line, 2u);
  EXPECT_EQ(set.column, 3u);
  EXPECT_EQ(set.pack, "");
  EXPECT_EQ(set.target, "LIMIT");
  EXPECT_EQ(set.value, "120.00");
  EXPECT_EQ(c.program->overrides[1].kind, eval::AppliedOverride::Kind::kMode);
  EXPECT_EQ(c.program->overrides[1].value, "shadow");
}

TEST(PackOverrides, AnOverrideSetsOnlyParamsOfTheRuleSetItNames) {
  // b.other has no param LIMIT: naming b.other cannot re-tune p.test's.
  const std::string member = "override b.other { set LIMIT = 1.00 }\n";
  Compilation c = CompileSources({SourceInput{"a.vgl", kOwner},
                                  SourceInput{"b.vgl", "ruleset b.other version \"1.0.0\"\n"},
                                  SourceInput{"member.vgl", member}});
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E2001"});
  EXPECT_NE(Rendered(c).find("it is a param of rule set 'p.test', declared at a.vgl:6:1"),
            std::string::npos)
      << Rendered(c);
}

// A pack that re-ranks decisions so that `allow` wins over the other pack's `block`.
const char kReorder[] = R"(ruleset b.other version "1.0.0"
uses schema s
decisions block < report < review < allow
rule wave_through { when amount > 0.00 then score 0 decide allow }
)";

TEST(DecisionOrder, APackCannotSetTheDecisionOrderOfOtherSources) {
  Compilation c =
      CompileSources({Pack("a.vgp", "p.test", kOwner), Pack("b.vgp", "b.other", kReorder)});
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E2022"});
  const std::string text = Rendered(c);
  EXPECT_NE(text.find("b.vgp/rules.vgl:3:1: error[E2022]: pack \"b.vgp\" declares the decision "
                      "order, which would re-rank the decisions of rule set 'p.test' from pack "
                      "\"a.vgp\""),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rule set 'p.test' is declared at a.vgp/rules.vgl:1:1"), std::string::npos);
}

TEST(DecisionOrder, APackAloneOrTheHostMayDeclareIt) {
  const std::string alone = "ruleset b.other version \"1.0.0\"\nschema s version 1 {\n  amount: "
                            "decimal\n}\nuses schema s\ndecisions pass < hold\n"
                            "rule r { when amount > 1.00 then score 1 decide hold }\n";
  EXPECT_TRUE(CompileSources({Pack("b.vgp", "b.other", alone)}).ok());
  const std::string host = "decisions allow < review < report < block < freeze\n";
  Compilation c = CompileSources({Pack("a.vgp", "p.test", kOwner), SourceInput{"host.vgl", host}});
  EXPECT_TRUE(c.ok()) << Rendered(c);
}

TEST(DecisionOrder, ItIsDeclaredInOnePlaceOnly) {
  Compilation c = CompileSources({SourceInput{"a.vgl", std::string(kOwner) + "decisions x < y\n"},
                                  SourceInput{"b.vgl", "decisions y < x\n"}});
  ASSERT_FALSE(c.ok());
  const std::string text = Rendered(c);
  EXPECT_NE(text.find("b.vgl:1:1: error[E2002]: decisions are declared more than once"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("the first declaration is at a.vgl:8:1"), std::string::npos) << text;
}

TEST(PackLists, AListNotNamedInPackJsonIsAnError) {
  const std::string rules = std::string(kOwner) +
                            "list L: set<string> from \"lists/l.txt\"\n"
                            "rule r { when \"x\" in L then score 1 }\n";
  // The file is in the image, but pack.json does not name it.
  Compilation c = CompileSources({Pack("a.vgp", "p.test", rules, "[]", {{"lists/l.txt", "x\n"}})});
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E2024"});
  EXPECT_NE(Rendered(c).find("pack.json does not name \"lists/l.txt\" in \"lists\""),
            std::string::npos)
      << Rendered(c);
  c = CompileSources({Pack("a.vgp", "p.test", rules,
                           "[{\"path\": \"lists/l.txt\", \"marking\": \"GREEN\"}]",
                           {{"lists/l.txt", "x\n"}})});
  EXPECT_TRUE(c.ok()) << Rendered(c);
}

TEST(PackVersions, PrereleasesOrderBeforeTheirRelease) {
  // VIGIL_MIN_PACK_VERSION=1.2.0 must refuse 1.2.0-rc.1.
  std::map<std::string, std::string> files;
  files["pack.json"] = "{\"name\": \"p.test\", \"version\": \"1.2.0-rc.1\", \"files\": [\"r.vgl\"]}";
  files["r.vgl"] = "ruleset p.test version \"1.2.0-rc.1\"\n";
  CompileOptions options;
  options.pack_policy.min_version = "1.2.0";
  Compilation c = CompileSources({SourceInput{"a.vgp", pack::WriteImage(files)}}, options);
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E2017"});
  EXPECT_NE(Rendered(c).find("rollback refused"), std::string::npos) << Rendered(c);
  options.pack_policy.min_version = "1.2.0-rc.1";
  EXPECT_TRUE(CompileSources({SourceInput{"a.vgp", pack::WriteImage(files)}}, options).ok());
  // An override written for 1.2.0 does not fit 1.2.0-rc.1 (E2018).
  c = CompileSources({SourceInput{"a.vgp", pack::WriteImage(files)},
                      SourceInput{"m.vgl", "override p.test version \"1.2.0\" { }\n"}});
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E2018"});
}

// The compiler hashes a list of sources once and gives the digest again for
// the same list (one rule set: its own digest and the program's are over the
// same files): a different list must still get its own digest.
TEST(SourcesDigest, EachRuleSetHasItsOwnAndOneRuleSetSharesTheWholes) {
  const char kSecond[] = R"(ruleset b.other version "1.0.0"
uses schema s
rule small { when amount < 1.00 then score 1 }
)";
  Compilation both = CompileSources({SourceInput{"a.vgl", kOwner}, SourceInput{"b.vgl", kSecond}});
  ASSERT_TRUE(both.ok()) << Rendered(both);
  ASSERT_EQ(both.program->rulesets.size(), 2u);
  const std::string& a = both.program->rulesets[0].sources_digest;
  const std::string& b = both.program->rulesets[1].sources_digest;
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(b.size(), 64u);
  EXPECT_NE(a, b);
  EXPECT_NE(a, both.program->sources_digest);
  EXPECT_NE(b, both.program->sources_digest);

  // Alone, each file's rule set digest is the program's, and the same as in
  // the compilation of both (its own files, the same paths and texts).
  Compilation first = CompileSources({SourceInput{"a.vgl", kOwner}});
  ASSERT_TRUE(first.ok()) << Rendered(first);
  EXPECT_EQ(first.program->rulesets[0].sources_digest, a);
  EXPECT_EQ(first.program->sources_digest, a);
}

}  // namespace
}  // namespace vigil
