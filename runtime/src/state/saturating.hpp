// Window bounds near the bottom of the int64 range (a start far in the past,
// a lateness or a window longer than the time itself) saturate instead of
// wrapping around: one helper for the store, its windows and the external
// backends, which must agree on where a window starts.
#pragma once

#include <cstdint>

namespace vigil::state {

inline int64_t SatSub(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_sub_overflow(a, b, &r) ? INT64_MIN : r;
}

}  // namespace vigil::state
