// The checked program: every name resolved, every expression typed, every
// constant evaluated. Sema produces it from the ASTs; the planner turns it
// into an eval::Program. Expressions stay in the ASTs (annotated through
// ast::Expr::checked), which the Module points into.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/list_hash.hpp"
#include "eval/aggregate.hpp"
#include "eval/program.hpp"
#include "sema/tests.hpp"
#include "syntax/ast.hpp"

namespace re2 {
class RE2;
}

namespace vigil::sema {

// What a kName expression (or a call) refers to: ast::Checked::ref_kind.
enum class RefKind : uint8_t {
  kNone, kField, kConst, kParam, kLet, kList, kFunction, kRegex, kAggregate,
};

// A compile-time value: a scalar or a set of scalars.
struct ConstValue {
  Type type;
  eval::Value scalar;                 // strings point into Module::strings
  std::vector<int64_t> ints;          // set of int/decimal(units)/time/duration
  std::vector<std::string> strs;      // set<string>
};

struct ConstInfo {
  std::string name;
  ConstValue value;
  SourceRange range;
  bool used = false;  // referenced by an expression (for the unused-declaration warning)
  // For a param set by an override: the override's value, where errors
  // about the value belong (the override file, not the rule that reads it).
  std::optional<SourceRange> overridden_at;
};

struct LetInfo {
  std::string name;
  const ast::Expr* expr = nullptr;
  Type type;
  bool reads_pii = false;
  SourceRange range;
  bool used = false;
};

struct ListInfo {
  std::string name;
  ConstValue value;  // always a set; for a hashed list, its lowercase hex digests
  SourceRange range;
  bool used = false;
  // `hashed set`: `x in LIST` normalises x, hashes it (SHA-256, or
  // HMAC-SHA-256 with hmac_key) and looks the hex digest up.
  bool hashed = false;
  Normalization normalization = Normalization::kNone;
  std::string hmac_key;
  // `external`: no values at compile time; the host supplies them.
  bool external = false;
};

// Built-in functions that the planner maps to opcodes.
enum class Builtin : uint8_t {
  kLower, kUpper, kLen, kContains, kStartsWith, kEndsWith, kAbs, kMin, kMax,
  kHour, kWeekday, kDaysBetween, kCoalesce, kSha256, kToInt,
};

// A windowed aggregate call (LANGUAGE.md §5). Identical calls share one entry.
struct AggregateInfo {
  eval::AggKind kind = eval::AggKind::kCount;
  std::vector<uint32_t> key_slots;  // `by:` fields
  int64_t within_us = 0;
  int64_t offset_us = 0;             // `offset:` (docs/language.md, "Baselines")
  bool exclude_current = false;      // `current: false`
  int64_t percentile = 0;            // percentile's P, units of 10^-6
  const ast::Expr* value = nullptr;  // null for count and since_previous
  const ast::Expr* where = nullptr;  // null without `where:`
  Type value_type;
  Type type;
  std::string signature;  // see eval::AggregateDef::signature
  std::string text;
};

// `reversal FIELD when CONDITION` (docs/language.md, "Duplicates and reversals").
struct ReversalInfo {
  uint32_t field_slot = 0;
  const ast::Expr* when = nullptr;
  SourceRange range;
};

struct RuleCheck {
  const ast::RuleDecl* decl = nullptr;
  uint32_t ruleset = 0;
  eval::RuleSeverity severity = eval::RuleSeverity::kMedium;
  bool shadow = false;
  bool disabled = false;  // by an override
  int64_t score = 0;
  int32_t decision = -1;
};

struct Module {
  std::vector<eval::RulesetInfo> rulesets;
  std::vector<int> file_rulesets;      // per loaded file: its rule set, -1 for none
  eval::Schema schema;
  std::vector<std::string> decisions;  // lowest first
  std::vector<ConstInfo> consts;
  std::vector<ConstInfo> params;       // after overrides
  std::vector<LetInfo> lets;
  std::vector<ListInfo> lists;
  std::vector<AggregateInfo> aggregates;
  std::vector<RuleCheck> rules;
  std::optional<ReversalInfo> reversal;
  std::vector<TestCase> tests;
  std::vector<eval::AppliedOverride> overrides;  // every override applied, in order
  std::vector<std::unique_ptr<re2::RE2>> regexes;  // `matches` patterns, by ref_index
  std::vector<std::unique_ptr<TimeZone>> zones;    // hour(t, "zone"), by ref_index
  std::deque<std::string> strings;                 // storage for constant strings

  Module();
  ~Module();
  Module(Module&&) noexcept;
  Module& operator=(Module&&) noexcept;
};

}  // namespace vigil::sema
