// Inline `test` blocks and `override` declarations.
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

void Checker::ApplyOverrides(bool params) {
  std::vector<std::string> ruleset_names;
  for (const auto& r : module_.rulesets) ruleset_names.push_back(r.name);
  std::unordered_map<std::string_view, const ast::RulesetDecl*> declared_sets;  // last one wins
  for (const ast::RulesetDecl* r : All<ast::RulesetDecl>(files_)) declared_sets[r->name.text] = r;
  for (ast::OverrideDecl* o : All<ast::OverrideDecl>(files_)) {
    auto set_it = rules_by_ruleset_.find(o->ruleset.text);
    auto declared_it = declared_sets.find(o->ruleset.text);
    const ast::RulesetDecl* target_set =
        declared_it == declared_sets.end() ? nullptr : declared_it->second;
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
        ConstInfo& param = module_.params[it->second.index];
        std::optional<ConstValue> v = EvalConst(*item.value, "an override value");
        if (v && param.value.type.ok() && ConvertConst(*v, param.value.type, item.value->range, "value")) {
          param.value = std::move(*v);
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
      switch (item.kind) {
        case ast::OverrideKind::kDisableRule:
          target->disabled = true;
          break;
        case ast::OverrideKind::kSeverity: {
          auto it = std::find(kSev.begin(), kSev.end(), item.word.text);
          if (it == kSev.end()) {
            Error(DiagCode::kUnknownKeyword, item.word.range,
                  fmt::format("unknown severity '{}'", item.word.text),
                  SuggestionHelp(item.word.text, kSev));
          } else {
            target->severity = static_cast<eval::RuleSeverity>(it - kSev.begin());
          }
          break;
        }
        case ast::OverrideKind::kMode:
          if (item.word.text != "shadow" && item.word.text != "enforce") {
            Error(DiagCode::kUnknownKeyword, item.word.range,
                  fmt::format("unknown mode '{}'", item.word.text), "modes are enforce and shadow");
          } else {
            target->shadow = item.word.text == "shadow";
          }
          break;
        default:
          break;
      }
    }
  }
}

}  // namespace vigil::sema
