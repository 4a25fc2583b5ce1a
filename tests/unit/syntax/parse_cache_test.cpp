// The parse cache (syntax/parse_cache.hpp): a file parsed piece by piece,
// with unchanged declarations copied from the cache, gives exactly the AST
// and the diagnostics of a whole parse, and parses again only what changed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/decimal.hpp"
#include "base/file_io.hpp"
#include "syntax/ast.hpp"
#include "syntax/declaration_split.hpp"
#include "syntax/parse.hpp"
#include "syntax/parse_cache.hpp"

namespace vigil::syntax {
namespace {

namespace fs = std::filesystem;

// Every member of every AST node, ranges included, one per line: two ASTs
// are the same when their dumps are.
class Dumper {
 public:
  std::string str() const { return out_.str(); }

  void R(const char* what, const SourceRange& r) { out_ << what << "@" << r.file << ":" << r.begin << "-" << r.end << "\n"; }
  void I(const char* what, const ast::Ident& i) {
    out_ << what << "=" << i.text << " ";
    R("", i.range);
  }
  void I(const char* what, const std::optional<ast::Ident>& i) {
    if (i) I(what, *i); else out_ << what << " none\n";
  }
  void S(const char* what, const ast::StringLit& s) {
    out_ << what << "=\"" << s.value << "\" ";
    R("", s.range);
  }
  void S(const char* what, const std::optional<ast::StringLit>& s) {
    if (s) S(what, *s); else out_ << what << " none\n";
  }
  void T(const ast::TypeRef& t) {
    I("type", t.name);
    R("type", t.range);
    if (t.elem) T(*t.elem);
  }
  void E(const ast::ExprPtr& e) {
    if (!e) {
      out_ << "expr none\n";
      return;
    }
    const ast::Literal& l = e->literal;
    out_ << "expr kind=" << int(e->kind) << " op=" << int(e->op) << " depth=" << e->depth
         << " lit=" << int(l.kind) << "," << l.b << "," << l.i << "," << DecimalToString(l.d) << "," << l.f << ","
         << l.s << " checked=" << e->checked.type << "," << int(e->checked.ref_kind) << ","
         << e->checked.ref_index << "\n";
    R("range", e->range);
    R("op_range", e->op_range);
    I("name", e->name);
    for (const auto& a : e->args) {
      I("arg", a.name);
      E(a.value);
    }
    for (const auto& o : e->operands) E(o);
    out_ << "end\n";
  }

  void operator()(const ast::RulesetDecl& d) { I("ruleset", d.name); S("version", d.version); R("range", d.range); }
  void operator()(const ast::UsesDecl& d) { I("uses", d.schema); R("range", d.range); }
  void operator()(const ast::SchemaDecl& d) {
    I("schema", d.name);
    out_ << "version " << d.version << "\n";
    for (const auto& f : d.fields) {
      I("field", f.name);
      T(f.type);
      for (const auto& a : f.annotations) I("annotation", a);
      R("range", f.range);
    }
    R("range", d.range);
  }
  void operator()(const ast::ConstDecl& d) { I("const", d.name); E(d.value); R("range", d.range); }
  void operator()(const ast::ListDecl& d) {
    I("list", d.name);
    out_ << "hashed " << d.hashed << " source " << int(d.source) << "\n";
    S("key", d.hmac_key_name);
    S("normalize", d.normalize);
    if (d.elem_type) T(*d.elem_type);
    S("path", d.path);
    E(d.elements);
    R("range", d.range);
  }
  void operator()(const ast::ParamDecl& d) { I("param", d.name); T(d.type); E(d.value); R("range", d.range); }
  void operator()(const ast::LetDecl& d) { I("let", d.name); E(d.value); R("range", d.range); }
  void operator()(const ast::DecisionsDecl& d) {
    for (const auto& n : d.names) I("decision", n);
    R("range", d.range);
  }
  void operator()(const ast::ReversalDecl& d) { I("reversal", d.field); E(d.when); R("range", d.range); }
  void operator()(const ast::ImportDecl& d) { S("import", d.path); R("range", d.range); }
  void operator()(const ast::RuleDecl& d) {
    I("rule", d.id);
    S("title", d.title);
    I("severity", d.severity);
    for (const auto& t : d.tags) S("tag", t);
    I("mode", d.mode);
    E(d.when);
    R("when_range", d.when_range);
    for (const auto& a : d.actions) {
      out_ << "action " << int(a.kind) << " score " << a.score << "\n";
      R("range", a.range);
      I("score_ref", a.score_ref);
      I("decision", a.decision);
      S("text", a.text);
      for (const auto& p : a.parts) {
        out_ << "part " << p.text << "\n";
        E(p.expr);
      }
    }
    R("range", d.range);
  }
  void operator()(const ast::TestDecl& d) {
    S("test", d.name);
    for (const auto& s : d.steps) {
      for (const auto& f : s.fields) {
        I("field", f.name);
        E(f.value);
      }
      out_ << "repeat " << s.repeat << " every " << s.every_micros << "\n";
      for (const auto& x : s.expectations) {
        out_ << "expect " << int(x.kind) << " " << x.score << "\n";
        I("name", x.name);
        S("tag", x.tag);
        R("range", x.range);
      }
      R("range", s.range);
    }
    R("range", d.range);
  }
  void operator()(const ast::OverrideDecl& d) {
    I("override", d.ruleset);
    S("version", d.version);
    for (const auto& i : d.items) {
      out_ << "item " << int(i.kind) << "\n";
      I("target", i.target);
      E(i.value);
      I("word", i.word);
      R("range", i.range);
    }
    R("range", d.range);
  }

