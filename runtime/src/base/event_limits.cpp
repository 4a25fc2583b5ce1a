#include "base/event_limits.hpp"

#include <fmt/format.h>

#include "base/limits.hpp"

namespace vigil {

std::string EventStringProblem(std::string_view field, size_t bytes) {
  if (bytes <= limits::kMaxEventStringBytes) return {};
  return fmt::format("field '{}': a string of {} bytes; events hold at most {}", field, bytes,
                     limits::kMaxEventStringBytes);
}

std::string EventSetProblem(std::string_view field, size_t items) {
  if (items <= limits::kMaxEventSetItems) return {};
  return fmt::format("field '{}': a set of {} strings; events hold at most {}", field, items,
                     limits::kMaxEventSetItems);
}

std::string EventJsonProblem(size_t bytes) {
  if (bytes <= limits::kMaxEventJsonBytes) return {};
  return fmt::format("the event is {} bytes of JSON; the limit is {}", bytes,
                     limits::kMaxEventJsonBytes);
}

}  // namespace vigil
