#include "eval/aggregate.hpp"

namespace vigil::eval {

const char* AggKindName(AggKind kind) {
  switch (kind) {
    case AggKind::kCount: return "count";
    case AggKind::kSum: return "sum";
    case AggKind::kAvg: return "avg";
    case AggKind::kMin: return "min";
    case AggKind::kMax: return "max";
    case AggKind::kDistinct: return "distinct";
    case AggKind::kMedian: return "median";
    case AggKind::kPercentile: return "percentile";
    case AggKind::kSincePrevious: return "since_previous";
  }
  return "?";
}

CellKind CellKindOf(AggKind kind, Type value_type) {
  if (kind == AggKind::kCount || kind == AggKind::kSincePrevious) return CellKind::kNone;
  if (value_type.kind == Kind::kFloat) return CellKind::kFloat;
  if (value_type.kind == Kind::kString) return CellKind::kString;
  return CellKind::kInt;
}

}  // namespace vigil::eval
