// Which country's package a subject goes to (docs/referral.md,
// "Jurisdiction"): the policy's precedence steps in order, each giving the
// most frequent valid ISO 3166-1 alpha-2 code of its field over the
// subject's transactions; the first step that gives one decides. Every other
// valid code met (in the steps' fields and the `related` fields) is a
// related country. A subject for which no step gives a code is unassigned,
// with each step's reason.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/json_value.hpp"
#include "referral/policy.hpp"

namespace vigil::referral {

struct Decision;

// What one subject's transactions say about countries, kept small: memory
// grows with the number of subjects, not with their transactions.
class CountryTally {
 public:
  // Adds one transaction (the event's JSON object).
  void Add(const Policy& policy, const json::Value& event);

 private:
  friend Decision Decide(const Policy& policy, const CountryTally& tally);
  struct Seen {
    uint16_t step;  // the policy has at most kMaxPrecedenceSteps
    int16_t country;
    uint32_t count;
  };
  struct Invalid {
    uint16_t step;
    std::string what;  // "'ZZ' is not an ISO 3166-1 alpha-2 country code"
  };
  std::vector<Seen> seen_;          // valid codes per step, with how often
  std::vector<int16_t> related_;    // valid codes of the related fields (sorted, unique)
  std::vector<uint32_t> considered_;  // per step: transactions where `when` held
  std::vector<Invalid> invalid_;      // per step, distinct, a few
};

struct Decision {
  int country = -1;  // index into Countries(), -1 when unassigned
  int step = -1;     // the precedence step that decided
  std::vector<int16_t> related;      // sorted, without `country`
  std::vector<std::string> reasons;  // when unassigned: why each step gave no country
};

Decision Decide(const Policy& policy, const CountryTally& tally);

// A country field's value as a code: ASCII letters upper-cased, spaces
// trimmed. Empty for anything that is not a string.
std::string CountryText(const json::Value* v);

}  // namespace vigil::referral
