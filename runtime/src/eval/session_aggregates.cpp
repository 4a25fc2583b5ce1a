// The aggregate phase of an evaluation: for each aggregate group, encode the
// event's key, compute what the event contributes to each aggregate (its
// `where:` and value), and let the store record it and summarise the windows.
// Runs before the rules, which then read the values like fields.
#include <algorithm>
#include <charconv>
#include <bit>
#include <cstring>

#include "base/bytes.hpp"
#include "eval/evaluator.hpp"
#include "eval/session.hpp"
#include "state/key_table.hpp"

namespace vigil::eval {

void Session::Remap() {
  uint64_t version = store_->ReadLayout(&layout_);
  mapping_.Build(*program_, layout_, version);
  size_t widest = 0;
  for (const auto& g : layout_.groups) widest = std::max(widest, g.columns.size());
  column_values_.resize(widest);
  column_events_.resize(widest);
  // The plan of each group (AggGroupPlan): what RunAggregates would otherwise
  // look up in the program, the mapping and the layout for every event.
  const Program& p = *program_;
  agg_plans_.resize(p.agg_groups.size());
  size_t covered = 0;
  for (uint32_t g = 0; g < p.agg_groups.size(); ++g) {
    const AggGroup& group = p.agg_groups[g];
    AggGroupPlan& plan = agg_plans_[g];
    plan.key.clear();
    for (uint32_t slot : group.key_slots) {
      plan.key.push_back(AggKeyField{slot, p.schema.fields[slot].type.kind});
    }
    plan.aggregates = group.aggregates;
    covered += group.aggregates.size();
    plan.columns.clear();
    plan.per_event.clear();
    plan.unmapped.clear();
    plan.direct = -1;
    plan.one_string_key = plan.key.size() == 1 && plan.key[0].kind == Kind::kString;
    plan.store_group = mapping_.group[g];
    if (plan.store_group < 0) {
      plan.cells.clear();
      plan.strs.clear();
      continue;
    }
    const state::GroupLayout& gl = layout_.groups[plan.store_group];
    plan.cells.assign(gl.columns.size(), state::Cell());
    plan.strs.assign(gl.str_cols, std::string_view());
    for (uint32_t a : group.aggregates) {
      const int32_t col = mapping_.column[a];
      if (col < 0) {
        plan.unmapped.push_back(a);
        continue;
      }
      const AggregateDef& def = p.aggregates[a];
      AggColumnPlan c;
      c.agg = a;
      c.col = static_cast<uint32_t>(col);
      c.where_node = def.where_node;
      c.value_node = def.value_node;
      if (def.value_node >= 0 && p.nodes[def.value_node].op == plan::OpCode::kField) {
        c.value_field = static_cast<int32_t>(p.nodes[def.value_node].c);  // Eval's kField case
      }
      c.str_col = gl.columns[col].str_col;
      c.is_bool = def.value_type.kind == Kind::kBool;
      plan.columns.push_back(c);
      if (c.where_node < 0 && c.value_node < 0) {
        plan.cells[c.col].on = 1;  // a plain count: every event contributes, nothing else
      } else {
        plan.per_event.push_back(c);
      }
    }
    // Apply writes its values and counts per store column: when those are
    // this group's aggregates in order, it can write them where the rules
    // read them, with no copy.
    bool direct = plan.unmapped.empty() && !plan.columns.empty() &&
                  plan.columns.size() == gl.columns.size();
    for (size_t i = 0; direct && i < plan.columns.size(); ++i) {
      direct = plan.columns[i].col == i && plan.columns[i].agg == plan.columns[0].agg + i;
    }
    if (direct) plan.direct = static_cast<int32_t>(plan.columns[0].agg);
    plan.values = direct ? agg_values_.data() + plan.direct : column_values_.data();
    plan.probe.group = static_cast<uint32_t>(plan.store_group);
    plan.probe.cells = plan.cells.data();
    plan.probe.strs = plan.strs.data();
    plan.probe.events = direct ? agg_events_.data() + plan.direct : column_events_.data();
    plan.probe.outcome = &apply_outcome_;
  }
  fill_all_ = covered != p.aggregates.size();
  if (key_.size() < 64) key_.resize(64);
}

void Session::AggregatesMissing(const std::vector<uint32_t>& aggregates) {
  for (uint32_t a : aggregates) {
    agg_values_[a] = Value::Missing();
    agg_events_[a] = 0;
  }
}

namespace {

// A string key field: its length (4 bytes) then its bytes; returns the end.
// Keys are mostly short (card and merchant ids), for which memcpy's call cost
// about as much as the copy.
inline char* PutKeyString(char* out, const Value& v) {
  const uint32_t slen = v.s.len;
  std::memcpy(out, &slen, 4);
  out += 4;
  if (slen <= 16) {
    CopyShortBytes(out, v.s.ptr, slen);
  } else {
    std::memcpy(out, v.s.ptr, slen);
  }
  return out + slen;
}

}  // namespace

// Encodes the event's key for `plan`'s group into key_ (which is resized
// only when a key is longer than any before), `*len` bytes; false when a key
// field is missing. Fixed width for numbers, length prefixed for strings, so
// that (a, b) tuples cannot collide.
__attribute__((always_inline)) inline bool Session::EncodeKey(const AggGroupPlan& plan, size_t* len) {
  if (plan.one_string_key) {
    const Value& v = fields_[plan.key[0].slot];
    if (!v.present) return false;
    const size_t n = 4 + size_t{v.s.len};
    if (n > key_.size()) [[unlikely]] key_.resize(std::max(n, 2 * key_.size()));
    PutKeyString(key_.data(), v);
    *len = n;
    return true;
  }
  size_t n = 0;
  for (const AggKeyField& k : plan.key) {
    const Value& v = fields_[k.slot];
    if (!v.present) return false;
    n += k.kind == Kind::kString ? 4 + size_t{v.s.len} : k.kind == Kind::kBool ? 1 : 8;
  }
  if (n > key_.size()) [[unlikely]] key_.resize(std::max(n, 2 * key_.size()));
  char* out = key_.data();
  for (const AggKeyField& k : plan.key) {
    const Value& v = fields_[k.slot];
    switch (k.kind) {
      case Kind::kString:
        out = PutKeyString(out, v);
        break;
      case Kind::kBool:
        *out++ = v.b ? '\1' : '\0';
        break;
      case Kind::kFloat: {
        const double f = v.f == 0 ? 0.0 : v.f;  // -0 and 0 are one key
        std::memcpy(out, &f, 8);
        out += 8;
        break;
      }
      default:
        std::memcpy(out, &v.i, 8);
        out += 8;
        break;
    }
  }
  *len = n;
  return true;
}

bool Session::Record(const Event& event) {
  Begin(event);
  if (program_->aggregates.empty()) return true;
  id_text_.clear();
  AppendEventId(event, id_text_);
  RunAggregates(true, id_text_);
  return !outcome_.late && !outcome_.outlier;
}

// The first phase of a two-phase evaluation (session.hpp): what EvaluateAny
// does before the rules, its results kept in `phase`, `values` and `events`.
void Session::RunAggregatePhase(const Event& event, const EvalOptions& options,
                                AggregatePhase& phase, Value* values, int64_t* events,
                                const PhaseHashes* hashes) {
  Begin(event);
  RunAggregates(options.record, PhaseId(event), hashes);
  std::copy(agg_values_.begin(), agg_values_.end(), values);
  std::copy(agg_events_.begin(), agg_events_.end(), events);
  phase = outcome_;
}

// The id's text as CopyEventId gives it to EvaluateAny's RunAggregates.
std::string_view Session::PhaseId(const Event& event) {
  if (string_id_slot_ >= 0) {
    const Value& v = fields_[string_id_slot_];
    return v.present ? v.str() : std::string_view();
  }
  id_text_.clear();
  AppendEventId(event, id_text_);
  return id_text_;
}

// RunAggregates' two hashes, as it would find them.
void Session::PrepareAggregatePhase(const Event& event, PhaseHashes& out) {
  fields_ = event.values();
  size_t len = 0;
  out.key_hash = !agg_plans_.empty() && EncodeKey(agg_plans_[0], &len)
                     ? state::KeyHash(std::string_view(key_.data(), len))
                     : 0;
  const std::string_view id = PhaseId(event);
  out.id_hash = id.empty() ? 0 : id_hasher_.Hash(id);
}

void Session::PrefetchFirstKey(uint64_t key_hash) const {
  if (!agg_plans_.empty() && agg_plans_[0].store_group >= 0) {
    store_->Prefetch(static_cast<uint32_t>(agg_plans_[0].store_group), key_hash);
  }
}

void Session::RunAggregates(bool record, std::string_view id, const PhaseHashes* hashes) {
  const Program& p = *program_;
  outcome_.late = false;
  outcome_.outlier = false;
  outcome_.state_error = false;
  outcome_.duplicate = false;
  outcome_.reversal = Reversal::kNone;
  // Every aggregate the loop below does not write is missing: those of a
  // group without its key, or whose state failed, are set there; the rest
  // are written by Apply or copied from what it wrote.
  if (fill_all_) [[unlikely]] {
    std::fill(agg_values_.begin(), agg_values_.end(), Value::Missing());
    std::fill(agg_events_.begin(), agg_events_.end(), 0);
  }
  const Value time = fields_[p.schema.time_slot];
  if (!time.present) {  // no time, no window: every aggregate is missing
    std::fill(agg_values_.begin(), agg_values_.end(), Value::Missing());
    std::fill(agg_events_.begin(), agg_events_.end(), 0);
    return;
  }
  // The first group's key, encoded now: the store asks for its slot in its
  // table's index (Backend::Prefetch), whose cache miss then overlaps the
  // time guard, the id's hash and the `where:`s below instead of following
  // the shard's lock in Apply (the first of the state path's dependent
  // misses: the slot, then the entry it points to, then the history).
  const size_t groups = agg_plans_.size();
  // The key's hash goes to Apply in the probe, so that it is computed once.
  size_t first_len = 0;
  const bool first_key = groups != 0 && EncodeKey(agg_plans_[0], &first_len);
  const uint64_t first_hash = !first_key           ? 0
                              : hashes != nullptr ? hashes->key_hash
                                                  : state::KeyHash(std::string_view(key_.data(), first_len));
  if (first_key && agg_plans_[0].store_group >= 0) {
    store_->Prefetch(static_cast<uint32_t>(agg_plans_[0].store_group), first_hash);
  }
  // An event far ahead of the stream is evaluated like a late one, over the
  // state there is, and not recorded (state/time_guard.hpp). What-ifs are
  // checked too but are not part of the stream.
  state::TimeGuard& guard = store_->time_guard();
  outcome_.outlier = guard.IsOutlier(time.i, &outcome_.outlier_reference);
  if (record) {
    guard.Note(time.i);
    if (outcome_.outlier) guard.CountOutlier();
  }
  if (outcome_.outlier) record = false;
  Evaluator ev(p, fields_, let_values_.data(), let_epoch_.data(), epoch_, scratch_, nullptr,
               external_views_.data());
  // Duplicates and reversals (docs/language.md): the event's id and, under a
  // `reversal` declaration, its reference and whether it is a reversal.
  const uint64_t id_hash = hashes != nullptr ? hashes->id_hash
                          : id.empty()        ? 0
                                              : id_hasher_.Hash(id);
  uint64_t ref_hash = 0;
  bool is_reversal = false;
  if (p.reversal_field >= 0 && fields_[p.reversal_field].present) {
    const Value& ref = fields_[p.reversal_field];
    if (p.schema.fields[p.reversal_field].type.kind == Kind::kString) {
      ref_hash = state::MarkHash(ref.str());
    } else {
      char digits[24];
      auto end = std::to_chars(digits, digits + sizeof(digits), ref.i).ptr;
      ref_hash = state::MarkHash(std::string_view(digits, static_cast<size_t>(end - digits)));
    }
    is_reversal = ev.EvalTruth(p.reversal_when) == Evaluator::kTrue;
  }
  bool took_back = false;
  for (size_t g = 0; g < groups; ++g) {
    size_t key_len = first_len;  // key_ still holds the first group's key
    if (g == 0 ? !first_key : !EncodeKey(agg_plans_[g], &key_len)) {
      AggregatesMissing(agg_plans_[g].aggregates);  // a missing key field
      continue;
    }
    for (int attempt = 0;; ++attempt) {
      AggGroupPlan& plan = agg_plans_[g];  // again after a Remap
      if (plan.store_group < 0) {
        AggregatesMissing(plan.aggregates);
        break;
      }
      state::Cell* cells = plan.cells.data();
      std::string_view* strs = plan.strs.data();
      for (const AggColumnPlan& c : plan.per_event) {
        if (c.value_node < 0) {  // a count with `where:`: only whether it held (i, scale stay 0)
          cells[c.col].on = ev.Test(static_cast<uint32_t>(c.where_node)) == Evaluator::kTrue ? 1 : 0;
          continue;
        }
        state::Cell cell;  // off, zero: what the store keeps when `where:` fails
        std::string_view str;
        // Test: a `where:` is mostly a field against a constant or a set
        // (`channel == "ecom"`, `mcc in {...}`), tested inline.
        bool on = c.where_node < 0 ||
                  ev.Test(static_cast<uint32_t>(c.where_node)) == Evaluator::kTrue;
        if (on && c.value_node >= 0) {
          const Value v =
              c.value_field >= 0 ? fields_[c.value_field] : ev.Eval(static_cast<uint32_t>(c.value_node));
          on = v.present;
          if (on) {
            if (c.str_col >= 0) {
              // A string lives in the strings; its cell keeps no bits of the
              // value, which would be the event's pointer, saved in snapshots
              // and sent to Redis (different bytes every run, and an address).
              str = v.str();
            } else {
              cell.i = c.is_bool ? (v.b ? 1 : 0) : v.i;  // also copies a float's bits
              cell.scale = v.scale;
            }
          }
        }
        cell.on = on ? 1 : 0;
        cells[c.col] = cell;
        if (c.str_col >= 0) strs[c.str_col] = str;
      }
      state::Probe& probe = plan.probe;  // the rest was set by Remap
      probe.key = std::string_view(key_.data(), key_len);
      probe.key_hash = first_hash;
      probe.key_hashed = g == 0;  // hashed above; the other groups' keys are not
      probe.ts = time.i;
      probe.record = record;
      probe.id = id_hash;
      probe.ref = ref_hash;
      probe.reversal = is_reversal;
      apply_outcome_ = state::ApplyOutcome();  // a failing backend may leave it unwritten
      state::ApplyStatus status = store_->Apply(mapping_.version, probe, plan.values, query_);
      if (status == state::ApplyStatus::kStale && attempt < 8) {
        Remap();  // a hot reload changed the store's layout meanwhile
        continue;
      }
      if (status == state::ApplyStatus::kStale) {
        AggregatesMissing(plan.aggregates);
        break;
      }
      outcome_.late = outcome_.late || status == state::ApplyStatus::kLate;
      outcome_.duplicate = outcome_.duplicate || apply_outcome_.duplicate;
      took_back = took_back || apply_outcome_.reversed;
      if (status == state::ApplyStatus::kError) {
        outcome_.state_error = true;  // the backend failed: this group's aggregates stay missing
        AggregatesMissing(plan.aggregates);
        break;
      }
      if (plan.direct < 0) {
        for (const AggColumnPlan& c : plan.columns) {
          agg_values_[c.agg] = column_values_[c.col];
          agg_events_[c.agg] = column_events_[c.col];
        }
        AggregatesMissing(plan.unmapped);
      }
      break;
    }
  }
  // A reversal evaluated without recording takes nothing back; a second
  // delivery of one is a duplicate and says only that.
  if (is_reversal && record && !outcome_.duplicate) {
    outcome_.reversal = took_back ? Reversal::kApplied : Reversal::kUnknown;
  }
}

}  // namespace vigil::eval
