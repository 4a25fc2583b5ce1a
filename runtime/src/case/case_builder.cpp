#include "case/case_builder.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "base/decimal.hpp"
#include "base/time_util.hpp"

namespace vigil::cases {

namespace {

bool SameRuleset(const RulesetRef& a, const RulesetRef& b) {
  return a.name == b.name && a.version == b.version && a.sources_digest == b.sources_digest &&
         a.pack.has_value() == b.pack.has_value() &&
         (!a.pack || (a.pack->sha256 == b.pack->sha256 && a.pack->signers == b.pack->signers &&
                      a.pack->file == b.pack->file));
}

int Rank(const std::vector<std::string>& decisions, const std::string& d) {
  auto it = std::find(decisions.begin(), decisions.end(), d);
  return it == decisions.end() ? -1 : static_cast<int>(it - decisions.begin());
}

// The decimal amount of a transaction, when its data has one.
bool AmountOf(const Transaction& t, const BuildOptions& o, std::optional<Decimal>* amount,
              std::string* currency, std::string* error) {
  const json::Value* a = t.data.Find(o.amount_member);
  const json::Value* c = t.data.Find(o.currency_member);
  currency->clear();
  if (c != nullptr && c->is_string()) *currency = c->text();
  if (a == nullptr || a->is_null()) {
    amount->reset();
    return true;
  }
  std::optional<Decimal> d;
  if (a->is_number() || a->is_string()) d = ParseDecimal(a->text());
  if (!d) {
    std::string shown;
    json::Write(*a, shown);
    *error = fmt::format("event '{}': member '{}': expected a decimal amount (at most 6 "
                         "fractional digits), found {}",
                         t.event, o.amount_member, shown.substr(0, 40));
    return false;
  }
  *amount = d;
  return true;
}

}  // namespace

bool FinishCase(Case& c, const BuildOptions& options, std::string* error) {
  auto by_time = [](const auto& a, const auto& b) { return a.time_us < b.time_us; };
  std::stable_sort(c.alerts.begin(), c.alerts.end(), by_time);
  std::stable_sort(c.transactions.begin(), c.transactions.end(), by_time);
  c.case_id = CaseId(c.subject, c.alerts.front().event);
  c.window = DurationToString(options.window_us);
  c.opened = c.alerts.front().time;
  c.last_alert = c.alerts.back().time;
  int best = -1;
  for (const Alert& a : c.alerts) best = std::max(best, Rank(c.decisions, a.decision));
  c.decision = best >= 0 ? c.decisions[static_cast<size_t>(best)] : c.decisions.front();

  // Totals per currency, exact.
  std::map<std::string, std::pair<int64_t, Decimal>> totals;
  for (const Transaction& t : c.transactions) {
    std::optional<Decimal> amount;
    std::string currency;
    if (!AmountOf(t, options, &amount, &currency, error)) return false;
    if (!amount) continue;
    auto& [count, sum] = totals[currency];
    if (!DecimalAdd(sum, *amount, &sum)) {
      *error = fmt::format("the {} total of case {} is too large for a decimal",
                           currency.empty() ? "amount" : currency, c.case_id);
      return false;
    }
    ++count;
  }
  c.totals.clear();
  for (const auto& [currency, total] : totals) {  // "" (no currency) sorts first
    c.totals.push_back(CurrencyTotal{currency, total.first, DecimalToString(total.second)});
  }

  // Typologies and rules.
  std::set<std::string> typologies;
  std::map<std::pair<std::string, std::string>, RuleSummary> rules;
  for (const Alert& a : c.alerts) {
    for (const FiredRule& f : a.fired) {
      for (const std::string& tag : f.tags) {
        if (tag.starts_with("typology:") && tag.size() > 9) typologies.insert(tag.substr(9));
      }
      auto [it, inserted] = rules.try_emplace({f.rule, f.version});
      RuleSummary& r = it->second;
      if (inserted) r = RuleSummary{f.rule, f.version, f.severity, f.title, f.tags, 0};
      ++r.alerts;
    }
  }
  c.typologies.assign(typologies.begin(), typologies.end());
  c.rules.clear();
  for (auto& [k, r] : rules) c.rules.push_back(std::move(r));
  return true;
}

CaseBuilder::CaseBuilder(BuildOptions options, Sink sink)
    : options_(std::move(options)), sink_(std::move(sink)) {}

bool CaseBuilder::Emit(Case&& c, std::string* error) {
  if (!FinishCase(c, options_, error)) return false;
  const std::string& threshold =
      options_.min_decision.empty() ? c.decisions[std::min<size_t>(1, c.decisions.size() - 1)]
                                    : options_.min_decision;
  if (Rank(c.decisions, c.decision) < Rank(c.decisions, threshold)) {
    ++below_;
    return true;
  }
  ++written_;
  alerts_written_ += c.alerts.size();
  return sink_(std::move(c), error);
}

bool CaseBuilder::Close(const std::string& subject_key, std::string* error) {
  auto it = open_.find(subject_key);
  by_last_.erase({it->second.last_us, subject_key});
  Case c = std::move(it->second.c);
  open_.erase(it);
  return Emit(std::move(c), error);
}

bool CaseBuilder::CloseBefore(int64_t watermark_us, std::string* error) {
  while (!by_last_.empty()) {
    const auto& [last, subject_key] = *by_last_.begin();
    int64_t gap = 0;
    if (!__builtin_sub_overflow(watermark_us, last, &gap) && gap <= options_.window_us) break;
    if (!Close(std::string(subject_key), error)) return false;
  }
  return true;
}

bool CaseBuilder::Add(AlertInput in, const std::string& where, std::string* error) {
  if (in.decisions.empty()) {
    *error = fmt::format("{}: the evidence record names no decisions", where);
    return false;
  }
  if (Rank(in.decisions, in.alert.decision) < 0) {
    *error = fmt::format("{}: decision '{}' is not one of the evidence record's decisions", where,
                         in.alert.decision);
    return false;
  }
  if (!options_.min_decision.empty() && Rank(in.decisions, options_.min_decision) < 0) {
    *error = fmt::format("{}: --min-decision '{}' is not a decision of these rules ({})", where,
                         options_.min_decision, fmt::join(in.decisions, ", "));
    return false;
  }
  {
    std::optional<Decimal> amount;
    std::string currency;
    std::string why;
    if (!AmountOf(in.transaction, options_, &amount, &currency, &why)) {
      *error = fmt::format("{}: {}", in.event_where, why);
      return false;
    }
  }
  const std::string subject_key = in.subject.field + '\n' + in.subject.value;
  const int64_t t = in.alert.time_us;
  if (t > watermark_us_) watermark_us_ = t;
  auto it = open_.find(subject_key);
  if (it != open_.end()) {
    int64_t gap = 0;
    const bool joins = __builtin_sub_overflow(t, it->second.last_us, &gap) ||
                       gap <= options_.window_us;
    if (joins && it->second.c.decisions != in.decisions) {
      *error = fmt::format("{}: the evidence record orders decisions differently from the earlier "
                           "alerts of subject {} '{}' ({} against {})",
                           where, in.subject.field, in.subject.value,
                           fmt::join(in.decisions, " < "),
                           fmt::join(it->second.c.decisions, " < "));
      return false;
    }
    if (!joins) {
      if (!Close(subject_key, error)) return false;
      it = open_.end();
    }
  }
  if (it == open_.end()) {
    Open o;
    o.c.subject = in.subject;
    o.c.decisions = in.decisions;
    o.last_us = t;
    it = open_.emplace(subject_key, std::move(o)).first;
    by_last_.insert({t, subject_key});
  }
  Open& o = it->second;
  for (RulesetRef& r : in.rulesets) {
    bool known = false;
    for (const RulesetRef& have : o.c.rulesets) known = known || SameRuleset(have, r);
    if (!known) o.c.rulesets.push_back(std::move(r));
  }
  if (t > o.last_us) {
    by_last_.erase({o.last_us, subject_key});
    o.last_us = t;
    by_last_.insert({t, subject_key});
  }
  o.c.alerts.push_back(std::move(in.alert));
  o.c.transactions.push_back(std::move(in.transaction));
  most_open_ = std::max(most_open_, open_.size());
  return CloseBefore(watermark_us_, error);
}

bool CaseBuilder::Finish(std::string* error) {
  while (!by_last_.empty()) {
    if (!Close(std::string(by_last_.begin()->second), error)) return false;
  }
  return true;
}

}  // namespace vigil::cases
