#include "plan/planner.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <map>

#include "eval/evaluator.hpp"
#include "plan/strategy.hpp"

namespace vigil::plan {

namespace {

using sema::RefKind;

Type TypeOf(const ast::Expr& e) { return Type::Decode(e.checked.type); }
RefKind RefOf(const ast::Expr& e) { return static_cast<RefKind>(e.checked.ref_kind); }

class Planner {
 public:
  Planner(sema::Module& module, const SourceManager& sources, eval::Program& program,
          bool index_rules, StrategyChoice strategy)
      : module_(module),
        sources_(sources),
        program_(program),
        index_rules_(index_rules),
        strategy_(strategy) {}

  void Run();

 private:
  uint32_t Expr(const ast::Expr& e);
  uint32_t Emit(Node node, const ast::Expr& e);
  uint32_t Convert(uint32_t node, Type from, Type to, const ast::Expr& e);
  uint32_t Operand(const ast::Expr& e, Type to);
  uint32_t Binary(const ast::Expr& e);
  uint32_t In(const ast::Expr& e);
  uint32_t Call(const ast::Expr& e);
  sema::ConstValue& ConstOf(const ast::Expr& e);
  bool ReadsPii(const ast::Expr& e) const;
  uint32_t Cost(uint32_t node) const;
  Node Fuse(Node node, std::array<uint32_t, 2>* operands) const;
  eval::SetInfo SetInfoOf(const ast::Expr& set_expr, std::string digest, size_t size) const;
  void CollectConjuncts(uint32_t node, std::vector<uint32_t>& out) const;
  bool AtomOf(uint32_t rule, uint32_t node, eval::RuleIndex::Atom& atom) const;
  void IndexRules(std::vector<std::vector<uint32_t>> conjuncts);
  void PlanAggregates();

