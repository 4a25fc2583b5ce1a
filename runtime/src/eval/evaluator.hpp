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
  // reach (constant folding); `aggregates` (one value per
  // Program::aggregates entry, computed before the rules) likewise.
  Evaluator(const Program& program, const Value* fields, Value* let_values, uint32_t* let_epoch,
            uint32_t epoch, Arena& scratch, const Value* aggregates = nullptr,
            ExternalView* external = nullptr)
      : p_(program),
        nodes_(program.nodes.data()),
        fields_(fields),
        let_values_(let_values),
        let_epoch_(let_epoch),
        epoch_(epoch),
        scratch_(scratch),
        aggregates_(aggregates),
        external_(external) {}

  Value Eval(uint32_t index);

  // Three-valued truth of a bool node: kFalse, kTrue or kUnknown (missing).
  // Predicates are computed here directly, without building Values.
  enum Truth : uint8_t { kFalse = 0, kTrue = 1, kUnknown = 2 };
  Truth EvalTruth(uint32_t index);

  // Whether every node of `nodes[0 .. count)` is true: a rule's residual
  // conjuncts. Stops at the first that is not (false and unknown alike).
  bool AllTrue(const uint32_t* nodes, uint32_t count);

 private:
  // Fields and constants are most operands: read them without a call.
  Value Operand(uint32_t index) {
    const plan::Node& n = nodes_[index];
    if (n.op == plan::OpCode::kField) return fields_[n.c];
    if (n.op == plan::OpCode::kConst) return n.k;
    return Eval(index);
  }

  Value EvalLet(uint32_t let);
  __attribute__((noinline)) Value EvalOther(const plan::Node& n);
  Truth Logical(const plan::Node& n, bool is_and);
  static constexpr int kNotFused = 3;
  int Fused(const plan::Node& n);
  __attribute__((noinline)) Truth OtherTruth(const plan::Node& n, uint32_t index);
  __attribute__((noinline)) Truth InHashedSet(const plan::Node& n, const Value& a);
  __attribute__((noinline)) Truth InExternalSet(const plan::Node& n, const Value& a);
  std::string_view DigestOf(const ListDigest& digest, std::string_view value, char* hex);

  const Program& p_;
  const plan::Node* nodes_;
  const Value* fields_;
  Value* let_values_;
  uint32_t* let_epoch_;
  uint32_t epoch_;
  Arena& scratch_;
  const Value* aggregates_;
  ExternalView* external_;  // one per Program::external_lists entry (the session's)
};

// Evaluates a node whose operands are all constants (the planner's folding).
Value EvalConstantNode(const Program& program, uint32_t index);

}  // namespace vigil::eval
