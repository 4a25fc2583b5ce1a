// Minimal JSON output helpers shared by results, explanations and the CLI.
#pragma once

#include <string>
#include <string_view>

namespace vigil {

// Appends `s` (valid UTF-8) as a quoted JSON string, escaping quotes,
// backslashes and control characters.
void AppendJsonString(std::string_view s, std::string& out);

}  // namespace vigil
