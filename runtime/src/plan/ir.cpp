#include "plan/ir.hpp"

namespace vigil::plan {

int OperandCount(OpCode op) {
  switch (op) {
    case OpCode::kConst:
    case OpCode::kField:
    case OpCode::kLet:
      return 0;
    case OpCode::kAnd:
    case OpCode::kOr:
      return -1;  // n-ary: child_lists[a .. a+b)
    case OpCode::kNot: case OpCode::kIsMissing: case OpCode::kIsPresent:
    case OpCode::kNegI64: case OpCode::kNegDec: case OpCode::kNegF64:
    case OpCode::kIntToDec: case OpCode::kIntToF64: case OpCode::kDecToF64:
    case OpCode::kInSetI64: case OpCode::kInSetStr: case OpCode::kMatches:
    case OpCode::kLower: case OpCode::kUpper: case OpCode::kLen:
    case OpCode::kAbsI64: case OpCode::kAbsDec: case OpCode::kAbsF64:
    case OpCode::kHour: case OpCode::kWeekday: case OpCode::kSha256:
      return 1;
    default:
      return 2;
  }
}

}  // namespace vigil::plan
