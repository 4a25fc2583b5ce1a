// What the language server knows about the names of one compilation: every
// declaration an author wrote (schemas and their fields, consts, params,
// lists, lets, rules, decisions, tests) and every place a name is used,
// built from the ASTs the compile driver hands to CompileOptions::inspect.
// Names resolve as the checker resolves them (docs/language.md: one
// namespace of values across the files of a compilation, the first
// declaration wins; rule ids per rule set; decisions apart), so go to
// definition, references and rename agree with `vigil check`.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/source.hpp"
#include "sema/checker.hpp"

namespace vigil::lsp {

enum class DeclKind : uint8_t {
  kRuleset, kSchema, kField, kConst, kParam, kList, kLet, kRule, kDecision, kTest,
};
const char* DeclKindName(DeclKind k);  // "field", "let", ...

struct Decl {
  DeclKind kind = DeclKind::kLet;
  std::string name;
  SourceRange name_range;  // the declared name
  SourceRange range;       // the whole declaration
  std::string type;        // "decimal", "set<string>", ... when known
  std::string container;   // the schema of a field, the rule set of a rule
  // Fields.
  std::vector<std::string> annotations;  // "key", "time", "pii"
  // Consts, params, lets: the value as written; lists: the inline set.
  std::optional<SourceRange> value;
  // Lists.
  std::string list_source;  // "file", "inline", "external"
  std::string list_path;    // for "file", as written
  bool hashed = false;
  std::string normalize;    // hashed lists
  std::string hmac_key;     // keyed hashed lists
  int64_t size = -1;        // entries, when the rules checked
  // Rules.
  std::string title, severity, mode;
  std::vector<std::string> decides;  // rule's decision, if any
  // Tests: the rules their expectations name.
  std::vector<std::string> rules;
  // A declaration from an earlier version of a file that now has syntax
  // errors: its ranges may be out of date.
  bool stale = false;
};

// A name used (or declared: is_decl) somewhere.
struct Ref {
  SourceRange range;
  uint32_t decl = 0;
  bool is_decl = false;
};

// A call of a function or an aggregate, for hover.
struct Call {
  std::string name;
  SourceRange name_range;
  SourceRange range;
  bool aggregate = false;  // has named arguments (by:, within:, where:)
  std::optional<SourceRange> by, within, where;
};

// An override's `set PARAM = value`.
struct ParamOverride {
  std::string param;
  SourceRange value;
  SourceRange range;
};

struct Index {
  std::vector<Decl> decls;
  std::vector<Ref> refs;
  std::vector<Call> calls;
  std::vector<ParamOverride> overrides;
  std::vector<std::string> decisions;  // lowest first, declared or default
  std::string schema;                  // the schema in use, if any
  std::vector<uint32_t> parsed_files;  // source ids whose AST was built

  // Built from the driver's ASTs (and, when the files checked, the module
  // for facts only sema knows: list sizes, const types).
  static Index Build(const std::vector<sema::LoadedFile>& files, const sema::Module* module);

  // Sorts refs and calls by position (Build does it; call again after adding).
  void Sort();
  // The name at `offset` of file `file`: a use or a declaration.
  const Ref* RefAt(uint32_t file, uint32_t offset) const;
  const Call* CallAt(uint32_t file, uint32_t offset) const;
  // The declaration a value name resolves to (fields of the schema in use,
  // consts, params, lists, lets), rules by id, decisions by name.
  std::optional<uint32_t> FindValue(const std::string& name) const;
  std::optional<uint32_t> FindRule(const std::string& id) const;
  std::optional<uint32_t> FindDecl(DeclKind kind, const std::string& name) const;
  std::vector<const Ref*> RefsTo(uint32_t decl) const;

  std::map<std::string, uint32_t> values;  // value namespace: name → decl
};

}  // namespace vigil::lsp
