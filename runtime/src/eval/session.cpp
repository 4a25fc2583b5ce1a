#include "eval/session.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "base/bytes.hpp"
#include "base/time_util.hpp"
#include "eval/evaluator.hpp"
#include "state/store.hpp"

namespace vigil::eval {

namespace {

// A test that holds only for a few values of its field, that a gate can
// stand for (OrderedTest::kGate): an equality, a range of at most 64
// values (span < 64), a small set.
bool GateMember(const OrderedTest& t) {
  return (t.kind == OrderedTest::kIntRange && t.span < 64) || t.kind == OrderedTest::kIntIn;
}

}  // namespace

Session::Session(std::shared_ptr<const Program> program, std::shared_ptr<state::Backend> store)
    : program_(std::move(program)),
      let_values_(program_->lets.size()),
      let_epoch_(program_->lets.size(), 0),
      candidates_(program_->rule_index.words()),
      external_views_(program_->external_lists.size()),
      store_(std::move(store)),
      agg_values_(program_->aggregates.size()),
      agg_events_(program_->aggregates.size(), 0) {
  if (store_ == nullptr && !program_->aggregates.empty()) {
    store_ = std::make_shared<state::Store>();
  }
  if (store_ != nullptr) {
    store_->Attach(state::Layout::FromProgram(*program_));
    Remap();
  }
  const Schema& schema = program_->schema;
  prefetch_lines_ = (schema.fields.size() * sizeof(Value) + 63) / 64;
  if (schema.id_slot >= 0 && schema.fields[schema.id_slot].type.kind == Kind::kString &&
      !schema.fields[schema.id_slot].type.is_set) {
    string_id_slot_ = schema.id_slot;
    string_id_name_ = schema.fields[schema.id_slot].name.c_str();
  }
  if (program_->strategy == EvalStrategy::kOrdered) {
    plain_ordered_ = program_->aggregates.empty();
    ordered_tests_ = program_->ordered.tests;
    // Not planned (CompileOrdered ends in kEnd): no rules, evaluation over
    // at once, without a test for it in every event.
    if (ordered_tests_.empty()) ordered_tests_.emplace_back().kind = OrderedTest::kEnd;
    for (OrderedTest& t : ordered_tests_) {
      if ((t.kind | 1) == OrderedTest::kIntNotIn) t.ints = program_->ordered.ints.data() + t.lo;
    }
    // Only a rule of two tests or more has an order to choose.
    bool choice = false;
    for (const OrderedRules::Rule& r : program_->ordered.rules) choice = choice || r.count > 1;
    if (!choice) ShortStrings(ordered_tests_);  // as run from the start (else after counting)
    if (choice) {
      adapt_left_ = kAdaptEvents;
      test_fails_.assign(ordered_tests_.size(), 0);
      counted_tests_.swap(ordered_tests_);
      OrderedTest count;  // holds, and is the last of its rule: "fires" kCountRule
      count.kind = OrderedTest::kTrue;
      count.skip = OrderedTest::kStride;
      count.rule = kCountRule;
      ordered_tests_.push_back(count);
      ordered_tests_.emplace_back().kind = OrderedTest::kEnd;
      // Room for GroupRules, which runs at the kAdaptEvents-th event (where
      // nothing may allocate): a gate for each field that more than one rule
      // tests with a gate's kind of test, any of which may come first.
      const std::vector<OrderedRules::Rule>& rules = program_->ordered.rules;
      if (rules.size() <= 64) {
        std::vector<std::pair<uint32_t, uint32_t>> field_rules;  // (field, rule), once each
        for (uint32_t r = 0; r < rules.size(); ++r) {
          for (uint32_t k = rules[r].begin; k < rules[r].begin + rules[r].count; ++k) {
            const OrderedTest& t = counted_tests_[k];
            if (GateMember(t)) field_rules.emplace_back(t.at, r);
          }
        }
        std::sort(field_rules.begin(), field_rules.end());
        field_rules.erase(std::unique(field_rules.begin(), field_rules.end()), field_rules.end());
        size_t gates = 0;
        for (size_t k = 1; k < field_rules.size(); ++k) {
          // The second rule of a field: it may have a gate.
          if (field_rules[k].first == field_rules[k - 1].first &&
              (k < 2 || field_rules[k - 2].first != field_rules[k].first)) {
            ++gates;
          }
        }
        if (gates > 0) {
          grouped_tests_.reserve(counted_tests_.size() + gates);
          gate_bits_.reserve(gates * kGateWords);
        }
      }
    }
  }
}

Session::~Session() {
  if (store_ != nullptr) store_->Detach(state::Layout::FromProgram(*program_));
}

void Session::Begin(const Event& event) { StartEvent(event); }

// Begin's work, inlined into Evaluate (forced: GCC kept it a call).
__attribute__((always_inline)) inline void Session::StartEvent(const Event& event) {
  fields_ = event.values();
  scratch_.Reset();
  // Out of line: a refresh may take a lock and copy a shared pointer, code
  // that inlined would crowd Evaluate's registers for rule sets without lists.
  if (!external_views_.empty()) RefreshExternalViews();
  if (++epoch_ == 0) [[unlikely]] {  // wrapped: forget every cached let
    std::fill(let_epoch_.begin(), let_epoch_.end(), 0);
    epoch_ = 1;
  }
}

// One view of each external list for the whole event: a replacement
// published meanwhile is seen by the next event, never by half the rules
// of this one (`x in L` and `x not in L` cannot both hold).
__attribute__((noinline)) void Session::RefreshExternalViews() {
  for (size_t i = 0; i < external_views_.size(); ++i) {
    external_views_[i].Refresh(program_->external_lists[i]);
  }
}

Value Session::EvalNode(uint32_t node) {
  Evaluator ev(*program_, fields_, let_values_.data(), let_epoch_.data(), epoch_, scratch_,
               agg_values_.data(), external_views_.data());
  return ev.Eval(node);
}

void FormatValue(const Value& v, Type type, std::string& out) {
  if (!v.present) {
    out += "(missing)";
    return;
  }
  char buf[48];
  if (type.is_set) {
    out += '[';
    for (uint32_t i = 0; i < v.set_size(); ++i) {
      if (i > 0) out += ", ";
      out += v.set_items()[i].view();
    }
    out += ']';
    return;
  }
  switch (type.kind) {
    case Kind::kBool:
      out += v.b ? "true" : "false";
      break;
    case Kind::kInt:
      fmt::format_to(std::back_inserter(out), "{}", v.i);
      break;
    case Kind::kDecimal:
      out.append(buf, FormatDecimal(v.dec(), buf));
      break;
    case Kind::kFloat:
      fmt::format_to(std::back_inserter(out), "{}", v.f);
      break;
    case Kind::kString:
      out += v.str();
      break;
    case Kind::kTime:
      out.append(buf, FormatTime(v.i, buf));
      break;
    case Kind::kDuration:
      out.append(buf, FormatDuration(v.i, buf));
      break;
    default:
      break;
  }
}

// The rules read the event's values in an order the CPU cannot foresee:
// ask for all of its cache lines at once, so that their loads overlap.
// The number of lines is the schema's, fixed for the session: unrolled up
// to six (16 fields of 24 bytes; the generated workloads' 13 take five),
// where the loop's tests cost more than the prefetches (24 instructions
// an event for four; with four unrolled, r10's fifth line went through
// the loop: about 10 on r10, 4.3-4.6 on r100, v100 and r1000).
__attribute__((always_inline)) inline void Session::PrefetchValues(const Event& event) const {
  const char* values = reinterpret_cast<const char*>(event.values());
  switch (prefetch_lines_) {
    default:
      for (size_t at = 384; at < event.size() * sizeof(Value); at += 64) {
        __builtin_prefetch(values + at);
      }
      [[fallthrough]];
    case 6: __builtin_prefetch(values + 320); [[fallthrough]];
    case 5: __builtin_prefetch(values + 256); [[fallthrough]];
    case 4: __builtin_prefetch(values + 192); [[fallthrough]];
    case 3: __builtin_prefetch(values + 128); [[fallthrough]];
    case 2: __builtin_prefetch(values + 64); [[fallthrough]];
    case 1: __builtin_prefetch(values); [[fallthrough]];
    case 0: break;
  }
}

// Session::Evaluate (inline in session.hpp) calls one of two functions: for
// a small rule set without aggregates (the ten generated rules) all of the
// event's work is in RunOrdered<true>, with no frame set up around it (r10:
// 320 -> 288 instructions an event, Evaluate's frame, its tests of the
// strategy and aggregates, and RunOrdered's call gone). Evaluate was first a
// function that tested plain_ordered_ and jumped to either: with the rest of
// its body in it, GCC saved six registers and made a 184-byte frame before
// the test (306 instructions); out of line, the index's rule sets paid a
// jump more (r100 +2 instructions), which the inline test does not.

// Inline in both callers: EvaluateAny's code stays as it was before
// EvaluateAfterPhase shared it.
__attribute__((always_inline)) inline void Session::RunRules(const Event& event, Result& result,
                                                             const EvalOptions& options) {
  const Program& p = *program_;
  bool decided = false;  // a fired rule has set this event's decision
  if (p.strategy == EvalStrategy::kOrdered) {
    // A small rule set (plan/strategy.hpp): every rule's conjuncts in turn,
    // each rule stopping at its first conjunct that is not true (after the
    // session's first kAdaptEvents events, which run them all and count).
    // (With aggregates: without them Evaluate ran RunOrdered<true> instead.)
    RunOrdered<false>(event, result, options);
  } else if (p.rule_index.Candidates(fields_, candidates_.data())) {
    // Most events of the generated rule sets leave no candidate (about two
    // in three at 100 rules): the evaluator is made, and the words walked,
    // only for those that do.
    RunCandidates(options, result, decided);
  }
}

// Evaluate for any rule set but those RunOrdered<true> takes whole.
void Session::EvaluateAny(const Event& event, Result& result, const EvalOptions& options) {
  PrefetchValues(event);
  StartEvent(event);
  result.ClearAllButId();  // CopyEventId sets the id, below
  const Program& p = *program_;
  if (!p.aggregates.empty()) {
    // The id first (duplicate detection hashes it), copied as below: without
    // AppendEventId's call and look-ups in the schema for a string id.
    CopyEventId(event, result);
    RunAggregates(options.record, result.event_id);
    PutOutcomes(result);
  }
  RunRules(event, result, options);
  // Without aggregates nothing reads the id before this point: copied last,
  // its bytes' load overlaps with the rules' work instead of delaying it.
  if (p.aggregates.empty()) CopyEventId(event, result);
}

// The second phase of a two-phase evaluation (session.hpp): the event's
// aggregates as the first phase found them, then the rules, as EvaluateAny.
void Session::EvaluateAfterPhase(const Event& event, const AggregatePhase& phase,
                                 const Value* values, const int64_t* events, Result& result,
                                 const EvalOptions& options) {
  PrefetchValues(event);
  StartEvent(event);
  result.ClearAllButId();
  CopyEventId(event, result);
  const size_t n = agg_values_.size();
  std::copy(values, values + n, agg_values_.begin());
  std::copy(events, events + n, agg_events_.begin());
  outcome_ = phase;
  PutOutcomes(result);
  RunRules(event, result, options);
}

bool Session::AggregatesAreScalars(const Program& program) {
  for (const AggregateDef& a : program.aggregates) {
    if (a.type.kind == Kind::kString) return false;
  }
  return true;
}

// The residual conjuncts of each candidate rule (RuleIndex::Candidates),
// firing those whose residuals all hold.
inline void Session::RunCandidates(const EvalOptions& options, Result& result, bool& decided) {
  const Program& p = *program_;
  Evaluator ev = MakeEvaluator();
  const uint64_t* candidates = candidates_.data();
  const uint32_t* residual_nodes = p.residual_nodes.data();
  const Program::Residual* residuals = p.residuals.data();
  const size_t words = p.rule_index.words();
  for (size_t w = 0; w < words; ++w) {
    // Rules in declaration order: the set bits of each word, lowest first.
    for (uint64_t bits = candidates[w]; bits != 0; bits &= bits - 1) {
      const auto r = static_cast<uint32_t>(w * 64 + static_cast<size_t>(__builtin_ctzll(bits)));
      const Program::Residual& res = residuals[r];
      // A rule the index decides whole has nothing left to evaluate.
      if (res.count != 0 && !ev.AllTrue(residual_nodes + res.begin, res.count)) continue;
      Fire(ev, r, options, result, decided);
    }
  }
}

namespace {

// A range test of the ordered path (kIntRange on a field, kAggRange on an
// aggregate): the value present and within [lo, lo + span], in one unsigned
// compare; a missing value's number is compared all the same (values are
// always initialised) and its presence ANDed in.
[[gnu::always_inline]] inline bool InRange(const Value& v, const OrderedTest& t) {
  return v.present & (static_cast<uint64_t>(v.i) - static_cast<uint64_t>(t.lo) <= t.span);
}

// kStrEq, kStrNe: the length first, a string's bytes read only when it
// could be equal.
[[gnu::always_inline]] inline bool StrEqHolds(const OrderedTest& t, const Value& f) {
  const bool negated = (t.kind & 1) != 0;
  return f.present && (f.s.len == t.span && SameBytes(f.s.ptr, t.str, t.span)) != negated;
}

// kStrEq2: the length first, so that a string of any other length is never
// read; then its two or three bytes as one key (TwoOrThreeBytesKey).
[[gnu::always_inline]] inline bool StrEq2Holds(const OrderedTest& t, const Value& f) {
  return f.present && f.s.len == t.span &&
         TwoOrThreeBytesKey(f.s.ptr, t.span) == static_cast<uint64_t>(t.lo);
}

// kIntIn, kIntNotIn: kMaxInlineSet values, padded by the planner: no loop.
// In a session's copy of the tests, whose t.ints the constructor set.
[[gnu::always_inline]] inline bool IntInHolds(const OrderedTest& t, const Value& f) {
  static_assert(OrderedTest::kMaxInlineSet == 4);
  const bool negated = (t.kind & 1) != 0;
  const int64_t* v = t.ints;
  const bool in = (v[0] == f.i) | (v[1] == f.i) | (v[2] == f.i) | (v[3] == f.i);
  return f.present & (in != negated);
}

}  // namespace

// Every rule's tests in turn (OrderedRules), each rule stopping at its first
// test that does not hold, firing the rules whose tests all hold. A test of a
// missing field does not hold, negated or not (the node would be unknown).
// The first kAdaptEvents events run the counting stub instead (below).
// Threaded: each test jumps through kKinds straight to the next test's code
// (GCC's labels as values), one load and one jump a test, where a loop
// tested the kind against range, string equality, small set and kEnd in
// turn, and each outcome went through a `holds` flag, then a branch on it
// (r10 --ring 64: 352.3 -> 306.8 instructions an event; a switch without
// bound check was worse, 380.8, GCC's jump table landing in OtherTest's).
// A branch on the outcome, not arithmetic: predicted, it lets the CPU start
// on the next test before this one's loads arrive (computing the next
// test's address from the outcome made every test wait for the one before:
// 10 rules 154 -> 192 ns).
// Not inlined: GCC inlines no function that keeps labels' addresses in a
// static table, so Evaluate calls it (about 16 instructions a call).
// Flattened: OtherTest and what it calls inline, which GCC stopped doing
// once OtherTest had the set and aggregate cases.
template <bool kWhole>
__attribute__((flatten, noinline)) void Session::RunOrdered(const Event& event, Result& result,
                                                            const EvalOptions& options) {
  if constexpr (kWhole) {  // Evaluate's work before the rules, as it does it
    PrefetchValues(event);
    StartEvent(event);
    result.ClearAllButId();  // CopyEventId sets the id, at the end
  }
  bool decided = false;  // a fired rule has set this event's decision
  uint64_t deferred = 0;  // grouped_: the rules that held, fired at the end
  const OrderedTest* t = ordered_tests_.data();  // ends in kEnd (the constructor)
  const char* values = reinterpret_cast<const char*>(event.values());
  // By kind: every kind the planner makes (and the gaps, never made) goes
  // to OtherTest but those tested here.
  static const void* const kKinds[] = {
      &&range, &&other, &&str_eq, &&other, &&int_in, &&int_in, &&other, &&other,  // 0-7
      &&other, &&other, &&other, &&other, &&other, &&other, &&end, &&other,        // 8-15
      &&other, &&other, &&other, &&other, &&other, &&other, &&gate, &&other,       // 16-23
      &&str_eq2, &&other,                                                          // 24-25
  };
  static_assert(OrderedTest::kIntRange == 0 && OrderedTest::kStrEq == 2 &&
                OrderedTest::kIntIn == 4 && OrderedTest::kIntNotIn == 5 &&
                OrderedTest::kEnd == 14 && OrderedTest::kGate == 22 &&
                OrderedTest::kStrEq2 == 24 && OrderedTest::kStrNotSet < 24);
  goto *kKinds[t->kind];
range:
  if (InRange(*reinterpret_cast<const Value*>(values + t->at), *t)) goto held;
failed:  // at the next rule's first test
  t = reinterpret_cast<const OrderedTest*>(reinterpret_cast<const char*>(t) + t->skip);
  goto *kKinds[t->kind];
held:
  if (t->skip == OrderedTest::kStride) {  // the rule's last test: it fires
    if (grouped_) {
      deferred |= uint64_t{1} << t->rule;  // in rule order, at the end
    } else {
      FireOrdered(t->rule, options, result, decided);
    }
  }
  ++t;
  goto *kKinds[t->kind];
gate: {
  // The bitmap is read only within its span.
  const auto& f = *reinterpret_cast<const Value*>(values + t->at);
  const uint64_t d = static_cast<uint64_t>(f.i) - static_cast<uint64_t>(t->lo);
  if (f.present && d <= t->span && ((gate_bits_.data()[t->rule + (d >> 6)] >> (d & 63)) & 1) != 0) {
    ++t;  // the group's first rule
    goto *kKinds[t->kind];
  }
  goto failed;  // past the group
}
str_eq: {
  // Not negated (kStrNe is OtherTest's): a failure skips at once.
  const auto& f = *reinterpret_cast<const Value*>(values + t->at);
  if (f.present && f.s.len == t->span && SameBytes(f.s.ptr, t->str, t->span)) goto held;
  goto failed;
}
str_eq2:
  if (StrEq2Holds(*t, *reinterpret_cast<const Value*>(values + t->at))) goto held;
  goto failed;
int_in:
  if (IntInHolds(*t, *reinterpret_cast<const Value*>(values + t->at))) goto held;
  goto failed;
other:
  if (OtherTest(*t, values)) goto held;
  goto failed;
end:
  if (deferred != 0) FireDeferred(deferred, options, result, decided);
  // Copied last, as Evaluate does without aggregates: its bytes' load
  // overlaps with the rules' work instead of delaying it.
  if constexpr (kWhole) CopyEventId(event, result);
}
// Called from other files through the inline Evaluate (session.hpp).
template void Session::RunOrdered<true>(const Event&, Result&, const EvalOptions&);

// The first kAdaptEvents events of a session whose rules have an order to
// choose: each rule's tests all run (their order is the planner's), each
// failure counted, and the rule fires when all hold, as in RunOrdered. Then
// AdaptOrder, and RunOrdered on the reordered tests from the next event on.
void Session::RunOrderedCounting(const EvalOptions& options, Result& result, bool& decided) {
  const char* values = reinterpret_cast<const char*>(fields_);
  const std::vector<OrderedRules::Rule>& rules = program_->ordered.rules;
  for (uint32_t r = 0; r < rules.size(); ++r) {
    bool all = true;
    for (uint32_t k = rules[r].begin; k < rules[r].begin + rules[r].count; ++k) {
      if (!TestHolds(counted_tests_[k], values)) {
        ++test_fails_[k];
        all = false;
      }
    }
    if (all) FireOrdered(r, options, result, decided);
  }
  if (--adapt_left_ == 0) {
    AdaptOrder();
    GroupRules();
    std::vector<OrderedTest>& run = grouped_ ? grouped_tests_ : counted_tests_;
    ShortStrings(run);  // counting, over now, ran TestHolds on the planner's kinds
    // The stub's buffer goes to counted_tests_ (grouped_tests_) and stays:
    // RunOrdered, which called this, goes on to its kEnd.
    ordered_tests_.swap(run);
  }
}

// After AdaptOrder: the rules that have a gate's kind of test (GateMember)
// of the same field that rarely holds (on at most one counted event in
// eight), when there are two or more, are moved behind one kGate test of
// that field, the union of those tests' values, each rule's such test
// first (its tests' order is free, as AdaptOrder's). On r10 six rules have
// one on `mcc` (== 4816, == 5300, == 5815, == 5967, in {4829, 5815},
// in {5967, 5968, 7995}), and most events have an mcc none of them holds
// for: one test for them instead of one a rule. The other rules keep their
// order and go first, then each gate and its rules. Rules then no longer
// run in rule order, so RunOrdered fires them at the end in rule order
// (FireDeferred): the same result. At most 64 rules (a mask of them), gates
// of at most kGateWords * 64 values' span, in the room the constructor
// reserved (none reserved: nothing to group).
void Session::GroupRules() {
  const std::vector<OrderedRules::Rule>& rules = program_->ordered.rules;
  if (rules.size() > 64 || grouped_tests_.capacity() == 0) return;
  const OrderedTest* tests = counted_tests_.data();
  const uint32_t* fails = test_fails_.data();
  // The rule's first test of field `at` that a gate can stand for and that
  // holds on at most one counted event in eight (-1: none), by index.
  auto member_test = [&](uint32_t r, uint32_t at) -> int64_t {
    for (uint32_t k = rules[r].begin; k < rules[r].begin + rules[r].count; ++k) {
      if (GateMember(tests[k]) && tests[k].at == at &&
          uint64_t{fails[k]} * 8 >= uint64_t{kAdaptEvents} * 7) {
        return k;
      }
    }
    return -1;
  };
  uint64_t grouped = 0;  // rules behind a gate
  struct Gate {
    uint64_t members = 0;
    uint32_t at = 0;
    int64_t lo = 0, hi = 0;  // the values it stands for are within [lo, hi]
  };
  Gate gates[64];
  uint32_t chosen[64] = {};  // a member rule's test that its gate stands for
  size_t gate_count = 0;
  size_t bit_words = 0;
  for (uint32_t r = 0; r < rules.size(); ++r) {
    for (uint32_t k = rules[r].begin; k < rules[r].begin + rules[r].count; ++k) {
      if ((grouped >> r & 1) != 0) break;
      if (!GateMember(tests[k]) || member_test(r, tests[k].at) != k) continue;
      Gate g;
      g.at = tests[k].at;
      g.lo = INT64_MAX;
      g.hi = INT64_MIN;
      bool wraps = false;
      uint32_t picked[64];
      for (uint32_t q = r; q < rules.size(); ++q) {
        const int64_t m = (grouped >> q & 1) != 0 ? -1 : member_test(q, g.at);
        if (m < 0) continue;
        const OrderedTest& t = tests[m];
        g.members |= uint64_t{1} << q;
        picked[q] = static_cast<uint32_t>(m);
        // The values it holds for, as signed numbers (mcc == -5 and
        // mcc == 200 are 206 values apart, not 2^64 - 205): lo to lo + span.
        // A range past INT64_MAX wraps round to INT64_MIN (the test's
        // unsigned arithmetic): no gate then.
        if (t.kind == OrderedTest::kIntRange) {
          int64_t hi = 0;
          wraps = wraps || __builtin_add_overflow(t.lo, static_cast<int64_t>(t.span), &hi);
          g.lo = std::min(g.lo, t.lo);
          g.hi = std::max(g.hi, hi);
        } else {
          for (size_t j = 0; j < OrderedTest::kMaxInlineSet; ++j) {
            g.lo = std::min(g.lo, t.ints[j]);
            g.hi = std::max(g.hi, t.ints[j]);
          }
        }
      }
      // hi >= lo: their distance, exact as unsigned.
      const uint64_t width = static_cast<uint64_t>(g.hi) - static_cast<uint64_t>(g.lo);
      const uint64_t words = width / 64 + 1;
      if (__builtin_popcountll(g.members) < 2 || wraps || width >= uint64_t{kGateWords} * 64 ||
          bit_words + words > gate_bits_.capacity()) {
        continue;
      }
      grouped |= g.members;
      for (uint64_t m = g.members; m != 0; m &= m - 1) {
        chosen[__builtin_ctzll(m)] = picked[__builtin_ctzll(m)];
      }
      bit_words += words;
      gates[gate_count++] = g;
    }
  }
  if (gate_count == 0 || counted_tests_.size() + gate_count > grouped_tests_.capacity()) return;
  grouped_tests_.clear();
  gate_bits_.clear();
  for (uint32_t r = 0; r < rules.size(); ++r) {
    if ((grouped >> r & 1) == 0) {
      grouped_tests_.insert(grouped_tests_.end(), tests + rules[r].begin,
                            tests + rules[r].begin + rules[r].count);
    }
  }
  for (size_t k = 0; k < gate_count; ++k) {
    const Gate& g = gates[k];
    OrderedTest gate;
    gate.kind = OrderedTest::kGate;
    gate.at = g.at;
    gate.lo = g.lo;
    gate.span = static_cast<uint64_t>(g.hi) - static_cast<uint64_t>(g.lo);
    gate.rule = static_cast<uint32_t>(gate_bits_.size());  // its first word
    gate_bits_.resize(gate_bits_.size() + gate.span / 64 + 1, 0);
    uint64_t* bits = gate_bits_.data() + gate.rule;
    // v - lo as the gate test computes it (RunOrdered's `gate:`), unsigned.
    auto set = [&](uint64_t v) {
      const uint64_t d = v - static_cast<uint64_t>(g.lo);
      bits[d >> 6] |= uint64_t{1} << (d & 63);
    };
    uint32_t count = 0;
    for (uint64_t m = g.members; m != 0; m &= m - 1) count += rules[__builtin_ctzll(m)].count;
    gate.skip = (count + 1) * OrderedTest::kStride;
    grouped_tests_.push_back(gate);
    for (uint64_t m = g.members; m != 0; m &= m - 1) {
      const auto r = static_cast<uint32_t>(__builtin_ctzll(m));
      const OrderedTest& t = tests[chosen[r]];
      if (t.kind == OrderedTest::kIntRange) {
        for (uint64_t v = 0; v <= t.span; ++v) set(static_cast<uint64_t>(t.lo) + v);
      } else {
        for (size_t j = 0; j < OrderedTest::kMaxInlineSet; ++j) {
          set(static_cast<uint64_t>(t.ints[j]));
        }
      }
      // The rule's tests, the gate's one first, the skips for the new places.
      const size_t first = grouped_tests_.size();
      grouped_tests_.push_back(t);
      for (uint32_t j = rules[r].begin; j < rules[r].begin + rules[r].count; ++j) {
        if (j != chosen[r]) grouped_tests_.push_back(tests[j]);
      }
      for (uint32_t j = 0; j < rules[r].count; ++j) {
        grouped_tests_[first + j].skip = (rules[r].count - j) * OrderedTest::kStride;
      }
    }
  }
  grouped_tests_.push_back(counted_tests_.back());  // kEnd
  grouped_ = true;
}

// kStrEq of a constant of 2 or 3 bytes becomes kStrEq2, its bytes' key in
// lo: the tests a session runs once it counts no more (RunOrdered's own).
void Session::ShortStrings(std::vector<OrderedTest>& tests) {
  for (OrderedTest& t : tests) {
    if (t.kind == OrderedTest::kStrEq && (t.span == 2 || t.span == 3)) {
      const uint32_t key = TwoOrThreeBytesKey(t.str, t.span);
      t.kind = OrderedTest::kStrEq2;
      t.lo = key;
    }
  }
}

// The rules that held in a grouped session's run, fired in rule order.
void Session::FireDeferred(uint64_t rules, const EvalOptions& options, Result& result,
                           bool& decided) {
  for (; rules != 0; rules &= rules - 1) {
    FireOrdered(static_cast<uint32_t>(__builtin_ctzll(rules)), options, result, decided);
  }
}

bool Session::TestHolds(const OrderedTest& t, const char* values) {
  if (t.kind == OrderedTest::kIntRange) {
    return InRange(*reinterpret_cast<const Value*>(values + t.at), t);
  }
  return OtherTest(t, values);
}

// Each rule's tests by their cost over their failures counted, least first:
// the order that makes the fewest compares when the tests fail
// independently (a test that never failed goes last). A test's cost counts
// the branch it ends in as well as its compares: a test that holds about as
// often as it fails (`amount > 50.00`, 41% on r10) is mispredicted about as
// often as its rarer outcome, kMispredict units each time, where one that
// nearly always fails is predicted. Ties keep the planner's order. In place
// by insertion (a rule has a few tests): no allocation, as nothing in
// Evaluate allocates.
void Session::AdaptOrder() {
  // a before b when cost_a / fails_a < cost_b / fails_b, fails of 0 as an
  // infinite ratio, a cost its units plus kMispredict times the share of
  // its rarer outcome: in integers (times kAdaptEvents), without division.
  auto scaled_cost = [](const OrderedTest& t, uint32_t fails) {  // fails <= kAdaptEvents
    const uint32_t rarer = std::min(fails, kAdaptEvents - fails);
    return uint64_t{t.cost} * kAdaptEvents + uint64_t{kMispredict} * rarer;
  };
  auto before = [&](const OrderedTest& a, uint32_t fails_a, const OrderedTest& b,
                    uint32_t fails_b) {
    return scaled_cost(a, fails_a) * fails_b < scaled_cost(b, fails_b) * fails_a;
  };
  for (const OrderedRules::Rule& r : program_->ordered.rules) {
    OrderedTest* tests = counted_tests_.data() + r.begin;
    uint32_t* fails = test_fails_.data() + r.begin;
    for (uint32_t i = 1; i < r.count; ++i) {
      for (uint32_t j = i; j > 0 && before(tests[j], fails[j], tests[j - 1], fails[j - 1]); --j) {
        std::swap(tests[j], tests[j - 1]);
        std::swap(fails[j], fails[j - 1]);
      }
    }
    for (uint32_t k = 0; k < r.count; ++k) tests[k].skip = (r.count - k) * OrderedTest::kStride;
  }
}

// The ordered tests other than integer ranges. Forced inline: GCC made it a
// call once it had more cases, which cost more than the tests it runs.
__attribute__((flatten, always_inline)) inline bool Session::OtherTest(const OrderedTest& t, const char* values) {
  const bool negated = (t.kind & 1) != 0;
  // A pointer, dereferenced only by the kinds that read a field: for a
  // schema without fields `values` is null, and kTrue, kNode and kAggRange
  // (a rule `when true` of such a schema) must not bind a reference to it.
  const Value* const fp = reinterpret_cast<const Value*>(values + t.at);
  switch (t.kind) {
    case OrderedTest::kStrEq:
    case OrderedTest::kStrNe:
      return StrEqHolds(t, *fp);
    case OrderedTest::kIntIn:
    case OrderedTest::kIntNotIn:
      return IntInHolds(t, *fp);
    case OrderedTest::kStrIn:
    case OrderedTest::kStrNotIn: {
      const Value& f = *fp;
      if (!f.present) return false;
      const StrView* v = program_->ordered.strs.data() + t.lo;
      bool in = false;
      for (uint64_t i = 0; i < t.span && !in; ++i) {
        in = v[i].len == f.s.len && SameBytes(f.s.ptr, v[i].ptr, f.s.len);
      }
      return in != negated;
    }
    case OrderedTest::kStrFields:
    case OrderedTest::kStrFieldsNe: {
      const Value& f = *fp;
      const auto& g = *reinterpret_cast<const Value*>(values + t.span);
      if (!f.present || !g.present) return false;
      return (f.s.len == g.s.len && SameBytes(f.s.ptr, g.s.ptr, f.s.len)) != negated;
    }
    case OrderedTest::kIntSet:
    case OrderedTest::kIntNotSet:
      // A set's own test (a bitmap for v100's mcc), without NodeHolds'
      // evaluator and EvalTruth's dispatch.
      return fp->present && program_->int_sets[t.lo].Contains(fp->i) != negated;
    case OrderedTest::kStrSet:
    case OrderedTest::kStrNotSet:
      return fp->present && program_->str_sets[t.lo].Contains(fp->str()) != negated;
    case OrderedTest::kAggRange: {
      // The aggregate's value, which RunAggregates wrote before the rules:
      // read here, where NodeHolds made an evaluator for each such test.
      return InRange(*reinterpret_cast<const Value*>(
                         reinterpret_cast<const char*>(agg_values_.data()) + t.at),
                     t);
    }
    case OrderedTest::kStrEq2:  // RunOrdered's own label runs it; here for completeness
      return StrEq2Holds(t, *fp);
    case OrderedTest::kIntOutside:
      return false;  // of every value
    case OrderedTest::kTrue:
      return true;
    default:
      return NodeHolds(static_cast<uint32_t>(t.lo));
  }
}

// The ordered path makes an Evaluator only when a test is a node or a rule
// fires (about one event in ten at the ten generated rules): setting one up
// for every event cost more than either. Evaluators of one event share the session's
// let cache and scratch memory, so two give the same values as one.
Evaluator Session::MakeEvaluator() {
  return Evaluator(*program_, fields_, let_values_.data(), let_epoch_.data(), epoch_, scratch_,
                   agg_values_.data(), external_views_.data());
}

bool Session::NodeHolds(uint32_t node) {
  Evaluator ev = MakeEvaluator();
  // Test: the nodes no inline test covers (OtherTest), many of them fused,
  // computed without EvalTruth's call.
  return ev.Test(node) == Evaluator::kTrue;
}

void Session::FireOrdered(uint32_t rule, const EvalOptions& options, Result& result,
                          bool& decided) {
  if (rule == kCountRule) [[unlikely]] {  // the stub of the first kAdaptEvents events
    RunOrderedCounting(options, result, decided);
    return;
  }
  Evaluator ev = MakeEvaluator();
  Fire(ev, rule, options, result, decided);
}

// AppendEventId without its call and its look-ups in the schema when the id
// is a string field (the common case, decided when the session was made): at
// ten rules the copy was a tenth of an event's cost.
// The result's id is still the last event's (Result::ClearAllButId): ids of
// a stream are mostly of one length, and one as long as the last is copied
// over it in place, without assign's call to memcpy and its checks (at ten
// rules the assign was 64 instructions of about 545 an event).
__attribute__((always_inline)) inline void Session::CopyEventId(const Event& event,
                                                                Result& result) {
  std::string& id = result.event_id;
  if (string_id_slot_ < 0) {
    id.clear();
    AppendEventId(event, id, &result.event_id_member);
    return;
  }
  const Value& v = fields_[string_id_slot_];
  if (!v.present) {
    id.clear();
    return;
  }
  const size_t len = v.s.len;
  if (len == id.size() && len <= 16) {
    CopyShortBytes(id.data(), v.s.ptr, len);  // len 0 reads nothing: a null ptr is fine
  } else if (len != 0) {
    id.assign(v.s.ptr, len);
  } else {
    id.clear();  // an empty string may have a null pointer, which must not reach memcpy
  }
  result.event_id_member = string_id_name_;
}

// Records a rule that fired: its reason, score, decision and tags.
void Session::Fire(Evaluator& ev, uint32_t r, const EvalOptions& options, Result& result,
                   bool& decided) {
  const Program& p = *program_;
  const RuleInfo& rule = p.rules[r];
  FiredRule fired;
  fired.rule = r;
  fired.reason_begin = static_cast<uint32_t>(result.text.size());
  for (const ReasonPiece& piece : rule.reason) {
    if (piece.node < 0) {
      result.text += piece.text;
    } else if (piece.pii && !options.allow_pii) {
      result.text += "****";
    } else {
      FormatValue(ev.Eval(static_cast<uint32_t>(piece.node)), piece.type, result.text);
    }
  }
  fired.reason_len = static_cast<uint32_t>(result.text.size()) - fired.reason_begin;
  result.text += '\0';  // so that the C API can hand out reasons without copying
  if (rule.shadow) {
    result.shadow.push_back(fired);
    return;
  }
  result.fired.push_back(fired);
  // Scores saturate at the int64 bounds instead of wrapping: two rules that
  // score 9223372036854775807 give that score, never a negative one.
  if (__builtin_add_overflow(result.score, rule.score, &result.score)) {
    result.score = rule.score > 0 ? INT64_MAX : INT64_MIN;
  }
  if (rule.decision >= 0 && (!decided || static_cast<uint32_t>(rule.decision) > result.decision)) {
    result.decision = static_cast<uint32_t>(rule.decision);
    decided = true;
  }
  for (const std::string& tag : rule.action_tags) {
    bool seen = false;
    for (const std::string* t : result.tags) seen = seen || *t == tag;
    if (!seen) result.tags.push_back(&tag);
  }
}

}  // namespace vigil::eval
