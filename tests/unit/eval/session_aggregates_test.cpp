// The session's aggregate phase (eval/session_aggregates.cpp) against a
// straightforward one written here: for each aggregate group, encode the key
// field by field, evaluate each aggregate's `where:` and value through the
// general evaluator, build the probe's cells afresh, apply, and copy each
// column's value back through the mapping. The session does the same from a
// plan made when it maps its rule set onto the store (a key of one string
// field, values that are fields, cells kept per group, values written in
// place when a group's columns are its aggregates in order): one random
// stream through both, each on a store of its own, must give every aggregate
// the same value and number of events and every event the same outcome
// (late, outlier, duplicate, reversal), event after event, across a hot
// reload that changes the store's layout under the session.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <random>

#include "eval/evaluator.hpp"
#include "eval/result_json.hpp"
#include "state/state_test_util.hpp"

namespace vigil::testing {
namespace {

const char kAggSchema[] = R"(ruleset t.session_aggregates version "1.0.0"
schema pay version 1 {
  id: string @id
  ts: time @time
  kind: string
  card: string @key
  merchant: string @key
  n: int @key
  flag: bool @key
  rate: float @key
  amount: decimal
  wait: duration
  note: string
  ref: string
}
uses schema pay
reversal ref when kind == "REVERSAL"
)";

// Groups interleaved (the card group's columns are not consecutive
// aggregates, the others' are), keys of one to three fields of every kind,
// values of every type, from fields and from expressions, `where:`s true,
// false and unknown, strings kept for distinct counts.
std::string Rules() {
  return std::string(kAggSchema) + R"(rule r {
  when count(by: card, within: 1h) is present
   and sum(amount, by: (card, merchant), within: 30m, where: kind == "PAY") is present
   and count(by: card, within: 10m, where: amount > 5) is present
   and max(rate, by: n, within: 1h) is present
   and distinct(note, by: card, within: 1h) is present
   and sum(wait, by: (flag, rate), within: 1h) is present
   and min(n, by: merchant, within: 1h, where: flag) is present
   and sum(n + 1, by: card, within: 1h) is present
   and distinct(lower(note), by: (merchant, n, card), within: 1h) is present
   and avg(amount, by: card, within: 20m) is present
   and max(ts, by: (card, flag), within: 1h) is present
   and distinct(flag, by: merchant, within: 1h, where: note != "x") is present
  then score 1
}
)";
}

// The rule set of the reload: one aggregate in common, columns added to the
// card group and to the (card, merchant) one, a group of its own.
std::string ReloadRules() {
  return std::string(kAggSchema) + R"(rule r {
  when count(by: card, within: 1h) is present
   and count(by: card, within: 2h, where: amount < 50) is present
   and sum(amount, by: (card, merchant), within: 1h) is present
   and distinct(merchant, by: card, within: 2h) is present
   and count(by: (n, card), within: 1h) is present
  then score 1
}
)";
}

// The aggregate phase written out plainly (what the session did before its
// plan), over the public interfaces of the store and the evaluator.
class Reference {
 public:
  Reference(std::shared_ptr<const eval::Program> program, std::shared_ptr<state::Backend> store)
      : p_(std::move(program)),
        store_(std::move(store)),
        lets_(p_->lets.size()),
        let_epoch_(p_->lets.size(), 0) {
    values.resize(p_->aggregates.size());
    events.resize(p_->aggregates.size());
    store_->Attach(state::Layout::FromProgram(*p_));
    Remap();
  }

  bool late = false, outlier = false, duplicate = false;
  eval::Reversal reversal = eval::Reversal::kNone;
  std::vector<eval::Value> values;
  std::vector<int64_t> events;

