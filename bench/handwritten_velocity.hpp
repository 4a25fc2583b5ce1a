// The hand-written velocity baseline of the performance table: what a
// programmer writes for the generator's three per-card 24-hour windows
// (../shared/bench/gen.py --velocity, rules v01 to v03) in the simplest
// correct way: a hash map from card to a deque of the card's recent
// payments, with running totals updated as payments enter and leave the
// window. The stateless rules beside them are the hand-written evaluator of
// the same rules (bench/handwritten_gen.py).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

#include "handwritten.hpp"

namespace vigil::bench {

class HandVelocity {
 public:
  struct Payment {
    int64_t ts = 0;  // µs
    int64_t amount = 0;  // cents
    bool ecom = false;
    bool risky_mcc = false;
  };

  // Records the payment and returns how many of v01..v03 fire (the
  // stateless rules are counted by the caller).
  int Step(std::string_view card, const Txn& t, int64_t ts) {
    Card& c = cards_[std::string(card)];
    const int64_t oldest = ts - kDay;  // the window is (ts - 24h, ts]
    while (!c.payments.empty() && c.payments.front().ts <= oldest) {
      const Payment& p = c.payments.front();
      --c.count;
      if (p.ecom) c.ecom_sum -= p.amount;
      if (p.risky_mcc) --c.risky_count;
      c.payments.pop_front();
    }
    Payment p{ts, t.amount, t.channel == "ecom", RiskyMcc(t.mcc)};
    c.payments.push_back(p);
    ++c.count;
    if (p.ecom) c.ecom_sum += p.amount;
    if (p.risky_mcc) ++c.risky_count;
    int fired = 0;
    fired += c.count >= 30 && t.amount >= 50000;                                  // v01
    fired += p.ecom && c.ecom_sum >= 300000;                                      // v02
    fired += t.amount < 5000 && p.risky_mcc && t.merchant_country != t.card_country &&
             c.risky_count >= 5;                                                  // v03
    return fired;
  }

 private:
  static constexpr int64_t kDay = 86400LL * 1000000;
  static bool RiskyMcc(int64_t mcc) {
    switch (mcc) {
      case 4816: case 4829: case 5094: case 5816: case 5818: case 5944: case 5967: case 5968:
      case 6051: case 7273: case 7995:
        return true;
      default:
        return false;
    }
  }
  struct Card {
    std::deque<Payment> payments;
    int64_t count = 0, ecom_sum = 0, risky_count = 0;
  };
  std::unordered_map<std::string, Card> cards_;
};

}  // namespace vigil::bench
