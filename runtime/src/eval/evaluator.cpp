#include "eval/evaluator.hpp"

#include <re2/re2.h>
#include <sodium.h>

#include <cmath>
#include <cstring>

#include "base/bytes.hpp"
#include "base/list_hash.hpp"
#include "base/text.hpp"
#include "base/time_util.hpp"
#include "base/utf8.hpp"

namespace vigil::eval {

using plan::CmpOp;
using plan::Compare;
using plan::OpCode;
using detail::CompareStr;

namespace {

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

namespace {

inline Evaluator::Truth T(bool b) { return b ? Evaluator::kTrue : Evaluator::kFalse; }

}  // namespace

inline __attribute__((always_inline)) Evaluator::Truth Evaluator::Logical(const plan::Node& n,
                                                                    bool is_and) {
  // Three-valued: for `and`, false wins over unknown; for `or`, true wins.
  bool unknown = false;
  const Truth decisive = is_and ? kFalse : kTrue;
  const uint32_t* kids = p_.child_lists.data() + n.a;
  for (uint32_t i = 0; i < n.b; ++i) {
    int fused = Fused(nodes_[kids[i]]);
    Truth t = fused != kNotFused ? static_cast<Truth>(fused) : EvalTruth(kids[i]);
    if (t == decisive) return decisive;
    unknown |= t == kUnknown;
  }
  return unknown ? kUnknown : (is_and ? kTrue : kFalse);
}

bool Evaluator::AllTrue(const uint32_t* nodes, uint32_t count) {
  for (uint32_t i = 0; i < count; ++i) {
    int fused = Fused(nodes_[nodes[i]]);
    Truth t = fused != kNotFused ? static_cast<Truth>(fused) : EvalTruth(nodes[i]);
    if (t != kTrue) return false;
  }
  return true;
}

Evaluator::Truth Evaluator::EvalTruth(uint32_t index) {
  const plan::Node& n = nodes_[index];
  int fused = Fused(n);
  if (fused != kNotFused) return static_cast<Truth>(fused);
  switch (n.op) {
    case OpCode::kAnd:
      return Logical(n, true);
    case OpCode::kOr:
      return Logical(n, false);
    default:
      return OtherTruth(n, index);
  }
}

// Predicates that are neither fused nor logical connectives.
Evaluator::Truth Evaluator::OtherTruth(const plan::Node& n, uint32_t index) {
  switch (n.op) {
    case OpCode::kNot: {
      Truth t = EvalTruth(n.a);
      return t == kUnknown ? t : T(t == kFalse);
    }
    case OpCode::kIsMissing:
      return T(!Operand(n.a).present);
    case OpCode::kIsPresent:
      return T(Operand(n.a).present);
    default:
      break;
  }
  if (plan::IsPredicate(n.op)) {
    // Strict binary and unary predicates over computed operands.
    Value a = Operand(n.a);
    if (!a.present) return kUnknown;
    switch (n.op) {
      case OpCode::kInSetI64:
        return T(p_.int_sets[n.c].Contains(a.i));
      case OpCode::kInSetStr:
        return T(p_.str_sets[n.c].Contains(a.str()));
      case OpCode::kInHashedSet:
        return InHashedSet(n, a);
      case OpCode::kInExternalSet:
        return InExternalSet(n, a);
      case OpCode::kMatches: {
        std::string_view s = a.str();
        return T(RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), *p_.regexes[n.c]));
      }
      default:
        break;
    }
    Value b = Operand(n.b);
    if (!b.present) return kUnknown;
    switch (n.op) {
      case OpCode::kCmpI64:
      case OpCode::kCmpDec:
        return T(Compare(n.cmp, a.i, b.i));  // decimal units; the scale does not matter
      case OpCode::kCmpF64:
        return T(Compare(n.cmp, a.f, b.f));
      case OpCode::kCmpStr:
        return T(CompareStr(n.cmp, a.str(), b.str()));
      case OpCode::kCmpBool:
        return T(Compare(n.cmp, a.b, b.b));
      case OpCode::kInEventSet: {
        const StrView* items = b.set_items();
        for (uint32_t i = 0; i < b.set_size(); ++i) {
          if (items[i].view() == a.str()) return kTrue;
        }
        return kFalse;
      }
      case OpCode::kContains:
        return T(a.str().find(b.str()) != std::string_view::npos);
      case OpCode::kStartsWith:
        return T(a.str().starts_with(b.str()));
      case OpCode::kEndsWith:
        return T(a.str().ends_with(b.str()));
      default:
        return kUnknown;
    }
  }
  // Bool-valued nodes that are not predicates: constants, fields, lets, coalesce.
  Value v = Eval(index);
  return v.present ? T(v.b) : kUnknown;
}

