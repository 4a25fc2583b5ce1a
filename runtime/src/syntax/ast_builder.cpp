#include "syntax/ast_builder.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <typeinfo>

#include "base/limits.hpp"
#include "base/semver.hpp"
#include "base/time_util.hpp"
#include "base/utf8.hpp"
#include "syntax/parse.hpp"

namespace vigil::syntax {

using vigil_grammar::VigilLexer;

namespace {

// The generated accessors (ctx->andExpr(), ctx->NOT(), ...) look for children
// with two dynamic_casts each, and a dynamic_cast walks the class hierarchy
// comparing type names (strcmp) at each class it passes: casts were the
// largest cost of building the AST of a 100-rule file. The children of a parse tree are terminals
// (TerminalNodeImpl; ErrorNodeImpl after a recovery, never seen here: the
// builder runs on trees without syntax errors) or ParserRuleContexts, told
// apart by their exact class; a rule context is then recognised by its rule
// index, which also covers labelled alternatives (LiteralPrimaryContext is a
// PrimaryContext).
bool IsTerminal(antlr4::tree::ParseTree* t) {
  const std::type_info& type = typeid(*t);
  return type == typeid(antlr4::tree::TerminalNodeImpl) ||
         type == typeid(antlr4::tree::ErrorNodeImpl);
}

// The n-th child of ctx that is a `rule` context, or nullptr: what the
// generated ctx->rule(n) returns.
template <typename T>
T* RuleChild(antlr4::ParserRuleContext* ctx, size_t rule, size_t n = 0) {
  for (antlr4::tree::ParseTree* child : ctx->children) {
    if (IsTerminal(child)) continue;
    auto* c = static_cast<antlr4::ParserRuleContext*>(child);
    if (c->getRuleIndex() == rule && n-- == 0) return static_cast<T*>(c);
  }
  return nullptr;
}

// The n-th terminal child of ctx of token `type`, or nullptr: the token of
// what the generated ctx->TYPE(n) returns.
antlr4::Token* TokenChild(antlr4::ParserRuleContext* ctx, size_t type, size_t n = 0) {
  for (antlr4::tree::ParseTree* child : ctx->children) {
    if (!IsTerminal(child)) continue;
    antlr4::Token* token = static_cast<antlr4::tree::TerminalNode*>(child)->getSymbol();
    if (token->getType() == type && n-- == 0) return token;
  }
  return nullptr;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes one escape sequence starting at raw[i] == '\\'. Appends the result
// to out and returns the number of raw bytes consumed, or 0 if it is invalid.
// A well-formed escape of U+0000 sets *nul and appends nothing: no string
// vigil holds contains NUL (docs/language.md).
size_t Unescape(std::string_view raw, size_t i, std::string& out, bool* nul) {
  if (i + 1 >= raw.size()) return 0;
  switch (raw[i + 1]) {
    case '"': out += '"'; return 2;
    case '\\': out += '\\'; return 2;
    case 'n': out += '\n'; return 2;
    case 't': out += '\t'; return 2;
    case 'r': out += '\r'; return 2;
    case '{': out += '{'; return 2;
    case '}': out += '}'; return 2;
    case 'u': {
      // \u{1F600} or \u00E9
      size_t j = i + 2;
      char32_t cp = 0;
      size_t digits = 0;
      bool braced = j < raw.size() && raw[j] == '{';
      if (braced) ++j;
      while (j < raw.size() && HexValue(raw[j]) >= 0 && digits < (braced ? 6u : 4u)) {
        cp = cp * 16 + static_cast<char32_t>(HexValue(raw[j]));
        ++j;
        ++digits;
      }
      if (digits == 0 || (!braced && digits != 4)) return 0;
      if (braced) {
        if (j >= raw.size() || raw[j] != '}') return 0;
        ++j;
      }
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
      if (cp == 0) {
        *nul = true;
        return j - i;
      }
      char buf[4];
      out.append(buf, static_cast<size_t>(utf8::Encode(cp, buf)));
      return j - i;
    }
    default:
      return 0;
  }
}

}  // namespace

// ---------------------------------------------------------------- tokens

std::string_view AstBuilder::Text(SourceRange range) const {
  return sources_.file(range.file).text().substr(range.begin, range.end - range.begin);
}

// Token text is taken from the source's bytes: a token's getText() converts
// its code points back to UTF-8 through a std::wstring_convert built for
// each call, and a context's concatenates its children's.
ast::Ident AstBuilder::Name(P::NameContext* ctx) {
  // Every alternative of `name` is one token.
  const SourceRange range = mapper_.Range(ctx);
  ast::Ident id{std::string(Text(range)), range};
  if (id.text.size() > limits::kMaxNameLength) {
    diags_.Error(DiagCode::kNameTooLong, id.range,
                 fmt::format("name is too long ({} characters; the limit is {})", id.text.size(),
                             limits::kMaxNameLength));
  }
  return id;
}

ast::Ident AstBuilder::Dotted(P::DottedNameContext* ctx) {
  ast::Ident id{{}, mapper_.Range(ctx)};
  for (auto* part : ctx->word()) {
    if (!id.text.empty()) id.text += '.';
    id.text += Text(mapper_.Range(part));  // a word is one token
  }
  if (id.text.size() > limits::kMaxNameLength) {
    diags_.Error(DiagCode::kNameTooLong, id.range,
                 fmt::format("name is too long ({} characters; the limit is {})", id.text.size(),
                             limits::kMaxNameLength));
  }
  return id;
}

ast::StringLit AstBuilder::String(antlr4::tree::TerminalNode* node) {
  antlr4::Token* token = node->getSymbol();
  ast::StringLit lit;
  lit.range = mapper_.Range(token);
  std::string_view raw = sources_.file(mapper_.file_id()).text().substr(
      lit.range.begin, lit.range.end - lit.range.begin);
  if (raw.size() > limits::kMaxStringLength + 2) {
    diags_.Error(DiagCode::kStringTooLong, lit.range,
                 fmt::format("string is too long ({} bytes; the limit is {})", raw.size() - 2,
                             limits::kMaxStringLength));
    return lit;
  }
  raw = raw.substr(1, raw.size() - 2);
  for (size_t i = 0; i < raw.size();) {
    if (raw[i] != '\\') {
      lit.value += raw[i++];
      continue;
    }
    bool nul = false;
    size_t used = Unescape(raw, i, lit.value, &nul);
    const uint32_t at = lit.range.begin + 1 + static_cast<uint32_t>(i);
    if (nul) {
      diags_.Error(DiagCode::kNulCharacter,
                   SourceRange{lit.range.file, at, at + static_cast<uint32_t>(used)},
                   "a string cannot contain U+0000 (NUL)",
                   "vigil refuses NUL in every string: rule files, events, lists and the C API");
    } else if (used == 0 && i + 1 < raw.size() && raw[i + 1] == 'u') {
      diags_.Error(DiagCode::kBadEscape, SourceRange{lit.range.file, at, at + 2},
                   "malformed unicode escape '\\u'",
                   "write \\u{1F600} (1 to 6 hex digits) or \\u00E9 (exactly 4), for a code point "
                   "other than a surrogate, up to 10FFFF");
      used = 2;
    } else if (used == 0) {
      diags_.Error(DiagCode::kBadEscape, SourceRange{lit.range.file, at, at + 2},
                   fmt::format("unknown escape sequence '\\{}'",
                               i + 1 < raw.size() ? std::string(1, raw[i + 1]) : std::string()),
                   "use \\\" \\\\ \\n \\t \\r \\{ \\} \\u{hex} or \\uXXXX");
      used = 2;
    }
    i += used;
  }
  return lit;
}

int64_t AstBuilder::Int(antlr4::Token* token, bool negative) {
  std::string text(Text(mapper_.Range(token)));
  if (negative) text.insert(text.begin(), '-');
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    diags_.Error(DiagCode::kIntRange, mapper_.Range(token),
                 fmt::format("integer {} does not fit in 64 bits", text));
    return 0;
  }
  return value;
}

int64_t AstBuilder::Duration(antlr4::Token* token) {
  std::string text(Text(mapper_.Range(token)));
  std::optional<int64_t> micros = ParseDuration(text);
  if (!micros) {
    size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    std::string unit = text.substr(digits);
    bool known = unit == "us" || unit == "ms" || unit == "s" || unit == "m" || unit == "h" ||
                 unit == "d";
    diags_.Error(DiagCode::kBadNumber, mapper_.Range(token),
                 known ? fmt::format("duration {} is too large", text)
                       : fmt::format("unknown duration unit '{}' in '{}'", unit, text),
                 known ? std::string() : "units are us, ms, s, m, h and d, as in 500ms or 24h");
    return 0;
  }
  return *micros;
}

// ---------------------------------------------------------------- file

ast::File AstBuilder::BuildFile(P::FileContext* ctx) {
  ast::File file;
  file.file_id = mapper_.file_id();
  for (auto* item : ctx->item()) file.items.push_back(BuildItem(item));
  return file;
}

ast::Item AstBuilder::BuildItem(P::ItemContext* ctx) {
  // An item has one child, the declaration.
  if (auto* c = RuleChild<P::RulesetDeclContext>(ctx, P::RuleRulesetDecl)) return BuildRuleset(c);
  if (auto* c = RuleChild<P::UsesDeclContext>(ctx, P::RuleUsesDecl)) {
    return ast::UsesDecl{Name(c->name()), mapper_.Range(c)};
  }
  if (auto* c = RuleChild<P::SchemaDeclContext>(ctx, P::RuleSchemaDecl)) return BuildSchema(c);
  if (auto* c = RuleChild<P::ConstDeclContext>(ctx, P::RuleConstDecl)) {
    return ast::ConstDecl{Name(c->name()), BuildExpr(c->expr()), mapper_.Range(c)};
  }
  if (auto* c = RuleChild<P::ListDeclContext>(ctx, P::RuleListDecl)) return BuildList(c);
  if (auto* c = RuleChild<P::ParamDeclContext>(ctx, P::RuleParamDecl)) {
    return ast::ParamDecl{Name(c->name()), BuildType(c->typeRef()), BuildExpr(c->expr()),
                          mapper_.Range(c)};
  }
  if (auto* c = RuleChild<P::LetDeclContext>(ctx, P::RuleLetDecl)) {
    return ast::LetDecl{Name(c->name()), BuildExpr(c->expr()), mapper_.Range(c)};
  }
  if (auto* c = RuleChild<P::DecisionsDeclContext>(ctx, P::RuleDecisionsDecl)) {
    ast::DecisionsDecl d;
    d.range = mapper_.Range(c);
    for (auto* n : c->name()) d.names.push_back(Name(n));
    return d;
  }
  if (auto* c = RuleChild<P::ReversalDeclContext>(ctx, P::RuleReversalDecl)) {
    return ast::ReversalDecl{Name(c->name()), BuildExpr(c->expr()), mapper_.Range(c)};
  }
  if (auto* c = RuleChild<P::ImportDeclContext>(ctx, P::RuleImportDecl)) {
    return ast::ImportDecl{String(c->STRING()), mapper_.Range(c)};
  }
  if (auto* c = RuleChild<P::RuleDeclContext>(ctx, P::RuleRuleDecl)) return BuildRule(c);
  if (auto* c = RuleChild<P::TestDeclContext>(ctx, P::RuleTestDecl)) return BuildTest(c);
  return BuildOverride(RuleChild<P::OverrideDeclContext>(ctx, P::RuleOverrideDecl));
}

ast::RulesetDecl AstBuilder::BuildRuleset(P::RulesetDeclContext* ctx) {
  ast::RulesetDecl d{Dotted(ctx->dottedName()), String(ctx->STRING()), mapper_.Range(ctx)};
  const std::string& v = d.version.value;
  if (!ParseVersion(v)) {
    diags_.Error(DiagCode::kBadVersion, d.version.range,
                 fmt::format("version \"{}\" is not a semantic version", v),
                 "write MAJOR.MINOR.PATCH, for example \"1.4.0\"");
  }
  return d;
}

ast::TypeRef AstBuilder::BuildType(P::TypeRefContext* ctx) {
  ast::TypeRef t;
  t.range = mapper_.Range(ctx);
  if (ctx->SET() != nullptr && ctx->typeRef() != nullptr) {
    t.name = ast::Ident{"set", mapper_.Range(ctx->SET()->getSymbol())};
    t.elem = std::make_unique<ast::TypeRef>(BuildType(ctx->typeRef()));
  } else {
    t.name = Name(ctx->name());
  }
  return t;
}

ast::SchemaDecl AstBuilder::BuildSchema(P::SchemaDeclContext* ctx) {
  ast::SchemaDecl s;
  s.name = Name(ctx->name());
  s.version = Int(ctx->INT()->getSymbol(), false);
  s.range = mapper_.Range(ctx);
  for (auto* f : ctx->fieldDecl()) {
    ast::FieldDecl field;
    field.name = Name(f->name());
    field.type = BuildType(f->typeRef());
    field.range = mapper_.Range(f);
    for (auto* a : f->annotation()) {
      ast::Ident id = Name(a->name());
      id.range = mapper_.Range(a);  // include the '@'
      field.annotations.push_back(std::move(id));
    }
    s.fields.push_back(std::move(field));
  }
  return s;
}

ast::ListDecl AstBuilder::BuildList(P::ListDeclContext* ctx) {
  ast::ListDecl l;
  l.name = Name(ctx->name());
  l.range = mapper_.Range(ctx);
  if (auto* plain = dynamic_cast<P::PlainListTypeContext*>(ctx->listType())) {
    l.elem_type = BuildType(plain->typeRef());
  } else if (auto* hashed = dynamic_cast<P::HashedListTypeContext*>(ctx->listType())) {
    l.hashed = true;
    for (P::HashedArgContext* arg : hashed->hashedArg()) {
      ast::Ident key = Name(arg->name());
      std::optional<ast::StringLit>* slot = key.text == "key"         ? &l.hmac_key_name
                                            : key.text == "normalize" ? &l.normalize
                                                                      : nullptr;
      if (slot == nullptr) {
        diags_.Error(DiagCode::kUnknownArgument, key.range,
                     fmt::format("unknown argument '{}' for a hashed set", key.text),
                     "write hashed(normalize: \"digits\", key: \"name\") set");
      } else if (slot->has_value()) {
        diags_.Error(DiagCode::kUnknownArgument, key.range,
                     fmt::format("argument '{}' is given twice", key.text));
      } else {
        *slot = String(arg->STRING());
      }
    }
  }
  if (auto* file = dynamic_cast<P::FileListSourceContext*>(ctx->listSource())) {
    l.source = ast::ListSourceKind::kFile;
    l.path = String(file->STRING());
  } else if (auto* inl = dynamic_cast<P::InlineListSourceContext*>(ctx->listSource())) {
    l.source = ast::ListSourceKind::kInline;
    l.elements = BuildSet(inl->setLiteral());
  } else {
    l.source = ast::ListSourceKind::kExternal;
  }
  return l;
}

ast::RuleDecl AstBuilder::BuildRule(P::RuleDeclContext* ctx) {
  ast::RuleDecl r;
  r.id = Name(ctx->name());
  r.range = mapper_.Range(ctx);
  auto duplicate = [&](P::RuleClauseContext* c, const char* what) {
    diags_.Error(DiagCode::kSyntax, mapper_.Range(c),
                 fmt::format("rule '{}' has more than one '{}' clause", r.id.text, what));
  };
  bool has_then = false;
  for (antlr4::tree::ParseTree* child : ctx->children) {
    if (IsTerminal(child)) continue;
    auto* clause = static_cast<antlr4::ParserRuleContext*>(child);
    if (clause->getRuleIndex() != P::RuleRuleClause) continue;  // the rule's name
    // Each labelled alternative is a class of its own (typeid, not dynamic_cast).
    const std::type_info& type = typeid(*clause);
    if (type == typeid(P::TitleClauseContext)) {
      if (r.title) duplicate(static_cast<P::RuleClauseContext*>(clause), "title");
      r.title = String(static_cast<P::TitleClauseContext*>(clause)->STRING());
    } else if (type == typeid(P::SeverityClauseContext)) {
      if (r.severity) duplicate(static_cast<P::RuleClauseContext*>(clause), "severity");
      r.severity = Name(RuleChild<P::NameContext>(clause, P::RuleName));
    } else if (type == typeid(P::TagsClauseContext)) {
      for (auto* s : static_cast<P::TagsClauseContext*>(clause)->STRING()) {
        r.tags.push_back(String(s));
      }
    } else if (type == typeid(P::ModeClauseContext)) {
      if (r.mode) duplicate(static_cast<P::RuleClauseContext*>(clause), "mode");
      r.mode = Name(RuleChild<P::NameContext>(clause, P::RuleName));
    } else if (type == typeid(P::WhenClauseContext)) {
      if (r.when) duplicate(static_cast<P::RuleClauseContext*>(clause), "when");
      auto* expr = RuleChild<P::ExprContext>(clause, P::RuleExpr);
      r.when = BuildExpr(expr);
      r.when_range = mapper_.Range(expr);
    } else if (type == typeid(P::ThenClauseContext)) {
      has_then = true;
      for (antlr4::tree::ParseTree* a : clause->children) {
        if (!IsTerminal(a)) r.actions.push_back(BuildAction(static_cast<P::ActionContext*>(a)));
      }
    }
  }
  if (!r.when) {
    diags_.Error(DiagCode::kSyntax, r.id.range,
                 fmt::format("rule '{}' has no 'when' condition", r.id.text),
                 "add a condition, for example: when amount > 100");
  }
  // A rule that does nothing when it matches is a mistake, not a silent no-op.
  if (!has_then) {
    diags_.Error(DiagCode::kSyntax, r.id.range,
                 fmt::format("rule '{}' has no 'then' clause", r.id.text),
                 "say what the rule does when it matches, for example: then score 10");
  }
  return r;
}

ast::Action AstBuilder::BuildAction(P::ActionContext* ctx) {
  ast::Action a;
  a.range = mapper_.Range(ctx);
  const std::type_info& type = typeid(*ctx);
  if (type == typeid(P::ScoreActionContext)) {
    a.kind = ast::ActionKind::kScore;
    auto* v = RuleChild<P::ScoreValueContext>(ctx, P::RuleScoreValue);
    if (v->INT() != nullptr) {
      a.score = Int(v->INT()->getSymbol(), v->MINUS() != nullptr);
    } else {
      a.score_ref = Name(v->name());
    }
  } else if (type == typeid(P::DecideActionContext)) {
    a.kind = ast::ActionKind::kDecide;
    a.decision = Name(RuleChild<P::NameContext>(ctx, P::RuleName));
  } else if (type == typeid(P::TagActionContext)) {
    a.kind = ast::ActionKind::kTag;
    a.text = String(static_cast<P::TagActionContext*>(ctx)->STRING());
  } else if (type == typeid(P::ReasonActionContext)) {
    auto* reason = static_cast<P::ReasonActionContext*>(ctx);
    a.kind = ast::ActionKind::kReason;
    a.text = String(reason->STRING());
    BuildTemplate(a.text, reason->STRING()->getSymbol(), a);
  }
  return a;
}

// A reason template is scanned in its raw source form so that errors inside
// `{expr}` point at the right column. `{{` and `}}` are literal braces.
void AstBuilder::BuildTemplate(const ast::StringLit& lit, antlr4::Token*, ast::Action& action) {
  const SourceFile& file = sources_.file(mapper_.file_id());
  uint32_t begin = lit.range.begin + 1;
  uint32_t end = lit.range.end - 1;
  std::string_view raw = file.text().substr(begin, end - begin);
  std::string text;
  auto flush = [&] {
    if (!text.empty()) action.parts.push_back(ast::TemplatePart{std::move(text), nullptr});
    text.clear();
  };
  auto error = [&](size_t at, size_t len, std::string message, std::string help = {}) {
    uint32_t b = begin + static_cast<uint32_t>(at);
    diags_.Error(DiagCode::kBadTemplate, SourceRange{lit.range.file, b, b + static_cast<uint32_t>(len)},
                 std::move(message), std::move(help));
  };
  for (size_t i = 0; i < raw.size();) {
    char c = raw[i];
    if (c == '\\') {
      bool nul = false;
      size_t used = Unescape(raw, i, text, &nul);
      i += used == 0 ? 2 : used;  // String() already reported a bad escape
    } else if (c == '}' ) {
      if (i + 1 < raw.size() && raw[i + 1] == '}') {
        text += '}';
        i += 2;
      } else {
        error(i, 1, "unmatched '}' in reason template", "write '}}' for a literal brace");
        ++i;
      }
    } else if (c == '{') {
      if (i + 1 < raw.size() && raw[i + 1] == '{') {
        text += '{';
        i += 2;
        continue;
      }
      size_t depth = 1;
      size_t j = i + 1;
      while (j < raw.size() && depth > 0) {
        if (raw[j] == '{') ++depth;
        if (raw[j] == '}') --depth;
        if (depth > 0) ++j;
      }
      if (depth > 0) {
        error(i, 1, "unclosed '{' in reason template", "write '{{' for a literal brace");
        return;
      }
      std::string_view inner = raw.substr(i + 1, j - i - 1);
      if (inner.find_first_not_of(" \t") == std::string_view::npos) {
        error(i, j - i + 1, "empty '{}' in reason template",
              "put an expression inside, for example {amount}");
      } else {
        flush();
        ast::ExprPtr e = ParseExpression(sources_, mapper_.file_id(), begin + static_cast<uint32_t>(i + 1),
                                         begin + static_cast<uint32_t>(j), diags_);
        if (e) action.parts.push_back(ast::TemplatePart{{}, std::move(e)});
      }
      i = j + 1;
    } else {
      text += c;
      ++i;
    }
  }
  flush();
}

ast::TestDecl AstBuilder::BuildTest(P::TestDeclContext* ctx) {
  ast::TestDecl t;
  t.name = String(ctx->STRING());
  t.range = mapper_.Range(ctx);
  for (auto* s : ctx->testStep()) t.steps.push_back(BuildTestStep(s));
  return t;
}

ast::TestStep AstBuilder::BuildTestStep(P::TestStepContext* ctx) {
  ast::TestStep step;
  step.range = mapper_.Range(ctx);
  for (auto* f : ctx->eventObject()->eventField()) {
    step.fields.push_back(ast::EventField{Name(f->name()), BuildExpr(f->expr())});
  }
  if (ctx->REPEAT() != nullptr) {
    step.repeat = Int(ctx->INT()->getSymbol(), false);
    if (step.repeat < 1 || step.repeat > static_cast<int64_t>(limits::kMaxTestRepeat)) {
      diags_.Error(DiagCode::kTooMany, mapper_.Range(ctx->INT()->getSymbol()),
                   fmt::format("repeat count must be between 1 and {}", limits::kMaxTestRepeat));
      step.repeat = 1;
    }
    step.every_micros = Duration(ctx->SUFFIXED_NUMBER()->getSymbol());
  }
  for (auto* e : ctx->expectation()) {
    ast::Expectation x;
    x.range = mapper_.Range(e);
    if (auto* fires = dynamic_cast<P::FiresExpectationContext*>(e)) {
      x.kind = ast::ExpectKind::kFires;
      x.name = Name(fires->name());
    } else if (auto* not_fires = dynamic_cast<P::NotFiresExpectationContext*>(e)) {
      x.kind = ast::ExpectKind::kNotFires;
      x.name = Name(not_fires->name());
    } else if (auto* decision = dynamic_cast<P::DecisionExpectationContext*>(e)) {
      x.kind = ast::ExpectKind::kDecision;
      x.name = Name(decision->name());
    } else if (auto* score = dynamic_cast<P::ScoreExpectationContext*>(e)) {
      x.kind = ast::ExpectKind::kScore;
      x.score = Int(score->INT()->getSymbol(), score->MINUS() != nullptr);
    } else if (auto* tag = dynamic_cast<P::TagExpectationContext*>(e)) {
      x.kind = ast::ExpectKind::kTag;
      x.tag = String(tag->STRING());
    }
    step.expectations.push_back(std::move(x));
  }
  return step;
}

ast::OverrideDecl AstBuilder::BuildOverride(P::OverrideDeclContext* ctx) {
  ast::OverrideDecl o;
  o.ruleset = Dotted(ctx->dottedName());
  if (ctx->STRING() != nullptr) o.version = String(ctx->STRING());
  o.range = mapper_.Range(ctx);
  for (auto* item : ctx->overrideItem()) {
    ast::OverrideItem it;
    it.range = mapper_.Range(item);
    if (auto* set = dynamic_cast<P::SetOverrideContext*>(item)) {
      it.kind = ast::OverrideKind::kSetParam;
      it.target = Name(set->name());
      it.value = BuildExpr(set->expr());
    } else if (auto* disable = dynamic_cast<P::DisableOverrideContext*>(item)) {
      it.kind = ast::OverrideKind::kDisableRule;
      it.target = Name(disable->name());
    } else if (auto* severity = dynamic_cast<P::SeverityOverrideContext*>(item)) {
      it.kind = ast::OverrideKind::kSeverity;
      it.target = Name(severity->name(0));
      it.word = Name(severity->name(1));
    } else if (auto* mode = dynamic_cast<P::ModeOverrideContext*>(item)) {
      it.kind = ast::OverrideKind::kMode;
      it.target = Name(mode->name(0));
      it.word = Name(mode->name(1));
    }
    o.items.push_back(std::move(it));
  }
  return o;
}

// ---------------------------------------------------------------- expressions

void AstBuilder::Finish(ast::Expr& e) {
  uint32_t depth = 0;
  for (const auto& op : e.operands) depth = std::max(depth, op->depth);
  for (const auto& arg : e.args) depth = std::max(depth, arg.value->depth);
  e.depth = depth + 1;
  if (e.depth > limits::kMaxExprDepth && !depth_reported_) {
    depth_reported_ = true;
    diags_.Error(DiagCode::kTooDeep, e.range,
                 fmt::format("expression is nested too deeply (the limit is {} levels)",
                             limits::kMaxExprDepth),
                 "split the expression into lets");
  }
}

ast::ExprPtr AstBuilder::MakeBinary(ast::Op op, antlr4::Token* op_token, ast::ExprPtr lhs,
                                    ast::ExprPtr rhs) {
  auto e = std::make_unique<ast::Expr>();
  e->kind = ast::ExprKind::kBinary;
  e->op = op;
  e->range = SourceRange{lhs->range.file, lhs->range.begin, rhs->range.end};
  e->op_range = mapper_.Range(op_token);
  e->operands.push_back(std::move(lhs));
  e->operands.push_back(std::move(rhs));
  Finish(*e);
  return e;
}

ast::ExprPtr AstBuilder::MakeUnary(ast::Op op, SourceRange range, SourceRange op_range,
                                   ast::ExprPtr operand) {
  auto e = std::make_unique<ast::Expr>();
  e->kind = ast::ExprKind::kUnary;
  e->op = op;
  e->range = range;
  e->op_range = op_range;
  e->operands.push_back(std::move(operand));
  Finish(*e);
  return e;
}

ast::ExprPtr AstBuilder::BuildExpr(P::ExprContext* ctx) {
  return BuildOr(RuleChild<P::OrExprContext>(ctx, P::RuleOrExpr));
}

// orExpr and andExpr: children are operand (op operand)*.
ast::ExprPtr AstBuilder::BuildOr(P::OrExprContext* ctx) {
  const auto& children = ctx->children;
  if (children.size() == 1) return BuildAnd(RuleChild<P::AndExprContext>(ctx, P::RuleAndExpr));
  auto e = std::make_unique<ast::Expr>();
  e->kind = ast::ExprKind::kLogical;
  e->op = ast::Op::kOr;
  e->range = mapper_.Range(ctx);
  e->op_range = mapper_.Range(TokenChild(ctx, VigilLexer::OR));
  for (antlr4::tree::ParseTree* child : children) {
    if (!IsTerminal(child)) e->operands.push_back(BuildAnd(static_cast<P::AndExprContext*>(child)));
  }
  Finish(*e);
  return e;
}

ast::ExprPtr AstBuilder::BuildAnd(P::AndExprContext* ctx) {
  const auto& children = ctx->children;
  if (children.size() == 1) return BuildNot(RuleChild<P::NotExprContext>(ctx, P::RuleNotExpr));
  auto e = std::make_unique<ast::Expr>();
  e->kind = ast::ExprKind::kLogical;
  e->op = ast::Op::kAnd;
  e->range = mapper_.Range(ctx);
  e->op_range = mapper_.Range(TokenChild(ctx, VigilLexer::AND));
  for (antlr4::tree::ParseTree* child : children) {
    if (!IsTerminal(child)) e->operands.push_back(BuildNot(static_cast<P::NotExprContext*>(child)));
  }
  Finish(*e);
  return e;
}

ast::ExprPtr AstBuilder::BuildNot(P::NotExprContext* ctx) {
  if (antlr4::Token* not_token = TokenChild(ctx, VigilLexer::NOT)) {
    return MakeUnary(ast::Op::kNot, mapper_.Range(ctx), mapper_.Range(not_token),
                     BuildNot(RuleChild<P::NotExprContext>(ctx, P::RuleNotExpr)));
  }
  return BuildCmp(RuleChild<P::CmpExprContext>(ctx, P::RuleCmpExpr));
}

ast::ExprPtr AstBuilder::BuildCmp(P::CmpExprContext* ctx) {
  // children: addExpr, then optionally (cmpOp addExpr | NOT? IN addExpr |
  // MATCHES addExpr | IS (MISSING | PRESENT)).
  ast::ExprPtr lhs = BuildAdd(RuleChild<P::AddExprContext>(ctx, P::RuleAddExpr));
  if (ctx->children.size() == 1) return lhs;
  if (antlr4::Token* is = TokenChild(ctx, VigilLexer::IS)) {
    ast::Op op = TokenChild(ctx, VigilLexer::MISSING) != nullptr ? ast::Op::kIsMissing
                                                                 : ast::Op::kIsPresent;
    antlr4::Token* last = ctx->getStop();
    return MakeUnary(op, mapper_.Range(ctx), mapper_.Span(is, last), std::move(lhs));
  }
  P::AddExprContext* right = RuleChild<P::AddExprContext>(ctx, P::RuleAddExpr, 1);
  if (right == nullptr) return lhs;
  ast::ExprPtr rhs = BuildAdd(right);
  if (antlr4::Token* in = TokenChild(ctx, VigilLexer::IN)) {
    antlr4::Token* not_token = TokenChild(ctx, VigilLexer::NOT);
    auto e = MakeBinary(not_token != nullptr ? ast::Op::kNotIn : ast::Op::kIn, in, std::move(lhs),
                        std::move(rhs));
    if (not_token != nullptr) e->op_range = mapper_.Span(not_token, in);
    return e;
  }
  if (antlr4::Token* matches = TokenChild(ctx, VigilLexer::MATCHES)) {
    return MakeBinary(ast::Op::kMatches, matches, std::move(lhs), std::move(rhs));
  }
  antlr4::Token* tok = RuleChild<P::CmpOpContext>(ctx, P::RuleCmpOp)->getStart();
  ast::Op op = ast::Op::kEq;
  switch (tok->getType()) {
    case VigilLexer::EQ: op = ast::Op::kEq; break;
    case VigilLexer::NE: op = ast::Op::kNe; break;
    case VigilLexer::LT: op = ast::Op::kLt; break;
    case VigilLexer::LE: op = ast::Op::kLe; break;
    case VigilLexer::GT: op = ast::Op::kGt; break;
    default: op = ast::Op::kGe; break;
  }
  return MakeBinary(op, tok, std::move(lhs), std::move(rhs));
}

ast::ExprPtr AstBuilder::BuildAdd(P::AddExprContext* ctx) {
  // children: mulExpr (op mulExpr)*
  ast::ExprPtr acc;
  antlr4::Token* pending = nullptr;
  for (auto* child : ctx->children) {
    if (!IsTerminal(child)) {
      ast::ExprPtr rhs = BuildMul(static_cast<P::MulExprContext*>(child));
      if (!acc) {
        acc = std::move(rhs);
      } else {
        ast::Op op = pending->getType() == VigilLexer::PLUS ? ast::Op::kAdd : ast::Op::kSub;
        acc = MakeBinary(op, pending, std::move(acc), std::move(rhs));
      }
    } else {
      pending = static_cast<antlr4::tree::TerminalNode*>(child)->getSymbol();
    }
  }
  return acc;
}

ast::ExprPtr AstBuilder::BuildMul(P::MulExprContext* ctx) {
  // children: unaryExpr (op unaryExpr)*
  ast::ExprPtr acc;
  antlr4::Token* pending = nullptr;
  for (auto* child : ctx->children) {
    if (!IsTerminal(child)) {
      ast::ExprPtr rhs = BuildUnary(static_cast<P::UnaryExprContext*>(child));
      if (!acc) {
        acc = std::move(rhs);
      } else {
        ast::Op op = pending->getType() == VigilLexer::STAR    ? ast::Op::kMul
                     : pending->getType() == VigilLexer::SLASH ? ast::Op::kDiv
                                                               : ast::Op::kMod;
        acc = MakeBinary(op, pending, std::move(acc), std::move(rhs));
      }
    } else {
      pending = static_cast<antlr4::tree::TerminalNode*>(child)->getSymbol();
    }
  }
  return acc;
}

ast::ExprPtr AstBuilder::BuildUnary(P::UnaryExprContext* ctx) {
  if (antlr4::Token* minus = TokenChild(ctx, VigilLexer::MINUS)) {
    // Fold `-literal` here so that -9223372036854775808 and -0.5 are literals.
    auto* inner = RuleChild<P::UnaryExprContext>(ctx, P::RuleUnaryExpr);
    auto* primary = RuleChild<P::PrimaryContext>(inner, P::RulePrimary);
    if (primary != nullptr && typeid(*primary) == typeid(P::LiteralPrimaryContext)) {
      antlr4::Token* tok = primary->getStart();  // the literal's one token
      if (tok->getType() == VigilLexer::INT) {
        auto e = std::make_unique<ast::Expr>();
        e->kind = ast::ExprKind::kLiteral;
        e->range = mapper_.Range(ctx);
        e->literal.kind = ast::LiteralKind::kInt;
        e->literal.i = Int(tok, true);
        return e;
      }
    }
    ast::ExprPtr operand = BuildUnary(inner);
    return MakeUnary(ast::Op::kNeg, mapper_.Range(ctx), mapper_.Range(minus), std::move(operand));
  }
  return BuildPrimary(RuleChild<P::PrimaryContext>(ctx, P::RulePrimary));
}

ast::ExprPtr AstBuilder::BuildPrimary(P::PrimaryContext* ctx) {
  // The labelled alternatives are classes of their own, the tree's leaves:
  // their exact class says which (a typeid comparison, not a dynamic_cast).
  const std::type_info& type = typeid(*ctx);
  if (type == typeid(P::LiteralPrimaryContext)) {
    return BuildLiteral(RuleChild<P::LiteralContext>(ctx, P::RuleLiteral));
  }
  if (type == typeid(P::NamePrimaryContext)) {
    auto e = std::make_unique<ast::Expr>();
    e->kind = ast::ExprKind::kName;
    e->name = Name(RuleChild<P::NameContext>(ctx, P::RuleName));
    e->range = e->name.range;
    return e;
  }
  if (type == typeid(P::CallPrimaryContext)) {
    auto e = std::make_unique<ast::Expr>();
    e->kind = ast::ExprKind::kCall;
    e->name = Name(RuleChild<P::NameContext>(ctx, P::RuleName));
    e->range = mapper_.Range(ctx);
    for (antlr4::tree::ParseTree* child : ctx->children) {
      if (IsTerminal(child)) continue;
      auto* a = static_cast<antlr4::ParserRuleContext*>(child);
      if (a->getRuleIndex() != P::RuleArgument) continue;
      ast::Argument arg;
      if (auto* name = RuleChild<P::NameContext>(a, P::RuleName)) arg.name = Name(name);
      arg.value = BuildExpr(RuleChild<P::ExprContext>(a, P::RuleExpr));
      e->args.push_back(std::move(arg));
    }
    Finish(*e);
    return e;
  }
  if (type == typeid(P::ParenPrimaryContext)) {
    // One alternative for (a) and (a, b): telling them apart by lookahead
    // would make the parser scan to the closing parenthesis.
    std::vector<P::ExprContext*> items;
    for (antlr4::tree::ParseTree* child : ctx->children) {
      if (!IsTerminal(child)) items.push_back(static_cast<P::ExprContext*>(child));
    }
    if (items.size() == 1) {
      // The parentheses belong to the operand, so that `s * (a - b)` spans
      // its closing parenthesis (explanations show each operand's text).
      ast::ExprPtr inner = BuildExpr(items[0]);
      inner->range = mapper_.Range(ctx);
      return inner;
    }
    auto e = std::make_unique<ast::Expr>();
    e->kind = ast::ExprKind::kTuple;
    e->range = mapper_.Range(ctx);
    for (auto* x : items) e->operands.push_back(BuildExpr(x));
    Finish(*e);
    return e;
  }
  return BuildSet(RuleChild<P::SetLiteralContext>(ctx, P::RuleSetLiteral));
}

ast::ExprPtr AstBuilder::BuildSet(P::SetLiteralContext* ctx) {
  auto e = std::make_unique<ast::Expr>();
  e->kind = ast::ExprKind::kSet;
  e->range = mapper_.Range(ctx);
  // children: '{' (expr (',' expr)* ','?)? '}'
  for (antlr4::tree::ParseTree* child : ctx->children) {
    if (!IsTerminal(child)) e->operands.push_back(BuildExpr(static_cast<P::ExprContext*>(child)));
  }
  Finish(*e);
  return e;
}

ast::ExprPtr AstBuilder::BuildLiteral(P::LiteralContext* ctx) {
  auto e = std::make_unique<ast::Expr>();
  e->kind = ast::ExprKind::kLiteral;
  e->range = mapper_.Range(ctx);
  antlr4::Token* tok = ctx->getStart();
  ast::Literal& lit = e->literal;
  std::string text(Text(mapper_.Range(tok)));
  switch (tok->getType()) {
    case VigilLexer::INT:
      lit.kind = ast::LiteralKind::kInt;
      lit.i = Int(tok, false);
      break;
    case VigilLexer::DECIMAL: {
      lit.kind = ast::LiteralKind::kDecimal;
      DecimalError why;
      std::optional<Decimal> d = ParseDecimal(text, &why);
      if (!d) {
        diags_.Error(DiagCode::kDecimalRange, e->range,
                     fmt::format("decimal {}: {}", text, DecimalErrorText(why)),
                     "decimals hold up to 12 integer and 6 fractional digits; use a float "
                     "(for example 1.5e3) for other magnitudes");
      } else {
        lit.d = *d;
      }
      break;
    }
    case VigilLexer::FLOAT: {
      lit.kind = ast::LiteralKind::kFloat;
      lit.f = std::strtod(text.c_str(), nullptr);
      // Too large is infinite; too small rounds to zero though a digit of
      // the mantissa is not zero. Neither is the number that was written.
      const size_t mantissa_end = text.find_first_of("eE");
      const bool nonzero_mantissa =
          text.substr(0, mantissa_end).find_first_of("123456789") != std::string::npos;
      if (!std::isfinite(lit.f) || (lit.f == 0 && nonzero_mantissa)) {
        diags_.Error(DiagCode::kFloatRange, e->range,
                     fmt::format("float {} is out of range: it is too {} for a double", text,
                                 std::isfinite(lit.f) ? "small" : "large"),
                     "floats hold magnitudes from about 5e-324 to 1.8e308");
        lit.f = 0;
      }
      break;
    }
    case VigilLexer::SUFFIXED_NUMBER:
      lit.kind = ast::LiteralKind::kDuration;
      lit.i = Duration(tok);
      break;
    case VigilLexer::STRING:
      lit.kind = ast::LiteralKind::kString;
      lit.s = String(ctx->STRING()).value;
      break;
    case VigilLexer::TIME: {
      lit.kind = ast::LiteralKind::kTime;
      std::string why;
      std::optional<int64_t> t = LooksLikeDate(text) ? ParseDate(text, &why) : ParseTime(text);
      if (!t && !why.empty()) {
        diags_.Error(DiagCode::kBadTime, e->range,
                     fmt::format("{} is not a valid date: {}", text, why),
                     "write a date that exists, such as 2026-03-01 (midnight UTC)");
      } else if (!t) {
        diags_.Error(DiagCode::kBadTime, e->range,
                     fmt::format("{} is not a valid time", text),
                     "write an RFC 3339 instant such as 2026-03-01T10:00:00Z");
      } else {
        lit.i = *t;
      }
      break;
    }
    case VigilLexer::TRUE:
    case VigilLexer::FALSE:
      lit.kind = ast::LiteralKind::kBool;
      lit.b = tok->getType() == VigilLexer::TRUE;
      break;
    default:
      break;
  }
  return e;
}

}  // namespace vigil::syntax
