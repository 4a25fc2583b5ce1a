#include "eval/evaluator.hpp"

#include <re2/re2.h>
#include <sodium.h>

#include <cmath>

#include "base/text.hpp"
#include "base/time_util.hpp"
#include "base/utf8.hpp"

namespace vigil::eval {

using plan::CmpOp;
using plan::OpCode;

namespace {

template <typename T>
bool Compare(CmpOp op, T a, T b) {
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

// Float results that are not finite numbers (÷0, overflow) are missing, like
// integer overflow: a rule never compares against inf or NaN.
Value FloatResult(double v) { return std::isfinite(v) ? Value::Float(v) : Value::Missing(); }

Value DecResult(bool ok, Decimal d) { return ok ? Value::Dec(d) : Value::Missing(); }

}  // namespace

Value Evaluator::EvalLet(uint32_t let) {
  if (let_epoch_[let] == epoch_) return let_values_[let];
  Value v = Eval(p_.lets[let]);
  let_values_[let] = v;
  let_epoch_[let] = epoch_;
  return v;
}

Value Evaluator::Logical(const plan::Node& n, bool is_and) {
  // Three-valued: for `and`, false wins over unknown; for `or`, true wins.
  bool unknown = false;
  const uint32_t* kids = p_.child_lists.data() + n.a;
  for (uint32_t i = 0; i < n.b; ++i) {
    Value v = Eval(kids[i]);
    if (!v.present) {
      unknown = true;
    } else if (v.b != is_and) {
      return Value::Bool(!is_and);
    }
  }
  return unknown ? Value::Missing() : Value::Bool(is_and);
}

Value Evaluator::Eval(uint32_t index) {
  const plan::Node& n = nodes_[index];
  switch (n.op) {
    case OpCode::kConst:
      return n.k;
    case OpCode::kField:
      return fields_[n.c];
    case OpCode::kLet:
      return EvalLet(n.c);
    case OpCode::kAnd:
      return Logical(n, true);
    case OpCode::kOr:
      return Logical(n, false);
    case OpCode::kNot: {
      Value v = Eval(n.a);
      return v.present ? Value::Bool(!v.b) : v;
    }
    case OpCode::kIsMissing:
      return Value::Bool(!Eval(n.a).present);
    case OpCode::kIsPresent:
      return Value::Bool(Eval(n.a).present);
    default:
      break;
  }

  // Every other operator is strict: a missing operand makes the result missing.
  Value a = Eval(n.a);
  if (n.op == OpCode::kCoalesce) return a.present ? a : Eval(n.b);
  if (!a.present) return a;
  int arity = plan::OperandCount(n.op);
  Value b;
  if (arity == 2) {
    b = Eval(n.b);
    if (!b.present) return b;
  }
  int64_t r = 0;
  Decimal d;
  switch (n.op) {
    case OpCode::kCmpI64:
      return Value::Bool(Compare(n.cmp, a.i, b.i));
    case OpCode::kCmpDec:
      return Value::Bool(Compare(n.cmp, a.i, b.i));  // units; the scale does not matter
    case OpCode::kCmpF64:
      return Value::Bool(Compare(n.cmp, a.f, b.f));
    case OpCode::kCmpStr:
      return Value::Bool(Compare(n.cmp, a.str(), b.str()));
    case OpCode::kCmpBool:
      return Value::Bool(Compare(n.cmp, a.b, b.b));

    case OpCode::kAddI64:
      return __builtin_add_overflow(a.i, b.i, &r) ? Value::Missing() : Value::Int(r);
    case OpCode::kSubI64:
      return __builtin_sub_overflow(a.i, b.i, &r) ? Value::Missing() : Value::Int(r);
    case OpCode::kMulI64:
      return __builtin_mul_overflow(a.i, b.i, &r) ? Value::Missing() : Value::Int(r);
    case OpCode::kDivI64:
      if (b.i == 0 || (a.i == INT64_MIN && b.i == -1)) return Value::Missing();
      return Value::Int(a.i / b.i);
    case OpCode::kModI64:
      if (b.i == 0 || (a.i == INT64_MIN && b.i == -1)) return Value::Missing();
      return Value::Int(a.i % b.i);
    case OpCode::kNegI64:
      return a.i == INT64_MIN ? Value::Missing() : Value::Int(-a.i);

    case OpCode::kAddDec:
      return DecResult(DecimalAdd(a.dec(), b.dec(), &d), d);
    case OpCode::kSubDec:
      return DecResult(DecimalSub(a.dec(), b.dec(), &d), d);
    case OpCode::kMulDec:
      return DecResult(DecimalMul(a.dec(), b.dec(), &d), d);
    case OpCode::kDivDec:
      return DecResult(DecimalDiv(a.dec(), b.dec(), &d), d);
    case OpCode::kModDec:
      return DecResult(DecimalMod(a.dec(), b.dec(), &d), d);
    case OpCode::kNegDec:
      return DecResult(DecimalNeg(a.dec(), &d), d);

    case OpCode::kAddF64:
      return FloatResult(a.f + b.f);
    case OpCode::kSubF64:
      return FloatResult(a.f - b.f);
    case OpCode::kMulF64:
      return FloatResult(a.f * b.f);
    case OpCode::kDivF64:
      return b.f == 0 ? Value::Missing() : FloatResult(a.f / b.f);
    case OpCode::kModF64:
      return b.f == 0 ? Value::Missing() : FloatResult(std::fmod(a.f, b.f));
    case OpCode::kNegF64:
      return Value::Float(-a.f);

    case OpCode::kIntToDec: {
      std::optional<Decimal> x = DecimalFromInt(a.i);
      return x ? Value::Dec(*x) : Value::Missing();
    }
    case OpCode::kIntToF64:
      return Value::Float(static_cast<double>(a.i));
    case OpCode::kDecToF64:
      return Value::Float(DecimalToDouble(a.dec()));

    case OpCode::kInSetI64:
      return Value::Bool(p_.int_sets[n.c].Contains(a.i));
    case OpCode::kInSetStr:
      return Value::Bool(p_.str_sets[n.c].Contains(a.str()));
    case OpCode::kInEventSet: {
      const StrView* items = b.set_items();
      for (uint32_t i = 0; i < b.set_size(); ++i) {
        if (items[i].view() == a.str()) return Value::Bool(true);
      }
      return Value::Bool(false);
    }
    case OpCode::kMatches: {
      std::string_view s = a.str();
      return Value::Bool(RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), *p_.regexes[n.c]));
    }

