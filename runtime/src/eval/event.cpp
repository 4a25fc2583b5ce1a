#include "eval/event.hpp"

#include <fmt/format.h>

namespace vigil::eval {

void AppendEventId(const Event& event, std::string& out, const char** member) {
  const Schema& schema = event.schema();
  if (member != nullptr) *member = nullptr;
  if (schema.id_slot >= 0) {
    const FieldInfo& f = schema.fields[schema.id_slot];
    const Value& v = event.at(static_cast<size_t>(schema.id_slot));
    if (!v.present) return;
    if (member != nullptr) *member = f.name.c_str();
    if (f.type.kind == Kind::kInt) {
      fmt::format_to(std::back_inserter(out), "{}", v.i);
    } else {
      out += v.str();
    }
    return;
  }
  if (event.member_id_name() == nullptr) return;
  if (member != nullptr) *member = event.member_id_name();
  out += event.member_id();
}

}  // namespace vigil::eval
