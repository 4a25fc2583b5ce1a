// A JSON document in memory, for the slow paths that read whole records
// (results with evidence, case files): a strict parser that names the line
// and column of every problem, and a writer whose output depends only on the
// value (members keep their order), so that the same value always gives the
// same bytes.
//
// Why not simdjson here: its DOM turns numbers into doubles, and amounts must
// stay exactly as written ("19.99" is not 19.989999...); it also reports no
// positions. Events on the hot path still go through simdjson
// (eval/event_json.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::json {

// kRaw: a value kept as its compact JSON text (Value::Raw), written as is.
// Records held in bulk (the evidence of open cases) take a tenth of the
// memory of their tree this way. Parse makes one only for the members named
// in ParseOptions::raw.
enum class Type : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject, kRaw };
const char* TypeName(Type t);  // "null", "a boolean", "a number", ...

class Value {
 public:
  Value() = default;
  static Value Null() { return Value(); }
  static Value Bool(bool b);
  // `text` must be a JSON number as written ("-12.50", "1e3"); kept as is.
  static Value Number(std::string text);
  static Value Int(int64_t i);
  static Value String(std::string s);
  static Value Array();
  static Value Object();
  // `v` as its compact text (Write), to hold it in little memory.
  static Value Raw(const Value& v);
  // Text that is already what Write gives for a value (compact, strings
  // escaped as Write escapes them), held as is. Parse makes these for the
  // members named in ParseOptions::raw.
  static Value RawText(std::string compact);

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_object() const { return type_ == Type::kObject; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_bool() const { return type_ == Type::kBool; }

  bool boolean() const { return b_; }
  bool is_raw() const { return type_ == Type::kRaw; }
  // A string's content, a number's text as written, or a raw value's JSON.
  const std::string& text() const { return text_; }
  // A number that is an integer in int64's range, else nullopt.
  std::optional<int64_t> AsInt() const;

  const std::vector<Value>& items() const { return items_; }
  std::vector<Value>& items() { return items_; }
  const std::vector<std::pair<std::string, Value>>& members() const { return members_; }
  std::vector<std::pair<std::string, Value>>& members() { return members_; }

  // The member named `key`, or null.
  const Value* Find(std::string_view key) const;
  // Appends (arrays) or adds a member (objects; the caller keeps keys unique).
  Value& Push(Value v);
  Value& Set(std::string key, Value v);

  bool operator==(const Value& other) const;

 private:
  Type type_ = Type::kNull;
  bool b_ = false;
  std::string text_;
  std::vector<Value> items_;
  std::vector<std::pair<std::string, Value>> members_;
};

// A member whose value Parse keeps as compact text (Type::kRaw) instead of
// a tree: the member names from the top-level value down, "[]" for any item
// of an array. {"alerts", "[]", "evidence", "rules"} is the "rules" member of
// the evidence of every alert.
using RawPath = std::vector<std::string_view>;

struct ParseOptions {
  size_t max_depth = 256;  // nested arrays and objects
  // Values read whole and written back unchanged (the bulk of evidence
  // records) cost a node per value as trees; as raw text they cost one
  // string. They are checked exactly as strictly (same errors, same
  // places), and their text is Write's: when the input's text differs
  // (spaces, other escapes), it is rewritten as Write would write it.
  std::vector<RawPath> raw;
};

// Where a parse failed: 1-based line and column (in bytes), and what was
// found against what was expected ("expected ',' or '}' after a member,
// found ']'").
struct ParseError {
  size_t line = 0;
  size_t column = 0;
  std::string message;
};

// Parses exactly one JSON value (RFC 8259) surrounded by optional
// whitespace. Strict: no trailing commas, no comments, no duplicate member
// names, valid UTF-8, no lone surrogates, nothing after the value.
bool Parse(std::string_view text, Value* out, ParseError* error, const ParseOptions& options = {});

// Compact JSON on one line.
void Write(const Value& v, std::string& out);
// Indented by two spaces, one member or item per line; arrays holding only
// scalars stay on one line, and so do the values of members named in
// `compact` (records embedded whole). Ends without a newline.
void WritePretty(const Value& v, std::string& out,
                 const std::vector<std::string_view>& compact = {});

}  // namespace vigil::json
