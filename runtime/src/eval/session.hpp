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
  // other threads (and of other rule sets). Without one, a program with
  // aggregates gets a private store. The store adds the program's aggregates
  // to its layout (state::Backend::Attach).
  explicit Session(std::shared_ptr<const Program> program,
                   std::shared_ptr<state::Backend> store = nullptr);
  // Tells the store this rule set no longer uses it (state::Backend::Detach).
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const Program& program() const { return *program_; }
  const std::shared_ptr<const Program>& program_ptr() const { return program_; }

  // Evaluates every rule against `event` (which must use program().schema)
  // and fills `result`.
  // Inline, so that a caller calls the one function that does the work: a
  // rule set evaluated in order without aggregates (the ten generated
  // rules) is evaluated whole by RunOrdered<true>, any other by EvaluateAny
  // (eval/session.cpp says why).
  void Evaluate(const Event& event, Result& result, const EvalOptions& options = {}) {
    if (plain_ordered_) {
      RunOrdered<true>(event, result, options);
    } else {
      EvaluateAny(event, result, options);
    }
  }
  // Records the event in the aggregates' state without evaluating the rules
  // (warming the state from history). Returns false when it was not
  // recorded: late, or an outlier (see last_outlier()).
  bool Record(const Event& event);

  // Evaluate in two phases, for a stream that evaluates a rule set with
  // aggregates on several threads (stream/eval_stream.cpp): the aggregate
  // phase, which must see the events in input order, on one session; the
  // rules, which need not, on another session of the same program, on any
  // thread, with what the first phase gave. Together they give Evaluate's
  // result. Only for programs whose aggregates are never strings
  // (AggregatesAreScalars): the values are copied, and a string's would
  // point into the state. An external list replaced between the two
  // phases of an event may be seen in one phase and not the other.
  struct AggregatePhase {
    bool late = false;
    bool outlier = false;
    bool state_error = false;
    bool duplicate = false;
    Reversal reversal = Reversal::kNone;
    int64_t outlier_reference = 0;
  };
  // What an event's aggregate phase computes from the event alone, found
  // beforehand, on any session of the program (each thread its own), so
  // that the ordered phase does not: its first group's key hash (for the
  // store's index) and its id's mark (for duplicates).
  struct PhaseHashes {
    uint64_t key_hash = 0;  // state::KeyHash of the first group's key; 0 without one
    uint64_t id_hash = 0;   // state::MarkHash of the id; 0 without one
  };
  void PrepareAggregatePhase(const Event& event, PhaseHashes& out);
  // Asks the store for where the first group's key of hash `key_hash` is
  // (state::Backend::Prefetch): for an event a few ahead of the one whose
  // aggregate phase runs now, so that its miss overlaps this one's work.
  void PrefetchFirstKey(uint64_t key_hash) const;
  // Records `event` in the aggregates' state (unless !options.record) and
  // writes each aggregate's value and event count to `values` and `events`
  // (program().aggregates.size() of each). `hashes`, when given, are the
  // event's (PrepareAggregatePhase).
  void RunAggregatePhase(const Event& event, const EvalOptions& options, AggregatePhase& phase,
                         Value* values, int64_t* events, const PhaseHashes* hashes = nullptr);
  // Evaluates the rules against `event` with the aggregates `phase`,
  // `values` and `events` that RunAggregatePhase gave it.
  void EvaluateAfterPhase(const Event& event, const AggregatePhase& phase, const Value* values,
                          const int64_t* events, Result& result, const EvalOptions& options = {});
  // Whether RunAggregatePhase and EvaluateAfterPhase may serve `program`.
  static bool AggregatesAreScalars(const Program& program);
  // Whether the last event's time was an outlier (state/time_guard.hpp), and
  // the time of the recent events it was compared with.
  bool last_outlier() const { return outcome_.outlier; }
  int64_t outlier_reference() const { return outcome_.outlier_reference; }

  const std::shared_ptr<state::Backend>& store() const { return store_; }
  // Whether the state backend failed for the last event.
  bool state_error() const { return outcome_.state_error; }
  // The value of each aggregate for the last event evaluated, and how many
  // events contributed to it (0 when the value is missing for want of a key
  // or a time).
  const std::vector<Value>& aggregate_values() const { return agg_values_; }
  const std::vector<int64_t>& aggregate_events() const { return agg_events_; }
  // Window entries the state store has summarised for this session's events
  // (the embedded store counts them; other backends leave 0).
  uint64_t window_entries_scanned() const { return query_.entries_scanned; }

  // The value of one node for the current event (explanations use it).
  Value EvalNode(uint32_t node);
  // Prepares the session for EvalNode calls on a new event.
  void Begin(const Event& event);
  // The contents of external list `list` this session sees (null until the
  // host supplies it).
  const ExternalSet* ExternalContents(uint32_t list) {
    return external_views_[list].Refresh(program_->external_lists[list]);
  }

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
  __attribute__((noinline)) void Fire(Evaluator& ev, uint32_t rule, const EvalOptions& options,
                                      Result& result, bool& decided);
  void CopyEventId(const Event& event, Result& result);
  void StartEvent(const Event& event);
  void RefreshExternalViews();
  // The index's candidates (EvalStrategy::kIndex), when it leaves any.
  void RunCandidates(const EvalOptions& options, Result& result, bool& decided);
  // Ordered evaluation (EvalStrategy::kOrdered) and its slow paths.
  // Not inlined (eval/session.cpp says why). kWhole: the whole of Evaluate
  // for a rule set without aggregates (plain_ordered_), which the inline
  // Evaluate calls; else the rules only, EvaluateAny doing the rest.
  template <bool kWhole>
  __attribute__((noinline)) void RunOrdered(const Event& event, Result& result,
                                            const EvalOptions& options);
  void PrefetchValues(const Event& event) const;
  __attribute__((noinline)) void EvaluateAny(const Event& event, Result& result,
                                             const EvalOptions& options);
  // The aggregate phase's outcomes into the result (EvaluateAny and
  // EvaluateAfterPhase).
  void PutOutcomes(Result& result) const {
    result.late = outcome_.late;
    result.outlier = outcome_.outlier;
    result.state_error = outcome_.state_error;
    result.duplicate = outcome_.duplicate;
    result.reversal = outcome_.reversal;
  }
  // EvaluateAny's rules, after the aggregates (also EvaluateAfterPhase's).
  void RunRules(const Event& event, Result& result, const EvalOptions& options);
  // The first kAdaptEvents events of an ordered session: every test of
  // every rule, counting each test's failures, then AdaptOrder (FireOrdered
  // runs it for the stub's rule kCountRule).
  __attribute__((noinline)) void RunOrderedCounting(const EvalOptions& options, Result& result,
                                                    bool& decided);
  bool TestHolds(const OrderedTest& t, const char* values);
  void AdaptOrder();
  void GroupRules();
  static void ShortStrings(std::vector<OrderedTest>& tests);
  __attribute__((noinline)) void FireDeferred(uint64_t rules, const EvalOptions& options,
                                              Result& result, bool& decided);
  bool OtherTest(const OrderedTest& t, const char* values);
  Evaluator MakeEvaluator();
  __attribute__((noinline)) bool NodeHolds(uint32_t node);
  __attribute__((noinline)) void FireOrdered(uint32_t rule, const EvalOptions& options,
                                             Result& result, bool& decided);
  // The schema's id field when it is a string (else -1) and its name: the
  // id is then copied without AppendEventId's look-ups.
  int string_id_slot_ = -1;
  const char* string_id_name_ = nullptr;
  // The cache lines of an event's values (Evaluate prefetches them).
  size_t prefetch_lines_ = 0;
  // Evaluated in order, without aggregates: Evaluate calls RunOrdered<true>
  // alone, without EvaluateAny's frame and tests around RunOrdered's call.
  bool plain_ordered_ = false;
  uint32_t adapt_left_ = 0;  // events still to count before AdaptOrder
  // The tests RunOrdered runs: this session's copy of Program::ordered.tests
  // (a kEnd alone when the program has none), reordered by AdaptOrder. A
  // rule's conjuncts have no side effects and it fires iff all hold, so
  // their order is free: AdaptOrder puts each rule's likeliest to fail for
  // its cost first, from the failures counted on this session's own events
  // (the Program is shared and immutable). While counting, RunOrdered runs
  // a stub instead, one kTrue test of rule kCountRule and kEnd, whose
  // "firing" (FireOrdered) runs RunOrderedCounting on counted_tests_: no
  // test of a mode in Evaluate for any event, ordered or indexed.
  std::vector<OrderedTest> ordered_tests_;
  // The copy while counting; then the stub, kept (RunOrdered is still in it
  // when the swap is made, and freeing it would be the only free of a run).
  std::vector<OrderedTest> counted_tests_;
  std::vector<uint32_t> test_fails_;  // per test of counted_tests_, while counting; kept, unused
  // GroupRules' output, made in the room the constructor reserved (nothing
  // in Evaluate allocates); swapped into ordered_tests_, the stub then kept
  // here.
  std::vector<OrderedTest> grouped_tests_;
  // The kGate tests' bitmaps, kGateWords words each at most.
  std::vector<uint64_t> gate_bits_;
  static constexpr uint32_t kGateWords = 64;
  // Rules evaluated out of their order (GroupRules made gates): RunOrdered
  // notes the rules that hold in a mask and fires them in rule order at the
  // end, so that the result is the same, reasons and tags in the same order.
  bool grouped_ = false;
  static constexpr uint32_t kCountRule = UINT32_MAX;

 public:
  // Events an ordered session counts its tests' failures on before it
  // reorders each rule's tests once.
  static constexpr uint32_t kAdaptEvents = 512;
  // A mispredicted branch in units of a test's cost (OrderedTest::cost, an
  // integer compare's: a range test of about ten instructions is 2): some
  // 15 cycles against the range test's 3 (AdaptOrder).
  static constexpr uint32_t kMispredict = 10;
  // The ordered tests as this session runs them (in the planner's order
  // until AdaptOrder; then reordered, and with kGate tests when GroupRules
  // made any).
  const std::vector<OrderedTest>& ordered_tests() const {
    return adapt_left_ != 0 ? counted_tests_ : ordered_tests_;
  }

 private:

  // Aggregates (eval/session_aggregates.cpp).
  // `id`: the event's id (eval::AppendEventId), empty when it has none;
  // `hashes`: its key's and id's hashes when found beforehand, else null.
  void RunAggregates(bool record, std::string_view id, const PhaseHashes* hashes = nullptr);
  // The event's id as RunAggregates takes it (fields_ set for the event).
  std::string_view PhaseId(const Event& event);
  void Remap();
  // What the aggregate phase does per group, decided by Remap() from the
  // program and the store's layout, so that the per-event loop walks flat
  // arrays instead of looking the same things up in both for every event.
  struct AggColumnPlan {
    uint32_t agg = 0;          // Program::aggregates index
    uint32_t col = 0;          // the store group's column
    int32_t where_node = -1;   // the `where:`, -1 when absent
    int32_t value_node = -1;   // the value, -1 for counts
    int32_t value_field = -1;  // >= 0: the value is this field, read without the evaluator
    int32_t str_col = -1;      // the column's string cell, -1 when none
    bool is_bool = false;      // a bool value is stored as 0 or 1
  };
  struct AggKeyField {
    uint32_t slot = 0;
    Kind kind = Kind::kError;
  };
  struct AggGroupPlan {
    int32_t store_group = -1;                 // -1: the store does not keep this group
    std::vector<AggKeyField> key;             // the `by:` fields, in order
    std::vector<AggColumnPlan> columns;       // the aggregates the store keeps
    // Those whose cell depends on the event: a count without `where:` has
    // the same cell for every event (on), written once by Remap.
    std::vector<AggColumnPlan> per_event;
    std::vector<uint32_t> aggregates;         // all of the group's aggregates
    std::vector<uint32_t> unmapped;           // those the store does not keep
    // >= 0: the store group's columns are aggregates direct, direct + 1, ...
    // in order and nothing else, so Apply writes agg_values_ in place.
    int32_t direct = -1;
    // The probe's cells and strings: one per store column. Columns of other
    // rule sets sharing the group stay as made (off); ours are rewritten
    // whole for every event, so nothing is cleared per event.
    std::vector<state::Cell> cells;
    std::vector<std::string_view> strs;
    // The key is one string field (the common case): encoded without the
    // loops over key fields.
    bool one_string_key = false;
    // The probe and the values Apply writes, made here: per event only the
    // key, time, id and what to record change.
    state::Probe probe;
    Value* values = nullptr;
  };
  bool EncodeKey(const AggGroupPlan& plan, size_t* len);
  void AggregatesMissing(const std::vector<uint32_t>& aggregates);
  std::vector<AggGroupPlan> agg_plans_;
  state::ApplyOutcome apply_outcome_;  // every group's probe's
  bool fill_all_ = false;         // an aggregate outside every group (never, but safe)
  std::shared_ptr<state::Backend> store_;
  state::Layout layout_;       // the store's, as of mapping_.version
  state::Mapping mapping_;
  std::vector<Value> agg_values_;
  std::vector<int64_t> agg_events_;
  std::vector<Value> column_values_;
  std::vector<int64_t> column_events_;
  std::string key_;  // the encoded key's buffer, its size its capacity (EncodeKey)
  state::QueryScratch query_;
  // The last aggregate phase's outcomes; their first five fields are in
  // Result's order (late, outlier, state_error, duplicate, reversal), so that
  // PutOutcomes copies them with one load and store rather than byte by byte.
  AggregatePhase outcome_;
  std::string id_text_;  // Record()'s event id
  // The events' ids' MarkHash, SipHash's state after their common start kept
  // from one event to the next (state/marks.hpp).
  state::MarkHasher id_hasher_;
};

// Appends a value as text (for reasons and explanations).
void FormatValue(const Value& v, Type type, std::string& out);

}  // namespace vigil::eval
