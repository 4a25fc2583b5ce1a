// The aggregate phase of an evaluation: for each aggregate group, encode the
// event's key, compute what the event contributes to each aggregate (its
// `where:` and value), and let the store record it and summarise the windows.
// Runs before the rules, which then read the values like fields.
#include <algorithm>
#include <charconv>
#include <bit>
#include <cstring>

#include "eval/evaluator.hpp"
#include "eval/session.hpp"

namespace vigil::eval {

namespace {

// Appends a key field to the encoded key: fixed width for numbers, length
// prefixed for strings, so that (a, b) tuples cannot collide.
void AppendKey(const Value& v, Kind kind, std::string& key) {
  char buf[8];
  switch (kind) {
    case Kind::kString: {
      uint32_t len = v.s.len;
      std::memcpy(buf, &len, 4);
      key.append(buf, 4);
      key.append(v.s.ptr, v.s.len);
      return;
    }
    case Kind::kBool:
      key += v.b ? '\1' : '\0';
      return;
    case Kind::kFloat: {
      double f = v.f == 0 ? 0.0 : v.f;
      std::memcpy(buf, &f, 8);
      key.append(buf, 8);
      return;
    }
    default:
      std::memcpy(buf, &v.i, 8);
      key.append(buf, 8);
      return;
  }
}

}  // namespace

void Session::Remap() {
  uint64_t version = store_->ReadLayout(&layout_);
  mapping_.Build(*program_, layout_, version);
  size_t widest = 0;
  for (const auto& g : layout_.groups) widest = std::max(widest, g.columns.size());
  column_values_.resize(widest);
  column_events_.resize(widest);
}

bool Session::Record(const Event& event) {
  Begin(event);
  if (program_->aggregates.empty()) return true;
  id_text_.clear();
  AppendEventId(event, id_text_);
  RunAggregates(true, id_text_);
  return !late_ && !outlier_;
}

void Session::RunAggregates(bool record, std::string_view id) {
  const Program& p = *program_;
  late_ = false;
  outlier_ = false;
  state_error_ = false;
  duplicate_ = false;
  reversal_ = Reversal::kNone;
  std::fill(agg_values_.begin(), agg_values_.end(), Value::Missing());
  std::fill(agg_events_.begin(), agg_events_.end(), 0);
  const Value time = fields_[p.schema.time_slot];
  if (!time.present) return;  // no time, no window: every aggregate is missing
  // An event far ahead of the stream is evaluated like a late one, over the
  // state there is, and not recorded (state/time_guard.hpp). What-ifs are
  // checked too but are not part of the stream.
  state::TimeGuard& guard = store_->time_guard();
  outlier_ = guard.IsOutlier(time.i, &outlier_reference_);
  if (record) {
    guard.Note(time.i);
    if (outlier_) guard.CountOutlier();
  }
  if (outlier_) record = false;
  Evaluator ev(p, fields_, let_values_.data(), let_epoch_.data(), epoch_, scratch_, nullptr,
               external_views_.data());
  // Duplicates and reversals (docs/language.md): the event's id and, under a
  // `reversal` declaration, its reference and whether it is a reversal.
  const uint64_t id_hash = id.empty() ? 0 : state::MarkHash(id);
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
  for (uint32_t g = 0; g < p.agg_groups.size(); ++g) {
    const AggGroup& group = p.agg_groups[g];
    key_.clear();
    bool have_key = true;
    for (uint32_t slot : group.key_slots) {
      const Value& v = fields_[slot];
      have_key = have_key && v.present;
      if (have_key) AppendKey(v, p.schema.fields[slot].type.kind, key_);
    }
    if (!have_key) continue;  // a missing key field: this group's aggregates are missing
    for (int attempt = 0;; ++attempt) {
      const int32_t sg = mapping_.group[g];
      if (sg < 0) break;
      const state::GroupLayout& gl = layout_.groups[sg];
      cells_.assign(gl.columns.size(), state::Cell());
      strs_.assign(gl.str_cols, std::string_view());
      for (uint32_t a : group.aggregates) {
        const int32_t col = mapping_.column[a];
        if (col < 0) continue;
        const AggregateDef& def = p.aggregates[a];
        state::Cell& cell = cells_[col];
        bool on = def.where_node < 0 ||
                  ev.EvalTruth(static_cast<uint32_t>(def.where_node)) == Evaluator::kTrue;
        if (on && def.value_node >= 0) {
          Value v = ev.Eval(static_cast<uint32_t>(def.value_node));
          on = v.present;
          if (on) {
            cell.i = v.i;  // also copies a float's bits
            cell.scale = v.scale;
            if (def.value_type.kind == Kind::kBool) cell.i = v.b ? 1 : 0;
            if (gl.columns[col].str_col >= 0) strs_[gl.columns[col].str_col] = v.str();
          }
        }
        cell.on = on ? 1 : 0;
      }
      state::ApplyOutcome outcome;
      // Every field named: the probe is written once, not cleared first.
      const state::Probe probe{.group = static_cast<uint32_t>(sg),
                               .key = key_,
                               .ts = time.i,
                               .record = record,
                               .cells = cells_.data(),
                               .strs = strs_.data(),
                               .events = column_events_.data(),
                               .id = id_hash,
                               .ref = ref_hash,
                               .reversal = is_reversal,
                               .outcome = &outcome};
      state::ApplyStatus status =
          store_->Apply(mapping_.version, probe, column_values_.data(), query_);
      if (status == state::ApplyStatus::kStale && attempt < 8) {
        Remap();  // a hot reload changed the store's layout meanwhile
        continue;
      }
      if (status == state::ApplyStatus::kStale) break;
      late_ = late_ || status == state::ApplyStatus::kLate;
      duplicate_ = duplicate_ || outcome.duplicate;
      took_back = took_back || outcome.reversed;
      if (status == state::ApplyStatus::kError) {
        state_error_ = true;  // the backend failed: this group's aggregates stay missing
        break;
      }
      for (uint32_t a : group.aggregates) {
        const int32_t col = mapping_.column[a];
        if (col >= 0) {
          agg_values_[a] = column_values_[col];
          agg_events_[a] = column_events_[col];
        }
      }
      break;
    }
  }
  // A reversal evaluated without recording takes nothing back; a second
  // delivery of one is a duplicate and says only that.
  if (is_reversal && record && !duplicate_) {
    reversal_ = took_back ? Reversal::kApplied : Reversal::kUnknown;
  }
}

}  // namespace vigil::eval
