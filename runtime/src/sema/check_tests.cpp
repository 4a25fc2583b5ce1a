// Inline `test` blocks and `override` declarations.
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "base/semver.hpp"
#include "base/event_limits.hpp"
#include "sema/checker_impl.hpp"
#include "sema/suggest.hpp"

namespace vigil::sema {

namespace {

template <typename T>
std::vector<T*> All(std::vector<LoadedFile>& files) {
  std::vector<T*> out;
  for (auto& f : files) {
    for (auto& item : f.ast.items) {
      if (auto* d = std::get_if<T>(&item)) out.push_back(d);
    }
  }
  return out;
}

}  // namespace

void Checker::CheckTests() {
  std::vector<std::string> field_names;
  for (const auto& f : module_.schema.fields) field_names.push_back(f.name);
  std::vector<std::string> rule_ids;  // for suggestions
  std::unordered_set<std::string_view> known_ids;
  for (const auto& r : module_.rules) {
    rule_ids.push_back(r.decl->id.text);
    known_ids.insert(r.decl->id.text);
  }

  bool reported_no_schema = false;
  for (ast::TestDecl* t : All<ast::TestDecl>(files_)) {
    TestCase tc;
    tc.name = t->name.value;
    tc.range = t->range;
    tc.strings = std::make_shared<std::deque<std::string>>();
    for (ast::TestStep& s : t->steps) {
      TestStep step;
      step.repeat = s.repeat;
      step.every_micros = s.every_micros;
      step.range = s.range;
      std::vector<const ast::EventField*> given(module_.schema.fields.size(), nullptr);
      for (ast::EventField& f : s.fields) {
        int slot = module_.schema.Find(f.name.text);
        if (slot < 0 && used_schema_ == nullptr) {
          // Without a schema every field is unknown: say why once, not per field.
          if (!reported_no_schema) {
            Error(DiagCode::kUnknownName, f.name.range,
                  fmt::format("unknown field '{}' in test event: no schema is in use", f.name.text),
                  "test events follow the schema the rules use: add 'uses schema NAME', or check "
                  "this file together with the rule files (vigil check DIR)");
            reported_no_schema = true;
          }
          continue;
        }
        if (slot < 0) {
          Error(DiagCode::kUnknownName, f.name.range,
                fmt::format("unknown field '{}' in test event", f.name.text),
                SuggestionHelp(f.name.text, field_names));
          continue;
        }
        // A field given twice is a mistake, never "the last value wins".
        if (const ast::EventField* first = given[static_cast<size_t>(slot)]) {
          Error(DiagCode::kDuplicateEventField, f.name.range,
                fmt::format("field '{}' is given twice in this test event", f.name.text),
                fmt::format("it is first given at {}", Where(first->name.range)));
          continue;
        }
        given[static_cast<size_t>(slot)] = &f;
        Type want = module_.schema.fields[slot].type;
        std::optional<ConstValue> v = EvalConst(*f.value, "a test event value");
        if (!v) continue;
        if (v->type.kind == Kind::kError && v->type.is_set) v->type = want;  // {}
        if (!ConvertConst(*v, want, f.value->range, "value")) continue;
        // The limits every event meets, however it is made (base/event_limits.hpp).
        const eval::FieldInfo& info = module_.schema.fields[slot];
        std::string problem = want.is_set ? EventSetProblem(info.name, v->strs.size())
                              : want.kind == Kind::kString
                                  ? EventStringProblem(info.name, v->scalar.str().size())
                                  : std::string();
        if (!problem.empty()) {
          Error(DiagCode::kBadEventValue, f.value->range, problem);
          continue;
        }
        TestEventField field;
        field.slot = static_cast<uint32_t>(slot);
        if (want.is_set) {
          field.is_set = true;
          field.items = v->strs;
        } else {
          field.value = v->scalar;
          if (want.kind == Kind::kString) {
            tc.strings->emplace_back(v->scalar.str());
            field.value = eval::Value::Str(tc.strings->back());
          }
        }
        step.fields.push_back(std::move(field));
      }
      for (const ast::Expectation& x : s.expectations) {
        TestExpectation e;
        e.range = x.range;
        const SourceFile& file = sources_.file(x.range.file);
        e.text = std::string(file.text().substr(x.range.begin, x.range.end - x.range.begin));
        switch (x.kind) {
          case ast::ExpectKind::kFires:
          case ast::ExpectKind::kNotFires: {
            e.kind = x.kind == ast::ExpectKind::kFires ? TestExpectation::kFires
                                                      : TestExpectation::kNotFires;
            if (!known_ids.contains(x.name.text)) {
              Error(DiagCode::kUnknownRule, x.name.range,
                    fmt::format("unknown rule '{}'", x.name.text),
                    SuggestionHelp(x.name.text, rule_ids));
              continue;
            }
            e.rule = x.name.text;
            break;
          }
          case ast::ExpectKind::kDecision: {
            e.kind = TestExpectation::kDecision;
            int32_t d = FindDecision(x.name);
            if (d < 0) continue;
            e.index = static_cast<uint32_t>(d);
            break;
          }
          case ast::ExpectKind::kScore:
            e.kind = TestExpectation::kScore;
            e.score = x.score;
            break;
          case ast::ExpectKind::kTag:
            e.kind = TestExpectation::kTag;
            e.tag = x.tag.value;
            break;
        }
        step.expectations.push_back(std::move(e));
      }
      tc.steps.push_back(std::move(step));
    }
    module_.tests.push_back(std::move(tc));
  }
}

// Who may override what (docs/sharing.md): an override in the host's own
// files may target any rule set; one carried by a pack only the rule sets
// that pack declares, unless the host allows more (then W5008 says so).
bool Checker::MayOverride(const ast::OverrideDecl& o, uint32_t file, uint32_t target_file,
                          bool report) {
  const std::string& origin = files_[file].origin;
  const std::string& target_origin = files_[target_file].origin;
  if (origin.empty() || origin == target_origin) return true;
  const std::string owner =
      target_origin.empty() ? "the host's own files" : fmt::format("pack \"{}\"", target_origin);
  if (allow_pack_overrides_) {
    if (report) {
      diags_.Add(Diagnostic{
          Severity::kWarning, DiagCode::kPackOverridesOther, o.ruleset.range, true,
          fmt::format("an override in pack \"{}\" re-tunes rule set '{}' of {}", origin,
                      o.ruleset.text, owner),
          "allowed by the host (--allow-pack-overrides, VIGIL_COMPILE_ALLOW_PACK_OVERRIDES)"});
    }
    return true;
  }
  if (report) {
    Error(DiagCode::kForeignOverride, o.ruleset.range,
          fmt::format("an override in pack \"{}\" targets rule set '{}', which the pack does not "
                      "declare (it comes from {})",
                      origin, o.ruleset.text, owner),
          fmt::format("rule set '{}' is declared at {}; a pack may override only its own rule "
                      "sets unless the host allows it (--allow-pack-overrides, "
                      "VIGIL_COMPILE_ALLOW_PACK_OVERRIDES)",
                      o.ruleset.text, Where(ForRuleset(o.ruleset.text)->range)));
  }
  return false;
}

const ast::RulesetDecl* Checker::ForRuleset(const std::string& name, uint32_t* file) {
  for (uint32_t f = 0; f < files_.size(); ++f) {
    for (const auto& item : files_[f].ast.items) {
      const auto* r = std::get_if<ast::RulesetDecl>(&item);
      if (r != nullptr && r->name.text == name) {
        if (file != nullptr) *file = f;
        return r;
      }
    }
  }
  return nullptr;
}

void Checker::RecordOverride(const ast::OverrideDecl& o, const ast::OverrideItem& item,
                             uint32_t file) {
  eval::AppliedOverride a;
  static constexpr eval::AppliedOverride::Kind kKinds[] = {
      eval::AppliedOverride::Kind::kSetParam, eval::AppliedOverride::Kind::kDisable,
      eval::AppliedOverride::Kind::kSeverity, eval::AppliedOverride::Kind::kMode};
  a.kind = kKinds[static_cast<int>(item.kind)];
  const SourceFile& src = sources_.file(item.range.file);
  LineCol pos = src.Position(item.range.begin);
  a.file = src.path();
  a.line = pos.line;
  a.column = pos.column;
  a.pack = files_[file].origin;
  a.ruleset = o.ruleset.text;
  a.target = item.target.text;
  if (item.kind == ast::OverrideKind::kSetParam) {
    const SourceRange& r = item.value->range;
    a.value = std::string(sources_.file(r.file).text().substr(r.begin, r.end - r.begin));
  } else if (item.kind != ast::OverrideKind::kDisableRule) {
    a.value = item.word.text;
  }
  module_.overrides.push_back(std::move(a));
}

void Checker::ApplyOverrides(bool params) {
  // What each setting (a param, a rule's severity or mode) was set by: a
  // second setting, in the same override or another, is an error, so that
  // results never depend on the order of override files.
  std::map<std::string, SourceRange> set_by;
  auto conflict = [&](const std::string& what, const ast::OverrideItem& item) {
    auto [it, fresh] = set_by.emplace(what, item.range);
    if (fresh) return false;
    Error(DiagCode::kConflictingOverride, item.range,
          fmt::format("{} is already set by an override at {}", what, Where(it->second)),
          "set it once: two settings would make the result depend on the order of the files");
    return true;
  };
  std::vector<std::string> ruleset_names;
  for (const auto& r : module_.rulesets) ruleset_names.push_back(r.name);
  // Each rule set's declaration and its file, found once (ForRuleset's
  // first match), so that many overrides cost linear time.
  std::unordered_map<std::string_view, std::pair<const ast::RulesetDecl*, uint32_t>> declared_sets;
  std::vector<std::pair<ast::OverrideDecl*, uint32_t>> overrides;  // with their file
  for (uint32_t f = 0; f < files_.size(); ++f) {
    for (auto& item : files_[f].ast.items) {
      if (auto* o = std::get_if<ast::OverrideDecl>(&item)) overrides.emplace_back(o, f);
      if (const auto* r = std::get_if<ast::RulesetDecl>(&item)) {
        declared_sets.try_emplace(r->name.text, r, f);
      }
    }
  }
  for (auto [o, file] : overrides) {
    auto set_it = rules_by_ruleset_.find(o->ruleset.text);
    auto declared_it = declared_sets.find(o->ruleset.text);
    const ast::RulesetDecl* target_set =
        declared_it == declared_sets.end() ? nullptr : declared_it->second.first;
    const uint32_t target_file = declared_it == declared_sets.end() ? 0 : declared_it->second.second;
    if (target_set == nullptr) {
      if (params) {
        Error(DiagCode::kUnknownRule, o->ruleset.range,
              fmt::format("override targets rule set '{}', which is not loaded", o->ruleset.text),
              SuggestionHelp(o->ruleset.text, ruleset_names));
      }
      continue;
    }
    // Errors in an override name the override's place and, in the help, the
    // rule set's: they are usually two files from two organisations.
    const std::string declared = fmt::format("rule set '{}' {} is declared at {}", o->ruleset.text,
                                             target_set->version.value, Where(target_set->range));
    auto with_declared = [&](std::string help) {
      return help.empty() ? declared : help + "; " + declared;
    };
    if (!MayOverride(*o, file, target_file, params)) continue;
    if (o->version && params) {
      if (!ParseVersion(o->version->value)) {
        Error(DiagCode::kBadVersion, o->version->range,
              fmt::format("version \"{}\" is not a semantic version", o->version->value),
              "write MAJOR.MINOR.PATCH, for example \"1.4.0\"");
        continue;
      }
      if (!SatisfiesCaret(target_set->version.value, o->version->value)) {
        Error(DiagCode::kIncompatibleVersion, o->version->range,
              fmt::format("override is written for rule set '{}' version {}, but the loaded "
                          "version {} is not compatible with it",
                          o->ruleset.text, o->version->value, target_set->version.value),
              with_declared("review the override against the new version, then update its version"));
        continue;
      }
    }
    for (ast::OverrideItem& item : o->items) {
      if (params != (item.kind == ast::OverrideKind::kSetParam)) continue;
      if (item.kind == ast::OverrideKind::kSetParam) {
        auto it = symbols_.find(item.target.text);
        if (it == symbols_.end() || it->second.kind != RefKind::kParam) {
          std::vector<std::string> names;
          for (const auto& p : module_.params) names.push_back(p.name);
          Error(DiagCode::kUnknownName, item.target.range,
                fmt::format("'{}' is not a param of rule set '{}'", item.target.text,
                            o->ruleset.text),
                with_declared(SuggestionHelp(item.target.text, names)));
          continue;
        }
        // A param belongs to the rule set of the file that declares it: an
        // override of one rule set cannot re-tune another's.
        const uint32_t param_file = param_file_[it->second.index];
        const int owner = file_ruleset_[param_file];
        if ((owner >= 0 && module_.rulesets[owner].name != o->ruleset.text) ||
            (owner < 0 && !MayOverride(*o, file, param_file, false))) {
          Error(DiagCode::kUnknownName, item.target.range,
                fmt::format("'{}' is not a param of rule set '{}'", item.target.text,
                            o->ruleset.text),
                owner >= 0 ? fmt::format("it is a param of rule set '{}', declared at {}; "
                                         "override it there",
                                         module_.rulesets[owner].name,
                                         Where(param_decls_[it->second.index]->range))
                           : with_declared(""));
          continue;
        }
        ConstInfo& param = module_.params[it->second.index];
        if (conflict(fmt::format("param '{}'", item.target.text), item)) continue;
        std::optional<ConstValue> v = EvalConst(*item.value, "an override value");
        if (v && param.value.type.ok() && ConvertConst(*v, param.value.type, item.value->range, "value")) {
          param.value = std::move(*v);
          RecordOverride(*o, item, file);
          param.overridden_at = item.value->range;
        }
        continue;
      }
      const RulesetRules* rules = set_it == rules_by_ruleset_.end() ? nullptr : &set_it->second;
      RuleCheck* target = nullptr;
      if (rules != nullptr) {
        auto found = rules->by_id.find(item.target.text);
        if (found != rules->by_id.end()) target = &module_.rules[found->second];
      }
      if (target == nullptr) {
        std::vector<std::string> ids;  // only for the suggestion
        for (uint32_t idx = 0; rules != nullptr && idx < rules->order.size(); ++idx) {
          ids.push_back(module_.rules[rules->order[idx]].decl->id.text);
        }
        Error(DiagCode::kUnknownRule, item.target.range,
              fmt::format("rule set '{}' has no rule '{}'", o->ruleset.text, item.target.text),
              with_declared(SuggestionHelp(item.target.text, ids)));
        continue;
      }
      static const std::vector<std::string> kSev = {"low", "medium", "high", "critical"};
      if ((item.kind == ast::OverrideKind::kSeverity || item.kind == ast::OverrideKind::kMode) &&
          conflict(fmt::format("the {} of rule '{}/{}'",
                               item.kind == ast::OverrideKind::kSeverity ? "severity" : "mode",
                               o->ruleset.text, item.target.text),
                   item)) {
        continue;
      }
      switch (item.kind) {
        case ast::OverrideKind::kDisableRule:
          target->disabled = true;
          RecordOverride(*o, item, file);
          break;
        case ast::OverrideKind::kSeverity: {
          auto it = std::find(kSev.begin(), kSev.end(), item.word.text);
          if (it == kSev.end()) {
            Error(DiagCode::kUnknownKeyword, item.word.range,
                  fmt::format("unknown severity '{}'", item.word.text),
                  SuggestionHelp(item.word.text, kSev));
          } else {
            target->severity = static_cast<eval::RuleSeverity>(it - kSev.begin());
            RecordOverride(*o, item, file);
          }
          break;
        }
        case ast::OverrideKind::kMode:
          if (item.word.text != "shadow" && item.word.text != "enforce") {
            Error(DiagCode::kUnknownKeyword, item.word.range,
                  fmt::format("unknown mode '{}'", item.word.text), "modes are enforce and shadow");
          } else {
            target->shadow = item.word.text == "shadow";
            RecordOverride(*o, item, file);
          }
          break;
        default:
          break;
      }
    }
  }
}

}  // namespace vigil::sema
