// Internal to sema/: the checker's state, shared by the declaration pass
// (checker.cpp), expression typing (check_expr.cpp), constants and lists
// (constants.cpp) and tests and overrides (check_tests.cpp).
#pragma once

#include <functional>
#include <fmt/format.h>

#include <unordered_map>

#include "sema/checker.hpp"

namespace vigil::sema {

struct Symbol {
  RefKind kind = RefKind::kNone;
  uint32_t index = 0;
  SourceRange range;
};

enum class Visit : uint8_t { kTodo, kActive, kDone };

class Checker {
 public:
  Checker(std::vector<LoadedFile>& files, SourceManager& sources, DiagSink& diags,
          const ListReader& read_list, const CheckOptions& options)
      : files_(files), sources_(sources), diags_(diags), read_list_(read_list),
        hmac_keys_(options.hmac_keys), now_us_(options.now_us),
        allow_pack_overrides_(options.allow_pack_overrides) {}

  std::optional<Module> Run();

  // ---- expressions (check_expr.cpp)
  Type CheckExpr(ast::Expr& e);
  Type CheckCondition(ast::Expr& e, const char* what);
  bool ReadsPii(const ast::Expr& e);

  // ---- aggregates (check_aggregate.cpp)
  static bool IsAggregateCall(const ast::Expr& e);
  Type CheckAggregate(ast::Expr& e);
  bool UsesAggregate(const ast::Expr& e);
  std::string Canonical(const ast::Expr& e);

  // ---- constants (constants.cpp)
  std::optional<ConstValue> EvalConst(ast::Expr& e, const char* what);
  bool ConvertConst(ConstValue& v, Type target, SourceRange range, const char* what);
  uint32_t AddSetLiteral(ConstValue v);
  void LoadListFile(const ast::ListDecl& decl, uint32_t file_id, ListInfo& info);
  void ForEachListEntry(const ast::ListDecl& decl, uint32_t file_id,
                        const std::function<void(std::string_view, SourceRange)>& visit);
  std::string_view Intern(std::string s);

  // ---- helpers
  void Error(DiagCode code, SourceRange range, std::string message, std::string help = {}) {
    diags_.Error(code, range, std::move(message), std::move(help));
  }
  std::string Where(SourceRange range) const;
  std::vector<std::string> ValueNames() const;
  std::optional<Type> ResolveType(const ast::TypeRef& t, bool field);

 private:
  friend class ExprChecker;
  void DeclareFiles();
  void ResolveSchema();
  void CheckUnusedSchema(const ast::SchemaDecl& s);
  void DeclareValues();
  void CheckConst(uint32_t index);
  void CheckLet(uint32_t index);
  void CheckRules();
  void CheckRule(const ast::RuleDecl& rule, uint32_t ruleset);
  void CheckReversal();
  void CheckTests();
  void ApplyOverrides(bool params);
  bool MayOverride(const ast::OverrideDecl& o, uint32_t file, uint32_t target_file, bool report);
  void RecordOverride(const ast::OverrideDecl& o, const ast::OverrideItem& item, uint32_t file);
  const ast::RulesetDecl* ForRuleset(const std::string& name, uint32_t* file = nullptr);
  void CheckDecisionOrigin(const ast::DecisionsDecl& d, uint32_t file);
  bool Declare(const std::string& name, Symbol sym);
  Type CheckName(ast::Expr& e);
  Type CheckCall(ast::Expr& e);
  Type CheckBinary(ast::Expr& e);
  Type CheckIn(ast::Expr& e, Type lhs);
  int32_t FindDecision(const ast::Ident& name);
  // A `matches` pattern's index in module_.regexes (shared by equal patterns).
  std::optional<uint32_t> CompileRegex(const std::string& text, SourceRange range);

 public:
  std::vector<LoadedFile>& files_;
  SourceManager& sources_;
  DiagSink& diags_;
  const ListReader& read_list_;
  const std::map<std::string, std::string>& hmac_keys_;
  int64_t now_us_;
  bool allow_pack_overrides_;
  void ReportExpired(const std::string& list, SourceRange range, size_t expired);
  void CheckHashedList(const ast::ListDecl& d, uint32_t file, ListInfo& list);
  Module module_;

  std::unordered_map<std::string, Symbol> symbols_;
  std::vector<int> file_ruleset_;  // file index → ruleset index (-1: none)
  std::vector<const ast::ConstDecl*> const_decls_;
  std::vector<Visit> const_state_;
  std::vector<const ast::ParamDecl*> param_decls_;
  std::vector<uint32_t> param_file_;  // the file declaring each param
  std::vector<ast::LetDecl*> let_decls_;
  std::vector<Visit> let_state_;
  std::vector<const ast::SchemaDecl*> schemas_;
  const ast::SchemaDecl* used_schema_ = nullptr;
  // The rules of one rule set: in declaration order (for suggestions) and by
  // id, so that duplicate checks and overrides stay linear in the rule count.
  struct RulesetRules {
    std::vector<uint32_t> order;
    std::unordered_map<std::string_view, uint32_t> by_id;  // views into the ASTs
  };
  std::unordered_map<std::string, RulesetRules> rules_by_ruleset_;  // rule set name → its rules
  std::unordered_map<std::string, uint32_t> regex_by_pattern_;
  size_t regex_program_total_ = 0;  // instructions of the distinct patterns (limits::kMaxRegexProgramTotal)
  bool regex_budget_spent_ = false;  // the total was exceeded (and reported)
  size_t list_entries_ = 0;  // entries of the list files read so far (limits::kMaxListEntriesTotal)
};

}  // namespace vigil::sema
