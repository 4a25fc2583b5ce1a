// Declarations: rule sets, the schema, decisions, consts, params, lists,
// lets and rules. Expression typing lives in check_expr.cpp.
#include "sema/checker.hpp"

#include <re2/re2.h>

#include <algorithm>

#include "sema/checker_impl.hpp"
#include "sema/suggest.hpp"

namespace vigil::sema {

Module::Module() = default;
Module::~Module() = default;
Module::Module(Module&&) noexcept = default;
Module& Module::operator=(Module&&) noexcept = default;

namespace {

// A rule's `score` actions add up like the scores of fired rules: saturating
// at the int64 bounds (docs/language.md), never wrapping.
int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? INT64_MAX : INT64_MIN;
  return r;
}

}  // namespace

namespace {

template <typename T>
void ForEach(std::vector<LoadedFile>& files, const std::function<void(T&, uint32_t)>& fn) {
  for (uint32_t f = 0; f < files.size(); ++f) {
    for (auto& item : files[f].ast.items) {
      if (auto* d = std::get_if<T>(&item)) fn(*d, f);
    }
  }
}

const std::vector<std::string> kSeverities = {"low", "medium", "high", "critical"};
const std::vector<std::string> kModes = {"enforce", "shadow"};
const std::vector<std::string> kAnnotations = {"key", "time", "pii", "id", "subject"};

}  // namespace

std::string Checker::Where(SourceRange range) const {
  const SourceFile& f = sources_.file(range.file);
  LineCol pos = f.Position(range.begin);
  return fmt::format("{}:{}:{}", f.path(), pos.line, pos.column);
}

bool Checker::Declare(const std::string& name, Symbol sym) {
  auto [it, inserted] = symbols_.emplace(name, sym);
  if (!inserted) {
    Error(DiagCode::kDuplicateDecl, sym.range, fmt::format("'{}' is already declared", name),
          fmt::format("the first declaration is at {}", Where(it->second.range)));
  }
  return inserted;
}

