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

namespace vigil::eval {

struct EvalOptions {
  bool allow_pii = false;  // print @pii fields in reasons instead of masking them
};

class Session {
 public:
  explicit Session(std::shared_ptr<const Program> program);

  const Program& program() const { return *program_; }
  const std::shared_ptr<const Program>& program_ptr() const { return program_; }

  // Evaluates every rule against `event` (which must use program().schema)
  // and fills `result`.
  void Evaluate(const Event& event, Result& result, const EvalOptions& options = {});

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
};

// Appends a value as text (for reasons and explanations).
void FormatValue(const Value& v, Type type, std::string& out);

}  // namespace vigil::eval
