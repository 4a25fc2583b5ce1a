// Per-thread evaluation state: the let cache and scratch memory for strings
// made while evaluating (lower(), sha256(), ...). Reused across events, so a
// warm session allocates nothing. One thread at a time.
#pragma once

#include <memory>
#include <vector>

#include "base/arena.hpp"
#include "eval/event.hpp"
#include "eval/program.hpp"
#include "eval/result.hpp"
#include "state/backend.hpp"

namespace vigil::eval {

class Evaluator;

struct EvalOptions {
  bool allow_pii = false;  // print @pii fields in reasons instead of masking them
  // Record the event in the aggregates' state. False evaluates as if the
  // event had happened, without remembering it (a what-if).
  bool record = true;
};

class Session {
 public:
  // `store` holds the aggregates' state and may be shared by sessions on
  // other threads. Without one, a program with aggregates gets a private
  // store. The store adopts the program's aggregate layout (see
  // state::Store::Adopt).
  explicit Session(std::shared_ptr<const Program> program,
                   std::shared_ptr<state::Backend> store = nullptr);

  const Program& program() const { return *program_; }
  const std::shared_ptr<const Program>& program_ptr() const { return program_; }

  // Evaluates every rule against `event` (which must use program().schema)
  // and fills `result`.
  void Evaluate(const Event& event, Result& result, const EvalOptions& options = {});
  // Records the event in the aggregates' state without evaluating the rules
  // (warming the state from history). Returns false when the event was late.
  bool Record(const Event& event);

  const std::shared_ptr<state::Backend>& store() const { return store_; }
  // Whether the state backend failed for the last event.
  bool state_error() const { return state_error_; }
  // The value of each aggregate for the last event evaluated.
  const std::vector<Value>& aggregate_values() const { return agg_values_; }
  // Window entries the state store has summarised for this session's events
  // (the embedded store counts them; other backends leave 0).
  uint64_t window_entries_scanned() const { return query_.entries_scanned; }

  // The value of one node for the current event (explanations use it).
  Value EvalNode(uint32_t node);
  // Prepares the session for EvalNode calls on a new event.
  void Begin(const Event& event);

 private:
  friend class Evaluator;
  std::shared_ptr<const Program> program_;
  const Value* fields_ = nullptr;
  std::vector<Value> let_values_;
  std::vector<uint32_t> let_epoch_;
  uint32_t epoch_ = 0;
  Arena scratch_;
  std::vector<uint64_t> candidates_;  // one bit per rule: may fire for this event
  std::vector<ExternalView> external_views_;  // this session's view of each external list
  void Fire(Evaluator& ev, uint32_t rule, const EvalOptions& options, Result& result,
            bool& decided);

  // Aggregates (eval/session_aggregates.cpp).
  void RunAggregates(bool record);
  void Remap();
  std::shared_ptr<state::Backend> store_;
  state::Layout layout_;       // the store's, as of mapping_.version
  state::Mapping mapping_;
  std::vector<Value> agg_values_;
  std::vector<state::Cell> cells_;
  std::vector<std::string_view> strs_;
  std::vector<Value> column_values_;
  std::string key_;
  state::QueryScratch query_;
  bool late_ = false;
  bool state_error_ = false;
};

// Appends a value as text (for reasons and explanations).
void FormatValue(const Value& v, Type type, std::string& out);

}  // namespace vigil::eval
