#include "lsp/index.hpp"

#include <algorithm>

#include "eval/types.hpp"

namespace vigil::lsp {

const char* DeclKindName(DeclKind k) {
  switch (k) {
    case DeclKind::kRuleset: return "ruleset";
    case DeclKind::kSchema: return "schema";
    case DeclKind::kField: return "field";
    case DeclKind::kConst: return "const";
    case DeclKind::kParam: return "param";
    case DeclKind::kList: return "list";
    case DeclKind::kLet: return "let";
    case DeclKind::kRule: return "rule";
    case DeclKind::kDecision: return "decision";
    case DeclKind::kTest: return "test";
  }
  return "name";
}

namespace {

bool Contains(SourceRange r, uint32_t file, uint32_t offset) {
  return r.file == file && r.begin <= offset && offset <= r.end && r.begin < r.end;
}

std::string TypeRefText(const ast::TypeRef& t) {
  return t.elem ? t.name.text + "<" + TypeRefText(*t.elem) + ">" : t.name.text;
}

std::string CheckedType(const ast::Expr& e) {
  Type t = Type::Decode(e.checked.type);
  return t.ok() ? TypeName(t) : std::string();
}

class Builder {
 public:
  Builder(const std::vector<sema::LoadedFile>& files, const sema::Module* module)
      : files_(files), module_(module) {}

  Index Run() {
    for (const auto& f : files_) {
      if (!f.ast.items.empty()) out_.parsed_files.push_back(f.ast.file_id);
    }
    Rulesets();
    Schemas();
    Values();
    Rules();
    Decisions();
    Tests();
    Uses();
    return std::move(out_);
  }

 private:
  template <typename T, typename Fn>
  void ForEach(Fn fn) {
    for (size_t f = 0; f < files_.size(); ++f) {
      for (const auto& item : files_[f].ast.items) {
        if (const auto* d = std::get_if<T>(&item)) fn(*d, f);
      }
    }
  }

  uint32_t Add(Decl d) {
    out_.decls.push_back(std::move(d));
    auto id = static_cast<uint32_t>(out_.decls.size() - 1);
    out_.refs.push_back(Ref{out_.decls[id].name_range, id, true});
    return id;
  }
  void Use(SourceRange range, std::optional<uint32_t> decl) {
    if (decl) out_.refs.push_back(Ref{range, *decl, false});
  }
  void Declare(const std::string& name, uint32_t id) { out_.values.emplace(name, id); }

  // Rule sets, and which rule set each file's rules belong to (a file
  // without its own belongs to its importer's, as in sema).
  void Rulesets() {
    file_ruleset_.assign(files_.size(), "");
    for (size_t f = 0; f < files_.size(); ++f) {
      for (const auto& item : files_[f].ast.items) {
        const auto* d = std::get_if<ast::RulesetDecl>(&item);
        if (d == nullptr || !file_ruleset_[f].empty()) continue;
        file_ruleset_[f] = d->name.text;
        Decl decl;
        decl.kind = DeclKind::kRuleset;
        decl.name = d->name.text;
        decl.name_range = d->name.range;
        decl.range = d->range;
        decl.type = d->version.value;
        Add(std::move(decl));
      }
    }
    for (size_t f = 0; f < files_.size(); ++f) {
      if (file_ruleset_[f].empty() && files_[f].parent >= 0) {
        file_ruleset_[f] = file_ruleset_[static_cast<size_t>(files_[f].parent)];
      }
    }
  }

  void Schemas() {
    ForEach<ast::UsesDecl>([&](const ast::UsesDecl& u, size_t) {
      if (out_.schema.empty()) out_.schema = u.schema.text;
    });
    ForEach<ast::SchemaDecl>([&](const ast::SchemaDecl& s, size_t) {
      Decl decl;
      decl.kind = DeclKind::kSchema;
      decl.name = s.name.text;
      decl.name_range = s.name.range;
      decl.range = s.range;
      decl.type = std::to_string(s.version);
      uint32_t schema_id = Add(std::move(decl));
      bool in_use = s.name.text == out_.schema && !schema_used_;
      if (in_use) schema_used_ = true;
      for (const auto& f : s.fields) {
        Decl field;
        field.kind = DeclKind::kField;
        field.name = f.name.text;
        field.name_range = f.name.range;
        field.range = f.range;
        field.type = TypeRefText(f.type);
        field.container = s.name.text;
        for (const auto& a : f.annotations) field.annotations.push_back(a.text);
        uint32_t id = Add(std::move(field));
        if (in_use) Declare(f.name.text, id);
      }
      (void)schema_id;
    });
  }

