// A runtime value: 16 bytes of payload, a presence flag and a decimal scale.
// The type is known statically (sema), so a Value carries no type tag.
// Strings are borrowed views: into the event, the program's constants, or the
// session's per-event scratch memory.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "base/decimal.hpp"

namespace vigil::eval {

struct StrView {
  const char* ptr;
  uint32_t len;
  std::string_view view() const { return std::string_view(ptr, len); }
};

struct Value {
  union {
    bool b;
    int64_t i;     // int, time (µs since epoch), duration (µs), decimal units (value × 10^6)
    double f;
    StrView s;     // string; for an event's set<string>: ptr → StrView[len]
  };
  uint8_t scale;   // decimal only: fractional digits to print
  bool present;    // false: missing (and `unknown` for booleans)

  Value() : i(0), scale(0), present(false) {}

  static Value Missing() { return Value(); }
  static Value Bool(bool v) { Value x; x.b = v; x.present = true; return x; }
  static Value Int(int64_t v) { Value x; x.i = v; x.present = true; return x; }
  static Value Float(double v) { Value x; x.f = v; x.present = true; return x; }
  static Value Dec(Decimal d) { Value x; x.i = d.units; x.scale = d.scale; x.present = true; return x; }
  static Value Str(std::string_view v) {
    Value x;
    x.s = StrView{v.data(), static_cast<uint32_t>(v.size())};
    x.present = true;
    return x;
  }
  static Value StrSet(const StrView* items, uint32_t count) {
    Value x;
    x.s = StrView{reinterpret_cast<const char*>(items), count};
    x.present = true;
    return x;
  }

  Decimal dec() const { return Decimal{i, scale}; }
  std::string_view str() const { return s.view(); }
  const StrView* set_items() const { return reinterpret_cast<const StrView*>(s.ptr); }
  uint32_t set_size() const { return s.len; }
  bool is_true() const { return present && b; }
};

}  // namespace vigil::eval
