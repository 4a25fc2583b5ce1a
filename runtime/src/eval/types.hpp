// The value types of the language (LANGUAGE.md §3), shared by sema, plan and
// eval. A type is a scalar kind, optionally a set of that kind.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

enum class Kind : uint8_t {
  kError = 0,  // an expression that already has an error reported
  kBool,
  kInt,
  kDecimal,
  kFloat,
  kString,
  kTime,
  kDuration,
  kTuple,      // an aggregate key (a, b)
};

struct Type {
  Kind kind = Kind::kError;
  bool is_set = false;

  static constexpr Type Scalar(Kind k) { return Type{k, false}; }
  static constexpr Type SetOf(Kind k) { return Type{k, true}; }
  bool operator==(const Type&) const = default;
  bool ok() const { return kind != Kind::kError; }
  bool numeric() const {
    return !is_set && (kind == Kind::kInt || kind == Kind::kDecimal || kind == Kind::kFloat);
  }
  uint16_t Encode() const { return static_cast<uint16_t>(kind) | (is_set ? 0x100 : 0); }
  static Type Decode(uint16_t v) { return Type{static_cast<Kind>(v & 0xFF), (v & 0x100) != 0}; }
};

// "int", "set<string>", ...
std::string TypeName(Type t);
const char* KindName(Kind k);

// Parses the text of an int, decimal, time or duration value (as in a list
// file) into the int64 the evaluator compares: the int, decimal units, or
// microseconds. Nothing for other kinds or malformed text.
std::optional<int64_t> ParseNumericValue(Kind kind, std::string_view text);

}  // namespace vigil