 private:
  std::ostringstream out_;
};

std::string Dump(const std::optional<ast::File>& file) {
  if (!file) return "(no AST)";
  Dumper d;
  d.R("file", SourceRange{file->file_id, 0, 0});
  for (const auto& item : file->items) std::visit(d, item);
  return d.str();
}

std::string Diags(const DiagSink& sink, const SourceManager& sources) {
  return RenderAll(sink.diagnostics(), sources);
}

// Parses `text` (as file id 1 of its sources: a second file first, so that
// ids are not all 0) whole and through `cache`; expects the same result.
void ExpectSame(ParseCache& cache, const std::string& path, const std::string& text) {
  SourceManager sources;
  sources.Add("other.vgl", "");
  const uint32_t id = sources.Add(path, text);
  DiagSink whole_diags, cached_diags;
  std::optional<ast::File> whole = ParseFile(sources, id, whole_diags);
  std::optional<ast::File> cached = cache.Parse(sources, id, cached_diags);
  EXPECT_EQ(Dump(whole), Dump(cached)) << path;
  EXPECT_EQ(Diags(whole_diags, sources), Diags(cached_diags, sources)) << path;
}

constexpr const char* kThreeRules = R"(# a header comment
ruleset t.cache version "1.0.0"
schema txn version 1 {
  ts: time @time
  card_id: string @key @pii
  amount: decimal
  country: string
}
uses schema txn
const RISKY = {"PH", "TH"}   # trailing comment with { and "
param LIMIT: decimal = 100.00
list blocked: hashed(normalize: "digits") set from "blocked.txt"
let abroad = country in RISKY and amount < LIMIT
rule r1 {
  title "one"
  severity high
  when abroad and count(by: card_id, within: 24h) > 3
  then score 10
       reason "{amount} to {country}"
}
rule r2 { when amount > 5.00 then score 1 }
rule r3 {
  when not (country == "US")
   and amount * 2 >= -3
  then decide review
}
test "t" {
  event { amount: 1.00, country: "PH" } repeat 3 every 1h expect fires r1, not fires r2
}
override t.cache version "1.0.0" {
  set LIMIT = 10.00
  disable rule r3
}
)";

TEST(DeclarationSplit, SplitsAtDeclarationKeywordsOutsideBracketsStringsAndComments) {
  std::string text =
      "# rule in a comment\n"              // 0: the first piece always starts at 0
      "let a = 1\n"                        // 20
      "rule r {\n"                         // 30
      "rule: inside braces\n"              // not a start: inside { }
      "}\n"
      "let s = \"\n"                       // unterminated string ends at the line's end
      "rules_x = 1\n"                      // an identifier that starts with a keyword
      "reversal f when x\n"
      "  rule indented\n";                 // not at column 0
  std::vector<uint32_t> starts = DeclarationStarts(text);
  std::vector<uint32_t> want{0, 20, 30, static_cast<uint32_t>(text.find("let s")),
                             static_cast<uint32_t>(text.find("reversal"))};
  EXPECT_EQ(starts, want);
}

TEST(ParseCache, GivesTheWholeParsesAstAndReusesUnchangedDeclarations) {
  ParseCache cache;
  ExpectSame(cache, "a.vgl", kThreeRules);
  EXPECT_FALSE(cache.last().whole);
  EXPECT_EQ(cache.last().reused, 0u);
  const size_t pieces = cache.last().pieces;
  EXPECT_GE(pieces, 12u);

  // One rule edited (and everything after it shifted): only it is parsed.
  std::string edited = kThreeRules;
  edited.replace(edited.find("score 10"), 8, "score 100");
  ExpectSame(cache, "a.vgl", edited);
  EXPECT_FALSE(cache.last().whole);
  EXPECT_EQ(cache.last().pieces, pieces);
  EXPECT_EQ(cache.last().reused, pieces - 1);

  // A declaration added between two others: the rest is all reused.
  std::string added = edited;
  added.replace(added.find("rule r2 {"), 0, "let extra = amount > 1.00\n");
  ExpectSame(cache, "a.vgl", added);
  EXPECT_EQ(cache.last().pieces, pieces + 1);
  EXPECT_EQ(cache.last().reused, pieces);

  // A declaration split in two (a `}` and a rule's head typed in its
  // middle), then joined again: only the pieces that changed are parsed.
  std::string split = added;
  split.replace(split.find("  then decide review"), 0, "  then score 1\n}\nrule r3b {\n  when amount > 1.00\n");
  ExpectSame(cache, "a.vgl", split);
  EXPECT_FALSE(cache.last().whole);
  EXPECT_EQ(cache.last().pieces, pieces + 2);
  EXPECT_EQ(cache.last().reused, pieces);
  ExpectSame(cache, "a.vgl", added);
  EXPECT_EQ(cache.last().reused, pieces);
}

TEST(ParseCache, SyntaxErrorsAreThoseOfTheWholeParse) {
  ParseCache cache;
  ExpectSame(cache, "a.vgl", kThreeRules);
  std::string broken = kThreeRules;
  broken.replace(broken.find("then score 1 }"), 14, "then score }");  // r2 lacks its score
  ExpectSame(cache, "a.vgl", broken);
  EXPECT_TRUE(cache.last().whole);
  std::string unclosed = kThreeRules;  // r1 never closed: the rest is one piece
  unclosed.replace(unclosed.find("rule r2"), 0, "rule open {\n");
  ExpectSame(cache, "a.vgl", unclosed);
  EXPECT_TRUE(cache.last().whole);
  // Fixed again: the pieces after the error were kept.
  ExpectSame(cache, "a.vgl", kThreeRules);
  EXPECT_FALSE(cache.last().whole);
  EXPECT_EQ(cache.last().reused, cache.last().pieces);
  // Problems found by the AST builder (a bad escape, an unknown unit) too.
  std::string literal = kThreeRules;
  literal.replace(literal.find("within: 24h"), 11, "within: 24hours");
  ExpectSame(cache, "a.vgl", literal);
  EXPECT_TRUE(cache.last().whole);
  ExpectSame(cache, "a.vgl", "let a = \"bad \\q escape\"\nlet b = 1\n");
  ExpectSame(cache, "a.vgl", "let a = 1\n\xff\n");  // invalid UTF-8
  // Two byte-order marks: SourceManager drops the first, ANTLR the second.
  ExpectSame(cache, "a.vgl", "\xEF\xBB\xBF\xEF\xBB\xBFlet a = 1\nlet b = a\n");
  EXPECT_TRUE(cache.last().whole);
}

TEST(ParseCache, EveryRuleFileOfTheRepositoryParsesAsWhole) {
  ParseCache cache;
  size_t files = 0;
  for (const char* dir : {"rules", "examples", "tests"}) {
    if (!fs::exists(dir)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (entry.path().extension() != ".vgl") continue;
      std::string text, error;
      if (!ReadWholeFile(entry.path().string(), size_t{1} << 22, &text, &error)) continue;
      ExpectSame(cache, entry.path().string(), text);
      ++files;
    }
  }
  EXPECT_GT(files, 30u);  // run from the repository (gtest_discover_tests' working directory)
}

}  // namespace
}  // namespace vigil::syntax
