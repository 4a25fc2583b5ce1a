// The interpreter for planned nodes. One switch over typed opcodes; no type
// tests, no name lookups and no heap allocation (strings made while
// evaluating go to an arena that is reset per event).
#pragma once

#include "base/arena.hpp"
#include "eval/program.hpp"
#include "eval/value.hpp"

namespace vigil::eval {

class Evaluator {
 public:
  // `let_values`/`let_epoch` may be null when the program has no lets in
  // reach (constant folding).
  Evaluator(const Program& program, const Value* fields, Value* let_values, uint32_t* let_epoch,
            uint32_t epoch, Arena& scratch)
      : p_(program),
        nodes_(program.nodes.data()),
        fields_(fields),
        let_values_(let_values),
        let_epoch_(let_epoch),
        epoch_(epoch),
        scratch_(scratch) {}

  Value Eval(uint32_t index);

 private:
  Value EvalLet(uint32_t let);
  Value Logical(const plan::Node& n, bool is_and);

  const Program& p_;
  const plan::Node* nodes_;
  const Value* fields_;
  Value* let_values_;
  uint32_t* let_epoch_;
  uint32_t epoch_;
  Arena& scratch_;
};

// Evaluates a node whose operands are all constants (the planner's folding).
Value EvalConstantNode(const Program& program, uint32_t index);

}  // namespace vigil::eval