  // In sema's order: consts, params, lists, lets (fields came first).
  void Values() {
    ForEach<ast::ConstDecl>([&](const ast::ConstDecl& d, size_t) {
      Decl decl = Named(DeclKind::kConst, d.name, d.range);
      if (d.value) decl.value = d.value->range;
      if (module_ != nullptr) {
        for (const auto& c : module_->consts) {
          if (c.name == d.name.text && c.value.type.ok()) decl.type = TypeName(c.value.type);
        }
      }
      Declare(d.name.text, Add(std::move(decl)));
    });
    ForEach<ast::ParamDecl>([&](const ast::ParamDecl& d, size_t) {
      Decl decl = Named(DeclKind::kParam, d.name, d.range);
      decl.type = TypeRefText(d.type);
      if (d.value) decl.value = d.value->range;
      Declare(d.name.text, Add(std::move(decl)));
    });
    ForEach<ast::ListDecl>([&](const ast::ListDecl& d, size_t) {
      Decl decl = Named(DeclKind::kList, d.name, d.range);
      decl.type = d.hashed ? "set<string>" : d.elem_type ? "set<" + TypeRefText(*d.elem_type) + ">"
                                                       : "";
      decl.hashed = d.hashed;
      if (d.normalize) decl.normalize = d.normalize->value;
      if (d.hmac_key_name) decl.hmac_key = d.hmac_key_name->value;
      switch (d.source) {
        case ast::ListSourceKind::kFile:
          decl.list_source = "file";
          decl.list_path = d.path.value;
          break;
        case ast::ListSourceKind::kInline:
          decl.list_source = "inline";
          if (d.elements) decl.value = d.elements->range;
          break;
        case ast::ListSourceKind::kExternal:
          decl.list_source = "external";
          break;
      }
      if (module_ != nullptr) {
        for (const auto& l : module_->lists) {
          if (l.name != d.name.text) continue;
          if (!l.external) decl.size = static_cast<int64_t>(l.value.ints.size() + l.value.strs.size());
        }
      }
      Declare(d.name.text, Add(std::move(decl)));
    });
    ForEach<ast::LetDecl>([&](const ast::LetDecl& d, size_t) {
      Decl decl = Named(DeclKind::kLet, d.name, d.range);
      if (d.value) {
        decl.value = d.value->range;
        decl.type = CheckedType(*d.value);
      }
      Declare(d.name.text, Add(std::move(decl)));
    });
  }

  void Rules() {
    ForEach<ast::RuleDecl>([&](const ast::RuleDecl& r, size_t f) {
      Decl decl = Named(DeclKind::kRule, r.id, r.range);
      decl.container = file_ruleset_[f];
      if (r.title) decl.title = r.title->value;
      if (r.severity) decl.severity = r.severity->text;
      if (r.mode) decl.mode = r.mode->text;
      for (const auto& a : r.actions) {
        if (a.kind == ast::ActionKind::kDecide) decl.decides.push_back(a.decision.text);
      }
      uint32_t id = Add(std::move(decl));
      rules_.emplace(r.id.text, id);
      rules_by_set_.emplace(file_ruleset_[f] + "/" + r.id.text, id);
    });
  }

  void Decisions() {
    bool declared = false;
    ForEach<ast::DecisionsDecl>([&](const ast::DecisionsDecl& d, size_t) {
      if (declared) return;
      declared = true;
      for (const auto& n : d.names) {
        out_.decisions.push_back(n.text);
        Decl decl = Named(DeclKind::kDecision, n, n.range);
        decisions_.emplace(n.text, Add(std::move(decl)));
      }
    });
    if (!declared) out_.decisions = {"allow", "review", "report", "block"};
  }

