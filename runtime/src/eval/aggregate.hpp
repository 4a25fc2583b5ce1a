// Windowed aggregates (LANGUAGE.md §5) as the planner leaves them: what to
// record from each event and how to summarise a key's window. Aggregates with
// the same `by:` key form a group that shares one history per key (one
// timestamp list, one lookup per event) in the state store.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "eval/types.hpp"

namespace vigil::eval {

// kMedian, kPercentile and kSincePrevious are the baselines of
// docs/language.md ("Baselines"); new kinds are appended (snapshots store the
// number).
enum class AggKind : uint8_t {
  kCount, kSum, kAvg, kMin, kMax, kDistinct, kMedian, kPercentile, kSincePrevious
};
inline constexpr AggKind kLastAggKind = AggKind::kSincePrevious;
const char* AggKindName(AggKind kind);
// Whether the aggregate's value is made of the summarised values themselves
// (sum, avg, min, max), so that a @pii value makes it personal data; counts
// and distinct counts are not.
inline bool AggregateRevealsValue(AggKind kind) {
  return kind != AggKind::kCount && kind != AggKind::kDistinct &&
         kind != AggKind::kSincePrevious;
}

// How one event's contribution to an aggregate is stored.
enum class CellKind : uint8_t {
  kNone,    // count, since_previous: only whether `where` held
  kInt,     // int, time, duration, bool, decimal (units)
  kFloat,
  kString,  // distinct over strings
};
CellKind CellKindOf(AggKind kind, Type value_type);

struct AggregateDef {
  AggKind kind = AggKind::kCount;
  Type value_type;             // the summarised expression's type (count: none)
  Type type;                   // the aggregate's own type
  int64_t within_us = 0;
  // Baselines: the window is (t - offset - within, t - offset]; without the
  // current event when `exclude_current`; percentile's P in units of 10^-6.
  int64_t offset_us = 0;
  bool exclude_current = false;
  int64_t percentile = 0;
  int32_t value_node = -1;     // planned value expression, -1 for count
  int32_t where_node = -1;     // planned `where:`, -1 when absent
  uint32_t group = 0;          // index into Program::agg_groups
  // Identity across rule set versions: kind, key, window, value and `where`
  // with constants and lets substituted. State is kept for an aggregate
  // across a hot reload when its signature is unchanged.
  std::string signature;
  std::string text;            // source text, for explanations
};

struct AggGroup {
  std::vector<uint32_t> key_slots;   // `by:` fields, in the order written
  std::string signature;             // key field names and types
  std::vector<uint32_t> aggregates;  // indexes into Program::aggregates
};

}  // namespace vigil::eval
