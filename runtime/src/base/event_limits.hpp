// The size limits on one event's values (base/limits.hpp), checked the same
// way by every path into an Event (JSON lines, the C ABI setters, inline test
// events) before a value is copied. A 10 MB string matched against a regex
// could stall an evaluating thread; these bounds keep each event's work small.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vigil {

// Empty when `bytes` fits a string field's limit, else the message
// ("field 'memo': a string of 70000 bytes; events hold at most 65536";
// `field` is the field's name).
std::string EventStringProblem(std::string_view field, size_t bytes);
// The same for the number of items of a set<string> field.
std::string EventSetProblem(std::string_view field, size_t items);
// The same for a whole JSON event.
std::string EventJsonProblem(size_t bytes);

}  // namespace vigil