  void Run(const eval::Event& event, bool record) {
    const eval::Program& p = *p_;
    const eval::Value* fields = event.values();
    scratch_.Reset();
    ++epoch_;
    late = outlier = duplicate = false;
    reversal = eval::Reversal::kNone;
    std::fill(values.begin(), values.end(), eval::Value::Missing());
    std::fill(events.begin(), events.end(), 0);
    const eval::Value time = fields[p.schema.time_slot];
    if (!time.present) return;
    state::TimeGuard& guard = store_->time_guard();
    int64_t reference = 0;
    outlier = guard.IsOutlier(time.i, &reference);
    if (record) {
      guard.Note(time.i);
      if (outlier) guard.CountOutlier();
    }
    if (outlier) record = false;
    eval::Evaluator ev(p, fields, lets_.data(), let_epoch_.data(), epoch_, scratch_);
    std::string id;
    eval::AppendEventId(event, id);
    const uint64_t id_hash = id.empty() ? 0 : state::MarkHash(id);
    uint64_t ref_hash = 0;
    bool is_reversal = false;
    if (fields[p.reversal_field].present) {
      ref_hash = state::MarkHash(fields[p.reversal_field].str());
      is_reversal = ev.EvalTruth(p.reversal_when) == eval::Evaluator::kTrue;
    }
    bool took_back = false;
    for (uint32_t g = 0; g < p.agg_groups.size(); ++g) {
      const eval::AggGroup& group = p.agg_groups[g];
      std::string key;
      bool have_key = true;
      for (uint32_t slot : group.key_slots) {
        const eval::Value& v = fields[slot];
        if (!v.present) {
          have_key = false;
          break;
        }
        char buf[8];
        switch (p.schema.fields[slot].type.kind) {
          case Kind::kString: {
            const uint32_t len = v.s.len;
            std::memcpy(buf, &len, 4);
            key.append(buf, 4);
            key.append(v.s.ptr, v.s.len);
            break;
          }
          case Kind::kBool:
            key += v.b ? '\1' : '\0';
            break;
          case Kind::kFloat: {
            const double f = v.f == 0 ? 0.0 : v.f;
            std::memcpy(buf, &f, 8);
            key.append(buf, 8);
            break;
          }
          default:
            std::memcpy(buf, &v.i, 8);
            key.append(buf, 8);
            break;
        }
      }
      if (!have_key) continue;
      for (int attempt = 0;; ++attempt) {
        const int32_t sg = mapping_.group[g];
        if (sg < 0) break;
        const state::GroupLayout& gl = layout_.groups[sg];
        std::vector<state::Cell> cells(gl.columns.size());
        std::vector<std::string_view> strs(gl.str_cols);
        for (uint32_t a : group.aggregates) {
          const int32_t col = mapping_.column[a];
          if (col < 0) continue;
          const eval::AggregateDef& def = p.aggregates[a];
          bool on = def.where_node < 0 || ev.EvalTruth(static_cast<uint32_t>(def.where_node)) ==
                                              eval::Evaluator::kTrue;
          if (on && def.value_node >= 0) {
            const eval::Value v = ev.Eval(static_cast<uint32_t>(def.value_node));
            on = v.present;
            if (on) {
              cells[col].i = def.value_type.kind == Kind::kBool ? (v.b ? 1 : 0) : v.i;
              cells[col].scale = v.scale;
              if (gl.columns[col].str_col >= 0) strs[gl.columns[col].str_col] = v.str();
            }
          }
          cells[col].on = on ? 1 : 0;
        }
        std::vector<eval::Value> out(gl.columns.size());
        std::vector<int64_t> counts(gl.columns.size(), -1);
        state::ApplyOutcome outcome;
        state::Probe probe;
        probe.group = static_cast<uint32_t>(sg);
        probe.key = key;
        probe.ts = time.i;
        probe.record = record;
        probe.cells = cells.data();
        probe.strs = strs.data();
        probe.events = counts.data();
        probe.id = id_hash;
        probe.ref = ref_hash;
        probe.reversal = is_reversal;
        probe.outcome = &outcome;
        const state::ApplyStatus status = store_->Apply(mapping_.version, probe, out.data(), query_);
        if (status == state::ApplyStatus::kStale && attempt < 8) {
          Remap();
          ++remaps;
          continue;
        }
        if (status == state::ApplyStatus::kStale || status == state::ApplyStatus::kError) break;
        late = late || status == state::ApplyStatus::kLate;
        duplicate = duplicate || outcome.duplicate;
        took_back = took_back || outcome.reversed;
        for (uint32_t a : group.aggregates) {
          const int32_t col = mapping_.column[a];
          if (col < 0) continue;
          values[a] = out[col];
          events[a] = counts[col];
        }
        break;
      }
    }
    if (is_reversal && record && !duplicate) {
      reversal = took_back ? eval::Reversal::kApplied : eval::Reversal::kUnknown;
    }
  }

  int remaps = 0;

 private:
  void Remap() {
    const uint64_t version = store_->ReadLayout(&layout_);
    mapping_.Build(*p_, layout_, version);
  }

