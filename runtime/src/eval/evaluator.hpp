// The interpreter for planned nodes. One switch over typed opcodes; no type
// tests, no name lookups and no heap allocation (strings made while
// evaluating go to an arena that is reset per event).
#pragma once

#include <cstring>
#include <string_view>

#include "base/arena.hpp"
#include "base/bytes.hpp"
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

  // EvalTruth(index), with the fused field predicates (a field compared with
  // a constant, in a constant set, ...) computed inline, without EvalTruth's
  // call: for callers outside the evaluator that test one node per event,
  // such as an aggregate's `where:` (Session::RunAggregates).
  Truth Test(uint32_t index);

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

namespace detail {

inline Evaluator::Truth TruthOf(bool b) { return b ? Evaluator::kTrue : Evaluator::kFalse; }

// Equality is the common string comparison: lengths first, then bytes, by
// SameBytes' fixed loads (inline) rather than a call to memcmp: the strings
// rules compare (channels, countries, currencies) are a few bytes, for which
// the call cost more than the compare. SameBytes reads nothing when the
// length is 0, so an empty string's null pointer is never touched.
inline bool CompareStr(plan::CmpOp op, std::string_view a, std::string_view b) {
  if (op == plan::CmpOp::kEq) {
    return a.size() == b.size() && SameBytes(a.data(), b.data(), a.size());
  }
  if (op == plan::CmpOp::kNe) {
    return a.size() != b.size() || !SameBytes(a.data(), b.data(), a.size());
  }
  return plan::Compare(op, a, b);
}

}  // namespace detail

// The fused field predicates, inlined into the loops that evaluate rule
// conditions: most predicates are one of these, and a call per predicate
// would cost more than the predicate. Returns kNotFused for other nodes.
inline __attribute__((always_inline)) int Evaluator::Fused(const plan::Node& n) {
  switch (n.op) {
    case plan::OpCode::kCmpI64Field: {
      const Value& f = fields_[n.a];
      return f.present ? detail::TruthOf(plan::Compare(n.cmp, f.i, n.k.i)) : kUnknown;
    }
    case plan::OpCode::kCmpStrField: {
      const Value& f = fields_[n.a];
      return f.present ? detail::TruthOf(detail::CompareStr(n.cmp, f.str(), n.k.str())) : kUnknown;
    }
    case plan::OpCode::kCmpStrFields: {
      const Value& x = fields_[n.a];
      const Value& y = fields_[n.b];
      return x.present && y.present ? detail::TruthOf(detail::CompareStr(n.cmp, x.str(), y.str())) : kUnknown;
    }
    case plan::OpCode::kInSetI64Field: {
      const Value& f = fields_[n.a];
      return f.present ? detail::TruthOf(p_.int_sets[n.c].Contains(f.i)) : kUnknown;
    }
    case plan::OpCode::kInSetStrField: {
      const Value& f = fields_[n.a];
      return f.present ? detail::TruthOf(p_.str_sets[n.c].Contains(f.str())) : kUnknown;
    }
    case plan::OpCode::kCmpI64:
    case plan::OpCode::kCmpDec: {
      // An aggregate compared with a constant (`count(by: card_id, within:
      // 24h) >= 30`), a velocity rule's usual test: read both here rather
      // than through OtherTruth's call and Eval's for the aggregate. What
      // OtherTruth gives: unknown when either is missing, else the compare
      // (decimal units, scale ignored). Other operands take that path.
      const plan::Node& x = nodes_[n.a];
      const plan::Node& y = nodes_[n.b];
      if (x.op != plan::OpCode::kAggregate || y.op != plan::OpCode::kConst || aggregates_ == nullptr) {
        return kNotFused;
      }
      const Value& v = aggregates_[x.c];
      return v.present && y.k.present ? detail::TruthOf(plan::Compare(n.cmp, v.i, y.k.i)) : kUnknown;
    }
    default:
      return kNotFused;
  }
}

inline __attribute__((always_inline)) Evaluator::Truth Evaluator::Test(uint32_t index) {
  const int fused = Fused(nodes_[index]);
  return fused != kNotFused ? static_cast<Truth>(fused) : EvalTruth(index);
}

// Evaluates a node whose operands are all constants (the planner's folding).
Value EvalConstantNode(const Program& program, uint32_t index);

}  // namespace vigil::eval
