// The state an EventJsonReader keeps between lines, shared by its two ways of
// reading (event_json.cpp: the reference path that words every error;
// event_json_fast.cpp: the one-pass path for lines it can decide alone).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/json_shape.hpp"
#include "base/time_reader.hpp"
#include "eval/event_json.hpp"

namespace vigil::eval {

// Members that name the event when the schema has no id field, best first
// (docs/language.md, "Event ids"); -1 for other members.
inline constexpr const char* kIdMembers[] = {"event_id", "txn_id", "id"};
inline int IdRank(std::string_view key) {
  for (int i = 0; i < 3; ++i) {
    if (key == kIdMembers[i]) return i;
  }
  return -1;
}

// Lines with more members than this are read without a shape.
inline constexpr size_t kMaxShapeMembers = 64;

struct EventJsonReader::Impl {
  simdjson::ondemand::parser parser;
  std::string buffer;                  // the line plus simdjson's padding
  std::vector<uint32_t> seen;          // per slot: the line number that set it
  uint32_t line = 0;
  std::vector<std::string_view> items; // scratch for set<string> fields
  std::string id;                      // the text last_id() returns
  // The fast path: the slot of the field named by the member at each
  // position of the last line (events of a stream list their members in
  // the same order), checked against the field's name before use.
  std::vector<int> slot_at;
  // The members of the last line read by the strict check, then the shape
  // tried first on the next line (base/json_shape.hpp), with the slot and
  // id rank of each of its members, and how many lines in a row missed it.
  std::string_view line_keys[kMaxShapeMembers];
  JsonShape shape;
  struct ShapeField {
    int32_t slot;  // the member's field, -1 for none
    int8_t rank;   // IdRank of a member that is not a field, when the schema has no id field; else -1
    uint8_t op;    // ShapeOp (event_json_fast.cpp)
  };
  // What the shaped loop needs of each member, in one record: its token
  // (a copy of the shape's) and its field. One pointer walks them.
  struct ShapeStep {
    JsonShape::Member token;
    ShapeField field;
    // The field's value as a byte offset from the event's first value
    // (slot × sizeof(Value)): the shaped loop stores through it without
    // scaling the slot (two instructions a member).
    uint32_t value_offset;
  };
  std::vector<ShapeStep> shape_steps;  // of each member of the shape
  // The slots of the shape's schema that no member of the shape names: all
  // a shaped line resets (Event::ResetSlots), since it writes every other.
  std::vector<uint32_t> shape_unset;
  // Schema::identity() of the events the shape was learnt on: the slots and
  // ops above hold for that schema only, and one reader may serve events of
  // several (the C ABI keeps one per thread).
  uint64_t shape_schema = 0;
  TimeReader times;                // the shaped path's times
  int shape_misses = 0;
};

}  // namespace vigil::eval