  std::shared_ptr<const eval::Program> p_;
  std::shared_ptr<state::Backend> store_;
  state::Layout layout_;
  state::Mapping mapping_;
  std::vector<eval::Value> lets_;
  std::vector<uint32_t> let_epoch_;
  uint32_t epoch_ = 0;
  Arena scratch_;
  state::QueryScratch query_;
};

// One random event, as the choices that make it: keys from small sets (so
// that windows fill), any key or value field missing now and then (-1), times
// mostly in order with events out of order, late, far ahead (outliers) or
// without a time, and events again: duplicates (the same event) and
// reversals (a new event of the same keys naming an earlier one).
struct Choices {
  int id = 0;
  int ref = -1;  // >= 0: a reversal of event `ref` (its `ref` field)
  int64_t ts = 0;
  bool has_time = true;
  int kind = 0, card = 0, merchant = 0, n = 0, flag = 0, rate = 0, amount = 0, wait = 0, note = 0;
};

Choices RandomChoices(std::mt19937_64& rng, int i, int64_t& now,
                      const std::vector<Choices>& earlier) {
  auto pick = [&](int count) {  // -1 (missing) one time in twenty
    return rng() % 20 == 0 ? -1 : static_cast<int>(rng() % static_cast<uint64_t>(count));
  };
  now += static_cast<int64_t>(rng() % 60) * 1000000;
  const uint64_t roll = rng() % 100;
  const int back = i > 0 ? 1 + static_cast<int>(rng() % static_cast<uint64_t>(std::min(i, 30))) : 0;
  if (roll < 4 && i > 0) return earlier[static_cast<size_t>(i - back)];  // a duplicate
  Choices c;
  c.id = i;
  c.ts = now;
  if (roll >= 4 && roll < 12) c.ts -= static_cast<int64_t>(rng() % 240) * 1000000;  // in time
  if (roll >= 12 && roll < 15) c.ts -= 20LL * 60 * 1000000;                          // late
  if (roll == 15) c.ts += 40LL * 86400 * 1000000;                                     // an outlier
  c.has_time = roll != 16;
  c.kind = rng() % 10 < 7 ? 0 : 1;
  c.card = pick(6);
  c.merchant = pick(4);
  c.n = pick(5);
  c.flag = pick(2);
  c.rate = pick(4);
  c.amount = pick(6);
  c.wait = pick(600);
  c.note = pick(5);
  if (roll >= 17 && roll < 21 && i > 0) {  // a reversal: the keys of the event it names
    const Choices& of = earlier[static_cast<size_t>(i - back)];
    c.ref = of.id;
    c.kind = 2;
    c.card = of.card;
    c.merchant = of.merchant;
    c.n = of.n;
    c.flag = of.flag;
    c.rate = of.rate;
  }
  return c;
}

void MakeEvent(const Choices& c, eval::Event& event) {
  const eval::Schema& schema = event.schema();
  auto slot = [&](const char* name) { return static_cast<size_t>(schema.Find(name)); };
  event.Reset();
  SetField(event, "id", fmt::format("e{}", c.id));
  if (c.has_time) event.SetTime(slot("ts"), c.ts);
  const char* kinds[] = {"PAY", "REFUND", "REVERSAL"};
  SetField(event, "kind", std::string(kinds[c.kind]));
  // A reversal repeats its original's reference (docs/language.md).
  SetField(event, "ref", fmt::format("r{}", c.ref >= 0 ? c.ref : c.id));
  // Card ids of up to 23 bytes: the short copy and memcpy both.
  const char* cards[] = {"c1", "card-0002", "card-0000000003", "card-00000000000004",
                         "card-000000000000000005", ""};
  if (c.card >= 0) SetField(event, "card", std::string(cards[c.card]));
  if (c.merchant >= 0) SetField(event, "merchant", fmt::format("m{}", c.merchant));
  if (c.n >= 0) SetField(event, "n", static_cast<int64_t>(c.n - 2));
  if (c.flag >= 0) SetField(event, "flag", c.flag == 1);
  const double rates[] = {0.0, -0.0, 1.5, -2.25};  // 0 and -0: one key
  if (c.rate >= 0) event.SetFloat(slot("rate"), rates[c.rate]);
  const char* amounts[] = {"1", "2.5", "7.25", "10.125", "60", "0.001"};
  if (c.amount >= 0) SetField(event, "amount", Dec{amounts[c.amount]});
  if (c.wait >= 0) event.SetDuration(slot("wait"), static_cast<int64_t>(c.wait) * 1000000);
  const char* notes[] = {"x", "Y", "y", "zz", "a longer note than sixteen bytes"};
  if (c.note >= 0) SetField(event, "note", std::string(notes[c.note]));
}

