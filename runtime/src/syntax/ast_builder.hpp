// Typed parse-tree → AST conversion. Runs only on parse trees without syntax
// errors; reports problems with literals (bad escapes, numbers out of range,
// unknown duration units) and enforces the name, string and depth limits.
#pragma once

#include "base/diag.hpp"
#include "syntax/ast.hpp"
#include "syntax/parse_internal.hpp"

namespace vigil::syntax {

class AstBuilder {
 public:
  AstBuilder(const SourceManager& sources, const TokenMapper& mapper, DiagSink& diags)
      : sources_(sources), mapper_(mapper), diags_(diags) {}

  ast::File BuildFile(vigil_grammar::VigilParser::FileContext* ctx);
  ast::ExprPtr BuildExpr(vigil_grammar::VigilParser::ExprContext* ctx);

 private:
  using P = vigil_grammar::VigilParser;

  ast::Item BuildItem(P::ItemContext* ctx);
  ast::RulesetDecl BuildRuleset(P::RulesetDeclContext* ctx);
  ast::SchemaDecl BuildSchema(P::SchemaDeclContext* ctx);
  ast::ListDecl BuildList(P::ListDeclContext* ctx);
  ast::RuleDecl BuildRule(P::RuleDeclContext* ctx);
  ast::Action BuildAction(P::ActionContext* ctx);
  ast::TestDecl BuildTest(P::TestDeclContext* ctx);
  ast::TestStep BuildTestStep(P::TestStepContext* ctx);
  ast::OverrideDecl BuildOverride(P::OverrideDeclContext* ctx);
  ast::TypeRef BuildType(P::TypeRefContext* ctx);
  void BuildTemplate(const ast::StringLit& raw, antlr4::Token* token, ast::Action& action);

  ast::ExprPtr BuildOr(P::OrExprContext* ctx);
  ast::ExprPtr BuildAnd(P::AndExprContext* ctx);
  ast::ExprPtr BuildNot(P::NotExprContext* ctx);
  ast::ExprPtr BuildCmp(P::CmpExprContext* ctx);
  ast::ExprPtr BuildAdd(P::AddExprContext* ctx);
  ast::ExprPtr BuildMul(P::MulExprContext* ctx);
  ast::ExprPtr BuildUnary(P::UnaryExprContext* ctx);
  ast::ExprPtr BuildPrimary(P::PrimaryContext* ctx);
  ast::ExprPtr BuildLiteral(P::LiteralContext* ctx);
  ast::ExprPtr BuildSet(P::SetLiteralContext* ctx);

  ast::ExprPtr MakeBinary(ast::Op op, antlr4::Token* op_token, ast::ExprPtr lhs, ast::ExprPtr rhs);
  ast::ExprPtr MakeUnary(ast::Op op, SourceRange range, SourceRange op_range, ast::ExprPtr operand);
  void Finish(ast::Expr& e);  // computes depth, enforces the depth limit

  std::string_view Text(SourceRange range) const;  // the source's bytes
  ast::Ident Name(P::NameContext* ctx);
  ast::Ident Dotted(P::DottedNameContext* ctx);
  ast::StringLit String(antlr4::tree::TerminalNode* node);
  int64_t Int(antlr4::Token* token, bool negative);
  int64_t Duration(antlr4::Token* token);

  const SourceManager& sources_;
  const TokenMapper& mapper_;
  DiagSink& diags_;
  bool depth_reported_ = false;
};

}  // namespace vigil::syntax
