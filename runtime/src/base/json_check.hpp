// Strict JSON (RFC 8259) for one JSON text that must be one object: the
// single place where vigil decides whether an event line (JSON Lines, C ABI
// `vigil_event_set_json`, test fixtures) is JSON at all. Readers extract
// values only from text that passed this check, so members the schema does
// not use are checked too (`[1,,2]`, `tru`, `"\q"` are errors), and nothing
// may follow the object (`{...} {...}`, an extra `}`).
//
// Accepted: whitespace (space, tab, CR, LF) around one object; the grammar of
// RFC 8259 exactly (no comments, no trailing commas, no NaN, no leading `+`
// or zeros); strings of valid UTF-8 with no raw control characters, only the
// escapes \" \\ \/ \b \f \n \r \t \uXXXX, and \u escapes that pair surrogates
// correctly; nesting at most kMaxJsonDepth levels. A byte-order mark is not
// JSON: file readers skip one at the start of a file (base/bom.hpp).
//
// One pass over the bytes, no allocation. Duplicate member names are valid
// JSON here; readers refuse those they use (an event field given twice).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vigil {

inline constexpr size_t kMaxJsonDepth = 64;

struct JsonProblem {
  size_t offset = 0;    // byte offset of the problem in the text
  size_t column = 0;    // 1-based, in code points
  std::string member;   // the top-level member whose value holds it, if any
  std::string message;  // "expected ',' or '}' after a member, found '}'"
  // "at column 12, in member 'amount': expected a value, found ','"
  std::string Describe() const;
};

// True when `text` is exactly one well-formed JSON object; otherwise false
// with the first problem.
bool CheckJsonObject(std::string_view text, JsonProblem* problem);

// A top-level member as the check saw it, for a reader that converts values
// in the same pass over the bytes (eval/event_json.cpp).
struct JsonMemberText {
  std::string_view key;    // between its quotes, escapes undecoded
  std::string_view value;  // exactly as written: a string with its quotes
  bool key_escaped = false;
  bool value_escaped = false;  // a string value that holds an escape
};
// Called for each top-level member once its value has been checked; returns
// false to stop (CheckJsonObject then returns false with `problem` empty).
using JsonMemberVisitor = bool (*)(void* context, const JsonMemberText& member);

// As CheckJsonObject, and calls `visit(context, member)` for each top-level
// member in order. True only when the whole text is valid and no call
// returned false.
bool CheckJsonObject(std::string_view text, JsonProblem* problem, JsonMemberVisitor visit,
                     void* context);

}  // namespace vigil