std::string Text(const eval::Program& p, const std::vector<eval::Value>& values, size_t a) {
  std::string s;
  eval::FormatValue(values[a], p.aggregates[a].type, s);
  return s;
}

// Compares the session's last event with the reference's; returns the number
// of aggregates with values from more than one event.
int Compare(const eval::Program& p, const eval::Session& s, const Reference& r,
            const eval::Result* result, int i, int& differing) {
  int filled = 0;
  for (size_t a = 0; a < p.aggregates.size(); ++a) {
    const std::string x = Text(p, s.aggregate_values(), a), y = Text(p, r.values, a);
    const bool same = x == y && s.aggregate_values()[a].present == r.values[a].present &&
                      s.aggregate_events()[a] == r.events[a];
    if (!same && ++differing <= 8) {
      ADD_FAILURE() << "event " << i << ", aggregate " << a << " (" << p.aggregates[a].text
                    << "): session " << x << " (" << s.aggregate_events()[a]
                    << " events), reference " << y << " (" << r.events[a] << " events)";
    }
    filled += r.events[a] > 1 ? 1 : 0;
  }
  if (result != nullptr) {
    const bool same = result->late == r.late && result->outlier == r.outlier &&
                      result->duplicate == r.duplicate && result->reversal == r.reversal &&
                      !result->state_error;
    if (!same && ++differing <= 8) {
      ADD_FAILURE() << "event " << i << ": session late " << result->late << " outlier "
                    << result->outlier << " duplicate " << result->duplicate << " reversal "
                    << static_cast<int>(result->reversal) << "; reference late " << r.late
                    << " outlier " << r.outlier << " duplicate " << r.duplicate << " reversal "
                    << static_cast<int>(r.reversal);
    }
  }
  return filled;
}

TEST(SessionAggregates, GiveWhatTheStraightforwardPhaseGivesOnARandomStream) {
  Compilation c = CompileText(Rules());
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  Compilation reload = CompileText(ReloadRules());
  ASSERT_TRUE(reload.ok()) << reload.RenderDiagnostics();
  state::StoreOptions options;
  options.lateness_us = 5LL * 60 * 1000000;
  auto store = std::make_shared<state::Store>(options);
  auto reference_store = std::make_shared<state::Store>(options);
  eval::Session session(c.program, store);
  Reference reference(c.program, reference_store);
  std::unique_ptr<eval::Session> reloaded;  // the reload's session, on the same store
  std::unique_ptr<Reference> reloaded_reference;
  eval::Event event(c.program->schema);
  eval::Result result;
  std::mt19937_64 rng(26);
  int64_t now = *ParseTime("2026-03-01T00:00:00Z");
  int differing = 0, filled = 0, outcomes[4] = {0, 0, 0, 0};
  const int kEvents = 12000;
  std::vector<Choices> stream;
  for (int i = 0; i < kEvents; ++i) {
    if (i == kEvents / 2) {
      // A hot reload: the new rule set's columns join the store's groups, so
      // the first session's next Apply is stale and it maps itself again.
      reloaded = std::make_unique<eval::Session>(reload.program, store);
      reloaded_reference = std::make_unique<Reference>(reload.program, reference_store);
    }
    stream.push_back(RandomChoices(rng, i, now, stream));
    MakeEvent(stream.back(), event);
    const uint64_t how = rng() % 10;
    if (reloaded != nullptr && how < 3) {
      // The reload's rule set on the same stream (events of one schema).
      eval::EvalOptions eo;
      eo.record = how != 0;
      reloaded->Evaluate(event, result, eo);
      reloaded_reference->Run(event, eo.record);
      filled += Compare(*reload.program, *reloaded, *reloaded_reference, &result, i, differing);
      continue;
    }
    if (how == 3) {
      // Record(): warming the state, the aggregates computed all the same.
      const bool recorded = session.Record(event);
      reference.Run(event, true);
      EXPECT_EQ(recorded, !reference.late && !reference.outlier) << "event " << i;
      filled += Compare(*c.program, session, reference, nullptr, i, differing);
      continue;
    }
    eval::EvalOptions eo;
    eo.record = how != 4;  // a what-if now and then
    session.Evaluate(event, result, eo);
    reference.Run(event, eo.record);
    filled += Compare(*c.program, session, reference, &result, i, differing);
    outcomes[0] += result.late ? 1 : 0;
    outcomes[1] += result.outlier ? 1 : 0;
    outcomes[2] += result.duplicate ? 1 : 0;
    outcomes[3] += result.reversal == eval::Reversal::kApplied ? 1 : 0;
  }
  EXPECT_EQ(differing, 0);
  // The stream did what it is meant to: windows filled, every outcome seen,
  // and the layout changed under the first session.
  EXPECT_GT(filled, kEvents * 3);
  for (int k = 0; k < 4; ++k) EXPECT_GT(outcomes[k], 5) << "outcome " << k;
  EXPECT_GT(reference.remaps, 0);
  EXPECT_EQ(store->Stats().entries, reference_store->Stats().entries);
}

