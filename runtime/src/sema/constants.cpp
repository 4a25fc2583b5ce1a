// Compile-time values: const and param values, set literals, list files.
#include <charconv>
#include <functional>

#include "base/limits.hpp"
#include "base/list_file.hpp"
#include "base/time_util.hpp"
#include "sema/checker_impl.hpp"

namespace vigil::sema {

std::string_view Checker::Intern(std::string s) {
  module_.strings.push_back(std::move(s));
  return module_.strings.back();
}

uint32_t Checker::AddSetLiteral(ConstValue v) {
  module_.consts.push_back(ConstInfo{{}, std::move(v), {}, false, std::nullopt});
  const_state_.push_back(Visit::kDone);
  return static_cast<uint32_t>(module_.consts.size() - 1);
}

std::optional<ConstValue> Checker::EvalConst(ast::Expr& e, const char* what) {
  ConstValue v;
  switch (e.kind) {
    case ast::ExprKind::kLiteral: {
      const ast::Literal& lit = e.literal;
      switch (lit.kind) {
        case ast::LiteralKind::kBool:
          v.type = Type::Scalar(Kind::kBool);
          v.scalar = eval::Value::Bool(lit.b);
          break;
        case ast::LiteralKind::kInt:
          v.type = Type::Scalar(Kind::kInt);
          v.scalar = eval::Value::Int(lit.i);
          break;
        case ast::LiteralKind::kDecimal:
          v.type = Type::Scalar(Kind::kDecimal);
          v.scalar = eval::Value::Dec(lit.d);
          break;
        case ast::LiteralKind::kFloat:
          v.type = Type::Scalar(Kind::kFloat);
          v.scalar = eval::Value::Float(lit.f);
          break;
        case ast::LiteralKind::kString:
          v.type = Type::Scalar(Kind::kString);
          v.scalar = eval::Value::Str(Intern(lit.s));
          break;
        case ast::LiteralKind::kTime:
          v.type = Type::Scalar(Kind::kTime);
          v.scalar = eval::Value::Int(lit.i);
          break;
        case ast::LiteralKind::kDuration:
          v.type = Type::Scalar(Kind::kDuration);
          v.scalar = eval::Value::Int(lit.i);
          break;
      }
      break;
    }
    case ast::ExprKind::kUnary: {
      if (e.op != ast::Op::kNeg) break;
      std::optional<ConstValue> x = EvalConst(*e.operands[0], what);
      if (!x) return std::nullopt;
      v = *x;
      bool ok = !v.type.is_set;
      if (ok && (v.type.kind == Kind::kInt || v.type.kind == Kind::kDuration)) {
        ok = v.scalar.i != INT64_MIN;
        v.scalar.i = -v.scalar.i;
      } else if (ok && v.type.kind == Kind::kDecimal) {
        Decimal d;
        ok = DecimalNeg(v.scalar.dec(), &d);
        v.scalar = eval::Value::Dec(d);
      } else if (ok && v.type.kind == Kind::kFloat) {
        v.scalar.f = -v.scalar.f;
      } else {
        ok = false;
      }
      if (!ok) {
        Error(DiagCode::kNotConstant, e.range, fmt::format("cannot negate this {}", what));
        return std::nullopt;
      }
      e.checked.type = v.type.Encode();
      return v;
    }
    case ast::ExprKind::kName: {
      auto it = symbols_.find(e.name.text);
      if (it != symbols_.end() && it->second.kind == RefKind::kConst) {
        CheckConst(it->second.index);
        module_.consts[it->second.index].used = true;
        e.checked.ref_kind = static_cast<uint8_t>(RefKind::kConst);
        e.checked.ref_index = it->second.index;
        v = module_.consts[it->second.index].value;
        if (!v.type.ok() && !v.type.is_set) return std::nullopt;  // error already reported
        e.checked.type = v.type.Encode();
        return v;
      }
      if (it == symbols_.end()) {
        CheckExpr(e);  // reports the unknown name with a suggestion
        return std::nullopt;
      }
      break;
    }
    case ast::ExprKind::kSet: {
      Kind kind = Kind::kError;
      bool ok = true;
      std::vector<ConstValue> items;
      for (auto& op : e.operands) {
        std::optional<ConstValue> x = EvalConst(*op, what);
        if (!x) {
          ok = false;
          continue;
        }
        if (x->type.is_set) {
          Error(DiagCode::kMixedSet, op->range, "a set cannot contain a set");
          ok = false;
          continue;
        }
        Kind k = x->type.kind;
        if (kind == Kind::kError) {
          kind = k;
        } else if (k != kind) {
          bool numeric_mix = (k == Kind::kInt || k == Kind::kDecimal) &&
                             (kind == Kind::kInt || kind == Kind::kDecimal);
          if (!numeric_mix) {
            Error(DiagCode::kMixedSet, op->range,
                  fmt::format("set elements must have one type: this is {}, earlier ones are {}",
                              KindName(k), KindName(kind)));
            ok = false;
            continue;
          }
          kind = Kind::kDecimal;
        }
        items.push_back(std::move(*x));
      }
      if (!ok) return std::nullopt;
      if (kind == Kind::kFloat || kind == Kind::kBool) {
        Error(DiagCode::kMixedSet, e.range,
              fmt::format("sets of {} are not supported", KindName(kind)),
              "sets hold int, decimal, string, time or duration values");
        return std::nullopt;
      }
      v.type = Type{kind, true};
      for (auto& item : items) {
        if (kind == Kind::kString) {
          v.strs.emplace_back(item.scalar.str());
        } else if (kind == Kind::kDecimal && item.type.kind == Kind::kInt) {
          std::optional<Decimal> d = DecimalFromInt(item.scalar.i);
          if (!d) {
            Error(DiagCode::kDecimalRange, e.range, "set element is out of the decimal range");
            return std::nullopt;
          }
          v.ints.push_back(d->units);
        } else {
          v.ints.push_back(item.scalar.i);
        }
      }
      e.checked.type = v.type.Encode();
      return v;
    }
    default:
      break;
  }
  if (e.kind == ast::ExprKind::kLiteral) {
    e.checked.type = v.type.Encode();
    return v;
  }
  Error(DiagCode::kNotConstant, e.range, fmt::format("{} must be a constant", what),
        "use a literal such as 50.00, \"PH\" or {1, 2}, or the name of a const");
  return std::nullopt;
}

bool Checker::ConvertConst(ConstValue& v, Type target, SourceRange range, const char* what) {
  if (v.type == target) return true;
  if (v.type.is_set == target.is_set) {
    if (!target.is_set) {
      if (v.type.kind == Kind::kInt && target.kind == Kind::kDecimal) {
        if (std::optional<Decimal> d = DecimalFromInt(v.scalar.i)) {
          v.scalar = eval::Value::Dec(*d);
          v.type = target;
          return true;
        }
      } else if (v.type.kind == Kind::kInt && target.kind == Kind::kFloat) {
        v.scalar = eval::Value::Float(static_cast<double>(v.scalar.i));
        v.type = target;
        return true;
      } else if (v.type.kind == Kind::kDecimal && target.kind == Kind::kFloat) {
        v.scalar = eval::Value::Float(DecimalToDouble(v.scalar.dec()));
        v.type = target;
        return true;
      }
    } else if (v.type.kind == Kind::kInt && target.kind == Kind::kDecimal) {
      for (int64_t& x : v.ints) {
        std::optional<Decimal> d = DecimalFromInt(x);
        if (!d) {
          Error(DiagCode::kDecimalRange, range, "set element is out of the decimal range");
          return false;
        }
        x = d->units;
      }
      v.type = target;
      return true;
    }
  }
  Error(DiagCode::kTypeMismatch, range,
        fmt::format("this {} is {}, but {} is declared", what, TypeName(v.type), TypeName(target)));
  return false;
}


// Reads a list file named by `decl` (base/list_file.hpp) and calls `visit`
// with each entry that has not expired. Reports an unreadable file, a bad
// expiry date, and the count of expired entries.
void Checker::ForEachListEntry(const ast::ListDecl& decl, uint32_t file_id,
                               const std::function<void(std::string_view, SourceRange)>& visit) {
  std::string error;
  DiagCode code = DiagCode::kFileNotFound;
  std::optional<uint32_t> id = read_list_(file_id, decl.path.value, &error, &code);
  if (!id) {
    Error(code, decl.path.range,
          fmt::format("cannot read list file \"{}\": {}", decl.path.value, error));
    return;
  }
  // Counted before anything is stored: a list too large to hold is refused
  // before it takes the memory.
  const std::string_view text = sources_.file(*id).text();
  const size_t entries = CountListEntries(text);
  if (entries > limits::kMaxListFileEntries) {
    Error(DiagCode::kTooMany, decl.path.range,
          fmt::format("list file \"{}\" has {} entries (the limit is {} per list file)",
                      decl.path.value, entries, limits::kMaxListFileEntries),
          "a host supplies larger lists as external lists (`list NAME: set<string> external`)");
    return;
  }
  list_entries_ += entries;
  if (list_entries_ > limits::kMaxListEntriesTotal) {
    Error(DiagCode::kTooMany, decl.path.range,
          fmt::format("with list file \"{}\", the lists of this compilation hold {} entries "
                      "(the limit is {} in all)",
                      decl.path.value, list_entries_, limits::kMaxListEntriesTotal),
          "a host supplies larger lists as external lists (`list NAME: set<string> external`)");
    return;
  }
  const int64_t now = now_us_ != 0 ? now_us_ : NowMicros();
  size_t expired = 0;
  ForEachListLine(text, [&](const ListLine& line) {
    if (diags_.saturated()) return;
    const auto at = static_cast<uint32_t>(line.offset);
    SourceRange range{*id, at, at + static_cast<uint32_t>(line.text.size())};
    if (line.bad_expiry) {
      Error(DiagCode::kBadListEntry, range,
            fmt::format("'{}' is not an expiry date (list '{}')",
                        std::string(line.expiry.substr(0, 40)), decl.name.text),
            "write `VALUE @expires 2026-12-31` or `VALUE @expires 2026-12-31T18:00:00Z`");
    } else if (line.expires && *line.expires <= now) {
      ++expired;  // dropped when compiling: hosts reload to apply expiries
    } else {
      visit(line.value, range);
    }
  });
  ReportExpired(decl.name.text, decl.range, expired);
}

void Checker::LoadListFile(const ast::ListDecl& decl, uint32_t file_id, ListInfo& info) {
  const Kind kind = info.value.type.kind;
  ForEachListEntry(decl, file_id, [&](std::string_view line, SourceRange range) {
    bool ok = true;
    if (kind == Kind::kString) {
      info.value.strs.emplace_back(line);
    } else if (std::optional<int64_t> v = ParseNumericValue(kind, line)) {
      info.value.ints.push_back(*v);
    } else {
      ok = false;
    }
    if (!ok) {
      std::string shown(line.substr(0, 40));
      Error(DiagCode::kBadListEntry, range,
            fmt::format("'{}' is not a {} (list '{}')", shown, KindName(kind), info.name));
    }
  });
}

}  // namespace vigil::sema

