// A compiled rule set: immutable after the planner builds it, so any number
// of threads may evaluate it at once (each with its own Session and Result).
#pragma once

#include <array>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/list_hash.hpp"
#include "base/source.hpp"
#include "base/tz.hpp"
#include "eval/aggregate.hpp"
#include "eval/external_list.hpp"
#include "eval/ordered_rules.hpp"
#include "eval/rule_index.hpp"
#include "eval/schema.hpp"
#include "eval/sets.hpp"
#include "plan/ir.hpp"

namespace re2 {
class RE2;
}

namespace vigil::eval {

enum class RuleSeverity : uint8_t { kLow, kMedium, kHigh, kCritical };
const char* SeverityName(RuleSeverity s);

// A hashed list: the digests, and how a value becomes one.
struct HashedSet {
  StrSet digests;  // lowercase hex
  ListDigest digest;
};

// The pack a rule set was loaded from (evidence records name it).
struct PackInfo {
  std::string file;                  // the .vgp path as given
  std::string version;               // pack.json's version
  std::string sha256;                // the pack's content hash, hex
  std::vector<std::string> signers;  // hex Ed25519 public keys of its valid signatures
};

struct RulesetInfo {
  std::string name;     // "fcacp.csam_commerce"
  std::string version;  // "1.4.0"
  // SHA-256 (hex) over the rule set's own source files (path, length, text,
  // in load order): files with its `ruleset` line and the files they import
  // that have none.
  std::string sources_digest;
  std::optional<PackInfo> pack;
};

// What explanations say about a set that `in` looks values up in.
struct SetInfo {
  std::string name;    // the list or const name; empty for a set literal
  std::string digest;  // SHA-256 (hex) over the entries (docs/explain.md)
  size_t size = 0;
};

// One piece of a reason template: literal text, or a node to format.
struct ReasonPiece {
  std::string text;
  int32_t node = -1;
  Type type;
  bool pii = false;  // reads a @pii field: masked unless the host allows PII
};

struct RuleInfo {
  std::string id;            // "small_cross_border_digital"
  std::string qualified_id;  // "fcacp.csam_commerce/small_cross_border_digital"
  uint32_t ruleset = 0;
  std::string title;
  RuleSeverity severity = RuleSeverity::kMedium;
  std::vector<std::string> tags;
  bool shadow = false;
  uint32_t when = 0;         // root node of the condition
  int64_t score = 0;
  int32_t decision = -1;     // index into Program::decisions, -1 when the rule decides nothing
  std::vector<std::string> action_tags;
  std::vector<ReasonPiece> reason;
  SourceRange range;
};

// An override that changed the rule set (docs/sharing.md): hosts log every
// one, with where it came from.
struct AppliedOverride {
  enum class Kind : uint8_t { kSetParam, kDisable, kSeverity, kMode };
  Kind kind = Kind::kSetParam;
  std::string file;     // the override's file ("member.vgl", "b.vgp/tuning.vgl")
  uint32_t line = 0;    // of the override item
  uint32_t column = 0;
  std::string pack;     // the pack it came in ("b.vgp"), "" for the host's own files
  std::string ruleset;  // the rule set it targets
  std::string target;   // the param or rule
  std::string value;    // as written: "120.00", "high", "shadow"; "" for disable
};
const char* OverrideKindName(AppliedOverride::Kind k);  // "set", "disable", "severity", "mode"

// How Session::Evaluate finds the rules that fire; the planner chooses one
// per rule set (plan/strategy.hpp).
enum class EvalStrategy : uint8_t {
  kIndex,    // the rule index, then the residual conjuncts of the rules it leaves
  kOrdered,  // every rule's conjuncts in turn, stopping at the first not true
};
const char* StrategyName(EvalStrategy s);  // "index", "ordered"

// The planner's estimate of each strategy's cost per event, in units of an
// integer comparison (plan/strategy.hpp); 0 when it did not estimate.
struct StrategyEstimate {
  double ordered = 0;
  double index = 0;
};

struct Program {
  std::vector<RulesetInfo> rulesets;
  Schema schema;
  std::vector<std::string> decisions;  // lowest first
  std::vector<RuleInfo> rules;         // declaration order
  // What the evaluation loop runs. kIndex: the index finds the rules whose
  // atoms all hold, then each such rule's other conjuncts (its residual,
  // cheapest first) must all be true. kOrdered: the index is empty and each
  // rule's residual is all of its conjuncts, likeliest to fail first.
  EvalStrategy strategy = EvalStrategy::kIndex;
  StrategyEstimate strategy_estimate;
  OrderedRules ordered;  // kOrdered: the residuals as compact tests
  RuleIndex rule_index;
  struct Residual {
    uint32_t begin = 0;  // into residual_nodes
    uint32_t count = 0;
  };
  std::vector<Residual> residuals;     // one per rule
  std::vector<uint32_t> residual_nodes;

  // The planned expressions.
  std::vector<plan::Node> nodes;
  std::vector<uint32_t> child_lists;   // operands of n-ary nodes
  std::vector<uint32_t> lets;          // root node of each let
  std::vector<AggregateDef> aggregates;  // computed once per event, before the rules
  std::vector<AggGroup> agg_groups;
  // `reversal FIELD when CONDITION` (docs/language.md, "Duplicates and
  // reversals"): FIELD's slot and CONDITION's node; -1 without a declaration.
  int32_t reversal_field = -1;
  uint32_t reversal_when = UINT32_MAX;
  std::vector<std::string> let_names;
  std::vector<I64Set> int_sets;
  std::vector<StrSet> str_sets;
  std::vector<HashedSet> hashed_sets;
  std::deque<ExternalList> external_lists;  // supplied by the host at run time
  std::vector<std::unique_ptr<re2::RE2>> regexes;
  std::vector<std::unique_ptr<TimeZone>> zones;
  std::deque<std::string> strings;     // constant strings; a deque keeps addresses stable

  // For explanations: each node's source text and type, each let's type.
  std::vector<std::string> node_text;
  std::vector<Type> node_types;
  std::vector<Type> let_types;
  // For a fused node (kCmpI64Field, kInSetStrField, ...): the field and
  // constant nodes it was made from, so explanations show them as operands;
  // kNoNode elsewhere.
  static constexpr uint32_t kNoNode = UINT32_MAX;
  std::vector<std::array<uint32_t, 2>> fused_operands;
  std::vector<SetInfo> int_set_info;     // parallel to int_sets
  std::vector<SetInfo> str_set_info;     // parallel to str_sets
  std::vector<SetInfo> hashed_set_info;  // parallel to hashed_sets
  std::string sources_digest;          // SHA-256 over the sources, hex
  std::vector<AppliedOverride> overrides;  // in the order they were applied

  Program();
  ~Program();
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;
};

}  // namespace vigil::eval
