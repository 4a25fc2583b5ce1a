// The published impact file (`vigil.impact/1`, docs/impact.md): exact counts
// with every cell below k and its complements suppressed, precision and
// times only where the counts behind them are published. No identifier of
// any subject: exact counts carry none, and nothing else goes in.
#pragma once

#include <string>

#include "base/json_value.hpp"
#include "impact/impact.hpp"

namespace vigil::impact {

inline constexpr const char* kPublishedFormat = "vigil.impact/1";

struct PublishStats {
  int primary = 0;
  int complementary = 0;
  int recoverable = 0;  // cells the attack still pins (0 unless no cell was left to hide)
};

json::Value Publish(const Exact& e, int64_t k, PublishStats* stats);
std::string WritePublished(const json::Value& v);

}  // namespace vigil::impact