namespace vigil::sema {

// `list NAME: hashed(normalize: "digits", key: "name") set from "path"`: the
// file (or inline set) holds lowercase hex SHA-256 or HMAC-SHA-256 digests
// of normalised values, as `vigil list hash` writes them.
void Checker::CheckHashedList(const ast::ListDecl& d, uint32_t file, ListInfo& list) {
  list.hashed = true;
  list.value.type = Type::SetOf(Kind::kString);
  if (d.normalize) {
    std::optional<Normalization> n = ParseNormalization(d.normalize->value);
    if (!n) {
      Error(DiagCode::kUnknownArgument, d.normalize->range,
            fmt::format("unknown normalisation \"{}\"", d.normalize->value),
            fmt::format("normalisations: {}", NormalizationNames()));
    } else {
      list.normalization = *n;
    }
  }
  if (d.hmac_key_name) {
    auto it = hmac_keys_.find(d.hmac_key_name->value);
    if (it == hmac_keys_.end() || it->second.empty()) {
      Error(DiagCode::kUnknownName, d.hmac_key_name->range,
            fmt::format("list '{}' is keyed with HMAC key \"{}\", which the host has not supplied",
                        d.name.text, d.hmac_key_name->value),
            "vigil: VIGIL_HMAC_KEYS=\"name=KEYFILE\"; C API: vigil_compiler_set_hmac_key");
    } else {
      list.hmac_key = it->second;
    }
  }
  if (list.external) return;  // the host supplies the digests
  std::string digest;
  auto add = [&](std::string_view entry, SourceRange range) {
    if (ParseDigestHex(entry, &digest)) {
      list.value.strs.push_back(digest);
      return;
    }
    Error(DiagCode::kBadListEntry, range,
          fmt::format("'{}' is not a SHA-256 digest (64 hex digits) (hashed list '{}')",
                      std::string(entry.substr(0, 40)), d.name.text),
          "write the list with `vigil list hash`");
  };
  if (d.source == ast::ListSourceKind::kInline) {
    std::optional<ConstValue> v = EvalConst(*d.elements, "a list element");
    if (!v) return;
    if (v->type.kind != Kind::kString && v->type.kind != Kind::kError) {
      Error(DiagCode::kTypeMismatch, d.elements->range, "a hashed list holds hex digests (strings)");
      return;
    }
    for (const std::string& s : v->strs) add(s, d.elements->range);
    return;
  }
  ForEachListEntry(d, files_[file].ast.file_id, add);
}

}  // namespace vigil::sema

namespace vigil::sema {


void Checker::ReportExpired(const std::string& list, SourceRange range, size_t expired) {
  if (expired == 0) return;
  Diagnostic d;
  d.severity = Severity::kWarning;
  d.code = DiagCode::kExpiredEntries;
  d.range = range;
  d.message = fmt::format("list '{}': {} {} expired and no longer match{}", list, expired,
                          expired == 1 ? "entry has" : "entries have", expired == 1 ? "es" : "");
  d.help = "remove expired entries from the list file, or renew their @expires dates";
  diags_.Add(std::move(d));
}

}  // namespace vigil::sema
