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
  }
  return "?";
}

CellKind CellKindOf(AggKind kind, Type value_type) {
  if (kind == AggKind::kCount) return CellKind::kNone;
  if (value_type.kind == Kind::kFloat) return CellKind::kFloat;
  if (value_type.kind == Kind::kString) return CellKind::kString;
  return CellKind::kInt;
}

}  // namespace vigil::eval