  void Tests() {
    ForEach<ast::TestDecl>([&](const ast::TestDecl& t, size_t) {
      Decl decl;
      decl.kind = DeclKind::kTest;
      decl.name = t.name.value;
      decl.name_range = t.name.range;
      decl.range = t.range;
      for (const auto& step : t.steps) {
        for (const auto& x : step.expectations) {
          if ((x.kind == ast::ExpectKind::kFires || x.kind == ast::ExpectKind::kNotFires) &&
              std::find(decl.rules.begin(), decl.rules.end(), x.name.text) == decl.rules.end()) {
            decl.rules.push_back(x.name.text);
          }
        }
      }
      out_.decls.push_back(std::move(decl));  // a test's name is a string: no reference
    });
  }

  Decl Named(DeclKind kind, const ast::Ident& name, SourceRange range) {
    Decl d;
    d.kind = kind;
    d.name = name.text;
    d.name_range = name.range;
    d.range = range;
    return d;
  }

  std::optional<uint32_t> Value(const std::string& name) const {
    auto it = out_.values.find(name);
    if (it == out_.values.end()) return std::nullopt;
    return it->second;
  }
  std::optional<uint32_t> Field(const std::string& name) const {
    auto id = Value(name);
    if (id && out_.decls[*id].kind == DeclKind::kField) return id;
    return std::nullopt;
  }
  std::optional<uint32_t> Rule(const std::string& ruleset, const std::string& id) const {
    auto it = rules_by_set_.find(ruleset + "/" + id);
    if (it != rules_by_set_.end()) return it->second;
    auto any = rules_.find(id);
    if (any != rules_.end()) return any->second;
    return std::nullopt;
  }
  std::optional<uint32_t> Decision(const std::string& name) const {
    auto it = decisions_.find(name);
    if (it == decisions_.end()) return std::nullopt;
    return it->second;
  }

  void Expr(const ast::Expr& e) {
    switch (e.kind) {
      case ast::ExprKind::kName:
        Use(e.name.range, Value(e.name.text));
        break;
      case ast::ExprKind::kCall: {
        Call call;
        call.name = e.name.text;
        call.name_range = e.name.range;
        call.range = e.range;
        for (const auto& a : e.args) {
          if (!a.name) continue;
          call.aggregate = true;
          if (a.value == nullptr) continue;
          if (a.name->text == "by") call.by = a.value->range;
          if (a.name->text == "within") call.within = a.value->range;
          if (a.name->text == "where") call.where = a.value->range;
        }
        out_.calls.push_back(std::move(call));
        break;
      }
      default:
        break;
    }
    for (const auto& a : e.args) {
      if (a.value) Expr(*a.value);
    }
    for (const auto& op : e.operands) {
      if (op) Expr(*op);
    }
  }

  void Uses() {
    ForEach<ast::ConstDecl>([&](const ast::ConstDecl& d, size_t) {
      if (d.value) Expr(*d.value);
    });
    ForEach<ast::ParamDecl>([&](const ast::ParamDecl& d, size_t) {
      if (d.value) Expr(*d.value);
    });
    ForEach<ast::ListDecl>([&](const ast::ListDecl& d, size_t) {
      if (d.elements) Expr(*d.elements);
    });
    ForEach<ast::LetDecl>([&](const ast::LetDecl& d, size_t) {
      if (d.value) Expr(*d.value);
    });
    ForEach<ast::UsesDecl>([&](const ast::UsesDecl& u, size_t) {
      for (uint32_t i = 0; i < out_.decls.size(); ++i) {
        if (out_.decls[i].kind == DeclKind::kSchema && out_.decls[i].name == u.schema.text) {
          Use(u.schema.range, i);
          break;
        }
      }
    });
    ForEach<ast::RuleDecl>([&](const ast::RuleDecl& r, size_t) {
      if (r.when) Expr(*r.when);
      for (const auto& a : r.actions) {
        if (a.kind == ast::ActionKind::kScore && a.score_ref) Use(a.score_ref->range, Value(a.score_ref->text));
        if (a.kind == ast::ActionKind::kDecide) Use(a.decision.range, Decision(a.decision.text));
        for (const auto& part : a.parts) {
          if (part.expr) Expr(*part.expr);
        }
      }
    });
    ForEach<ast::TestDecl>([&](const ast::TestDecl& t, size_t) {
      for (const auto& step : t.steps) {
        for (const auto& f : step.fields) {
          Use(f.name.range, Field(f.name.text));
          if (f.value) Expr(*f.value);
        }
        for (const auto& x : step.expectations) {
          if (x.kind == ast::ExpectKind::kFires || x.kind == ast::ExpectKind::kNotFires) {
            Use(x.name.range, Rule("", x.name.text));
          } else if (x.kind == ast::ExpectKind::kDecision) {
            Use(x.name.range, Decision(x.name.text));
          }
        }
      }
    });
    ForEach<ast::OverrideDecl>([&](const ast::OverrideDecl& o, size_t) {
      for (const auto& item : o.items) {
        if (item.kind == ast::OverrideKind::kSetParam) {
          auto id = Value(item.target.text);
          if (id && out_.decls[*id].kind == DeclKind::kParam) Use(item.target.range, id);
          if (item.value) {
            Expr(*item.value);
            out_.overrides.push_back(ParamOverride{item.target.text, item.value->range, item.range});
          }
        } else {
          Use(item.target.range, Rule(o.ruleset.text, item.target.text));
        }
      }
    });
  }

