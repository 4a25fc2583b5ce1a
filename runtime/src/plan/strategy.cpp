#include "plan/strategy.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>

namespace vigil::plan {

namespace {

// The constants of the estimate, in units of an integer comparison, fitted
// to the generated workloads of bench/run.sh (docs/performance.md, "Small
// rule sets"): each strategy forced in turn on 10, 30, 100 and 1,000 rules.
//
// Ordered evaluation: a rule costs its loop step and call besides its
// conjuncts.
constexpr double kOrderedPerRule = 1.5;
// The index: the call and the scan of the candidate words; per indexed
// field, its lookup (a string is hashed and probed, a number is found by
// binary search) and the AND of its row; per candidate rule, finding its bit
// and the call that evaluates its residual.
constexpr double kIndexBase = 6;
constexpr double kIndexPerWord = 0.5;
constexpr double kStringLookup = 10;
constexpr double kNumberLookup = 2;     // plus one per halving of the constants
constexpr double kAndPerWord = 0.25;    // per field
constexpr double kPerCandidate = 2;

double CmpChance(CmpOp op) {
  switch (op) {
    case CmpOp::kEq: return 0.1;
    case CmpOp::kNe: return 0.9;
    default: return 0.5;
  }
}

double SetChance(size_t size) { return std::min(0.5, 0.1 * static_cast<double>(size)); }

}  // namespace

uint32_t NodeCost(const eval::Program& program, uint32_t index) {
  const Node& n = program.nodes[index];
  uint32_t own = 1;
  switch (n.op) {
    case OpCode::kConst:
    case OpCode::kField:
      return 0;
    case OpCode::kLet:
      return 2;  // cached after its first use in an event
    case OpCode::kAggregate:
      return 1;  // computed before the rules
    case OpCode::kCmpStr:
    case OpCode::kInSetStr:
    case OpCode::kInEventSet:
    case OpCode::kCmpStrField:
    case OpCode::kCmpStrFields:
    case OpCode::kInSetStrField:
      own = 3;
      break;
    case OpCode::kContains:
    case OpCode::kStartsWith:
    case OpCode::kEndsWith:
    case OpCode::kLen:
      own = 6;
      break;
    case OpCode::kLower:
    case OpCode::kUpper:
    case OpCode::kHour:
    case OpCode::kWeekday:
      own = 10;
      break;
    case OpCode::kMatches:
    case OpCode::kSha256:
    case OpCode::kInHashedSet:
    case OpCode::kInExternalSet:
      own = 40;
      break;
    default:
      break;
  }
  int arity = OperandCount(n.op);
  uint32_t total = own;
  if (arity < 0) {
    for (uint32_t i = 0; i < n.b; ++i) total += NodeCost(program, program.child_lists[n.a + i]);
  } else {
    if (arity >= 1) total += NodeCost(program, n.a);
    if (arity >= 2) total += NodeCost(program, n.b);
  }
  return total;
}

double PassChance(const eval::Program& program, uint32_t index) {
  const Node& n = program.nodes[index];
  switch (n.op) {
    case OpCode::kConst:
      return n.k.present && n.k.b ? 1.0 : 0.0;
    case OpCode::kNot:
      return 1.0 - PassChance(program, n.a);
    case OpCode::kAnd:
    case OpCode::kOr: {
      // As if the operands were independent.
      double all = 1, none = 1;
      for (uint32_t i = 0; i < n.b; ++i) {
        double p = PassChance(program, program.child_lists[n.a + i]);
        all *= p;
        none *= 1 - p;
      }
      return n.op == OpCode::kAnd ? all : 1 - none;
    }
    case OpCode::kIsMissing:
      return 0.1;
    case OpCode::kIsPresent:
      return 0.9;
    case OpCode::kCmpI64Field:
    case OpCode::kCmpStrField:
    case OpCode::kCmpI64:
    case OpCode::kCmpDec:
    case OpCode::kCmpF64:
    case OpCode::kCmpStr:
    case OpCode::kCmpBool:
      return CmpChance(n.cmp);
    case OpCode::kCmpStrFields:
      return 0.5;  // two fields: nothing says whether they usually agree
    case OpCode::kInSetI64Field:
    case OpCode::kInSetI64:
      return SetChance(program.int_sets[n.c].size());
    case OpCode::kInSetStrField:
    case OpCode::kInSetStr:
      return SetChance(program.str_sets[n.c].size());
    case OpCode::kInHashedSet:
    case OpCode::kInExternalSet:
      return 0.05;  // watchlists: rarely a hit
    case OpCode::kInEventSet:
    case OpCode::kMatches:
    case OpCode::kContains:
    case OpCode::kStartsWith:
    case OpCode::kEndsWith:
      return 0.2;
    default:
      return 0.5;
  }
}

void OrderConjuncts(const eval::Program& program, std::vector<uint32_t>& conjuncts) {
  std::vector<std::pair<double, uint32_t>> ranked;
  ranked.reserve(conjuncts.size());
  for (uint32_t c : conjuncts) {
    double fails = std::max(1.0 - PassChance(program, c), 0.01);
    ranked.emplace_back(NodeCost(program, c) / fails, c);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  for (size_t i = 0; i < ranked.size(); ++i) conjuncts[i] = ranked[i].second;
}

double ConjunctionCost(const eval::Program& program, const std::vector<uint32_t>& conjuncts) {
  double cost = 0, reached = 1;
  for (uint32_t c : conjuncts) {
    cost += reached * std::max<uint32_t>(NodeCost(program, c), 1);
    reached *= PassChance(program, c);
  }
  return cost;
}

namespace {

// A conjunct as an inline test where its shape allows, else as its node.
// Small sets' values go to `out`'s side arrays.
// `n` is the conjunct's node, or the node under its `not` (`negated`); `t`
// the test of the whole node, returned when no inline test fits.
eval::OrderedTest InlineTestOf(const eval::Program& program, const Node* n, bool negated,
                               const eval::OrderedTest& t, eval::OrderedRules& out) {
  using Test = eval::OrderedTest;
  Test inline_test;
  inline_test.at = static_cast<uint32_t>(n->a * sizeof(eval::Value));  // the field's bytes
  // The kind, negated when the test must not hold: the odd kind after it.
  auto kind = [&](Test::Kind k) { return static_cast<Test::Kind>(k | (negated ? 1 : 0)); };
  auto range = [&](int64_t lo, int64_t hi) {
    inline_test.kind = Test::kIntRange;
    inline_test.lo = lo;
    inline_test.span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
    if (negated) {
      if (inline_test.span == UINT64_MAX) {
        inline_test.kind = Test::kIntOutside;  // of every value: never holds
      } else {
        // Outside [lo, hi] is inside [hi + 1, lo - 1], wrapping round the
        // unsigned values: the same one compare as a range.
        inline_test.lo = static_cast<int64_t>(static_cast<uint64_t>(hi) + 1);
        inline_test.span = ~inline_test.span - 1;
      }
    }
    return inline_test;
  };
  auto equal = [&](std::string_view s) {
    inline_test.kind = kind(Test::kStrEq);
    inline_test.str = s.data();
    inline_test.span = s.size();
    return inline_test;
  };
  switch (n->op) {
    case OpCode::kCmpI64:
    case OpCode::kCmpDec: {
      // An aggregate compared with a constant: Evaluator::Fused's case,
      // whose result is the compare of the value's int (or decimal units,
      // the scale not read) with the constant's, unknown when the value is
      // missing: a range on the aggregate's value, as below for a field.
      const Node& x = program.nodes[n->a];
      const Node& y = program.nodes[n->b];
      if (x.op != OpCode::kAggregate || y.op != OpCode::kConst || !y.k.present) return t;
      Node field_form = *n;
      field_form.op = OpCode::kCmpI64Field;
      field_form.k = y.k;
      Test agg = InlineTestOf(program, &field_form, negated, t, out);
      if (agg.kind == Test::kIntRange) {
        agg.kind = Test::kAggRange;
        agg.at = static_cast<uint32_t>(x.c * sizeof(eval::Value));  // the aggregate's value
      } else if (agg.kind == Test::kIntOutside) {
        agg.at = 0;  // reads nothing; an offset among the event's values, as every test's
      } else {
        return t;  // kNode (a compare that never holds): left to the node
      }
      return agg;
    }
    case OpCode::kCmpI64Field: {
      const int64_t c = n->k.i;
      switch (n->cmp) {
        case CmpOp::kEq: return range(c, c);
        case CmpOp::kNe: negated = !negated; return range(c, c);
        case CmpOp::kLe: return range(INT64_MIN, c);
        case CmpOp::kGe: return range(c, INT64_MAX);
        case CmpOp::kLt:
          if (c == INT64_MIN) return t;  // never true: left to the node
          return range(INT64_MIN, c - 1);
        case CmpOp::kGt:
          if (c == INT64_MAX) return t;
          return range(c + 1, INT64_MAX);
      }
      return t;
    }
    case OpCode::kInSetI64Field: {
      const eval::I64Set& set = program.int_sets[n->c];
      if (set.size() == 1) return range(set.sorted()[0], set.sorted()[0]);
      if (set.size() == 0) return t;
      if (set.size() > Test::kMaxInlineSet) {
        inline_test.kind = kind(Test::kIntSet);
        inline_test.lo = n->c;
        return inline_test;
      }
      inline_test.kind = kind(Test::kIntIn);
      inline_test.lo = static_cast<int64_t>(out.ints.size());
      inline_test.span = set.size();
      out.ints.insert(out.ints.end(), set.sorted().begin(), set.sorted().end());
      // Always kMaxInlineSet values, the first repeated: compared all at
      // once, without a loop (a repeated value changes nothing).
      out.ints.resize(out.ints.size() + Test::kMaxInlineSet - set.size(), set.sorted()[0]);
      return inline_test;
    }
    case OpCode::kCmpStrFields:
      if (n->cmp != CmpOp::kEq && n->cmp != CmpOp::kNe) return t;
      if (n->cmp == CmpOp::kNe) negated = !negated;
      inline_test.kind = kind(Test::kStrFields);
      inline_test.span = n->b * sizeof(eval::Value);  // the second field's bytes
      return inline_test;
    case OpCode::kCmpStrField:
      if (n->cmp == CmpOp::kEq) return equal(n->k.str());
      if (n->cmp == CmpOp::kNe) {
        negated = !negated;
        return equal(n->k.str());
      }
      return t;
    case OpCode::kInSetStrField: {
      const eval::StrSet& set = program.str_sets[n->c];
      if (set.size() == 1) return equal(set.sorted()[0]);
      if (set.size() == 0) return t;
      if (set.size() > Test::kMaxInlineSet) {
        inline_test.kind = kind(Test::kStrSet);
        inline_test.lo = n->c;
        return inline_test;
      }
      inline_test.kind = kind(Test::kStrIn);
      inline_test.lo = static_cast<int64_t>(out.strs.size());
      inline_test.span = set.size();
      for (const std::string& v : set.sorted()) {
        out.strs.push_back(eval::StrView{v.data(), static_cast<uint32_t>(v.size())});
      }
      return inline_test;
    }
    default:
      return t;
  }
}

eval::OrderedTest TestOf(const eval::Program& program, uint32_t node, eval::OrderedRules& out) {
  eval::OrderedTest t;
  t.kind = eval::OrderedTest::kNode;
  t.lo = node;
  const Node* n = &program.nodes[node];
  bool negated = false;
  if (n->op == OpCode::kNot) {
    negated = true;
    n = &program.nodes[n->a];
  }
  return InlineTestOf(program, n, negated, t, out);
}

// A test's cost for Session::AdaptOrder, in units of an integer compare:
// an inline test's from its kind (a range is one unsigned compare, a string
// a length and bytes, a set several compares or a lookup); a node's the
// evaluator's set-up and call besides the node's own cost (NodeCost).
uint8_t TestCost(const eval::Program& program, uint32_t node, eval::OrderedTest::Kind kind) {
  using Test = eval::OrderedTest;
  switch (kind) {
    case Test::kIntRange:
    case Test::kIntOutside:
    case Test::kAggRange:
      return 2;
    case Test::kIntIn:
    case Test::kIntNotIn:
      return 4;
    case Test::kStrEq:
    case Test::kStrNe:
      return 5;
    case Test::kNode:
      return static_cast<uint8_t>(std::min<uint32_t>(255, 8 + 2 * NodeCost(program, node)));
    default:
      return 6;
  }
}

}  // namespace

eval::OrderedRules CompileOrdered(const eval::Program& program,
                                  const std::vector<std::vector<uint32_t>>& conjuncts) {
  eval::OrderedRules out;
  for (uint32_t rule = 0; rule < conjuncts.size(); ++rule) {
    eval::OrderedRules::Rule r;
    r.begin = static_cast<uint32_t>(out.tests.size());
    for (uint32_t c : conjuncts[rule]) {
      out.tests.push_back(TestOf(program, c, out));
      out.tests.back().cost = TestCost(program, c, out.tests.back().kind);
    }
    // A rule without conjuncts fires on every event: one test that holds.
    if (conjuncts[rule].empty()) out.tests.emplace_back().kind = eval::OrderedTest::kTrue;
    r.count = static_cast<uint32_t>(out.tests.size()) - r.begin;
    for (uint32_t k = 0; k < r.count; ++k) {
      eval::OrderedTest& t = out.tests[r.begin + k];
      t.skip = (r.count - k) * eval::OrderedTest::kStride;  // past the rule's last test
      t.rule = rule;
    }
    out.rules.push_back(r);
  }
  out.tests.emplace_back().kind = eval::OrderedTest::kEnd;
  return out;
}

eval::StrategyEstimate EstimateStrategies(const eval::Program& program,
                                          const std::vector<std::vector<uint32_t>>& ordered,
                                          const std::vector<std::vector<uint32_t>>& residuals,
                                          const std::vector<double>& candidate_chance) {
  eval::StrategyEstimate e;
  for (const auto& conjuncts : ordered) {
    e.ordered += kOrderedPerRule + ConjunctionCost(program, conjuncts);
  }
  const eval::RuleIndex& index = program.rule_index;
  const auto words = static_cast<double>(index.words());
  e.index = kIndexBase + kIndexPerWord * words;
  for (const eval::RuleIndex::FieldShape& f : index.field_shapes()) {
    e.index += f.is_string ? kStringLookup
                           : kNumberLookup + std::log2(static_cast<double>(f.constants) + 1);
    e.index += kAndPerWord * words;
  }
  for (size_t r = 0; r < residuals.size(); ++r) {
    e.index += candidate_chance[r] * (kPerCandidate + ConjunctionCost(program, residuals[r]));
  }
  return e;
}

}  // namespace vigil::plan