  sema::Module& module_;
  const SourceManager& sources_;
  eval::Program& program_;
  // A const or list used by many rules is built into one set: keyed by the
  // ConstValue and, for numeric sets, whether its ints are scaled to decimals.
  std::map<std::pair<const sema::ConstValue*, bool>, uint32_t> int_sets_;
  std::map<const sema::ConstValue*, uint32_t> str_sets_;
  std::map<const sema::ListInfo*, uint32_t> hashed_sets_;
  std::map<const sema::ListInfo*, uint32_t> external_sets_;
  bool index_rules_;  // false: no conjunct becomes an atom of the rule index
  StrategyChoice strategy_;
};

std::string SourceText(const SourceManager& sources, SourceRange r) {
  if (r.file >= sources.size()) return {};
  std::string_view text = sources.file(r.file).text();
  if (r.end > text.size() || r.begin > r.end) return {};
  return std::string(text.substr(r.begin, r.end - r.begin));
}

// Opcodes whose value depends only on their operand nodes (fold when all are
// constant). Fields, lets and the fused field predicates read the event.
bool Foldable(OpCode op) {
  switch (op) {
    case OpCode::kConst: case OpCode::kField: case OpCode::kLet: case OpCode::kAggregate:
    case OpCode::kCmpI64Field:
    case OpCode::kCmpStrField: case OpCode::kCmpStrFields: case OpCode::kInSetI64Field:
    case OpCode::kInSetStrField:
    case OpCode::kInExternalSet:  // its contents change at run time
      return false;
    default:
      return true;
  }
}

}  // namespace

// Rewrites a predicate on a field and a constant (or two string fields) into
// its fused form, which the evaluator runs without visiting operand nodes.
// `operands` receives the nodes it was made from (for explanations).
Node Planner::Fuse(Node node, std::array<uint32_t, 2>* operands) const {
  auto op_of = [&](uint32_t i) { return program_.nodes[i].op; };
  auto flip = [](CmpOp c) {
    switch (c) {
      case CmpOp::kLt: return CmpOp::kGt;
      case CmpOp::kLe: return CmpOp::kGe;
      case CmpOp::kGt: return CmpOp::kLt;
      case CmpOp::kGe: return CmpOp::kLe;
      default: return c;
    }
  };
  bool cmp = node.op == OpCode::kCmpI64 || node.op == OpCode::kCmpDec || node.op == OpCode::kCmpStr;
  if (cmp) {
    OpCode fused = node.op == OpCode::kCmpStr ? OpCode::kCmpStrField : OpCode::kCmpI64Field;
    if (op_of(node.a) == OpCode::kConst && op_of(node.b) == OpCode::kField) {
      std::swap(node.a, node.b);
      node.cmp = flip(node.cmp);
    }
    if (op_of(node.a) == OpCode::kField && op_of(node.b) == OpCode::kConst) {
      *operands = {node.a, node.b};
      Node f;
      f.op = fused;
      f.cmp = node.cmp;
      f.a = program_.nodes[node.a].c;
      f.k = program_.nodes[node.b].k;
      return f;
    }
    if (node.op == OpCode::kCmpStr && op_of(node.a) == OpCode::kField &&
        op_of(node.b) == OpCode::kField) {
      *operands = {node.a, node.b};
      Node f;
      f.op = OpCode::kCmpStrFields;
      f.cmp = node.cmp;
      f.a = program_.nodes[node.a].c;
      f.b = program_.nodes[node.b].c;
      return f;
    }
  }
  if ((node.op == OpCode::kInSetI64 || node.op == OpCode::kInSetStr) &&
      op_of(node.a) == OpCode::kField) {
    *operands = {node.a, eval::Program::kNoNode};
    Node f;
    f.op = node.op == OpCode::kInSetI64 ? OpCode::kInSetI64Field : OpCode::kInSetStrField;
    f.a = program_.nodes[node.a].c;
    f.c = node.c;
    return f;
  }
  return node;
}

uint32_t Planner::Emit(Node node, const ast::Expr& e) {
  std::array<uint32_t, 2> operands{eval::Program::kNoNode, eval::Program::kNoNode};
  node = Fuse(node, &operands);
  uint32_t index = static_cast<uint32_t>(program_.nodes.size());
  program_.nodes.push_back(node);
  program_.fused_operands.push_back(operands);
  program_.node_text.push_back(SourceText(sources_, e.range));
  Type type = TypeOf(e);
  if (node.op == OpCode::kIntToDec) type = Type::Scalar(Kind::kDecimal);
  if (node.op == OpCode::kIntToF64 || node.op == OpCode::kDecToF64) type = Type::Scalar(Kind::kFloat);
  program_.node_types.push_back(type);
  // Constant folding: evaluate now when every operand is a constant.
  if (!Foldable(node.op)) return index;
  std::vector<uint32_t> kids;
  int arity = OperandCount(node.op);
  if (arity < 0) {
    for (uint32_t i = 0; i < node.b; ++i) kids.push_back(program_.child_lists[node.a + i]);
  } else {
    if (arity >= 1) kids.push_back(node.a);
    if (arity >= 2) kids.push_back(node.b);
  }
  for (uint32_t k : kids) {
    if (program_.nodes[k].op != OpCode::kConst) return index;
  }
  eval::Value v = eval::EvalConstantNode(program_, index);
  Type t = TypeOf(e);
  if (v.present && t.kind == Kind::kString && !t.is_set) {
    program_.strings.emplace_back(v.str());
    v = eval::Value::Str(program_.strings.back());
  }
  Node folded;
  folded.op = OpCode::kConst;
  folded.k = v;
  program_.nodes[index] = folded;
  return index;
}

uint32_t Planner::Convert(uint32_t node, Type from, Type to, const ast::Expr& e) {
  if (from == to) return node;
  Node n;
  n.a = node;
  if (from.kind == Kind::kInt && to.kind == Kind::kDecimal) {
    n.op = OpCode::kIntToDec;
  } else if (from.kind == Kind::kInt && to.kind == Kind::kFloat) {
    n.op = OpCode::kIntToF64;
  } else {
    n.op = OpCode::kDecToF64;
  }
  return Emit(n, e);
}

uint32_t Planner::Operand(const ast::Expr& e, Type to) {
  return Convert(Expr(e), TypeOf(e), to, e);
}

sema::ConstValue& Planner::ConstOf(const ast::Expr& e) {
  if (RefOf(e) == RefKind::kParam) return module_.params[e.checked.ref_index].value;
  if (RefOf(e) == RefKind::kList) return module_.lists[e.checked.ref_index].value;
  return module_.consts[e.checked.ref_index].value;
}

// A rough cost of evaluating a node, in units of an integer comparison
// (plan/strategy.hpp). The operands of an `and` or an `or` go cheapest first;
// a rule's top-level conjuncts are ordered again for its strategy.
uint32_t Planner::Cost(uint32_t index) const { return NodeCost(program_, index); }

bool Planner::ReadsPii(const ast::Expr& root) const {
  std::vector<const ast::Expr*> stack{&root};
  while (!stack.empty()) {
    const ast::Expr* x = stack.back();
    stack.pop_back();
    if (x->kind == ast::ExprKind::kName && RefOf(*x) == RefKind::kField &&
        module_.schema.fields[x->checked.ref_index].pii) {
      return true;
    }
    if (x->kind == ast::ExprKind::kName && RefOf(*x) == RefKind::kLet &&
        module_.lets[x->checked.ref_index].reads_pii) {
      return true;
    }
    if (x->kind == ast::ExprKind::kCall && RefOf(*x) == RefKind::kAggregate) {
      // As sema::Checker::ReadsPii: the key and `where:` do not count.
      const sema::AggregateInfo& agg = module_.aggregates[x->checked.ref_index];
      if (eval::AggregateRevealsValue(agg.kind) && agg.value != nullptr) {
        stack.push_back(agg.value);
      }
      continue;
    }
    for (const auto& op : x->operands) stack.push_back(op.get());
    for (const auto& a : x->args) stack.push_back(a.value.get());
  }
  return false;
}

uint32_t Planner::Expr(const ast::Expr& e) {
  Node n;
  Type t = TypeOf(e);
  switch (e.kind) {
    case ast::ExprKind::kLiteral: {
      n.op = OpCode::kConst;
      const ast::Literal& lit = e.literal;
      switch (lit.kind) {
        case ast::LiteralKind::kBool: n.k = eval::Value::Bool(lit.b); break;
        case ast::LiteralKind::kInt:
        case ast::LiteralKind::kTime:
        case ast::LiteralKind::kDuration: n.k = eval::Value::Int(lit.i); break;
        case ast::LiteralKind::kDecimal: n.k = eval::Value::Dec(lit.d); break;
        case ast::LiteralKind::kFloat: n.k = eval::Value::Float(lit.f); break;
        case ast::LiteralKind::kString:
          program_.strings.push_back(lit.s);
          n.k = eval::Value::Str(program_.strings.back());
          break;
      }
      return Emit(n, e);
    }
    case ast::ExprKind::kName:
      switch (RefOf(e)) {
        case RefKind::kField:
          n.op = OpCode::kField;
          n.c = e.checked.ref_index;
          return Emit(n, e);
        case RefKind::kLet:
          n.op = OpCode::kLet;
          n.c = e.checked.ref_index;
          return Emit(n, e);
        default:
          n.op = OpCode::kConst;
          n.k = ConstOf(e).scalar;
          return Emit(n, e);
      }
    case ast::ExprKind::kUnary: {
      const ast::Expr& x = *e.operands[0];
      n.a = Expr(x);
      switch (e.op) {
        case ast::Op::kNot: n.op = OpCode::kNot; break;
        case ast::Op::kIsMissing: n.op = OpCode::kIsMissing; break;
        case ast::Op::kIsPresent: n.op = OpCode::kIsPresent; break;
        default:
          n.op = t.kind == Kind::kDecimal ? OpCode::kNegDec
                 : t.kind == Kind::kFloat ? OpCode::kNegF64
                                          : OpCode::kNegI64;
          break;
      }
      return Emit(n, e);
    }
    case ast::ExprKind::kLogical: {
      std::vector<uint32_t> kids;
      for (const auto& op : e.operands) kids.push_back(Expr(*op));
      // `and`/`or` are commutative in three-valued logic and nothing has side
      // effects, so the cheapest operands go first: they decide most events.
      std::stable_sort(kids.begin(), kids.end(),
                       [&](uint32_t x, uint32_t y) { return Cost(x) < Cost(y); });
      n.op = e.op == ast::Op::kAnd ? OpCode::kAnd : OpCode::kOr;
      n.a = static_cast<uint32_t>(program_.child_lists.size());
      n.b = static_cast<uint32_t>(kids.size());
      program_.child_lists.insert(program_.child_lists.end(), kids.begin(), kids.end());
      return Emit(n, e);
    }
    case ast::ExprKind::kBinary:
      return Binary(e);
    case ast::ExprKind::kCall:
      return Call(e);
    default:
      // Sets and tuples only appear under `in` and aggregates, planned there.
      n.op = OpCode::kConst;
      return Emit(n, e);
  }
}

uint32_t Planner::Binary(const ast::Expr& e) {
  if (e.op == ast::Op::kIn || e.op == ast::Op::kNotIn) {
    uint32_t in = In(e);
    if (e.op == ast::Op::kIn) return in;
    Node n;
    n.op = OpCode::kNot;
    n.a = in;
    return Emit(n, e);
  }
  const ast::Expr& lhs = *e.operands[0];
  const ast::Expr& rhs = *e.operands[1];
  Node n;
  if (e.op == ast::Op::kMatches) {
    n.op = OpCode::kMatches;
    n.a = Expr(lhs);
    n.c = e.checked.ref_index;
    return Emit(n, e);
  }
  Type a = TypeOf(lhs);
  Type b = TypeOf(rhs);
  // The operand type after numeric promotion.
  Type common = a;
  if (a.numeric() && b.numeric()) {
    common = (a.kind == Kind::kFloat || b.kind == Kind::kFloat)       ? Type::Scalar(Kind::kFloat)
             : (a.kind == Kind::kDecimal || b.kind == Kind::kDecimal) ? Type::Scalar(Kind::kDecimal)
                                                                      : Type::Scalar(Kind::kInt);
  }
  auto typed = [&](OpCode i64, OpCode dec, OpCode f64) {
    return common.kind == Kind::kDecimal ? dec : common.kind == Kind::kFloat ? f64 : i64;
  };
  switch (e.op) {
    case ast::Op::kEq: case ast::Op::kNe: case ast::Op::kLt:
    case ast::Op::kLe: case ast::Op::kGt: case ast::Op::kGe: {
      n.a = a.numeric() ? Operand(lhs, common) : Expr(lhs);
      n.b = b.numeric() ? Operand(rhs, common) : Expr(rhs);
      n.cmp = static_cast<CmpOp>(static_cast<int>(e.op) - static_cast<int>(ast::Op::kEq));
      switch (common.kind) {
        case Kind::kDecimal: n.op = OpCode::kCmpDec; break;
        case Kind::kFloat: n.op = OpCode::kCmpF64; break;
        case Kind::kString: n.op = OpCode::kCmpStr; break;
        case Kind::kBool: n.op = OpCode::kCmpBool; break;
        default: n.op = OpCode::kCmpI64; break;
      }
      return Emit(n, e);
    }
    default:
      break;
  }
  // Arithmetic. Time and duration arithmetic is int64 µs arithmetic.
  if (a.numeric() && b.numeric()) {
    n.a = Operand(lhs, common);
    n.b = Operand(rhs, common);
  } else {
    n.a = Expr(lhs);
    n.b = Expr(rhs);
    common = Type::Scalar(Kind::kInt);
  }
  // A time result is checked against the range of times (base/time_util.hpp).
  const bool time_result = TypeOf(e) == Type::Scalar(Kind::kTime);
  switch (e.op) {
    case ast::Op::kAdd:
      n.op = time_result ? OpCode::kAddTime
                         : typed(OpCode::kAddI64, OpCode::kAddDec, OpCode::kAddF64);
      break;
    case ast::Op::kSub:
      n.op = time_result ? OpCode::kSubTime
                         : typed(OpCode::kSubI64, OpCode::kSubDec, OpCode::kSubF64);
      break;
    case ast::Op::kMul: n.op = typed(OpCode::kMulI64, OpCode::kMulDec, OpCode::kMulF64); break;
    case ast::Op::kDiv: n.op = typed(OpCode::kDivI64, OpCode::kDivDec, OpCode::kDivF64); break;
    default: n.op = typed(OpCode::kModI64, OpCode::kModDec, OpCode::kModF64); break;
  }
  return Emit(n, e);
}

uint32_t Planner::In(const ast::Expr& e) {
  const ast::Expr& lhs = *e.operands[0];
  const ast::Expr& rhs = *e.operands[1];
  Type a = TypeOf(lhs);
  Type set = TypeOf(rhs);
  Node n;
  if (rhs.kind == ast::ExprKind::kName && RefOf(rhs) == RefKind::kField) {
    n.op = OpCode::kInEventSet;
    n.a = Expr(lhs);
    n.b = Expr(rhs);
    return Emit(n, e);
  }
  if (rhs.kind == ast::ExprKind::kName && RefOf(rhs) == RefKind::kList &&
      module_.lists[rhs.checked.ref_index].external) {
    const sema::ListInfo& list = module_.lists[rhs.checked.ref_index];
    n.op = OpCode::kInExternalSet;
    // An int looked up in a decimal list becomes a decimal; a decimal in an
    // int list is compared with the list's values as decimals (b = 1).
    n.a = a.kind == Kind::kInt && set.kind == Kind::kDecimal
              ? Operand(lhs, Type::Scalar(Kind::kDecimal))
              : Expr(lhs);
    n.b = a.kind == Kind::kDecimal && set.kind == Kind::kInt ? 1 : 0;
    auto [it, inserted] =
        external_sets_.emplace(&list, static_cast<uint32_t>(program_.external_lists.size()));
    if (inserted) {
      eval::ExternalList& x = program_.external_lists.emplace_back();
      x.name = list.name;
      x.kind = set.kind;
      x.hashed = list.hashed;
      x.digest = ListDigest(list.normalization, list.hmac_key);
    }
    n.c = it->second;
    return Emit(n, e);
  }
  if (rhs.kind == ast::ExprKind::kName && RefOf(rhs) == RefKind::kList &&
      module_.lists[rhs.checked.ref_index].hashed) {
    const sema::ListInfo& list = module_.lists[rhs.checked.ref_index];
    n.op = OpCode::kInHashedSet;
    n.a = Expr(lhs);
    auto [it, inserted] =
        hashed_sets_.emplace(&list, static_cast<uint32_t>(program_.hashed_sets.size()));
    if (inserted) {
      eval::HashedSet h;
      h.digests.Build(list.value.strs);
      h.digest = ListDigest(list.normalization, list.hmac_key);
      program_.hashed_set_info.push_back(
          SetInfoOf(rhs, eval::SetDigest(h.digests), h.digests.size()));
      program_.hashed_sets.push_back(std::move(h));
    }
    n.c = it->second;
    return Emit(n, e);
  }
  const sema::ConstValue& v = ConstOf(rhs);
  if (set.kind == Kind::kString) {
    n.op = OpCode::kInSetStr;
    n.a = Expr(lhs);
    auto [it, inserted] = str_sets_.emplace(&v, static_cast<uint32_t>(program_.str_sets.size()));
    if (inserted) {
      program_.str_sets.emplace_back();
      // The planner is the module's last reader (it owns it, and each set is
      // built once): the strings move into the set instead of being copied,
      // so that a list of millions of entries is not held twice at the peak.
      program_.str_sets.back().Build(std::move(ConstOf(rhs).strs));
      program_.str_set_info.push_back(SetInfoOf(rhs, eval::SetDigest(program_.str_sets.back()),
                                                program_.str_sets.back().size()));
    }
    n.c = it->second;
    return Emit(n, e);
  }
  // Numeric sets: promote the side that needs it. An int looked up in a
  // set<decimal> becomes a decimal; a decimal in a set<int> compares against
  // the set's values as decimals.
  n.op = OpCode::kInSetI64;
  bool scale = a.kind == Kind::kDecimal && set.kind == Kind::kInt;
  n.a = a.kind == Kind::kInt && set.kind == Kind::kDecimal
            ? Operand(lhs, Type::Scalar(Kind::kDecimal))
            : Expr(lhs);
  auto [it, inserted] =
      int_sets_.emplace(std::make_pair(&v, scale), static_cast<uint32_t>(program_.int_sets.size()));
  if (inserted) {
    std::vector<int64_t> values;
    for (int64_t x : v.ints) {
      if (!scale) {
        values.push_back(x);
      } else if (std::optional<Decimal> d = DecimalFromInt(x)) {
        values.push_back(d->units);  // an int outside the decimal range equals no decimal
      }
    }
    program_.int_sets.emplace_back();
    program_.int_sets.back().Build(std::move(values));
    program_.int_set_info.push_back(SetInfoOf(rhs, eval::SetDigest(program_.int_sets.back()),
                                              program_.int_sets.back().size()));
  }
  n.c = it->second;
  return Emit(n, e);
}

eval::SetInfo Planner::SetInfoOf(const ast::Expr& set_expr, std::string digest,
                                 size_t size) const {
  eval::SetInfo info;
  if (set_expr.kind == ast::ExprKind::kName) info.name = set_expr.name.text;
  info.digest = std::move(digest);
  info.size = size;
  return info;
}

uint32_t Planner::Call(const ast::Expr& e) {
  if (RefOf(e) == RefKind::kAggregate) {
    Node agg;
    agg.op = OpCode::kAggregate;
    agg.c = e.checked.ref_index;
    return Emit(agg, e);
  }
  auto id = static_cast<sema::Builtin>(e.checked.ref_index);
  Type t = TypeOf(e);
  Node n;
  auto arg = [&](size_t i) { return Expr(*e.args[i].value); };
  auto arg_as = [&](size_t i, Type to) { return Operand(*e.args[i].value, to); };
  switch (id) {
    case sema::Builtin::kLower: n.op = OpCode::kLower; n.a = arg(0); break;
    case sema::Builtin::kUpper: n.op = OpCode::kUpper; n.a = arg(0); break;
    case sema::Builtin::kLen: n.op = OpCode::kLen; n.a = arg(0); break;
    case sema::Builtin::kSha256: n.op = OpCode::kSha256; n.a = arg(0); break;
    case sema::Builtin::kToInt: n.op = OpCode::kBoolToInt; n.a = arg(0); break;
    case sema::Builtin::kContains: n.op = OpCode::kContains; n.a = arg(0); n.b = arg(1); break;
    case sema::Builtin::kStartsWith: n.op = OpCode::kStartsWith; n.a = arg(0); n.b = arg(1); break;
    case sema::Builtin::kEndsWith: n.op = OpCode::kEndsWith; n.a = arg(0); n.b = arg(1); break;
    case sema::Builtin::kAbs:
      n.a = arg(0);
      n.op = t.kind == Kind::kDecimal ? OpCode::kAbsDec
             : t.kind == Kind::kFloat ? OpCode::kAbsF64
                                      : OpCode::kAbsI64;
      break;
    case sema::Builtin::kMin:
    case sema::Builtin::kMax: {
      bool is_min = id == sema::Builtin::kMin;
      n.a = arg_as(0, t);
      n.b = arg_as(1, t);
      switch (t.kind) {
        case Kind::kDecimal: n.op = is_min ? OpCode::kMinDec : OpCode::kMaxDec; break;
        case Kind::kFloat: n.op = is_min ? OpCode::kMinF64 : OpCode::kMaxF64; break;
        case Kind::kString: n.op = is_min ? OpCode::kMinStr : OpCode::kMaxStr; break;
        default: n.op = is_min ? OpCode::kMinI64 : OpCode::kMaxI64; break;
      }
      break;
    }
    case sema::Builtin::kCoalesce:
      n.op = OpCode::kCoalesce;
      n.a = arg_as(0, t);
      n.b = arg_as(1, t);
      break;
    case sema::Builtin::kHour:
    case sema::Builtin::kWeekday:
      n.op = id == sema::Builtin::kHour ? OpCode::kHour : OpCode::kWeekday;
      n.a = arg(0);
      n.c = e.args.size() > 1 ? e.args[1].value->checked.ref_index : 0;
      break;
    case sema::Builtin::kDaysBetween:
      n.op = OpCode::kDaysBetween;
      n.a = arg(0);
      n.b = arg(1);
      break;
  }
  return Emit(n, e);
}

void Planner::Run() {
  program_.rulesets = module_.rulesets;
  program_.schema = module_.schema;
  program_.decisions = module_.decisions;
  program_.regexes = std::move(module_.regexes);
  program_.zones = std::move(module_.zones);
  // Constant strings stay where sema put them: deque moves keep addresses.
  program_.strings = std::move(module_.strings);

  for (const auto& let : module_.lets) {
    program_.lets.push_back(Expr(*let.expr));
    program_.let_names.push_back(let.name);
    program_.let_types.push_back(let.type);
  }
  PlanAggregates();
  if (module_.reversal) {
    program_.reversal_field = static_cast<int32_t>(module_.reversal->field_slot);
    program_.reversal_when = Expr(*module_.reversal->when);
  }
  std::vector<std::vector<uint32_t>> conjuncts(module_.rules.size());
  for (const auto& check : module_.rules) {
    if (check.disabled) continue;
    const ast::RuleDecl& decl = *check.decl;
    eval::RuleInfo rule;
    rule.id = decl.id.text;
    rule.ruleset = check.ruleset;
    rule.qualified_id = program_.rulesets[check.ruleset].name + "/" + rule.id;
    rule.title = decl.title ? decl.title->value : std::string();
    rule.severity = check.severity;
    for (const auto& t : decl.tags) rule.tags.push_back(t.value);
    rule.shadow = check.shadow;
    rule.when = Expr(*decl.when);
    rule.score = check.score;
    rule.decision = check.decision;
    rule.range = decl.range;
    for (const auto& action : decl.actions) {
      if (action.kind == ast::ActionKind::kTag) rule.action_tags.push_back(action.text.value);
      if (action.kind != ast::ActionKind::kReason) continue;
      for (const auto& part : action.parts) {
        eval::ReasonPiece piece;
        if (part.expr) {
          piece.node = static_cast<int32_t>(Expr(*part.expr));
          piece.type = TypeOf(*part.expr);
          // Masked when it reads a @pii field, directly or through a let.
          piece.pii = ReadsPii(*part.expr);
        } else {
          piece.text = part.text;
        }
        rule.reason.push_back(std::move(piece));
      }
    }
    CollectConjuncts(rule.when, conjuncts[program_.rules.size()]);
    program_.rules.push_back(std::move(rule));
  }
  IndexRules(std::move(conjuncts));
}

// Aggregates with the same `by:` fields form one group: one key lookup and
// one history per key serve all of them.
void Planner::PlanAggregates() {
  for (const sema::AggregateInfo& info : module_.aggregates) {
    eval::AggregateDef def;
    def.kind = info.kind;
    def.value_type = info.value_type;
    def.type = info.type;
    def.within_us = info.within_us;
    def.offset_us = info.offset_us;
    def.exclude_current = info.exclude_current;
    def.percentile = info.percentile;
    if (info.value) def.value_node = static_cast<int32_t>(Expr(*info.value));
    if (info.where) def.where_node = static_cast<int32_t>(Expr(*info.where));
    def.signature = info.signature;
    def.text = info.text;
    uint32_t group = 0;
    while (group < program_.agg_groups.size() &&
           program_.agg_groups[group].key_slots != info.key_slots) {
      ++group;
    }
    if (group == program_.agg_groups.size()) {
      eval::AggGroup g;
      g.key_slots = info.key_slots;
      for (uint32_t slot : g.key_slots) {
        const eval::FieldInfo& f = program_.schema.fields[slot];
        g.signature += f.name + ":" + TypeName(f.type) + ",";
      }
      program_.agg_groups.push_back(std::move(g));
    }
    def.group = group;
    program_.agg_groups[group].aggregates.push_back(
        static_cast<uint32_t>(program_.aggregates.size()));
    program_.aggregates.push_back(std::move(def));
  }
}

// The operands of a condition's top-level `and`, nested ones flattened, in
// the planner's cost order.
void Planner::CollectConjuncts(uint32_t node, std::vector<uint32_t>& out) const {
  const Node& n = program_.nodes[node];
  if (n.op != OpCode::kAnd) {
    out.push_back(node);
    return;
  }
  for (uint32_t i = 0; i < n.b; ++i) CollectConjuncts(program_.child_lists[n.a + i], out);
}

// Whether a conjunct is an atom of the rule index (eval/rule_index.hpp): a
// string field ==/!= a constant, a numeric field compared with a constant
// (int, decimal, time and duration all compare by their int64 units), a
// field in a constant set, or the negation of any of these.
bool Planner::AtomOf(uint32_t rule, uint32_t node, eval::RuleIndex::Atom& atom) const {
  // Sets larger than this (watchlists) stay with the evaluator's hash sets:
  // as index classes they would cost memory for every rule in the set.
  constexpr size_t kMaxIndexedSet = 512;
  const Node* n = &program_.nodes[node];
  atom = eval::RuleIndex::Atom{};
  atom.rule = rule;
  if (n->op == OpCode::kNot) {
    atom.negated = true;
    n = &program_.nodes[n->a];
  }
  switch (n->op) {
    case OpCode::kCmpStrField:
      if (n->cmp != CmpOp::kEq && n->cmp != CmpOp::kNe) return false;
      atom.is_string = true;
      atom.strs = {std::string(n->k.str())};
      break;
    case OpCode::kCmpI64Field:
      atom.ints = {n->k.i};
      break;
    case OpCode::kInSetStrField:
      if (program_.str_sets[n->c].size() > kMaxIndexedSet) return false;
      atom.is_string = true;
      atom.is_set = true;
      atom.strs = program_.str_sets[n->c].sorted();
      break;
    case OpCode::kInSetI64Field:
      if (program_.int_sets[n->c].size() > kMaxIndexedSet) return false;
      atom.is_set = true;
      atom.ints = program_.int_sets[n->c].sorted();
      break;
    default:
      return false;
  }
  atom.slot = n->a;
  atom.cmp = n->cmp;
  return true;
}

// Chooses how the rule set is evaluated (plan/strategy.hpp) and writes each
// rule's residual. With the index: the conjuncts it does not decide, in cost
// order. Ordered: all of them, likeliest to fail for their cost first.
void Planner::IndexRules(std::vector<std::vector<uint32_t>> conjuncts) {
  const size_t rules = program_.rules.size();
  conjuncts.resize(rules);  // disabled rules left empty entries at the end
  std::vector<std::vector<uint32_t>> ordered = conjuncts;
  for (auto& c : ordered) OrderConjuncts(program_, c);

  bool use_index = false;
  std::vector<std::vector<uint32_t>> residuals(rules);
  if (index_rules_) {
    std::vector<eval::RuleIndex::Atom> atoms;
    std::vector<std::pair<uint32_t, size_t>> atom_conjunct;  // (rule, position) of each atom
    for (uint32_t r = 0; r < rules; ++r) {
      for (size_t k = 0; k < conjuncts[r].size(); ++k) {
        eval::RuleIndex::Atom atom;
        if (!AtomOf(r, conjuncts[r][k], atom)) continue;
        atoms.push_back(std::move(atom));
        atom_conjunct.emplace_back(r, k);
      }
    }
    std::vector<bool> decided = program_.rule_index.Build(atoms, rules);
    // The chance that a rule gets past the index: that its decided atoms all
    // hold.
    std::vector<double> candidate_chance(rules, 1.0);
    std::vector<std::vector<bool>> is_decided(rules);
    for (uint32_t r = 0; r < rules; ++r) is_decided[r].assign(conjuncts[r].size(), false);
    for (size_t i = 0; i < atoms.size(); ++i) {
      if (!decided[i]) continue;
      auto [r, k] = atom_conjunct[i];
      is_decided[r][k] = true;
      candidate_chance[r] *= PassChance(program_, conjuncts[r][k]);
    }
    for (uint32_t r = 0; r < rules; ++r) {
      for (size_t k = 0; k < conjuncts[r].size(); ++k) {
        if (!is_decided[r][k]) residuals[r].push_back(conjuncts[r][k]);
      }
    }
    program_.strategy_estimate = EstimateStrategies(program_, ordered, residuals, candidate_chance);
    use_index = strategy_ == StrategyChoice::kIndex ||
                (strategy_ == StrategyChoice::kAuto &&
                 program_.strategy_estimate.index < program_.strategy_estimate.ordered);
  }
  if (!use_index) {
    program_.rule_index = eval::RuleIndex{};
    program_.rule_index.Build({}, rules);
    program_.ordered = CompileOrdered(program_, ordered);
    residuals = std::move(ordered);
  }
  program_.strategy = use_index ? eval::EvalStrategy::kIndex : eval::EvalStrategy::kOrdered;
  for (uint32_t r = 0; r < rules; ++r) {
    eval::Program::Residual res;
    res.begin = static_cast<uint32_t>(program_.residual_nodes.size());
    program_.residual_nodes.insert(program_.residual_nodes.end(), residuals[r].begin(),
                                   residuals[r].end());
    res.count = static_cast<uint32_t>(residuals[r].size());
    program_.residuals.push_back(res);
  }
}

std::shared_ptr<const eval::Program> Plan(sema::Module module, const SourceManager& sources,
                                          std::string sources_digest, bool index_rules,
                                          StrategyChoice strategy) {
  auto program = std::make_shared<eval::Program>();
  program->sources_digest = std::move(sources_digest);
  program->overrides = std::move(module.overrides);
  Planner planner(module, sources, *program, index_rules, strategy);
  planner.Run();
  return program;
}

}  // namespace vigil::plan
