// vigil_ruleset_*: reference counting and inspection of a compiled rule set.
#include "handles.hpp"

using vigil::capi::Guard;
using vigil::capi::kRulesetMagic;
using vigil::capi::Valid;

namespace {

int32_t TypeCode(vigil::Type t) {
  if (t.is_set) return VIGIL_TYPE_STRING_SET;
  switch (t.kind) {
    case vigil::Kind::kBool: return VIGIL_TYPE_BOOL;
    case vigil::Kind::kInt: return VIGIL_TYPE_INT;
    case vigil::Kind::kDecimal: return VIGIL_TYPE_DECIMAL;
    case vigil::Kind::kFloat: return VIGIL_TYPE_FLOAT;
    case vigil::Kind::kString: return VIGIL_TYPE_STRING;
    case vigil::Kind::kTime: return VIGIL_TYPE_TIME;
    case vigil::Kind::kDuration: return VIGIL_TYPE_DURATION;
    default: return 0;
  }
}

}  // namespace

extern "C" {

vigil_ruleset* vigil_ruleset_retain(vigil_ruleset* ruleset) {
  if (!Valid(ruleset, kRulesetMagic)) return nullptr;
  ruleset->refs.fetch_add(1, std::memory_order_relaxed);
  return ruleset;
}

void vigil_ruleset_release(vigil_ruleset* ruleset) {
  if (!Valid(ruleset, kRulesetMagic)) return;
  if (ruleset->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    ruleset->magic = vigil::capi::kFreed;
    delete ruleset;
  }
}

const char* vigil_ruleset_name(const vigil_ruleset* ruleset) {
  if (!Valid(ruleset, kRulesetMagic) || ruleset->program->rulesets.empty()) return "";
  return ruleset->program->rulesets[0].name.c_str();
}

const char* vigil_ruleset_version(const vigil_ruleset* ruleset) {
  if (!Valid(ruleset, kRulesetMagic) || ruleset->program->rulesets.empty()) return "";
  return ruleset->program->rulesets[0].version.c_str();
}

const char* vigil_ruleset_digest(const vigil_ruleset* ruleset) {
  if (!Valid(ruleset, kRulesetMagic)) return "";
  return ruleset->program->sources_digest.c_str();
}

size_t vigil_ruleset_rule_count(const vigil_ruleset* ruleset) {
  return Valid(ruleset, kRulesetMagic) ? ruleset->program->rules.size() : 0;
}

vigil_status vigil_ruleset_rule_get(const vigil_ruleset* ruleset, size_t index,
                                    vigil_rule_info* out) {
  if (!Valid(ruleset, kRulesetMagic) || out == nullptr ||
      out->struct_size < sizeof(vigil_rule_info)) {
    return VIGIL_ERR_MISUSE;
  }
  const auto& p = *ruleset->program;
  if (index >= p.rules.size()) return VIGIL_ERR_RANGE;
  const vigil::eval::RuleInfo& r = p.rules[index];
  vigil_rule_info info{};
  info.struct_size = sizeof(vigil_rule_info);
  info.severity = static_cast<int32_t>(r.severity);
  info.shadow = r.shadow ? 1 : 0;
  info.tag_count = static_cast<uint32_t>(r.tags.size());
  info.id = r.id.c_str();
  info.qualified_id = r.qualified_id.c_str();
  info.version = p.rulesets[r.ruleset].version.c_str();
  info.title = r.title.c_str();
  *out = info;
  return VIGIL_OK;
}

const char* vigil_ruleset_rule_tag(const vigil_ruleset* ruleset, size_t index, size_t tag_index) {
  if (!Valid(ruleset, kRulesetMagic)) return nullptr;
  const auto& rules = ruleset->program->rules;
  if (index >= rules.size() || tag_index >= rules[index].tags.size()) return nullptr;
  return rules[index].tags[tag_index].c_str();
}

size_t vigil_ruleset_field_count(const vigil_ruleset* ruleset) {
  return Valid(ruleset, kRulesetMagic) ? ruleset->program->schema.fields.size() : 0;
}

vigil_status vigil_ruleset_field_get(const vigil_ruleset* ruleset, size_t slot,
                                     vigil_field_info* out) {
  if (!Valid(ruleset, kRulesetMagic) || out == nullptr ||
      out->struct_size < sizeof(vigil_field_info)) {
    return VIGIL_ERR_MISUSE;
  }
  const auto& fields = ruleset->program->schema.fields;
  if (slot >= fields.size()) return VIGIL_ERR_RANGE;
  const vigil::eval::FieldInfo& f = fields[slot];
  vigil_field_info info{};
  info.struct_size = sizeof(vigil_field_info);
  info.type = TypeCode(f.type);
  info.flags = (f.key ? VIGIL_FIELD_KEY : 0) | (f.pii ? VIGIL_FIELD_PII : 0) |
               (static_cast<int>(slot) == ruleset->program->schema.time_slot ? VIGIL_FIELD_TIME : 0);
  info.slot = static_cast<uint32_t>(slot);
  info.name = f.name.c_str();
  *out = info;
  return VIGIL_OK;
}

int32_t vigil_ruleset_field_slot(const vigil_ruleset* ruleset, const char* name, size_t name_len) {
  if (!Valid(ruleset, kRulesetMagic) || (name == nullptr && name_len > 0)) return -1;
  return ruleset->program->schema.Find(std::string_view(name == nullptr ? "" : name, name_len));
}

namespace {
using vigil::capi::CheckedText;
using vigil::capi::Failure;
thread_local std::string t_ruleset_errmsg;
}  // namespace

vigil_status vigil_ruleset_set_list(vigil_ruleset* ruleset, const char* name, size_t name_len,
                                    const char* const* values, const size_t* lens, size_t count) {
  if (!Valid(ruleset, kRulesetMagic)) return VIGIL_ERR_MISUSE;
  return Guard(&t_ruleset_errmsg, [&]() -> vigil_status {
    std::string_view n = CheckedText(name, name_len, "name");
    if (count > 0 && (values == nullptr || lens == nullptr)) {
      throw Failure{VIGIL_ERR_MISUSE, "values and lens must not be NULL"};
    }
    if (count > vigil::limits::kMaxListEntries) {
      throw Failure{VIGIL_ERR_LIMIT, "more values than a list may hold (" +
                                         std::to_string(vigil::limits::kMaxListEntries) + ")"};
    }
    const vigil::eval::ExternalList* list =
        vigil::eval::FindExternalList(ruleset->program->external_lists, n);
    if (list == nullptr) {
      throw Failure{VIGIL_ERR_RANGE, "the rule set has no external list '" + std::string(n) + "'"};
    }
    std::vector<std::string_view> items;
    items.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      items.push_back(CheckedText(values[i], lens[i], "value"));
    }
    std::string error;
    if (!vigil::eval::ReplaceExternalList(*list, items, &error)) {
      throw Failure{VIGIL_ERR_INVALID_ARG, error};
    }
    t_ruleset_errmsg.clear();
    return VIGIL_OK;
  });
}

