// Minimal JSON output helpers shared by results, explanations and the CLI.
#pragma once

#include <string>
#include <string_view>

namespace vigil {

// Appends `s` (valid UTF-8) as a quoted JSON string, escaping quotes,
// backslashes and control characters.
void AppendJsonString(std::string_view s, std::string& out);

// Writes `s` with its quotes at `w` when no byte of it needs an escape and
// it fits with 16 bytes to spare before `limit` (the scan reads 16 bytes at
// a time over zeros written after it): returns the end of what was
// written, else null (then what lies in [w, limit) is undefined). For lines
// put together in a buffer on the stack (AppendJsonString,
// eval/result_json.cpp).
char* PutPlainJsonString(std::string_view s, char* w, char* limit);

}  // namespace vigil
