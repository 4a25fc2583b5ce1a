// The planned form of an expression: a flat array of typed nodes that the
// evaluator runs. Operators are specialised by operand type at plan time
// (kCmpI64, kAddDec, ...), so evaluation never inspects a type or a name.
#pragma once

#include <cstdint>

#include "eval/value.hpp"

namespace vigil::plan {

enum class OpCode : uint8_t {
  kConst,        // k
  kField,        // c = slot
  kLet,          // c = let index (computed once per event, cached in the session)
  kAggregate,    // c = aggregate index (computed by the session before the rules)
  kAnd,          // children child_lists[a .. a+b), three-valued, short-circuit
  kOr,
  kNot,          // a
  kIsMissing,    // a
  kIsPresent,    // a
  kCmpI64,       // a cmp b: int, time, duration
  kCmpDec,       // decimals (units; scale ignored)
  kCmpF64,
  kCmpStr,       // byte-wise
  kCmpBool,      // == and != only
  // Fused forms of the commonest predicates: a field against a constant (or
  // two string fields), so that evaluation touches no operand nodes.
  kCmpI64Field,  // field[a] cmp k   (int, time, duration, decimal units)
  kCmpStrField,  // field[a] cmp k   (string)
  kCmpStrFields, // field[a] cmp field[b]
  kInSetI64Field,  // field[a] in int_sets[c]
  kInSetStrField,  // field[a] in str_sets[c]
  kAddI64, kSubI64, kMulI64, kDivI64, kModI64, kNegI64,  // overflow / ÷0 → missing
  kAddTime, kSubTime,  // time ± duration (either order for +): outside the time range → missing
  kAddDec, kSubDec, kMulDec, kDivDec, kModDec, kNegDec,
  kAddF64, kSubF64, kMulF64, kDivF64, kModF64, kNegF64,
  kIntToDec, kIntToF64, kDecToF64,
  kInSetI64,     // a in int_sets[c] (ints, decimals as units, times, durations)
  kInSetStr,     // a in str_sets[c]
  kInHashedSet,  // a (string) normalised and hashed, in hashed_sets[c]
  kInExternalSet,  // a in external_lists[c]; b = 1: a is a decimal, the list holds ints
  kInEventSet,   // a (string) in b (an event's set<string>)
  kMatches,      // a matches regexes[c]
  kLower, kUpper, kLen, kContains, kStartsWith, kEndsWith,
  kAbsI64, kAbsDec, kAbsF64,
  kMinI64, kMaxI64, kMinDec, kMaxDec, kMinF64, kMaxF64, kMinStr, kMaxStr,
  kHour,         // c = zone index + 1, 0 for UTC
  kWeekday,
  kDaysBetween,
  kCoalesce,     // a if present, else b
  kSha256,       // lowercase hex of SHA-256
  kBoolToInt,    // to_int(a): 1 for true, 0 for false
};

enum class CmpOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

// `a op b`, for the evaluator and for the rule index's class tables.
template <typename T>
inline __attribute__((always_inline)) bool Compare(CmpOp op, const T& a, const T& b) {
  switch (op) {
    case CmpOp::kEq: return a == b;
    case CmpOp::kNe: return a != b;
    case CmpOp::kLt: return a < b;
    case CmpOp::kLe: return a <= b;
    case CmpOp::kGt: return a > b;
    case CmpOp::kGe: return a >= b;
  }
  return false;
}

// Whether a node yields a bool that the evaluator computes as a truth value
// (Evaluator::Truth) rather than as a Value.
inline bool IsPredicate(OpCode op) {
  switch (op) {
    case OpCode::kAnd: case OpCode::kOr: case OpCode::kNot: case OpCode::kIsMissing:
    case OpCode::kIsPresent: case OpCode::kCmpI64: case OpCode::kCmpDec: case OpCode::kCmpF64:
    case OpCode::kCmpStr: case OpCode::kCmpBool: case OpCode::kCmpI64Field:
    case OpCode::kCmpStrField: case OpCode::kCmpStrFields: case OpCode::kInSetI64:
    case OpCode::kInSetStr: case OpCode::kInSetI64Field: case OpCode::kInSetStrField:
    case OpCode::kInHashedSet: case OpCode::kInExternalSet:
    case OpCode::kInEventSet: case OpCode::kMatches: case OpCode::kContains:
    case OpCode::kStartsWith: case OpCode::kEndsWith:
      return true;
    default:
      return false;
  }
}

struct Node {
  OpCode op = OpCode::kConst;
  CmpOp cmp = CmpOp::kEq;
  uint32_t a = 0;
  uint32_t b = 0;
  uint32_t c = 0;
  eval::Value k;  // kConst
};

// Operands of a node: 0, 1 (a), 2 (a, b), or -1 for n-ary (child_lists[a .. a+b)).
inline int OperandCount(OpCode op) {
  switch (op) {
    case OpCode::kConst:
    case OpCode::kField:
    case OpCode::kLet:
    case OpCode::kAggregate:
    case OpCode::kCmpI64Field:
    case OpCode::kCmpStrField:
    case OpCode::kCmpStrFields:
    case OpCode::kInSetI64Field:
    case OpCode::kInSetStrField:
      return 0;
    case OpCode::kAnd:
    case OpCode::kOr:
      return -1;  // n-ary: child_lists[a .. a+b)
    case OpCode::kNot: case OpCode::kIsMissing: case OpCode::kIsPresent:
    case OpCode::kNegI64: case OpCode::kNegDec: case OpCode::kNegF64:
    case OpCode::kIntToDec: case OpCode::kIntToF64: case OpCode::kDecToF64:
    case OpCode::kInSetI64: case OpCode::kInSetStr: case OpCode::kMatches:
    case OpCode::kInHashedSet: case OpCode::kInExternalSet:
    case OpCode::kLower: case OpCode::kUpper: case OpCode::kLen:
    case OpCode::kAbsI64: case OpCode::kAbsDec: case OpCode::kAbsF64:
    case OpCode::kHour: case OpCode::kWeekday: case OpCode::kSha256:
    case OpCode::kBoolToInt:
      return 1;
    default:
      return 2;
  }
}


}  // namespace vigil::plan
