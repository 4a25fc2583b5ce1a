// What the hand-written evaluators (bench/handwritten_gen.py) see: one
// generated transaction with its fields already parsed into plain C++ types,
// and a result that records fired rules, score and decision as vigil does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::bench {

struct Txn {
  int64_t amount = 0;  // cents
  int64_t mcc = 0;
  int64_t account_age_days = 0;
  std::string_view currency, merchant_country, card_country, channel, descriptor, ip_country;
};

struct HandResult {
  uint32_t fired[64 * 1024];
  uint32_t count = 0;
  int64_t score = 0;
  int decision = -1;
  void Clear() {
    count = 0;
    score = 0;
    decision = -1;
  }
  void Fire(uint32_t rule, int64_t s, int d) {
    if (count < sizeof(fired) / sizeof(fired[0])) fired[count++] = rule;
    score += s;
    if (d > decision) decision = d;
  }
};

using HandwrittenFn = void (*)(const Txn&, HandResult&);

// Generated files register their evaluator under the rule set's name.
bool RegisterHandwritten(const char* ruleset, HandwrittenFn fn);
HandwrittenFn FindHandwritten(const std::string& ruleset);

}  // namespace vigil::bench
