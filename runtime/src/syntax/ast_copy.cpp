#include "syntax/ast_copy.hpp"

namespace vigil::syntax {

namespace {

// Every member of every AST type is copied here: a member added to ast.hpp
// must be added here too (tests/unit/syntax/parse_cache_test.cpp compares a
// copy with a fresh parse of the same text, range by range).
class Copier {
 public:
  explicit Copier(const Relocation& to) : to_(to) {}

  SourceRange Range(const SourceRange& r) const {
    // A parse without errors gives every range it sets at least one byte.
    if (r.file == 0 && r.begin == 0 && r.end == 0) return r;
    return SourceRange{to_.file, r.begin + to_.offset, r.end + to_.offset};
  }
  ast::Ident Ident(const ast::Ident& i) const { return ast::Ident{i.text, Range(i.range)}; }
  std::optional<ast::Ident> Ident(const std::optional<ast::Ident>& i) const {
    if (!i) return std::nullopt;
    return Ident(*i);
  }
  ast::StringLit String(const ast::StringLit& s) const { return ast::StringLit{s.value, Range(s.range)}; }
  std::optional<ast::StringLit> String(const std::optional<ast::StringLit>& s) const {
    if (!s) return std::nullopt;
    return String(*s);
  }

  ast::ExprPtr Expr(const ast::ExprPtr& e) const {
    if (!e) return nullptr;
    auto out = std::make_unique<ast::Expr>();
    out->kind = e->kind;
    out->op = e->op;
    out->range = Range(e->range);
    out->op_range = Range(e->op_range);
    out->literal = e->literal;
    out->name = Ident(e->name);
    out->args.reserve(e->args.size());
    for (const ast::Argument& a : e->args) out->args.push_back(ast::Argument{Ident(a.name), Expr(a.value)});
    out->operands.reserve(e->operands.size());
    for (const ast::ExprPtr& o : e->operands) out->operands.push_back(Expr(o));
    out->depth = e->depth;
    out->checked = e->checked;
    return out;
  }

  ast::TypeRef Type(const ast::TypeRef& t) const {
    ast::TypeRef out;
    out.name = Ident(t.name);
    if (t.elem) out.elem = std::make_unique<ast::TypeRef>(Type(*t.elem));
    out.range = Range(t.range);
    return out;
  }
  std::optional<ast::TypeRef> Type(const std::optional<ast::TypeRef>& t) const {
    if (!t) return std::nullopt;
    return Type(*t);
  }

  std::vector<ast::Ident> Idents(const std::vector<ast::Ident>& v) const {
    std::vector<ast::Ident> out;
    out.reserve(v.size());
    for (const auto& i : v) out.push_back(Ident(i));
    return out;
  }

  ast::Item operator()(const ast::RulesetDecl& d) const {
    return ast::RulesetDecl{Ident(d.name), String(d.version), Range(d.range)};
  }
  ast::Item operator()(const ast::UsesDecl& d) const {
    return ast::UsesDecl{Ident(d.schema), Range(d.range)};
  }
  ast::Item operator()(const ast::SchemaDecl& d) const {
    ast::SchemaDecl out;
    out.name = Ident(d.name);
    out.version = d.version;
    out.fields.reserve(d.fields.size());
    for (const ast::FieldDecl& f : d.fields) {
      out.fields.push_back(ast::FieldDecl{Ident(f.name), Type(f.type), Idents(f.annotations), Range(f.range)});
    }
    out.range = Range(d.range);
    return out;
  }
  ast::Item operator()(const ast::ConstDecl& d) const {
    return ast::ConstDecl{Ident(d.name), Expr(d.value), Range(d.range)};
  }
  ast::Item operator()(const ast::ListDecl& d) const {
    ast::ListDecl out;
    out.name = Ident(d.name);
    out.hashed = d.hashed;
    out.hmac_key_name = String(d.hmac_key_name);
    out.normalize = String(d.normalize);
    out.elem_type = Type(d.elem_type);
    out.source = d.source;
    out.path = String(d.path);
    out.elements = Expr(d.elements);
    out.range = Range(d.range);
    return out;
  }
  ast::Item operator()(const ast::ParamDecl& d) const {
    return ast::ParamDecl{Ident(d.name), Type(d.type), Expr(d.value), Range(d.range)};
  }
  ast::Item operator()(const ast::LetDecl& d) const {
    return ast::LetDecl{Ident(d.name), Expr(d.value), Range(d.range)};
  }
  ast::Item operator()(const ast::DecisionsDecl& d) const {
    return ast::DecisionsDecl{Idents(d.names), Range(d.range)};
  }
  ast::Item operator()(const ast::ReversalDecl& d) const {
    return ast::ReversalDecl{Ident(d.field), Expr(d.when), Range(d.range)};
  }
  ast::Item operator()(const ast::ImportDecl& d) const {
    return ast::ImportDecl{String(d.path), Range(d.range)};
  }
  ast::Item operator()(const ast::RuleDecl& d) const {
    ast::RuleDecl out;
    out.id = Ident(d.id);
    out.title = String(d.title);
    out.severity = Ident(d.severity);
    out.tags.reserve(d.tags.size());
    for (const auto& t : d.tags) out.tags.push_back(String(t));
    out.mode = Ident(d.mode);
    out.when = Expr(d.when);
    out.when_range = Range(d.when_range);
    out.actions.reserve(d.actions.size());
    for (const ast::Action& a : d.actions) {
      ast::Action copy;
      copy.kind = a.kind;
      copy.range = Range(a.range);
      copy.score = a.score;
      copy.score_ref = Ident(a.score_ref);
      copy.decision = Ident(a.decision);
      copy.text = String(a.text);
      copy.parts.reserve(a.parts.size());
      for (const ast::TemplatePart& p : a.parts) copy.parts.push_back(ast::TemplatePart{p.text, Expr(p.expr)});
      out.actions.push_back(std::move(copy));
    }
    out.range = Range(d.range);
    return out;
  }
  ast::Item operator()(const ast::TestDecl& d) const {
    ast::TestDecl out;
    out.name = String(d.name);
    out.steps.reserve(d.steps.size());
    for (const ast::TestStep& s : d.steps) {
      ast::TestStep step;
      step.fields.reserve(s.fields.size());
      for (const ast::EventField& f : s.fields) step.fields.push_back(ast::EventField{Ident(f.name), Expr(f.value)});
      step.repeat = s.repeat;
      step.every_micros = s.every_micros;
      step.expectations.reserve(s.expectations.size());
      for (const ast::Expectation& e : s.expectations) {
        step.expectations.push_back(
            ast::Expectation{e.kind, Ident(e.name), e.score, String(e.tag), Range(e.range)});
      }
      step.range = Range(s.range);
      out.steps.push_back(std::move(step));
    }
    out.range = Range(d.range);
    return out;
  }
  ast::Item operator()(const ast::OverrideDecl& d) const {
    ast::OverrideDecl out;
    out.ruleset = Ident(d.ruleset);
    out.version = String(d.version);
    out.items.reserve(d.items.size());
    for (const ast::OverrideItem& i : d.items) {
      out.items.push_back(ast::OverrideItem{i.kind, Ident(i.target), Expr(i.value), Ident(i.word), Range(i.range)});
    }
    out.range = Range(d.range);
    return out;
  }

 private:
  Relocation to_;
};

}  // namespace

ast::Item CopyItem(const ast::Item& item, const Relocation& to) {
  return std::visit(Copier(to), item);
}

}  // namespace vigil::syntax
