// Expression typing: names, operators, built-in functions. Each expression's
// type is stored in ast::Expr::checked for the planner.
#include <re2/re2.h>

#include "base/limits.hpp"
#include "base/tz.hpp"
#include "sema/checker_impl.hpp"
#include "sema/suggest.hpp"

namespace vigil::sema {

namespace {

const Type kBool = Type::Scalar(Kind::kBool);
const Type kInt = Type::Scalar(Kind::kInt);
const Type kString = Type::Scalar(Kind::kString);
const Type kTime = Type::Scalar(Kind::kTime);
const Type kDuration = Type::Scalar(Kind::kDuration);
const Type kError = Type{};

// int op decimal → decimal; anything op float → float.
std::optional<Type> PromoteNumeric(Type a, Type b) {
  if (!a.numeric() || !b.numeric()) return std::nullopt;
  if (a.kind == Kind::kFloat || b.kind == Kind::kFloat) return Type::Scalar(Kind::kFloat);
  if (a.kind == Kind::kDecimal || b.kind == Kind::kDecimal) return Type::Scalar(Kind::kDecimal);
  return kInt;
}

// The common type of two operands that must be alike (comparisons, min, coalesce).
std::optional<Type> Unify(Type a, Type b) {
  if (a == b && !a.is_set) return a;
  return PromoteNumeric(a, b);
}

struct BuiltinSpec {
  const char* name;
  Builtin id;
};

const BuiltinSpec kBuiltins[] = {
    {"lower", Builtin::kLower},       {"upper", Builtin::kUpper},
    {"len", Builtin::kLen},           {"contains", Builtin::kContains},
    {"starts_with", Builtin::kStartsWith}, {"ends_with", Builtin::kEndsWith},
    {"abs", Builtin::kAbs},           {"min", Builtin::kMin},
    {"max", Builtin::kMax},           {"hour", Builtin::kHour},
    {"weekday", Builtin::kWeekday},   {"days_between", Builtin::kDaysBetween},
    {"coalesce", Builtin::kCoalesce}, {"sha256", Builtin::kSha256},
    {"to_int", Builtin::kToInt},
};

const char* const kAggregates[] = {"count",  "sum",        "avg",           "min", "max",
                                   "distinct", "median", "percentile", "since_previous"};

}  // namespace

Type Checker::CheckCondition(ast::Expr& e, const char* what) {
  Type t = CheckExpr(e);
  if (t.ok() && t != kBool) {
    Error(DiagCode::kNotBool, e.range,
          fmt::format("{} must be a bool, but this is {}", what, TypeName(t)),
          t.kind == Kind::kString || t.numeric() ? "compare it, for example: x > 0 or x == \"a\""
                                                 : std::string());
    return kError;
  }
  return t;
}

Type Checker::CheckExpr(ast::Expr& e) {
  Type t = kError;
  switch (e.kind) {
    case ast::ExprKind::kLiteral:
      switch (e.literal.kind) {
        case ast::LiteralKind::kBool: t = kBool; break;
        case ast::LiteralKind::kInt: t = kInt; break;
        case ast::LiteralKind::kDecimal: t = Type::Scalar(Kind::kDecimal); break;
        case ast::LiteralKind::kFloat: t = Type::Scalar(Kind::kFloat); break;
        case ast::LiteralKind::kString: t = kString; break;
        case ast::LiteralKind::kTime: t = kTime; break;
        case ast::LiteralKind::kDuration: t = kDuration; break;
      }
      break;
    case ast::ExprKind::kName:
      t = CheckName(e);
      break;
    case ast::ExprKind::kCall:
      t = CheckCall(e);
      break;
    case ast::ExprKind::kUnary: {
      Type x = CheckExpr(*e.operands[0]);
      switch (e.op) {
        case ast::Op::kNot:
          if (x.ok() && x != kBool) {
            Error(DiagCode::kTypeMismatch, e.operands[0]->range,
                  fmt::format("'not' needs a bool, but this is {}", TypeName(x)));
          } else {
            t = kBool;
          }
          break;
        case ast::Op::kIsMissing:
        case ast::Op::kIsPresent:
          t = kBool;
          break;
        default:  // kNeg
          if (x.ok() && !x.numeric() && x != kDuration) {
            Error(DiagCode::kTypeMismatch, e.op_range,
                  fmt::format("cannot negate a {}", TypeName(x)));
          } else {
            t = x;
          }
          break;
      }
      break;
    }
    case ast::ExprKind::kBinary:
      t = CheckBinary(e);
      break;
    case ast::ExprKind::kLogical: {
      bool ok = true;
      for (auto& op : e.operands) {
        Type x = CheckExpr(*op);
        if (x.ok() && x != kBool) {
          Error(DiagCode::kTypeMismatch, op->range,
                fmt::format("'{}' needs bool operands, but this is {}", ast::OpText(e.op),
                            TypeName(x)));
          ok = false;
        }
      }
      t = ok ? kBool : kError;
      break;
    }
    case ast::ExprKind::kSet: {
      std::optional<ConstValue> v = EvalConst(e, "a set element");
      if (v) {
        if (v->type.kind == Kind::kError) {
          Error(DiagCode::kNotConstant, e.range, "an empty set has no element type",
                "declare a list instead: list NAME: set<string> = {}");
        } else {
          t = v->type;
          e.checked.ref_kind = static_cast<uint8_t>(RefKind::kConst);
          e.checked.ref_index = AddSetLiteral(std::move(*v));
        }
      }
      break;
    }
    case ast::ExprKind::kTuple:
      Error(DiagCode::kTypeMismatch, e.range, "a tuple is only allowed as an aggregate key (by:)");
      break;
  }
  e.checked.type = t.Encode();
  return t;
}

Type Checker::CheckName(ast::Expr& e) {
  auto it = symbols_.find(e.name.text);
  if (it == symbols_.end()) {
    std::string help = SuggestionHelp(e.name.text, ValueNames());
    if (help.empty() && used_schema_ == nullptr) {
      for (const auto* s : schemas_) {
        for (const auto& f : s->fields) {
          if (f.name.text == e.name.text) {
            help = fmt::format("'{}' is a field of schema '{}': add `uses schema {}`",
                               e.name.text, s->name.text, s->name.text);
          }
        }
      }
    }
    Error(DiagCode::kUnknownName, e.name.range, fmt::format("unknown name '{}'", e.name.text),
          help);
    return kError;
  }
  const Symbol& sym = it->second;
  e.checked.ref_kind = static_cast<uint8_t>(sym.kind);
  e.checked.ref_index = sym.index;
  switch (sym.kind) {
    case RefKind::kField:
      return module_.schema.fields[sym.index].type;
    case RefKind::kConst:
      CheckConst(sym.index);
      module_.consts[sym.index].used = true;
      return module_.consts[sym.index].value.type;
    case RefKind::kParam:
      if (sym.index >= module_.params.size()) return kError;
      module_.params[sym.index].used = true;
      return module_.params[sym.index].value.type;
    case RefKind::kLet:
      CheckLet(sym.index);
      module_.lets[sym.index].used = true;
      return module_.lets[sym.index].type;
    case RefKind::kList:
      module_.lists[sym.index].used = true;
      return module_.lists[sym.index].value.type;
    default:
      return kError;
  }
}

// Compiles a `matches` pattern once per distinct text, within a budget: RE2
// matches in linear time, but its compile time and the work of each match
// grow with the compiled program, which a short pattern can make huge
// (`\pL{100}` is 119,000 instructions, ~120 ms to compile). RE2's memory
// budget (its default, 8 MiB) stops a compile early above about 170,000
// instructions; the program's size is then checked against the limits.
std::optional<uint32_t> Checker::CompileRegex(const std::string& text, SourceRange range) {
  auto known = regex_by_pattern_.find(text);
  if (known != regex_by_pattern_.end()) return known->second;
  if (diags_.saturated()) return std::nullopt;  // nothing more will be reported: spend no time
  // Once the total is spent (and reported), later patterns are not compiled.
  if (regex_budget_spent_) return std::nullopt;
  constexpr const char* kLargeHelp =
      "Unicode classes such as \\pL hold thousands of characters: repeat them less, or use "
      "ASCII classes such as [A-Za-z]";
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(text, options);
  const size_t size = re->ok() ? static_cast<size_t>(re->ProgramSize()) : 0;
  if (re->error_code() == RE2::ErrorPatternTooLarge || size > limits::kMaxRegexProgram) {
    Error(DiagCode::kRegexTooLarge, range,
          re->ok() ? fmt::format("regular expression is too large: it compiles to {} "
                                 "instructions (the limit is {})",
                                 size, limits::kMaxRegexProgram)
                   : fmt::format("regular expression is too large: it compiles to more than {} "
                                 "instructions",
                                 limits::kMaxRegexProgram),
          kLargeHelp);
    return std::nullopt;
  }
  if (!re->ok()) {
    Error(DiagCode::kBadRegex, range, fmt::format("invalid regular expression: {}", re->error()),
          "patterns use RE2 syntax (no backreferences or lookaround)");
    return std::nullopt;
  }
  regex_program_total_ += size;
  if (regex_program_total_ > limits::kMaxRegexProgramTotal) {
    Error(DiagCode::kRegexTooLarge, range,
          fmt::format("with this pattern, the regular expressions compile to {} instructions in "
                      "all (the limit is {}); the patterns after it are not compiled",
                      regex_program_total_, limits::kMaxRegexProgramTotal),
          kLargeHelp);
    regex_budget_spent_ = true;
    return std::nullopt;
  }
  const auto index = static_cast<uint32_t>(module_.regexes.size());
  module_.regexes.push_back(std::move(re));
  regex_by_pattern_.emplace(text, index);
  return index;
}

Type Checker::CheckBinary(ast::Expr& e) {
  Type a = CheckExpr(*e.operands[0]);
  if (e.op == ast::Op::kIn || e.op == ast::Op::kNotIn) return CheckIn(e, a);
  if (e.op == ast::Op::kMatches) {
    ast::Expr& pattern = *e.operands[1];
    if (a.ok() && a != kString) {
      Error(DiagCode::kTypeMismatch, e.operands[0]->range,
            fmt::format("'matches' needs a string on its left, but this is {}", TypeName(a)));
    }
    std::optional<ConstValue> p = EvalConst(pattern, "a regular expression");
    if (!p) return kError;
    if (p->type != kString) {
      Error(DiagCode::kTypeMismatch, pattern.range,
            fmt::format("a regular expression must be a string, not {}", TypeName(p->type)));
      return kError;
    }
    pattern.checked.type = kString.Encode();
    std::optional<uint32_t> regex = CompileRegex(std::string(p->scalar.str()), pattern.range);
    if (!regex) return kError;
    e.checked.ref_kind = static_cast<uint8_t>(RefKind::kRegex);
    e.checked.ref_index = *regex;
    return a.ok() ? kBool : kError;
  }
  Type b = CheckExpr(*e.operands[1]);
  if (!a.ok() || !b.ok()) return kError;
  auto mismatch = [&](const char* hint = "") {
    Error(DiagCode::kTypeMismatch, e.op_range,
          fmt::format("'{}' cannot combine {} and {}", ast::OpText(e.op), TypeName(a),
                      TypeName(b)),
          hint);
    return kError;
  };
  switch (e.op) {
    case ast::Op::kEq:
    case ast::Op::kNe: {
      std::optional<Type> u = Unify(a, b);
      if (!u) {
        return mismatch(a.kind == Kind::kString || b.kind == Kind::kString
                            ? "compare values of one type; quote numbers only if the field is a "
                              "string"
                            : "");
      }
      return kBool;
    }
    case ast::Op::kLt:
    case ast::Op::kLe:
    case ast::Op::kGt:
    case ast::Op::kGe: {
      std::optional<Type> u = Unify(a, b);
      if (!u || u->kind == Kind::kBool) return mismatch();
      return kBool;
    }
    case ast::Op::kAdd:
    case ast::Op::kSub: {
      if (auto n = PromoteNumeric(a, b)) return *n;
      if (a == kTime && b == kDuration) return kTime;
      if (e.op == ast::Op::kAdd && a == kDuration && b == kTime) return kTime;
      if (e.op == ast::Op::kSub && a == kTime && b == kTime) return kDuration;
      if (a == kDuration && b == kDuration) return kDuration;
      return mismatch();
    }
    case ast::Op::kMul:
    case ast::Op::kDiv:
    case ast::Op::kMod: {
      if (auto n = PromoteNumeric(a, b)) return *n;
      if (e.op != ast::Op::kMod && a == kDuration && b == kInt) return kDuration;
      if (e.op == ast::Op::kMul && a == kInt && b == kDuration) return kDuration;
      return mismatch();
    }
    default:
      return mismatch();
  }
}

Type Checker::CheckIn(ast::Expr& e, Type lhs) {
  ast::Expr& rhs = *e.operands[1];
  Type set = CheckExpr(rhs);
  if (!lhs.ok() || !set.ok()) return kError;
  if (!set.is_set) {
    Error(DiagCode::kTypeMismatch, rhs.range,
          fmt::format("'{}' needs a set on its right, but this is {}", ast::OpText(e.op),
                      TypeName(set)),
          set == kString ? "to test for a substring use contains(s, sub)" : "");
    return kError;
  }
  Type elem = Type::Scalar(set.kind);
  bool ok = lhs == elem || (lhs.numeric() && elem.numeric() && lhs.kind != Kind::kFloat);
  if (!ok) {
    Error(DiagCode::kTypeMismatch, e.op_range,
          fmt::format("cannot look for a {} in a {}", TypeName(lhs), TypeName(set)));
    return kError;
  }
  bool constant_set = rhs.kind == ast::ExprKind::kSet ||
                      (rhs.kind == ast::ExprKind::kName &&
                       static_cast<RefKind>(rhs.checked.ref_kind) != RefKind::kField);
  if (!constant_set && lhs != kString) {
    Error(DiagCode::kTypeMismatch, e.op_range, "only strings can be looked up in an event's set");
    return kError;
  }
  return kBool;
}

Type Checker::CheckCall(ast::Expr& e) {
  if (IsAggregateCall(e)) return CheckAggregate(e);
  const BuiltinSpec* spec = nullptr;
  for (const auto& b : kBuiltins) {
    if (e.name.text == b.name) spec = &b;
  }
  if (spec == nullptr) {
    std::vector<std::string> names;
    for (const auto& b : kBuiltins) names.emplace_back(b.name);
    for (const char* a : kAggregates) names.emplace_back(a);
    // No close match: list the functions there are, so that the author
    // does not have to look them up.
    std::string help = SuggestionHelp(e.name.text, names);
    if (help.empty()) {
      std::sort(names.begin(), names.end());
      names.erase(std::unique(names.begin(), names.end()), names.end());  // min, max: both kinds
      help = "functions are";
      for (size_t i = 0; i < names.size(); ++i) help += (i == 0 ? " " : ", ") + names[i];
    }
    Error(DiagCode::kUnknownFunction, e.name.range,
          fmt::format("unknown function '{}'", e.name.text), help);
    for (auto& a : e.args) CheckExpr(*a.value);
    return kError;
  }
  e.checked.ref_kind = static_cast<uint8_t>(RefKind::kFunction);
  e.checked.ref_index = static_cast<uint32_t>(spec->id);
  for (const auto& a : e.args) {
    if (a.name) {
      Error(DiagCode::kUnknownArgument, a.name->range,
            fmt::format("'{}' takes no named arguments", e.name.text));
      return kError;
    }
  }
  std::vector<Type> args;
  bool ok = true;
  for (auto& a : e.args) {
    args.push_back(CheckExpr(*a.value));
    ok = ok && args.back().ok();
  }
  auto bad = [&](const char* signature) {
    std::string got;
    for (size_t i = 0; i < args.size(); ++i) got += (i ? ", " : "") + TypeName(args[i]);
    Error(DiagCode::kBadArguments, e.range,
          fmt::format("{}() takes ({}), but was given ({})", e.name.text, signature, got));
    return kError;
  };
  if (!ok) return kError;
  auto all = [&](std::initializer_list<Type> want) {
    if (args.size() != want.size()) return false;
    size_t i = 0;
    for (Type w : want) {
      if (args[i++] != w) return false;
    }
    return true;
  };
  switch (spec->id) {
    case Builtin::kLower:
    case Builtin::kUpper:
    case Builtin::kSha256:
      return all({kString}) ? kString : bad("string");
    case Builtin::kToInt:  // 1 for true, 0 for false: weights of indicators
      return all({kBool}) ? kInt : bad("bool");
    case Builtin::kLen:
      return all({kString}) ? kInt : bad("string");
    case Builtin::kContains:
    case Builtin::kStartsWith:
    case Builtin::kEndsWith:
      return all({kString, kString}) ? kBool : bad("string, string");
    case Builtin::kAbs:
      if (args.size() == 1 && (args[0].numeric() || args[0] == kDuration)) return args[0];
      return bad("a number or duration");
    case Builtin::kMin:
    case Builtin::kMax:
    case Builtin::kCoalesce: {
      if (args.size() == 2) {
        std::optional<Type> u = Unify(args[0], args[1]);
        bool orderable = u && u->kind != Kind::kBool;
        if (u && (orderable || spec->id == Builtin::kCoalesce)) return *u;
      }
      return bad("a, b of one type");
    }
    case Builtin::kHour:
    case Builtin::kWeekday: {
      if (all({kTime})) return kInt;
      if (!all({kTime, kString})) return bad("time[, \"Area/City\"]");
      std::optional<ConstValue> zone = EvalConst(*e.args[1].value, "a time zone name");
      if (!zone) return kError;
      std::string error;
      auto tz = TimeZone::Load(zone->scalar.str(), &error);
      if (!tz) {
        Error(DiagCode::kBadArguments, e.args[1].value->range,
              fmt::format("unknown time zone '{}': {}", zone->scalar.str(), error),
              "use an IANA name such as \"Pacific/Auckland\"");
        return kError;
      }
      e.args[1].value->checked.ref_index = static_cast<uint32_t>(module_.zones.size() + 1);
      module_.zones.push_back(std::move(tz));
      return kInt;
    }
    case Builtin::kDaysBetween:
      return all({kTime, kTime}) ? kInt : bad("time, time");
  }
  return kError;
}

bool Checker::ReadsPii(const ast::Expr& e) {
  if (e.kind == ast::ExprKind::kName) {
    auto kind = static_cast<RefKind>(e.checked.ref_kind);
    if (kind == RefKind::kField) return module_.schema.fields[e.checked.ref_index].pii;
    if (kind == RefKind::kLet) return module_.lets[e.checked.ref_index].reads_pii;
    return false;
  }
  if (e.kind == ast::ExprKind::kCall &&
      static_cast<RefKind>(e.checked.ref_kind) == RefKind::kAggregate) {
    // The `by:` key and `where:` only choose which events count: a count
    // grouped by a @pii key is not personal data. Only a sum, average,
    // minimum or maximum of a @pii value is.
    const AggregateInfo& agg = module_.aggregates[e.checked.ref_index];
    return AggregateRevealsValue(agg.kind) && agg.value != nullptr && ReadsPii(*agg.value);
  }
  for (const auto& op : e.operands) {
    if (ReadsPii(*op)) return true;
  }
  for (const auto& a : e.args) {
    if (ReadsPii(*a.value)) return true;
  }
  return false;
}

}  // namespace vigil::sema