std::vector<std::string> Checker::ValueNames() const {
  std::vector<std::string> names;
  for (const auto& [name, sym] : symbols_) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<Type> Checker::ResolveType(const ast::TypeRef& t, bool field) {
  static const std::vector<std::pair<std::string, Kind>> kScalars = {
      {"bool", Kind::kBool},     {"int", Kind::kInt},         {"decimal", Kind::kDecimal},
      {"float", Kind::kFloat},   {"string", Kind::kString},   {"time", Kind::kTime},
      {"duration", Kind::kDuration}};
  auto scalar = [&](const ast::Ident& name) -> std::optional<Kind> {
    for (const auto& [n, k] : kScalars) {
      if (n == name.text) return k;
    }
    std::vector<std::string> names;
    for (const auto& [n, k] : kScalars) names.push_back(n);
    names.push_back("set");
    Error(DiagCode::kUnknownType, name.range, fmt::format("unknown type '{}'", name.text),
          SuggestionHelp(name.text, names));
    return std::nullopt;
  };
  if (t.elem) {
    if (t.elem->elem) {
      Error(DiagCode::kUnknownType, t.range, "sets of sets are not supported");
      return std::nullopt;
    }
    std::optional<Kind> k = scalar(t.elem->name);
    if (!k) return std::nullopt;
    if (field && *k != Kind::kString) {
      Error(DiagCode::kUnknownType, t.range,
            fmt::format("event fields may be set<string> only, not set<{}>", KindName(*k)));
      return std::nullopt;
    }
    if (*k == Kind::kFloat || *k == Kind::kBool) {
      Error(DiagCode::kUnknownType, t.range,
            fmt::format("set<{}> is not supported", KindName(*k)),
            "sets hold int, decimal, string, time or duration values");
      return std::nullopt;
    }
    return Type::SetOf(*k);
  }
  if (t.name.text == "set") {
    Error(DiagCode::kUnknownType, t.range, "'set' needs an element type", "write set<string>");
    return std::nullopt;
  }
  std::optional<Kind> k = scalar(t.name);
  if (!k) return std::nullopt;
  return Type::Scalar(*k);
}

// ---------------------------------------------------------------- files

void Checker::DeclareFiles() {
  file_ruleset_.assign(files_.size(), -1);
  std::unordered_map<std::string, SourceRange> seen;
  for (uint32_t f = 0; f < files_.size(); ++f) {
    const ast::RulesetDecl* decl = nullptr;
    for (auto& item : files_[f].ast.items) {
      auto* d = std::get_if<ast::RulesetDecl>(&item);
      if (d == nullptr) continue;
      if (decl != nullptr) {
        Error(DiagCode::kDuplicateDecl, d->range, "a file declares one rule set only",
              fmt::format("this file already declares '{}'", decl->name.text));
        continue;
      }
      decl = d;
    }
    if (decl != nullptr) {
      auto [it, inserted] = seen.emplace(decl->name.text, decl->name.range);
      if (!inserted) {
        Error(DiagCode::kDuplicateDecl, decl->name.range,
              fmt::format("rule set '{}' is declared twice", decl->name.text),
              fmt::format("the first declaration is at {}", Where(it->second)));
        continue;
      }
      file_ruleset_[f] = static_cast<int>(module_.rulesets.size());
      eval::RulesetInfo info;
      info.name = decl->name.text;
      info.version = decl->version.value;
      module_.rulesets.push_back(std::move(info));
    }
  }
  // Files without their own `ruleset` belong to the rule set of the file
  // that imported them (parents always come before the files they import).
  for (uint32_t f = 0; f < files_.size(); ++f) {
    if (file_ruleset_[f] < 0 && files_[f].parent >= 0) {
      file_ruleset_[f] = file_ruleset_[files_[f].parent];
    }
  }
  module_.file_rulesets = file_ruleset_;
}

void Checker::CheckUnusedSchema(const ast::SchemaDecl& s) {
  std::vector<std::string_view> names;
  for (const auto& f : s.fields) {
    ResolveType(f.type, true);
    for (const auto& a : f.annotations) {
      if (std::find(kAnnotations.begin(), kAnnotations.end(), a.text) == kAnnotations.end()) {
        Error(DiagCode::kUnknownKeyword, a.range, fmt::format("unknown annotation '@{}'", a.text),
              SuggestionHelp(a.text, kAnnotations).empty()
                  ? "annotations are @key, @time and @pii"
                  : SuggestionHelp(a.text, kAnnotations));
      }
    }
    if (std::find(names.begin(), names.end(), f.name.text) != names.end()) {
      Error(DiagCode::kDuplicateDecl, f.name.range,
            fmt::format("field '{}' is declared twice in schema '{}'", f.name.text, s.name.text));
    }
    names.push_back(f.name.text);
  }
}

void Checker::ResolveSchema() {
  ForEach<ast::SchemaDecl>(files_, [&](ast::SchemaDecl& s, uint32_t) {
    for (const auto* other : schemas_) {
      if (other->name.text == s.name.text) {
        Error(DiagCode::kDuplicateDecl, s.name.range,
              fmt::format("schema '{}' is declared twice", s.name.text),
              fmt::format("the first declaration is at {}", Where(other->name.range)));
        return;
      }
    }
    schemas_.push_back(&s);
  });
  ForEach<ast::UsesDecl>(files_, [&](ast::UsesDecl& u, uint32_t) {
    const ast::SchemaDecl* found = nullptr;
    for (const auto* s : schemas_) {
      if (s->name.text == u.schema.text) found = s;
    }
    if (found == nullptr) {
      std::vector<std::string> names;
      for (const auto* s : schemas_) names.push_back(s->name.text);
      std::string help = SuggestionHelp(u.schema.text, names);
      if (help.empty()) help = "declare it with `schema NAME version N { ... }` or import its file";
      Error(DiagCode::kUnknownSchema, u.schema.range,
            fmt::format("unknown schema '{}'", u.schema.text), help);
      return;
    }
    if (used_schema_ != nullptr && used_schema_ != found) {
      Error(DiagCode::kUnknownSchema, u.schema.range,
            fmt::format("rules compiled together must use one schema; '{}' differs from '{}'",
                        u.schema.text, used_schema_->name.text));
      return;
    }
    used_schema_ = found;
  });
  // A schema no file uses is checked as well: a mistake in it must not wait
  // for the day a member's rules start using it.
  for (const ast::SchemaDecl* s : schemas_) {
    if (s != used_schema_) CheckUnusedSchema(*s);
  }
  if (used_schema_ == nullptr) return;
  eval::Schema& schema = module_.schema;
  schema.name = used_schema_->name.text;
  schema.version = used_schema_->version;
  for (const auto& f : used_schema_->fields) {
    eval::FieldInfo info;
    info.name = f.name.text;
    std::optional<Type> t = ResolveType(f.type, true);
    info.type = t.value_or(Type{});
    for (const auto& a : f.annotations) {
      if (a.text == "key") {
        info.key = true;
      } else if (a.text == "pii") {
        info.pii = true;
      } else if (a.text == "time") {
        info.time = true;
        if (t && *t != Type::Scalar(Kind::kTime)) {
          Error(DiagCode::kTypeMismatch, a.range,
                fmt::format("@time needs a field of type time, not {}", TypeName(*t)));
        } else if (schema.time_slot >= 0 && schema.fields[schema.time_slot].time) {
          Error(DiagCode::kDuplicateDecl, a.range, "a schema has one @time field only");
        } else {
          schema.time_slot = static_cast<int>(schema.fields.size());
        }
      } else if (a.text == "id" || a.text == "subject") {
        // Both name an event or a party in results and case files: a string
        // or an integer, one field each.
        const bool is_id = a.text == "id";
        int& slot = is_id ? schema.id_slot : schema.subject_slot;
        if (t && *t != Type::Scalar(Kind::kString) && *t != Type::Scalar(Kind::kInt)) {
          Error(DiagCode::kTypeMismatch, a.range,
                fmt::format("@{} needs a field of type string or int, not {}", a.text,
                            TypeName(*t)));
        } else if (slot >= 0) {
          Error(DiagCode::kDuplicateDecl, a.range,
                fmt::format("a schema has one @{} field only; '{}' has it already", a.text,
                            static_cast<size_t>(slot) < schema.fields.size()
                                ? schema.fields[slot].name
                                : f.name.text));
        } else {
          slot = static_cast<int>(schema.fields.size());
          (is_id ? info.id : info.subject) = true;
        }
      } else {
        Error(DiagCode::kUnknownKeyword, a.range, fmt::format("unknown annotation '@{}'", a.text),
              SuggestionHelp(a.text, kAnnotations).empty()
                  ? "annotations are @key, @time, @pii, @id and @subject"
                  : SuggestionHelp(a.text, kAnnotations));
      }
    }
    if (schema.Find(info.name) >= 0) {
      Error(DiagCode::kDuplicateDecl, f.name.range,
            fmt::format("field '{}' is declared twice in schema '{}'", info.name, schema.name));
      continue;
    }
    if (info.name == "ts" && schema.time_slot < 0 && info.type == Type::Scalar(Kind::kTime)) {
      schema.time_slot = static_cast<int>(schema.fields.size());
    }
    Declare(info.name, Symbol{RefKind::kField, static_cast<uint32_t>(schema.fields.size()),
                              f.name.range});
    schema.Add(std::move(info));
  }
  // Without @id, a field with a conventional name names the event.
  for (const char* name : {"event_id", "txn_id", "id"}) {
    int slot = schema.Find(name);
    if (schema.id_slot >= 0 || slot < 0) continue;
    Type t = schema.fields[slot].type;
    if (t == Type::Scalar(Kind::kString) || t == Type::Scalar(Kind::kInt)) schema.id_slot = slot;
  }
}

void Checker::DeclareValues() {
  const ast::DecisionsDecl* first_decisions = nullptr;
  ForEach<ast::DecisionsDecl>(files_, [&](ast::DecisionsDecl& d, uint32_t f) {
    if (first_decisions != nullptr) {
      Error(DiagCode::kDuplicateDecl, d.range, "decisions are declared more than once",
            fmt::format("the decision order comes from one place: the first declaration is at {}",
                        Where(first_decisions->range)));
      return;
    }
    first_decisions = &d;
    CheckDecisionOrigin(d, f);
    for (const auto& n : d.names) {
      if (std::find(module_.decisions.begin(), module_.decisions.end(), n.text) !=
          module_.decisions.end()) {
        Error(DiagCode::kDuplicateDecl, n.range,
              fmt::format("decision '{}' appears twice", n.text));
      }
      module_.decisions.push_back(n.text);
    }
  });
  if (module_.decisions.empty()) module_.decisions = {"allow", "review", "report", "block"};

  ForEach<ast::ConstDecl>(files_, [&](ast::ConstDecl& d, uint32_t) {
    if (Declare(d.name.text, Symbol{RefKind::kConst, static_cast<uint32_t>(const_decls_.size()),
                                    d.name.range})) {
      const_decls_.push_back(&d);
    }
  });
  const_state_.assign(const_decls_.size(), Visit::kTodo);
  module_.consts.resize(const_decls_.size());
  ForEach<ast::ParamDecl>(files_, [&](ast::ParamDecl& d, uint32_t f) {
    if (Declare(d.name.text, Symbol{RefKind::kParam, static_cast<uint32_t>(param_decls_.size()),
                                    d.name.range})) {
      param_decls_.push_back(&d);
      param_file_.push_back(f);
    }
  });
  ForEach<ast::ListDecl>(files_, [&](ast::ListDecl& d, uint32_t f) {
    if (!Declare(d.name.text, Symbol{RefKind::kList, static_cast<uint32_t>(module_.lists.size()),
                                     d.name.range})) {
      return;
    }
    ListInfo info;
    info.name = d.name.text;
    info.range = d.range;
    module_.lists.push_back(std::move(info));
    ListInfo& list = module_.lists.back();
    list.external = d.source == ast::ListSourceKind::kExternal;
    if (d.hashed) {
      CheckHashedList(d, f, list);
      return;
    }
    // `list NAME: set<T>`: the grammar hands over T.
    std::optional<Type> scalar = ResolveType(*d.elem_type, false);
    if (!scalar) return;
    if (scalar->is_set || scalar->kind == Kind::kFloat || scalar->kind == Kind::kBool) {
      Error(DiagCode::kUnknownType, d.elem_type->range,
            fmt::format("a list cannot hold {} values", TypeName(*scalar)),
            "lists hold int, decimal, string, time or duration values");
      return;
    }
    std::optional<Type> elem = Type::SetOf(scalar->kind);
    list.value.type = *elem;
    if (list.external) return;  // the host supplies the values
    if (d.source == ast::ListSourceKind::kFile) {
      LoadListFile(d, files_[f].ast.file_id, list);
      return;
    }
    std::optional<ConstValue> v = EvalConst(*d.elements, "a list element");
    if (!v) return;
    if (v->type.kind == Kind::kError) {  // empty {}: takes the declared type
      v->type = *elem;
    }
    if (ConvertConst(*v, *elem, d.elements->range, "list")) list.value = std::move(*v);
  });
  ForEach<ast::LetDecl>(files_, [&](ast::LetDecl& d, uint32_t) {
    if (Declare(d.name.text, Symbol{RefKind::kLet, static_cast<uint32_t>(let_decls_.size()),
                                    d.name.range})) {
      let_decls_.push_back(&d);
      module_.lets.push_back(LetInfo{d.name.text, d.value.get(), Type{}, false, d.range});
    }
  });
  let_state_.assign(let_decls_.size(), Visit::kTodo);

  for (uint32_t i = 0; i < const_decls_.size(); ++i) CheckConst(i);
  for (const auto* d : param_decls_) {
    ConstInfo info;
    info.name = d->name.text;
    info.range = d->range;
    std::optional<Type> t = ResolveType(d->type, false);
    std::optional<ConstValue> v = EvalConst(*d->value, "a param value");
    if (t && v && ConvertConst(*v, *t, d->value->range, "param")) info.value = std::move(*v);
    module_.params.push_back(std::move(info));
  }
  ApplyOverrides(/*params=*/true);
  for (uint32_t i = 0; i < let_decls_.size(); ++i) CheckLet(i);
}

// The decision order ranks every rule set's decisions, so one source must
// not set it for the others: a pack may declare it only when every rule set
// compiled with it is its own; with rule sets from several sources, only the
// host's own files may (docs/sharing.md).
void Checker::CheckDecisionOrigin(const ast::DecisionsDecl& d, uint32_t file) {
  const std::string& origin = files_[file].origin;
  if (origin.empty()) return;
  for (uint32_t f = 0; f < files_.size(); ++f) {
    if (files_[f].origin == origin) continue;
    for (const auto& item : files_[f].ast.items) {
      const auto* r = std::get_if<ast::RulesetDecl>(&item);
      if (r == nullptr) continue;
      const std::string other = files_[f].origin.empty()
                                    ? "the host's own files"
                                    : fmt::format("pack \"{}\"", files_[f].origin);
      Error(DiagCode::kDecisionOrder, d.range,
            fmt::format("pack \"{}\" declares the decision order, which would re-rank the "
                        "decisions of rule set '{}' from {}",
                        origin, r->name.text, other),
            fmt::format("rule set '{}' is declared at {}; when rule sets come from several "
                        "sources, only the host's own files may declare `decisions` (or load "
                        "the pack alone)",
                        r->name.text, Where(r->range)));
      return;
    }
  }
}

void Checker::CheckConst(uint32_t index) {
  if (const_state_[index] == Visit::kDone) return;
  if (const_state_[index] == Visit::kActive) {
    Error(DiagCode::kLetCycle, const_decls_[index]->name.range,
          fmt::format("const '{}' refers to itself", const_decls_[index]->name.text));
    const_state_[index] = Visit::kDone;
    return;
  }
  const_state_[index] = Visit::kActive;
  const ast::ConstDecl& d = *const_decls_[index];
  std::optional<ConstValue> v = EvalConst(*d.value, "a const value");
  if (v && v->type.kind == Kind::kError && v->type.is_set) {
    Error(DiagCode::kNotConstant, d.value->range, "an empty set needs a type",
          "declare it as a list: list NAME: set<string> = {}");
    v.reset();
  }
  module_.consts[index] =
      ConstInfo{d.name.text, v.value_or(ConstValue{}), d.range, false, std::nullopt};
  const_state_[index] = Visit::kDone;
}

void Checker::CheckLet(uint32_t index) {
  if (let_state_[index] == Visit::kDone) return;
  if (let_state_[index] == Visit::kActive) {
    Error(DiagCode::kLetCycle, let_decls_[index]->name.range,
          fmt::format("let '{}' depends on itself", let_decls_[index]->name.text),
          "lets must not refer to each other in a cycle");
    let_state_[index] = Visit::kDone;
    return;
  }
  let_state_[index] = Visit::kActive;
  ast::LetDecl& d = *let_decls_[index];
  Type t = CheckExpr(*d.value);
  module_.lets[index].type = t;
  module_.lets[index].reads_pii = ReadsPii(*d.value);
  let_state_[index] = Visit::kDone;
}

int32_t Checker::FindDecision(const ast::Ident& name) {
  for (size_t i = 0; i < module_.decisions.size(); ++i) {
    if (module_.decisions[i] == name.text) return static_cast<int32_t>(i);
  }
  std::string help = SuggestionHelp(name.text, module_.decisions);
  if (help.empty()) {
    help = "decisions are";
    for (size_t i = 0; i < module_.decisions.size(); ++i) {
      help += (i == 0 ? " " : " < ") + module_.decisions[i];
    }
  }
  Error(DiagCode::kUnknownDecision, name.range, fmt::format("unknown decision '{}'", name.text),
        help);
  return -1;
}

// ---------------------------------------------------------------- rules

void Checker::CheckRules() {
  for (uint32_t f = 0; f < files_.size(); ++f) {
    for (auto& item : files_[f].ast.items) {
      auto* rule = std::get_if<ast::RuleDecl>(&item);
      if (rule == nullptr) continue;
      if (file_ruleset_[f] < 0) {
        Error(DiagCode::kNoRuleset, rule->id.range,
              fmt::format("rule '{}' is in a file without a `ruleset` declaration", rule->id.text),
              "start the file with: ruleset org.topic version \"1.0.0\"");
        continue;
      }
      CheckRule(*rule, static_cast<uint32_t>(file_ruleset_[f]));
    }
  }
}

void Checker::CheckRule(const ast::RuleDecl& rule, uint32_t ruleset) {
  const std::string& set_name = module_.rulesets[ruleset].name;
  RulesetRules& rules = rules_by_ruleset_[set_name];
  auto first = rules.by_id.find(rule.id.text);
  if (first != rules.by_id.end()) {
    Error(DiagCode::kDuplicateRule, rule.id.range,
          fmt::format("rule '{}' is declared twice in rule set '{}'", rule.id.text, set_name),
          fmt::format("the first declaration is at {}",
                      Where(module_.rules[first->second].decl->id.range)));
    return;
  }
  RuleCheck check;
  check.decl = &rule;
  check.ruleset = ruleset;
  if (rule.severity) {
    auto it = std::find(kSeverities.begin(), kSeverities.end(), rule.severity->text);
    if (it == kSeverities.end()) {
      std::string help = SuggestionHelp(rule.severity->text, kSeverities);
      Error(DiagCode::kUnknownKeyword, rule.severity->range,
            fmt::format("unknown severity '{}'", rule.severity->text),
            help.empty() ? "severities are low, medium, high and critical" : help);
    } else {
      check.severity = static_cast<eval::RuleSeverity>(it - kSeverities.begin());
    }
  }
  if (rule.mode) {
    auto it = std::find(kModes.begin(), kModes.end(), rule.mode->text);
    if (it == kModes.end()) {
      std::string help = SuggestionHelp(rule.mode->text, kModes);
      Error(DiagCode::kUnknownKeyword, rule.mode->range,
            fmt::format("unknown mode '{}'", rule.mode->text),
            help.empty() ? "modes are enforce and shadow" : help);
    } else {
      check.shadow = *it == "shadow";
    }
  }
  if (rule.when) CheckCondition(*rule.when, "a rule's condition");
  bool decided = false;
  for (const auto& action : rule.actions) {
    switch (action.kind) {
      case ast::ActionKind::kScore:
        if (action.score_ref) {
          auto it = symbols_.find(action.score_ref->text);
          const ConstValue* v = nullptr;
          if (it != symbols_.end() && it->second.kind == RefKind::kConst) {
            v = &module_.consts[it->second.index].value;
          } else if (it != symbols_.end() && it->second.kind == RefKind::kParam) {
            v = &module_.params[it->second.index].value;
          }
          if (v == nullptr || v->type != Type::Scalar(Kind::kInt)) {
            Error(DiagCode::kBadScore, action.score_ref->range,
                  fmt::format("score '{}' must be an int const or param", action.score_ref->text));
          } else {
            check.score = SaturatingAdd(check.score, v->scalar.i);
          }
        } else {
          check.score = SaturatingAdd(check.score, action.score);
        }
        break;
      case ast::ActionKind::kDecide:
        if (decided) {
          Error(DiagCode::kSyntax, action.range,
                fmt::format("rule '{}' decides more than once", rule.id.text));
        }
        decided = true;
        check.decision = FindDecision(action.decision);
        break;
      case ast::ActionKind::kTag:
        break;
      case ast::ActionKind::kReason:
        for (const auto& part : action.parts) {
          if (part.expr) CheckExpr(*part.expr);
        }
        break;
    }
  }
  const auto index = static_cast<uint32_t>(module_.rules.size());
  rules.order.push_back(index);
  rules.by_id.emplace(rule.id.text, index);
  module_.rules.push_back(check);
}

// ---------------------------------------------------------------- reversals

void Checker::CheckReversal() {
  const ast::ReversalDecl* first = nullptr;
  ForEach<ast::ReversalDecl>(files_, [&](ast::ReversalDecl& d, uint32_t) {
    if (first != nullptr) {
      Error(DiagCode::kDuplicateReversal, d.range, "a second reversal declaration",
            fmt::format("a compilation has one; the first is at {}", Where(first->range)));
      return;
    }
    first = &d;
    bool ok = true;
    const int slot = module_.schema.Find(d.field.text);
    if (slot < 0) {
      std::vector<std::string> fields;
      for (const auto& f : module_.schema.fields) fields.push_back(f.name);
      std::string help = SuggestionHelp(d.field.text, fields);
      Error(DiagCode::kUnknownName, d.field.range,
            fmt::format("unknown field '{}' in the reversal declaration", d.field.text),
            help.empty() ? "the field is the reference a reversal repeats: a string or int field "
                           "of the schema"
                         : help);
      ok = false;
    } else {
      const Type t = module_.schema.fields[slot].type;
      if (t != Type::Scalar(Kind::kString) && t != Type::Scalar(Kind::kInt)) {
        Error(DiagCode::kBadReversalField, d.field.range,
              fmt::format("reversal field '{}' is {}, not a string or int", d.field.text,
                          TypeName(t)),
              "name the field that carries the payment's reference (a retrieval reference, "
              "a UETR)");
        ok = false;
      }
    }
    if (!CheckCondition(*d.when, "a reversal's condition").ok()) ok = false;
    if (UsesAggregate(*d.when)) {
      Error(DiagCode::kReversalAggregate, d.when->range,
            "a reversal's condition reads an aggregate",
            "whether an event is a reversal must not depend on the state it changes: test the "
            "event's own fields");
      ok = false;
    }
    if (ok) module_.reversal = ReversalInfo{static_cast<uint32_t>(slot), d.when.get(), d.range};
  });
}

std::optional<Module> Checker::Run() {
  DeclareFiles();
  ResolveSchema();
  DeclareValues();
  CheckRules();
  CheckReversal();
  ApplyOverrides(/*params=*/false);
  CheckTests();
  if (diags_.has_errors()) return std::nullopt;
  return std::move(module_);
}

std::optional<Module> Check(std::vector<LoadedFile>& files, SourceManager& sources, DiagSink& diags,
                            const ListReader& read_list, const CheckOptions& options) {
  Checker checker(files, sources, diags, read_list, options);
  return checker.Run();
}

}  // namespace vigil::sema