const char* vigil_ruleset_errmsg(void) { return t_ruleset_errmsg.c_str(); }

size_t vigil_ruleset_override_count(const vigil_ruleset* ruleset) {
  return Valid(ruleset, kRulesetMagic) ? ruleset->program->overrides.size() : 0;
}

vigil_status vigil_ruleset_override_get(const vigil_ruleset* ruleset, size_t index,
                                        vigil_override_info* out) {
  if (!Valid(ruleset, kRulesetMagic) || out == nullptr ||
      out->struct_size < sizeof(vigil_override_info)) {
    return VIGIL_ERR_MISUSE;
  }
  const auto& overrides = ruleset->program->overrides;
  if (index >= overrides.size()) return VIGIL_ERR_RANGE;
  const vigil::eval::AppliedOverride& o = overrides[index];
  vigil_override_info info{};
  info.struct_size = sizeof(vigil_override_info);
  switch (o.kind) {
    case vigil::eval::AppliedOverride::Kind::kSetParam: info.kind = VIGIL_OVERRIDE_SET_PARAM; break;
    case vigil::eval::AppliedOverride::Kind::kDisable: info.kind = VIGIL_OVERRIDE_DISABLE; break;
    case vigil::eval::AppliedOverride::Kind::kSeverity: info.kind = VIGIL_OVERRIDE_SEVERITY; break;
    case vigil::eval::AppliedOverride::Kind::kMode: info.kind = VIGIL_OVERRIDE_MODE; break;
  }
  info.line = o.line;
  info.column = o.column;
  info.file = o.file.c_str();
  info.pack = o.pack.c_str();
  info.ruleset = o.ruleset.c_str();
  info.target = o.target.c_str();
  info.value = o.value.c_str();
  *out = info;
  return VIGIL_OK;
}

}  // extern "C"