// An aggregate compared with a constant is read inline by the evaluator
// (Evaluator::Fused); the same comparison written the other way round,
// constant first, goes through the general path (OtherTruth and Eval). Each
// rule below has its mirror, and on the random stream each pair must fire
// together, under both strategies: every operator, counts, decimal sums,
// mins and maxes, durations, values missing for want of a key or a value.
std::string ComparedRules() {
  const char* pairs[][3] = {
      {"count(by: card, within: 1h)", "<", "3"},
      {"count(by: card, within: 2h)", "<=", "4"},
      {"count(by: merchant, within: 1h)", ">", "5"},
      {"count(by: card, within: 30m, where: kind == \"PAY\")", ">=", "2"},
      {"count(by: n, within: 10m)", "==", "4"},
      {"count(by: flag, within: 1h)", "!=", "4"},
      {"sum(amount, by: card, within: 1h)", ">", "20.5"},
      {"sum(amount, by: merchant, within: 30m)", "<=", "12.125"},
      {"min(amount, by: card, within: 1h)", "==", "2.5"},
      {"max(amount, by: merchant, within: 1h)", "!=", "60"},
      {"sum(wait, by: card, within: 1h)", ">=", "10m"},
      {"max(amount, by: (card, n), within: 20m, where: kind == \"PAY\")", "<", "7.25"},
  };
  auto flip = [](std::string op) {
    return op == "<" ? ">" : op == "<=" ? ">=" : op == ">" ? "<" : op == ">=" ? "<=" : op;
  };
  std::string text = kAggSchema;
  for (size_t i = 0; i < std::size(pairs); ++i) {
    text += fmt::format("rule a{0} {{ when {1} {2} {3} then score 1 }}\n", i, pairs[i][0],
                        pairs[i][1], pairs[i][2]);
    text += fmt::format("rule b{0} {{ when {3} {2} {1} then score 1 }}\n", i, pairs[i][0],
                        flip(pairs[i][1]), pairs[i][2]);
  }
  // Negated, so that the ordered path's range is the complement's.
  for (size_t i = 0; i < std::size(pairs); ++i) {
    text += fmt::format("rule na{0} {{ when not ({1} {2} {3}) then score 1 }}\n", i, pairs[i][0],
                        pairs[i][1], pairs[i][2]);
    text += fmt::format("rule nb{0} {{ when not ({3} {2} {1}) then score 1 }}\n", i,
                        pairs[i][0], flip(pairs[i][1]), pairs[i][2]);
  }
  return text;
}

