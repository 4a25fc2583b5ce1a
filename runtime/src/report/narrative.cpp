#include "report/narrative.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <utility>
#include <vector>

#include "case/case_json.hpp"

namespace vigil::report {

namespace {

// The evidence records of the alerts one narrative reads, as trees: case
// files keep their condition trees as text (cases::ReadCaseJson), and a
// narrative reads the same alert's for several rules, so each is expanded
// once.
class EvidenceTrees {
 public:
  const json::Value& Of(const cases::Alert& a) {
    for (const auto& [alert, tree] : trees_) {
      if (alert == &a) return tree;
    }
    return trees_.emplace_back(&a, cases::ExpandEvidence(a.evidence)).second;
  }

 private:
  std::deque<std::pair<const cases::Alert*, json::Value>> trees_;
};

SpecialFn EvidenceOf(const Context& ctx, EvidenceTrees& trees) {
  return [&ctx, &trees](std::string_view name, std::string*) -> std::optional<std::string> {
    if (name != "evidence" || ctx.alert == nullptr || ctx.rule == nullptr) return std::nullopt;
    return EvidenceSummary(trees.Of(*ctx.alert), ctx.rule->rule);
  };
}

// One alert: its fired rules through narrative.alert_rule.
std::optional<std::string> RenderAlert(const Context& ctx, EvidenceTrees& trees,
                                       std::string* why) {
  const Narrative& n = ctx.profile->narrative;
  SpecialFn special = [&](std::string_view name, std::string* w) -> std::optional<std::string> {
    if (name != "rules") return std::nullopt;
    std::string out;
    for (const cases::FiredRule& r : ctx.alert->fired) {
      Context rc = ctx;
      rc.rule = &r;
      std::optional<std::string> text = RenderTemplate(rc, n.alert_rule, EvidenceOf(rc, trees), w);
      if (!text) return std::nullopt;
      if (!out.empty()) out += n.alert_rule_separator;
      out += *text;
    }
    return out;
  };
  return RenderTemplate(ctx, n.alert, special, why);
}

// One rule of the case, with the latest alert it fired on (its reason and
// evidence).
std::optional<std::string> RenderCaseRule(const Context& ctx, const cases::RuleSummary& rule,
                                          EvidenceTrees& trees, std::string* why) {
  Context rc = ctx;
  rc.summary = &rule;
  for (const cases::Alert& a : ctx.c->alerts) {
    for (const cases::FiredRule& f : a.fired) {
      if (f.rule == rule.rule && f.version == rule.version) {
        rc.alert = &a;
        rc.rule = &f;
      }
    }
  }
  if (rc.rule == nullptr) {
    *why = fmt::format("no alert of the case has rule '{}' fired", rule.rule);
    return std::nullopt;
  }
  return RenderTemplate(rc, ctx.profile->narrative.rule, EvidenceOf(rc, trees), why);
}

}  // namespace

std::optional<std::string> RenderNarrative(const Context& ctx, const std::string& which,
                                           std::string* why) {
  const Narrative& n = ctx.profile->narrative;
  EvidenceTrees trees;
  SpecialFn special = [&](std::string_view name, std::string* w) -> std::optional<std::string> {
    std::string out;
    if (name == "alerts") {
      for (const cases::Alert& a : ctx.c->alerts) {
        Context ac = ctx;
        ac.alert = &a;
        ac.txn = nullptr;
        std::optional<std::string> text = RenderAlert(ac, trees, w);
        if (!text) return std::nullopt;
        if (!out.empty()) out += n.alert_separator;
        out += *text;
      }
      return out;
    }
    if (name == "rules") {
      for (const cases::RuleSummary& r : ctx.c->rules) {
        std::optional<std::string> text = RenderCaseRule(ctx, r, trees, w);
        if (!text) return std::nullopt;
        if (!out.empty()) out += n.rule_separator;
        out += *text;
      }
      return out;
    }
    if (name == "typologies") {
      for (const std::string& code : ctx.c->typologies) {
        for (const auto& [key, paragraph] : n.typologies) {
          if (key != code) continue;
          std::optional<std::string> text = RenderTemplate(ctx, paragraph, nullptr, w);
          if (!text) return std::nullopt;
          if (!out.empty()) out += n.typology_separator;
          out += *text;
        }
      }
      return out;
    }
    return std::nullopt;
  };
  return RenderTemplate(ctx, which, special, why);
}

namespace {

// Collects the aggregates below `node`, following lets into the record's
// "lets" section (each let once).
void CollectAggregates(const json::Value& node, const json::Value* lets,
                       std::vector<std::string>* seen_lets, std::vector<std::string>* out) {
  if (!node.is_object()) return;
  const json::Value* kind = node.Find("kind");
  const std::string k = kind != nullptr && kind->is_string() ? kind->text() : "";
  if (k == "aggregate") {
    const json::Value* expr = node.Find("expr");
    const json::Value* value = node.Find("value");
    const json::Value* agg = node.Find("aggregate");
    const json::Value* events = agg != nullptr ? agg->Find("events") : nullptr;
    std::optional<std::string> v = value != nullptr ? ScalarText(*value) : std::nullopt;
    if (expr != nullptr && expr->is_string() && v) {
      std::string clause = fmt::format("{} = {}", expr->text(), *v);
      if (events != nullptr && events->is_number()) {
        clause += fmt::format(" over {} event{}", events->text(), events->text() == "1" ? "" : "s");
      }
      if (std::find(out->begin(), out->end(), clause) == out->end()) out->push_back(clause);
    }
  } else if (k == "let" && lets != nullptr) {
    const json::Value* name = node.Find("let");
    if (name != nullptr && name->is_string() &&
        std::find(seen_lets->begin(), seen_lets->end(), name->text()) == seen_lets->end()) {
      seen_lets->push_back(name->text());
      const json::Value* let = lets->Find(name->text());
      if (let != nullptr) {
        if (const json::Value* cond = let->Find("condition")) {
          CollectAggregates(*cond, lets, seen_lets, out);
        }
      }
    }
  }
  if (const json::Value* children = node.Find("children"); children != nullptr && children->is_array()) {
    for (const json::Value& child : children->items()) {
      CollectAggregates(child, lets, seen_lets, out);
    }
  }
}

}  // namespace

std::string EvidenceSummary(const json::Value& evidence, const std::string& rule) {
  const json::Value* rules = evidence.Find("rules");
  if (rules == nullptr || !rules->is_array()) return "";
  const json::Value* lets = evidence.Find("lets");
  std::vector<std::string> clauses, seen_lets;
  for (const json::Value& r : rules->items()) {
    const json::Value* id = r.Find("rule");
    if (id == nullptr || !id->is_string() || id->text() != rule) continue;
    if (const json::Value* cond = r.Find("condition")) {
      CollectAggregates(*cond, lets, &seen_lets, &clauses);
    }
  }
  if (clauses.empty()) return "";
  std::string out = " (";
  for (size_t i = 0; i < clauses.size(); ++i) {
    if (i > 0) out += "; ";
    out += clauses[i];
  }
  return out + ")";
}

}  // namespace vigil::report