  const std::vector<sema::LoadedFile>& files_;
  const sema::Module* module_;
  Index out_;
  std::vector<std::string> file_ruleset_;
  bool schema_used_ = false;
  std::multimap<std::string, uint32_t> rules_;      // id → decl (first is first declared)
  std::map<std::string, uint32_t> rules_by_set_;    // "set/id" → decl
  std::map<std::string, uint32_t> decisions_;
};

}  // namespace

namespace {

bool Before(SourceRange a, SourceRange b) {
  return a.file != b.file ? a.file < b.file : a.begin < b.begin;
}

// The last element starting at or before `offset` in `file`, and the one
// before it (a cursor just after a name touches it), in a vector sorted by
// Before(). Names never overlap, so no other can contain the offset.
template <typename T, typename RangeOf>
const T* Lookup(const std::vector<T>& sorted, uint32_t file, uint32_t offset, RangeOf range_of) {
  SourceRange key{file, offset, offset};
  auto it = std::upper_bound(sorted.begin(), sorted.end(), key, [&](SourceRange k, const T& x) {
    return Before(k, range_of(x)) ;
  });
  for (int back = 0; back < 2 && it != sorted.begin(); ++back) {
    --it;
    if (Contains(range_of(*it), file, offset)) return &*it;
  }
  return nullptr;
}

}  // namespace

Index Index::Build(const std::vector<sema::LoadedFile>& files, const sema::Module* module) {
  Index index = Builder(files, module).Run();
  index.Sort();
  return index;
}

void Index::Sort() {
  std::stable_sort(refs.begin(), refs.end(),
                   [](const Ref& a, const Ref& b) { return Before(a.range, b.range); });
  std::stable_sort(calls.begin(), calls.end(),
                   [](const Call& a, const Call& b) { return Before(a.name_range, b.name_range); });
}

const Ref* Index::RefAt(uint32_t file, uint32_t offset) const {
  return Lookup(refs, file, offset, [](const Ref& r) { return r.range; });
}

const Call* Index::CallAt(uint32_t file, uint32_t offset) const {
  return Lookup(calls, file, offset, [](const Call& c) { return c.name_range; });
}

std::optional<uint32_t> Index::FindValue(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

std::optional<uint32_t> Index::FindRule(const std::string& id) const {
  return FindDecl(DeclKind::kRule, id);
}

std::optional<uint32_t> Index::FindDecl(DeclKind kind, const std::string& name) const {
  for (uint32_t i = 0; i < decls.size(); ++i) {
    if (decls[i].kind == kind && decls[i].name == name) return i;
  }
  return std::nullopt;
}

std::vector<const Ref*> Index::RefsTo(uint32_t decl) const {
  std::vector<const Ref*> out;
  for (const Ref& r : refs) {
    if (r.decl == decl) out.push_back(&r);
  }
  return out;
}

}  // namespace vigil::lsp
