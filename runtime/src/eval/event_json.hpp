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
  bool Read(std::string_view json, Event& event, std::string* error);

  // The id of the event read last (eval::AppendEventId: the schema's id
  // field, else the member `event_id`, `txn_id` or `id`, the first of these
  // present), or empty. Valid until the next Read.
  std::string_view last_id() const { return last_id_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string_view last_id_;
};

}  // namespace vigil::eval
