#include "referral/jurisdiction.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "referral/countries.hpp"

namespace vigil::referral {

namespace {

constexpr size_t kMaxInvalid = 4;

void AddRelated(std::vector<int16_t>& v, int16_t c) {
  auto it = std::lower_bound(v.begin(), v.end(), c);
  if (it == v.end() || *it != c) v.insert(it, c);
}

}  // namespace

std::string CountryText(const json::Value* v) {
  if (v == nullptr || !v->is_string()) return "";
  std::string_view s = v->text();
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

void CountryTally::Add(const Policy& policy, const json::Value& event) {
  if (considered_.size() < policy.precedence.size()) considered_.resize(policy.precedence.size());
  // Kept by step index: two steps may share a name, and a field's name may
  // begin with another's.
  auto invalid = [&](size_t step, const json::Value* v) {
    std::string what = v->is_string()
                           ? fmt::format("'{}' is not an ISO 3166-1 alpha-2 country code",
                                         v->text().substr(0, 40))
                           : fmt::format("expected a country code, found {}",
                                         json::TypeName(v->type()));
    const bool known = std::any_of(invalid_.begin(), invalid_.end(), [&](const Invalid& x) {
      return x.step == step && x.what == what;
    });
    if (invalid_.size() < kMaxInvalid && !known) {
      invalid_.push_back(Invalid{static_cast<uint16_t>(step), std::move(what)});
    }
  };
  for (size_t s = 0; s < policy.precedence.size(); ++s) {
    const PrecedenceStep& step = policy.precedence[s];
    if (step.when) {
      const json::Value* w = event.Find(step.when->name);
      if (w == nullptr || !w->is_bool() || !w->boolean()) continue;
    }
    ++considered_[s];
    const json::Value* v = event.Find(step.field.name);
    if (v == nullptr || v->is_null()) continue;
    int c = CountryIndex(CountryText(v));
    if (c < 0) {
      invalid(s, v);
      continue;
    }
    auto it = std::find_if(seen_.begin(), seen_.end(), [&](const Seen& x) {
      return x.step == s && x.country == c;
    });
    if (it == seen_.end()) {
      seen_.push_back(Seen{static_cast<uint16_t>(s), static_cast<int16_t>(c), 1});
    } else {
      ++it->count;
    }
  }
  for (const FieldRef& f : policy.related) {
    int c = CountryIndex(CountryText(event.Find(f.name)));
    if (c >= 0) AddRelated(related_, static_cast<int16_t>(c));
  }
}

Decision Decide(const Policy& policy, const CountryTally& tally) {
  Decision d;
  for (size_t s = 0; s < policy.precedence.size() && d.country < 0; ++s) {
    uint32_t best = 0;
    for (const CountryTally::Seen& x : tally.seen_) {
      if (x.step != s) continue;
      // The most frequent code; ties go to the first in code order.
      if (x.count > best || (x.count == best && x.country < d.country)) {
        best = x.count;
        d.country = x.country;
        d.step = static_cast<int>(s);
      }
    }
  }
  std::vector<int16_t> related = tally.related_;
  for (const CountryTally::Seen& x : tally.seen_) AddRelated(related, x.country);
  for (int16_t c : related) {
    if (c != d.country) d.related.push_back(c);
  }
  if (d.country >= 0) return d;
  for (size_t s = 0; s < policy.precedence.size(); ++s) {
    const PrecedenceStep& step = policy.precedence[s];
    const std::string label = fmt::format("{} ({})", step.name, step.field.name);
    std::vector<std::string> mine;
    for (const CountryTally::Invalid& x : tally.invalid_) {
      if (x.step == s) mine.push_back(x.what);
    }
    if (!mine.empty()) {
      for (const std::string& m : mine) d.reasons.push_back(label + ": " + m);
    } else if (step.when && (s >= tally.considered_.size() || tally.considered_[s] == 0)) {
      d.reasons.push_back(fmt::format("{}: '{}' is true in no transaction", label, step.when->name));
    } else {
      d.reasons.push_back(label + ": no value in any transaction");
    }
  }
  return d;
}

}  // namespace vigil::referral
