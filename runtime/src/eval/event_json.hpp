// Reads one JSON object (a line of JSON Lines) into an Event by the event's
// schema. Reusable: one reader per thread keeps its parser and buffer, so a
// warm reader allocates nothing per event.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "eval/event.hpp"

namespace vigil::eval {

class EventJsonReader {
 public:
  EventJsonReader();
  ~EventJsonReader();
  EventJsonReader(const EventJsonReader&) = delete;
  EventJsonReader& operator=(const EventJsonReader&) = delete;

  // Resets `event` and fills it from `json`. Members that are not schema
  // fields are ignored; null is missing. On a malformed line or a value that
  // does not fit its field's type, returns false with a one-line message such
  // as: field 'amount': expected a decimal number, found "abc"
  //
  // Lines are read in one pass over their bytes that checks the JSON
  // strictly (base/json_check.hpp) and converts each schema field as it is
  // met; a line that pass cannot decide alone (any error, an escaped string
  // or name, a set) is read again by ReadReference, which words the error.
  bool Read(std::string_view json, Event& event, std::string* error);

  // As Read, for a line that lies in a longer buffer which stays unchanged
  // while `event` is used (a chunk of the stream, stream/block_lines.hpp):
  // the byte after the line is '\n', '\r' or zero, and at least
  // kJsonShapePadding bytes from there on are readable. The line is then
  // read where it lies, not copied: its string values are kept in place.
  // Same verdict, message and values as Read.
  bool ReadInPlace(std::string_view json, Event& event, std::string* error);

  // The reference path alone: the strict check, then simdjson's On-Demand
  // parser over the line. Read gives exactly its verdict, message and
  // values; the fuzz target and the unit tests compare the two.
  bool ReadReference(std::string_view json, Event& event, std::string* error);

  // Off: Read takes the reference path for every line (for comparisons).
  void set_fast(bool on) { fast_ = on; }

  // The reader's state between lines (eval/event_json_impl.hpp), for the
  // reader's own files only.
  struct Impl;

  // The id of the event the last Read filled (eval::AppendEventId: the
  // schema's id field, else the member `event_id`, `txn_id` or `id`, the
  // first of these present), or empty when that Read failed. Worked out when
  // asked, since only diagnostics need it: valid until the next Read or
  // last_id(), and only while that event is unchanged.
  std::string_view last_id() const;

 private:
  // True when the line was read and converted whole; false when it was left
  // to ReadReference (the event is then reset again there).
  // `in_place`: as ReadInPlace says (else the line is copied with padding).
  bool ReadFast(std::string_view json, Event& event, bool in_place);

  std::unique_ptr<Impl> impl_;
  const Event* last_event_ = nullptr;  // filled by the last Read that succeeded
  bool fast_ = true;
};

}  // namespace vigil::eval
