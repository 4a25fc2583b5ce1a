// The abstract syntax tree: what a rule file says, with a SourceRange on every
// node. Built by AstBuilder from the ANTLR parse tree; nothing here refers to
// ANTLR. Semantic analysis (sema/) fills in the `Checked` part of expressions.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/decimal.hpp"
#include "base/source.hpp"

namespace vigil::ast {

struct Ident {
  std::string text;
  SourceRange range;
};

// ---------------------------------------------------------------- expressions

enum class LiteralKind : uint8_t { kBool, kInt, kDecimal, kFloat, kString, kTime, kDuration };

struct Literal {
  LiteralKind kind = LiteralKind::kInt;
  bool b = false;
  int64_t i = 0;  // int, time (µs since epoch), duration (µs)
  Decimal d;
  double f = 0;
  std::string s;
};

enum class ExprKind : uint8_t {
  kLiteral,  // literal
  kName,     // name: a field, const, param, let or list
  kCall,     // name(args...): a function or an aggregate
  kUnary,    // op operands[0]: kNeg, kNot, kIsMissing, kIsPresent
  kBinary,   // operands[0] op operands[1]
  kLogical,  // operands[0] op operands[1] op ...: kAnd / kOr chains, kept flat
  kSet,      // {a, b, c}
  kTuple,    // (a, b): only as an aggregate key
};

enum class Op : uint8_t {
  kNone,
  kAdd, kSub, kMul, kDiv, kMod, kNeg,
  kEq, kNe, kLt, kLe, kGt, kGe,
  kIn, kNotIn, kMatches, kIsMissing, kIsPresent,
  kAnd, kOr, kNot,
};

const char* OpText(Op op);

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Argument {
  std::optional<Ident> name;  // `by:`, `within:`, `where:` for aggregates
  ExprPtr value;
};

// Filled in by sema: the expression's type and what a name refers to.
struct Checked {
  uint16_t type = 0;         // sema::TypeId (0 = not checked / error)
  uint8_t ref_kind = 0;      // sema::RefKind
  uint32_t ref_index = 0;    // index into the program's fields/consts/params/lets/lists/functions
};

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  Op op = Op::kNone;
  SourceRange range;
  SourceRange op_range;        // the operator token, for messages about operand types
  Literal literal;             // kLiteral
  Ident name;                  // kName, kCall
  std::vector<Argument> args;  // kCall
  std::vector<ExprPtr> operands;
  uint32_t depth = 1;          // nesting depth, computed bottom-up while building
  Checked checked;
};

// ---------------------------------------------------------------- declarations

struct TypeRef {
  Ident name;                    // "int", "decimal", ..., or "set"
  std::unique_ptr<TypeRef> elem; // for set<T>
  SourceRange range;
};

struct StringLit {
  std::string value;  // unescaped
  SourceRange range;  // including the quotes
};

struct RulesetDecl {
  Ident name;  // dotted, e.g. "fcacp.csam_commerce"
  StringLit version;
  SourceRange range;
};

struct UsesDecl {
  Ident schema;
  SourceRange range;
};

struct FieldDecl {
  Ident name;
  TypeRef type;
  std::vector<Ident> annotations;  // "key", "time", "pii" (without '@')
  SourceRange range;
};

struct SchemaDecl {
  Ident name;
  int64_t version = 0;
  std::vector<FieldDecl> fields;
  SourceRange range;
};

struct ConstDecl {
  Ident name;
  ExprPtr value;
  SourceRange range;
};

enum class ListSourceKind : uint8_t { kFile, kInline, kExternal };

struct ListDecl {
  Ident name;
  bool hashed = false;
  std::optional<StringLit> hmac_key_name;  // hashed(key: "name") set
  std::optional<StringLit> normalize;      // hashed(normalize: "digits") set
  std::optional<TypeRef> elem_type;        // set<T>; absent for hashed sets (strings)
  ListSourceKind source = ListSourceKind::kInline;
  StringLit path;                          // kFile
  ExprPtr elements;                        // kInline: an ExprKind::kSet
  SourceRange range;
};

struct ParamDecl {
  Ident name;
  TypeRef type;
  ExprPtr value;
  SourceRange range;
};

struct LetDecl {
  Ident name;
  ExprPtr value;
  SourceRange range;
};

struct DecisionsDecl {
  std::vector<Ident> names;  // lowest first
  SourceRange range;
};

// `reversal FIELD when CONDITION` (docs/language.md, "Duplicates and reversals").
struct ReversalDecl {
  Ident field;
  ExprPtr when;
  SourceRange range;
};

struct ImportDecl {
  StringLit path;
  SourceRange range;
};

// A reason template: literal text and {expr} pieces, in order.
struct TemplatePart {
  std::string text;  // used when expr is null
  ExprPtr expr;
};

enum class ActionKind : uint8_t { kScore, kDecide, kTag, kReason };

struct Action {
  ActionKind kind = ActionKind::kScore;
  SourceRange range;
  int64_t score = 0;              // kScore with a literal
  std::optional<Ident> score_ref; // kScore naming an int const or param
  Ident decision;                 // kDecide
  StringLit text;                 // kTag, kReason (raw template text for kReason)
  std::vector<TemplatePart> parts;  // kReason
};

struct RuleDecl {
  Ident id;
  std::optional<StringLit> title;
  std::optional<Ident> severity;
  std::vector<StringLit> tags;
  std::optional<Ident> mode;
  ExprPtr when;
  SourceRange when_range;
  std::vector<Action> actions;
  SourceRange range;
};

enum class ExpectKind : uint8_t { kFires, kNotFires, kDecision, kScore, kTag };

struct Expectation {
  ExpectKind kind = ExpectKind::kFires;
  Ident name;   // rule id or decision
  int64_t score = 0;
  StringLit tag;
  SourceRange range;
};

struct EventField {
  Ident name;
  ExprPtr value;
};

struct TestStep {
  std::vector<EventField> fields;
  int64_t repeat = 1;          // occurrences in all, `every` apart
  int64_t every_micros = 0;
  std::vector<Expectation> expectations;
  SourceRange range;
};

struct TestDecl {
  StringLit name;
  std::vector<TestStep> steps;
  SourceRange range;
};

enum class OverrideKind : uint8_t { kSetParam, kDisableRule, kSeverity, kMode };

struct OverrideItem {
  OverrideKind kind = OverrideKind::kSetParam;
  Ident target;  // param or rule
  ExprPtr value; // kSetParam
  Ident word;    // kSeverity / kMode
  SourceRange range;
};

struct OverrideDecl {
  Ident ruleset;
  std::optional<StringLit> version;  // `override NAME version "1.4.0"`: the versions it fits
  std::vector<OverrideItem> items;
  SourceRange range;
};

using Item = std::variant<RulesetDecl, UsesDecl, SchemaDecl, ConstDecl, ListDecl, ParamDecl,
                          LetDecl, DecisionsDecl, ImportDecl, RuleDecl, TestDecl, OverrideDecl,
                          ReversalDecl>;

// One parsed source file.
struct File {
  uint32_t file_id = 0;
  std::vector<Item> items;  // in source order
};

}  // namespace vigil::ast