TEST(SessionAggregates, ComparisonsWithAConstantFireAsTheirMirrorsDo) {
  for (const plan::StrategyChoice strategy :
       {plan::StrategyChoice::kIndex, plan::StrategyChoice::kOrdered}) {
    CompileOptions options;
    options.strategy = strategy;
    Compilation c = CompileSources({SourceInput{"test.vgl", ComparedRules()}}, options);
    ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
    const eval::Program& p = *c.program;
    ASSERT_EQ(p.strategy, strategy == plan::StrategyChoice::kIndex ? eval::EvalStrategy::kIndex
                                                                   : eval::EvalStrategy::kOrdered);
    // The mirrors must reach the general path: their condition's first
    // operand is the constant, which the inline read does not take.
    int mirrors = 0;
    for (const plan::Node& n : p.nodes) {
      if ((n.op == plan::OpCode::kCmpI64 || n.op == plan::OpCode::kCmpDec) &&
          p.nodes[n.a].op == plan::OpCode::kConst && p.nodes[n.b].op == plan::OpCode::kAggregate) {
        ++mirrors;
      }
    }
    ASSERT_EQ(mirrors * 2, static_cast<int>(p.rules.size()));
    if (strategy == plan::StrategyChoice::kOrdered) {
      // The ordered path reads each aggregate-first comparison as a range
      // on the aggregate's value (OrderedTest::kAggRange), not as its node.
      int ranges = 0;
      for (const eval::OrderedTest& t : p.ordered.tests) {
        ranges += t.kind == eval::OrderedTest::kAggRange ? 1 : 0;
        EXPECT_NE(t.kind, eval::OrderedTest::kIntRange) << "rule " << t.rule;
      }
      EXPECT_EQ(ranges, mirrors);  // a{i} and na{i}; b{i} and nb{i} stay nodes
    }
    state::StoreOptions store_options;
    store_options.lateness_us = 5LL * 60 * 1000000;
    eval::Session session(c.program, std::make_shared<state::Store>(store_options));
    eval::Event event(p.schema);
    eval::Result result;
    std::mt19937_64 rng(2621);
    int64_t now = *ParseTime("2026-03-01T00:00:00Z");
    std::vector<Choices> stream;
    std::vector<int> fired(p.rules.size(), 0);
    int differing = 0;
    const int kEvents = 6000;
    for (int i = 0; i < kEvents; ++i) {
      stream.push_back(RandomChoices(rng, i, now, stream));
      MakeEvent(stream.back(), event);
      session.Evaluate(event, result);
      std::vector<bool> on(p.rules.size(), false);
      for (const eval::FiredRule& f : result.fired) on[f.rule] = true;
      for (size_t r = 0; r + 1 < p.rules.size(); r += 2) {
        fired[r] += on[r] ? 1 : 0;
        if (on[r] != on[r + 1] && ++differing <= 8) {
          ADD_FAILURE() << "event " << i << ": " << "rule " << r << " " << on[r] << ", "
                        << "rule " << r + 1 << " " << on[r + 1];
        }
      }
    }
    EXPECT_EQ(differing, 0);
    // Each comparison both held and failed on the stream (the negated ones,
    // the second half, are their complements less the missing values).
    for (size_t r = 0; r < p.rules.size() / 2; r += 2) {
      EXPECT_GT(fired[r], 20) << "rule " << r;
      EXPECT_LT(fired[r], kEvents - 20) << "rule " << r;
    }
  }
}

// An aggregate compared so that no value makes it hold (the complement of
// every value: OrderedTest::kIntOutside) reads nothing: its offset is 0,
// among the event's values, and not the aggregate's node offset, which
// would point past them.
TEST(SessionAggregates, AnAggregateTestThatNeverHoldsReadsNothing) {
  CompileOptions options;
  options.strategy = plan::StrategyChoice::kOrdered;
  // Other aggregates first, so that this one's is not the first value.
  const std::string text = std::string(kAggSchema) +
                           "rule a { when count(by: card, within: 2h) > 3 then score 1 }\n"
                           "rule b { when sum(amount, by: card, within: 1h) > 5 then score 1 }\n"
                           "rule z { when not (count(by: merchant, within: 1h) <= 9223372036854775807) "
                           "then score 1 }\n";
  Compilation c = CompileSources({SourceInput{"test.vgl", text}}, options);
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  const eval::Program& p = *c.program;
  ASSERT_EQ(p.strategy, eval::EvalStrategy::kOrdered);
  int outside = 0;
  for (const eval::OrderedTest& t : p.ordered.tests) {
    if (t.kind != eval::OrderedTest::kIntOutside) continue;
    ++outside;
    EXPECT_EQ(t.at, 0u);
  }
  EXPECT_EQ(outside, 1);
}