// A value's digest as a hashed list computes it: normalised into the
// per-event scratch arena, hashed on the stack into `hex`.
std::string_view Evaluator::DigestOf(const ListDigest& digest, std::string_view value,
                                     char* hex) {
  digest.Hex(value, scratch_.Allocate(value.size() + 1), hex);
  return std::string_view(hex, kDigestHexLen);
}

// Membership in a hashed list. Out of line, like every rarely used
// predicate, so that OtherTruth stays small for the common ones.
Evaluator::Truth Evaluator::InHashedSet(const plan::Node& n, const Value& a) {
  const HashedSet& h = p_.hashed_sets[n.c];
  char hex[kDigestHexLen];
  return T(h.digests.Contains(DigestOf(h.digest, a.str(), hex)));
}

// Membership in an external list, through this session's view of it (taken
// when the event began: Session::Begin).
Evaluator::Truth Evaluator::InExternalSet(const plan::Node& n, const Value& a) {
  const ExternalList& list = p_.external_lists[n.c];
  const ExternalSet* set = external_ ? external_[n.c].set.get() : nullptr;
  if (set == nullptr) return kUnknown;  // not supplied yet
  if (list.hashed) {
    char hex[kDigestHexLen];
    return T(set->strs.Contains(DigestOf(list.digest, a.str(), hex)));
  }
  if (list.kind == Kind::kString) return T(set->strs.Contains(a.str()));
  if (n.b == 1) {  // a decimal in a list of ints
    return T(a.i % kDecimalUnit == 0 && set->ints.Contains(a.i / kDecimalUnit));
  }
  return T(set->ints.Contains(a.i));
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
    case OpCode::kAggregate:
      return aggregates_ ? aggregates_[n.c] : Value::Missing();
    default:
      break;
  }
  if (plan::IsPredicate(n.op)) {
    Truth t = EvalTruth(index);
    return t == kUnknown ? Value::Missing() : Value::Bool(t == kTrue);
  }
  return EvalOther(n);
}

// Everything but the hottest opcodes; kept out of Eval so that Eval's own
// stack frame stays small for the cases most events hit.
Value Evaluator::EvalOther(const plan::Node& n) {
  // Every operator here is strict: a missing operand makes the result missing.
  Value a = Operand(n.a);
  if (n.op == OpCode::kCoalesce) return a.present ? a : Operand(n.b);
  if (!a.present) return a;
  int arity = plan::OperandCount(n.op);
  Value b;
  if (arity == 2) {
    b = Operand(n.b);
    if (!b.present) return b;
  }
  int64_t r = 0;
  Decimal d;
  switch (n.op) {

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


    case OpCode::kLower:
    case OpCode::kUpper: {
      std::string_view s = a.str();
      char* out = scratch_.Allocate(s.size() + 1);
      size_t len = n.op == OpCode::kLower ? text::LowerInto(s, out) : text::UpperInto(s, out);
      return Value::Str(std::string_view(out, len));
    }
    case OpCode::kLen:
      return Value::Int(static_cast<int64_t>(utf8::CountCodePoints(a.str())));
    case OpCode::kBoolToInt:
      return Value::Int(a.b ? 1 : 0);
    case OpCode::kSha256: {
      unsigned char digest[crypto_hash_sha256_BYTES];
      std::string_view s = a.str();
      crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(s.data()), s.size());
      char* out = scratch_.Allocate(2 * sizeof(digest) + 1);
      text::HexInto(digest, sizeof(digest), out);
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
      int v = n.op == OpCode::kHour ? HourOf(a.i, offset) : WeekdayOf(a.i, offset);
      return v < 0 ? Value::Missing() : Value::Int(v);
    }
    // time ± duration: a time outside the range vigil holds is missing.
    case OpCode::kAddTime:
      return __builtin_add_overflow(a.i, b.i, &r) || !InTimeRange(r) ? Value::Missing()
                                                                      : Value::Int(r);
    case OpCode::kSubTime:
      return __builtin_sub_overflow(a.i, b.i, &r) || !InTimeRange(r) ? Value::Missing()
                                                                      : Value::Int(r);
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