    case OpCode::kLower:
    case OpCode::kUpper: {
      std::string_view s = a.str();
      char* out = scratch_.Allocate(s.size() + 1);
      size_t len = n.op == OpCode::kLower ? text::LowerInto(s, out) : text::UpperInto(s, out);
      return Value::Str(std::string_view(out, len));
    }
    case OpCode::kLen:
      return Value::Int(static_cast<int64_t>(utf8::CountCodePoints(a.str())));
    case OpCode::kContains:
      return Value::Bool(a.str().find(b.str()) != std::string_view::npos);
    case OpCode::kStartsWith:
      return Value::Bool(a.str().starts_with(b.str()));
    case OpCode::kEndsWith:
      return Value::Bool(a.str().ends_with(b.str()));
    case OpCode::kSha256: {
      unsigned char digest[crypto_hash_sha256_BYTES];
      std::string_view s = a.str();
      crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(s.data()), s.size());
      char* out = scratch_.Allocate(2 * sizeof(digest) + 1);
      static const char kHex[] = "0123456789abcdef";
      for (size_t i = 0; i < sizeof(digest); ++i) {
        out[2 * i] = kHex[digest[i] >> 4];
        out[2 * i + 1] = kHex[digest[i] & 15];
      }
      return Value::Str(std::string_view(out, 2 * sizeof(digest)));
    }

    case OpCode::kAbsI64:
      return a.i == INT64_MIN ? Value::Missing() : Value::Int(a.i < 0 ? -a.i : a.i);
    case OpCode::kAbsDec:
      if (a.i >= 0) return a;
      return DecResult(DecimalNeg(a.dec(), &d), d);
    case OpCode::kAbsF64:
      return Value::Float(std::fabs(a.f));
    case OpCode::kMinI64:
    case OpCode::kMinDec:
      return b.i < a.i ? b : a;
    case OpCode::kMaxI64:
    case OpCode::kMaxDec:
      return b.i > a.i ? b : a;
    case OpCode::kMinF64:
      return b.f < a.f ? b : a;
    case OpCode::kMaxF64:
      return b.f > a.f ? b : a;
    case OpCode::kMinStr:
      return b.str() < a.str() ? b : a;
    case OpCode::kMaxStr:
      return b.str() > a.str() ? b : a;

    case OpCode::kHour:
    case OpCode::kWeekday: {
      int64_t offset = n.c == 0 ? 0 : p_.zones[n.c - 1]->OffsetSeconds(a.i);
      return Value::Int(n.op == OpCode::kHour ? HourOf(a.i, offset) : WeekdayOf(a.i, offset));
    }
    case OpCode::kDaysBetween:
      return Value::Int(DaysBetween(a.i, b.i));
    default:
      return Value::Missing();
  }
}

Value EvalConstantNode(const Program& program, uint32_t index) {
  // Folded string results are copied into the program by the planner, so the
  // arena may die with this call.
  thread_local Arena arena;
  arena.Reset();
  Evaluator ev(program, nullptr, nullptr, nullptr, 0, arena);
  return ev.Eval(index);
}

}  // namespace vigil::eval