// Evaluate in two phases (Session::RunAggregatePhase on one session, then
// Session::EvaluateAfterPhase on another of the same program, as a stream
// on several threads does) against Evaluate on a third, with a store of its
// own: the same result for every event (rules fired, reasons, decision,
// late, outlier, duplicate, reversal), the same aggregates, and the same
// state afterwards; what-ifs among the events; both strategies. Two events in
// three have their hashes found beforehand on the rules' session
// (PrepareAggregatePhase), as the stream does; the others, none.
TEST(SessionAggregates, TwoPhasesGiveWhatEvaluateGives) {
  for (const std::string& text : {Rules(), ComparedRules()}) {
    for (const plan::StrategyChoice strategy :
         {plan::StrategyChoice::kIndex, plan::StrategyChoice::kOrdered}) {
      CompileOptions options;
      options.strategy = strategy;
      Compilation c = CompileSources({SourceInput{"test.vgl", text}}, options);
      ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
      const eval::Program& p = *c.program;
      ASSERT_TRUE(eval::Session::AggregatesAreScalars(p));
      state::StoreOptions store_options;
      store_options.lateness_us = 5LL * 60 * 1000000;
      auto whole_store = std::make_shared<state::Store>(store_options);
      auto phased_store = std::make_shared<state::Store>(store_options);
      eval::Session whole(c.program, whole_store);
      eval::Session aggregates(c.program, phased_store);
      eval::Session rules(c.program, phased_store);  // never applies to it
      eval::Event event(p.schema);
      eval::Result want, got;
      eval::Session::AggregatePhase phase;
      std::vector<eval::Value> values(p.aggregates.size());
      std::vector<int64_t> events(p.aggregates.size());
      std::mt19937_64 rng(35);
      int64_t now = *ParseTime("2026-03-01T00:00:00Z");
      std::vector<Choices> stream;
      int differing = 0, fired = 0, outcomes = 0;
      for (int i = 0; i < 5000; ++i) {
        stream.push_back(RandomChoices(rng, i, now, stream));
        MakeEvent(stream.back(), event);
        eval::EvalOptions eo;
        eo.record = rng() % 10 != 0;  // a what-if now and then
        whole.Evaluate(event, want, eo);
        eval::Session::PhaseHashes hashes;
        const bool prepared = i % 3 != 0;
        if (prepared) rules.PrepareAggregatePhase(event, hashes);
        aggregates.RunAggregatePhase(event, eo, phase, values.data(), events.data(),
                                     prepared ? &hashes : nullptr);
        rules.EvaluateAfterPhase(event, phase, values.data(), events.data(), got, eo);
        std::string a, b;
        eval::WriteResultJson(p, want, static_cast<uint64_t>(i + 1), a);
        eval::WriteResultJson(p, got, static_cast<uint64_t>(i + 1), b);
        const bool same = a == b && want.late == got.late && want.outlier == got.outlier &&
                          want.duplicate == got.duplicate && want.reversal == got.reversal &&
                          want.state_error == got.state_error &&
                          whole.aggregate_events() == rules.aggregate_events() &&
                          (!want.outlier || whole.outlier_reference() == phase.outlier_reference);
        if (!same && ++differing <= 8) {
          ADD_FAILURE() << "event " << i << ":\n  Evaluate   " << a << "\n  two phases " << b;
        }
        for (size_t k = 0; k < p.aggregates.size(); ++k) {
          if (Text(p, whole.aggregate_values(), k) != Text(p, rules.aggregate_values(), k) &&
              ++differing <= 8) {
            ADD_FAILURE() << "event " << i << ", aggregate " << k;
          }
        }
        fired += static_cast<int>(want.fired.size());
        outcomes += want.late || want.outlier || want.duplicate ||
                    want.reversal != eval::Reversal::kNone;
      }
      EXPECT_EQ(differing, 0);
      EXPECT_GT(fired, 1000);  // the rules read the aggregates, and fired
      EXPECT_GT(outcomes, 50);
      EXPECT_EQ(whole_store->Stats().entries, phased_store->Stats().entries);
      EXPECT_EQ(whole_store->Stats().keys, phased_store->Stats().keys);
    }
  }
}

// What two phases may not serve: an aggregate whose value is a string (none
// of today's kinds gives one) would be copied as a pointer into the state.
TEST(SessionAggregates, TwoPhasesServeOnlyScalarAggregates) {
  Compilation c = CompileText(Rules());
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  EXPECT_TRUE(eval::Session::AggregatesAreScalars(*c.program));
  // The program was made mutable (make_shared) and nothing else uses it.
  auto& changed = const_cast<eval::Program&>(*c.program);
  changed.aggregates.back().type = Type::Scalar(Kind::kString);
  EXPECT_FALSE(eval::Session::AggregatesAreScalars(changed));
}

}  // namespace
}  // namespace vigil::testing
