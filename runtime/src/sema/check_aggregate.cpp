// Windowed aggregates (LANGUAGE.md §5): count, sum, avg, min, max, distinct,
// and the baselines median, percentile and since_previous (docs/language.md),
// with by:, within: and optional where:, offset: and current:. Checks the arguments, types the
// result and gives each distinct aggregate a signature that identifies its
// state across rule set versions.
#include "eval/session.hpp"
#include "sema/checker_impl.hpp"

namespace vigil::sema {

namespace {

const Type kIntT = Type::Scalar(Kind::kInt);
const Type kDecimalT = Type::Scalar(Kind::kDecimal);
const Type kDurationT = Type::Scalar(Kind::kDuration);

struct AggSpec {
  const char* name;
  eval::AggKind kind;
};
const AggSpec kAggSpecs[] = {
    {"count", eval::AggKind::kCount}, {"sum", eval::AggKind::kSum},
    {"avg", eval::AggKind::kAvg},     {"min", eval::AggKind::kMin},
    {"max", eval::AggKind::kMax},     {"distinct", eval::AggKind::kDistinct},
    {"median", eval::AggKind::kMedian}, {"percentile", eval::AggKind::kPercentile},
    {"since_previous", eval::AggKind::kSincePrevious},
};

// The aggregate's type from its value's type, or nullopt when the value
// cannot be summarised that way.
std::optional<Type> ResultType(eval::AggKind kind, Type v) {
  if (v.is_set) return std::nullopt;
  switch (kind) {
    case eval::AggKind::kCount:
    case eval::AggKind::kDistinct:
      if (v.kind == Kind::kTuple || v.kind == Kind::kError) return std::nullopt;
      return kIntT;
    case eval::AggKind::kSum:
      if (v.numeric() || v == kDurationT) return v;
      return std::nullopt;
    case eval::AggKind::kAvg:
      if (v.kind == Kind::kInt) return kDecimalT;  // exact: 7 / 2 is 3.5
      if (v.numeric() || v == kDurationT) return v;
      return std::nullopt;
    case eval::AggKind::kMin:
    case eval::AggKind::kMax:
    case eval::AggKind::kPercentile:
      if (v.numeric() || v == kDurationT || v.kind == Kind::kTime) return v;
      return std::nullopt;
    case eval::AggKind::kMedian:  // the mean of the middle values, as avg types it
      if (v.kind == Kind::kInt) return kDecimalT;
      if (v.numeric() || v == kDurationT) return v;
      return std::nullopt;
    case eval::AggKind::kSincePrevious:
      return std::nullopt;  // takes no value
  }
  return std::nullopt;
}

}  // namespace

bool Checker::IsAggregateCall(const ast::Expr& e) {
  bool named = false;
  for (const auto& a : e.args) named = named || a.name.has_value();
  for (const auto& spec : kAggSpecs) {
    if (e.name.text != spec.name) continue;
    // min(a, b) and max(a, b) are also plain functions; named arguments
    // make them aggregates.
    return named || (spec.kind != eval::AggKind::kMin && spec.kind != eval::AggKind::kMax);
  }
  return false;
}

bool Checker::UsesAggregate(const ast::Expr& e) {
  auto kind = static_cast<RefKind>(e.checked.ref_kind);
  if (kind == RefKind::kAggregate) return true;
  if (e.kind == ast::ExprKind::kName && kind == RefKind::kLet) {
    const ast::Expr* let = module_.lets[e.checked.ref_index].expr;
    return let != nullptr && UsesAggregate(*let);
  }
  for (const auto& op : e.operands) {
    if (UsesAggregate(*op)) return true;
  }
  for (const auto& a : e.args) {
    if (UsesAggregate(*a.value)) return true;
  }
  return false;
}

// A canonical text of an expression with constants, params and lets
// replaced by what they stand for, so that the signature changes exactly when
// what the aggregate records changes (a member's override of a param in a
// `where:` is a different aggregate; reformatting the file is not).
std::string Checker::Canonical(const ast::Expr& e) {
  auto kind = static_cast<RefKind>(e.checked.ref_kind);
  std::string out;
  switch (e.kind) {
    case ast::ExprKind::kLiteral: {
      const SourceFile& f = sources_.file(e.range.file);
      return std::string(f.text().substr(e.range.begin, e.range.end - e.range.begin));
    }
    case ast::ExprKind::kName: {
      uint32_t i = e.checked.ref_index;
      auto value_text = [&](const ConstValue& v) {
        std::string s = TypeName(v.type) + ":";
        if (!v.type.is_set) {
          eval::FormatValue(v.scalar, v.type, s);
          return s;
        }
        for (int64_t x : v.ints) s += std::to_string(x) + ",";
        for (const std::string& x : v.strs) s += std::to_string(x.size()) + ":" + x + ",";
        return s;
      };
      if (kind == RefKind::kConst) return value_text(module_.consts[i].value);
      if (kind == RefKind::kParam) return value_text(module_.params[i].value);
      if (kind == RefKind::kList) return value_text(module_.lists[i].value);
      if (kind == RefKind::kLet && module_.lets[i].expr != nullptr) {
        return "(" + Canonical(*module_.lets[i].expr) + ")";
      }
      return "field:" + e.name.text;
    }
    case ast::ExprKind::kCall:
      out = e.name.text + "(";
      for (const auto& a : e.args) {
        if (a.name) out += a.name->text + ":";
        out += Canonical(*a.value) + ",";
      }
      return out + ")";
    case ast::ExprKind::kUnary:
      return std::string("(") + ast::OpText(e.op) + " " + Canonical(*e.operands[0]) + ")";
    case ast::ExprKind::kBinary:
    case ast::ExprKind::kLogical:
      out = "(";
      for (size_t k = 0; k < e.operands.size(); ++k) {
        if (k > 0) out += std::string(" ") + ast::OpText(e.op) + " ";
        out += Canonical(*e.operands[k]);
      }
      return out + ")";
    case ast::ExprKind::kSet:
    case ast::ExprKind::kTuple:
      if (kind == RefKind::kConst) {
        const ConstValue& v = module_.consts[e.checked.ref_index].value;
        out = "{";
        for (int64_t x : v.ints) out += std::to_string(x) + ",";
        for (const std::string& x : v.strs) out += std::to_string(x.size()) + ":" + x + ",";
        return out + "}";
      }
      out = "(";
      for (const auto& op : e.operands) out += Canonical(*op) + ",";
      return out + ")";
  }
  return out;
}

Type Checker::CheckAggregate(ast::Expr& e) {
  const Type error{};
  eval::AggKind kind = eval::AggKind::kCount;
  for (const auto& spec : kAggSpecs) {
    if (e.name.text == spec.name) kind = spec.kind;
  }
  const char* name = eval::AggKindName(kind);
  ast::Expr* value = nullptr;
  ast::Expr* by = nullptr;
  ast::Expr* within = nullptr;
  ast::Expr* where = nullptr;
  ast::Expr* offset = nullptr;
  ast::Expr* current = nullptr;
  ast::Expr* rank = nullptr;  // percentile's P
  const bool takes_value =
      kind != eval::AggKind::kCount && kind != eval::AggKind::kSincePrevious;
  bool ok = true;
  size_t positional = 0;
  for (auto& a : e.args) {
    if (!a.name) {
      const size_t at = positional++;
      if (!takes_value) {
        Error(DiagCode::kBadAggregate, a.value->range,
              fmt::format("{}() takes no value, only by:, within: and where:", name));
        ok = false;
        continue;
      }
      if (at == 1 && kind == eval::AggKind::kPercentile) {
        rank = a.value.get();
        continue;
      }
      if (at > 0) {
        Error(DiagCode::kBadAggregate, a.value->range,
              kind == eval::AggKind::kPercentile
                  ? std::string("percentile() takes a value and a percentage before by:")
                  : fmt::format("{}() takes one value before by:", name));
        ok = false;
        continue;
      }
      value = a.value.get();
      continue;
    }
    ast::Expr** slot = a.name->text == "by"       ? &by
                       : a.name->text == "within" ? &within
                       : a.name->text == "where"  ? &where
                       : a.name->text == "offset" ? &offset
                       : a.name->text == "current" ? &current
                                                  : nullptr;
    if (slot == nullptr) {
      Error(DiagCode::kUnknownArgument, a.name->range,
            fmt::format("{}() has no argument '{}'", name, a.name->text),
            "aggregates take by:, within: and optional where:, offset: and current:");
      ok = false;
      continue;
    }
    if (*slot != nullptr) {
      Error(DiagCode::kBadAggregate, a.name->range,
            fmt::format("'{}:' is given twice", a.name->text));
      ok = false;
      continue;
    }
    *slot = a.value.get();
  }
  if (!ok) return error;
  if (value == nullptr && takes_value) {
    Error(DiagCode::kBadAggregate, e.range, fmt::format("{}() needs a value to summarise", name),
          kind == eval::AggKind::kPercentile
              ? std::string("for example: percentile(amount, 90, by: card_id, within: 30d)")
              : fmt::format("for example: {}(amount, by: card_id, within: 24h)", name));
    return error;
  }
  if (kind == eval::AggKind::kPercentile && rank == nullptr) {
    Error(DiagCode::kBadAggregate, e.range,
          "percentile() needs a percentage after its value, from 0 to 100",
          "for example: percentile(amount, 90, by: card_id, within: 30d)");
    return error;
  }
  if (kind == eval::AggKind::kSincePrevious && (offset != nullptr || current != nullptr)) {
    Error(DiagCode::kBadAggregate, (offset != nullptr ? offset : current)->range,
          fmt::format("since_previous() takes no '{}:'", offset != nullptr ? "offset" : "current"),
          "it always measures from the current event back to the key's previous one");
    return error;
  }
  if (by == nullptr || within == nullptr) {
    Error(DiagCode::kBadAggregate, e.range,
          fmt::format("{}() needs {}", name,
                      by == nullptr && within == nullptr ? "by: and within:"
                      : by == nullptr                    ? "by:"
                                                         : "within:"),
          fmt::format("for example: count(by: card_id, within: 24h)"));
    return error;
  }
  AggregateInfo info;
  info.kind = kind;

  // by: a @key field or a tuple of them.
  std::vector<ast::Expr*> keys;
  if (by->kind == ast::ExprKind::kTuple) {
    for (auto& op : by->operands) keys.push_back(op.get());
  } else {
    keys.push_back(by);
  }
  for (ast::Expr* k : keys) {
    if (k->kind != ast::ExprKind::kName) {
      Error(DiagCode::kBadAggregate, k->range, "by: takes a field or a tuple of fields, (a, b)");
      return error;
    }
    Type kt = CheckExpr(*k);
    if (!kt.ok()) return error;
    if (static_cast<RefKind>(k->checked.ref_kind) != RefKind::kField) {
      Error(DiagCode::kBadAggregate, k->range,
            fmt::format("by: takes event fields, and '{}' is not a field", k->name.text));
      return error;
    }
    const eval::FieldInfo& field = module_.schema.fields[k->checked.ref_index];
    if (!field.key) {
      Error(DiagCode::kBadAggregate, k->range,
            fmt::format("'{}' is not a key field", field.name),
            fmt::format("mark it `@key` in schema {} to group events by it", module_.schema.name));
      return error;
    }
    if (field.type.is_set) {
      Error(DiagCode::kBadAggregate, k->range,
            fmt::format("'{}' is a set and cannot be a key", field.name));
      return error;
    }
    info.key_slots.push_back(k->checked.ref_index);
  }
  by->checked.type = Type::Scalar(Kind::kTuple).Encode();
  if (module_.schema.time_slot < 0) {
    Error(DiagCode::kBadAggregate, e.range,
          fmt::format("{}() needs the event's time, but schema {} has no `ts` or @time field",
                      name, module_.schema.name),
          "mark the time field with @time");
    return error;
  }

  // within: and offset: take a positive constant duration: a literal, a
  // const, or a param (so that members can tune windows in their override
  // files).
  auto window_duration = [&](ast::Expr* arg, const char* what) -> std::optional<int64_t> {
    std::optional<ConstValue> w;
    const ConstInfo* param = nullptr;
    auto sym = arg->kind == ast::ExprKind::kName ? symbols_.find(arg->name.text)
                                                 : symbols_.end();
    if (sym != symbols_.end() && sym->second.kind == RefKind::kParam) {
      if (!CheckExpr(*arg).ok()) return std::nullopt;
      param = &module_.params[sym->second.index];
      w = param->value;
    } else {
      const std::string label = std::string(what) + ":";
      w = EvalConst(*arg, label.c_str());
    }
    if (!w) return std::nullopt;
    if (w->type != kDurationT || w->scalar.i <= 0) {
      if (param != nullptr && param->overridden_at) {
        // The override made it wrong: say so where the override is.
        Error(DiagCode::kBadAggregate, *param->overridden_at,
              fmt::format("param '{}' is read by {}:, which takes a positive duration such as "
                          "24h or 7d",
                          param->name, what),
              fmt::format("it is read at {}", Where(arg->range)));
      } else {
        Error(DiagCode::kBadAggregate, arg->range,
              fmt::format("{}: takes a positive duration such as 24h or 7d", what));
      }
      return std::nullopt;
    }
    return w->scalar.i;
  };
  std::optional<int64_t> within_us = window_duration(within, "within");
  if (!within_us) return error;
  info.within_us = *within_us;
  if (offset != nullptr) {
    std::optional<int64_t> offset_us = window_duration(offset, "offset");
    if (!offset_us) return error;
    info.offset_us = *offset_us;
  }
  if (current != nullptr) {
    std::optional<ConstValue> c = EvalConst(*current, "current:");
    if (!c) return error;
    if (c->type != Type::Scalar(Kind::kBool)) {
      Error(DiagCode::kBadAggregate, current->range,
            fmt::format("current: takes true or false, not a {}", TypeName(c->type)),
            "current: false leaves the current event out of its own window");
      return error;
    }
    info.exclude_current = !c->scalar.b;
  }
  if (rank != nullptr) {
    std::optional<ConstValue> p = EvalConst(*rank, "percentile's percentage");
    if (!p) return error;
    int64_t units = -1;
    if (p->type == kIntT && p->scalar.i >= 0 && p->scalar.i <= 100) {
      units = p->scalar.i * 1000000;
    } else if (p->type == kDecimalT) {
      units = p->scalar.i;  // decimals are held in units of 10^-6
    }
    if (units < 0 || units > 100000000) {
      Error(DiagCode::kBadAggregate, rank->range,
            "percentile() takes a constant percentage from 0 to 100, such as 90 or 99.5");
      return error;
    }
    info.percentile = units;
  }

  if (where != nullptr) {
    if (!CheckCondition(*where, "where:").ok()) return error;
    if (UsesAggregate(*where)) {
      Error(DiagCode::kBadAggregate, where->range, "where: cannot contain another aggregate");
      return error;
    }
    info.where = where;
  }
  // count and distinct are ints; since_previous is a duration; the others
  // are typed from their value below.
  Type result = kind == eval::AggKind::kSincePrevious ? kDurationT : kIntT;
  if (value != nullptr) {
    Type vt = CheckExpr(*value);
    if (!vt.ok()) return error;
    if (UsesAggregate(*value)) {
      Error(DiagCode::kBadAggregate, value->range, "aggregates cannot be nested");
      return error;
    }
    std::optional<Type> rt = ResultType(kind, vt);
    if (!rt) {
      Error(DiagCode::kBadAggregate, value->range,
            fmt::format("{}() cannot summarise a {}", name, TypeName(vt)),
            kind == eval::AggKind::kDistinct ? "distinct() counts the values of one scalar field"
                                             : "it takes an int, decimal, float or duration"
                                               " (min, max and percentile also a time)");
      return error;
    }
    info.value = value;
    info.value_type = vt;
    result = *rt;
  }
  info.type = result;
  info.text = std::string(
      sources_.file(e.range.file).text().substr(e.range.begin, e.range.end - e.range.begin));
  info.signature = fmt::format("{}|{}|{}|{}", name, Canonical(*by), info.within_us,
                               value ? Canonical(*value) : std::string());
  info.signature += "|" + (where ? Canonical(*where) : std::string());
  // Baseline arguments only when given, so the aggregates written before
  // them keep their signatures (and their state).
  if (info.offset_us > 0) info.signature += fmt::format("|offset:{}", info.offset_us);
  if (info.exclude_current) info.signature += "|current:false";
  if (kind == eval::AggKind::kPercentile) info.signature += fmt::format("|p:{}", info.percentile);

  uint32_t index = static_cast<uint32_t>(module_.aggregates.size());
  for (uint32_t i = 0; i < module_.aggregates.size(); ++i) {
    if (module_.aggregates[i].signature == info.signature) index = i;
  }
  if (index == module_.aggregates.size()) module_.aggregates.push_back(std::move(info));
  e.checked.ref_kind = static_cast<uint8_t>(RefKind::kAggregate);
  e.checked.ref_index = index;
  return result;
}

}  // namespace vigil::sema
