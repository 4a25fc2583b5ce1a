// vigil_event_*: event values by slot or from JSON, checked against the schema.
#include <cmath>

#include "base/bom.hpp"
#include "base/decimal.hpp"
#include "base/time_util.hpp"
#include "base/event_limits.hpp"
#include "handles.hpp"

using vigil::capi::CheckedText;
using vigil::capi::Failure;
using vigil::capi::Guard;
using vigil::capi::kEventMagic;
using vigil::capi::Valid;

namespace {

// Checks the slot and that the field has type `want`; returns the slot.
size_t Slot(vigil_event* e, uint32_t slot, vigil::Type want) {
  const vigil::eval::Schema& schema = e->event->schema();
  if (slot == static_cast<uint32_t>(VIGIL_NO_SLOT)) {
    throw Failure{VIGIL_ERR_INVALID_ARG,
                  "slot -1 (VIGIL_NO_SLOT) is not a field: vigil_ruleset_field_slot found no field "
                  "of that name; check slot >= 0 after looking it up"};
  }
  if (slot >= schema.fields.size()) {
    throw Failure{VIGIL_ERR_INVALID_ARG, "slot " + std::to_string(slot) + " is not a field (the schema has " +
                                             std::to_string(schema.fields.size()) + ")"};
  }
  const vigil::eval::FieldInfo& f = schema.fields[slot];
  if (f.type != want) {
    throw Failure{VIGIL_ERR_TYPE, "field '" + f.name + "' is " + vigil::TypeName(f.type) + ", not " +
                                      vigil::TypeName(want)};
  }
  return slot;
}

template <typename Set>
vigil_status SetField(vigil_event* event, Set&& set) {
  if (!Valid(event, kEventMagic)) return VIGIL_ERR_MISUSE;
  ++event->version;  // even a failed call may have changed it
  return Guard(&event->errmsg, [&]() -> vigil_status {
    set();
    return VIGIL_OK;
  });
}

constexpr vigil::Type Scalar(vigil::Kind k) { return vigil::Type::Scalar(k); }

}  // namespace

extern "C" {

vigil_status vigil_event_new(vigil_ruleset* ruleset, vigil_event** out) {
  if (out == nullptr) return VIGIL_ERR_MISUSE;
  *out = nullptr;
  if (!Valid(ruleset, vigil::capi::kRulesetMagic)) return VIGIL_ERR_MISUSE;
  return Guard(nullptr, [&]() -> vigil_status {
    auto e = std::make_unique<vigil_event>();
    e->event = std::make_unique<vigil::eval::Event>(ruleset->program->schema);
    e->ruleset = vigil_ruleset_retain(ruleset);
    *out = e.release();
    return VIGIL_OK;
  });
}

void vigil_event_free(vigil_event* event) {
  if (!Valid(event, kEventMagic)) return;
  event->magic = vigil::capi::kFreed;
  vigil_ruleset* rs = event->ruleset;
  delete event;
  vigil_ruleset_release(rs);
}

vigil_status vigil_event_reset(vigil_event* event) {
  return SetField(event, [&] { event->event->Reset(); });
}

vigil_status vigil_event_set_missing(vigil_event* event, uint32_t slot) {
  return SetField(event, [&] {
    if (slot >= event->event->size()) throw Failure{VIGIL_ERR_INVALID_ARG, "slot is not a field"};
    event->event->SetMissing(slot);
  });
}

vigil_status vigil_event_set_bool(vigil_event* event, uint32_t slot, int32_t value) {
  return SetField(event, [&] {
    event->event->SetBool(Slot(event, slot, Scalar(vigil::Kind::kBool)), value != 0);
  });
}

vigil_status vigil_event_set_int(vigil_event* event, uint32_t slot, int64_t value) {
  return SetField(event, [&] {
    event->event->SetInt(Slot(event, slot, Scalar(vigil::Kind::kInt)), value);
  });
}

vigil_status vigil_event_set_decimal(vigil_event* event, uint32_t slot, const char* text,
                                     size_t len) {
  return SetField(event, [&] {
    size_t s = Slot(event, slot, Scalar(vigil::Kind::kDecimal));
    vigil::DecimalError why;
    std::optional<vigil::Decimal> d = vigil::ParseDecimal(CheckedText(text, len, "decimal"), &why);
    if (!d) {
      throw Failure{VIGIL_ERR_INVALID_ARG, "decimal '" + std::string(text, std::min<size_t>(len, 40)) +
                                               "': " + vigil::DecimalErrorText(why)};
    }
    event->event->SetDecimal(s, *d);
  });
}

vigil_status vigil_event_set_decimal_units(vigil_event* event, uint32_t slot, int64_t units,
                                           uint32_t scale) {
  return SetField(event, [&] {
    size_t s = Slot(event, slot, Scalar(vigil::Kind::kDecimal));
    if (scale > static_cast<uint32_t>(vigil::kDecimalMaxScale)) {
      throw Failure{VIGIL_ERR_INVALID_ARG, "decimal scale must be 0 to 6"};
    }
    event->event->SetDecimal(s, vigil::Decimal{units, static_cast<uint8_t>(scale)});
  });
}

vigil_status vigil_event_set_float(vigil_event* event, uint32_t slot, double value) {
  return SetField(event, [&] {
    size_t s = Slot(event, slot, Scalar(vigil::Kind::kFloat));
    if (!std::isfinite(value)) throw Failure{VIGIL_ERR_INVALID_ARG, "NaN and infinities are not values"};
    event->event->SetFloat(s, value);
  });
}

vigil_status vigil_event_set_string(vigil_event* event, uint32_t slot, const char* value,
                                    size_t len) {
  return SetField(event, [&] {
    size_t s = Slot(event, slot, Scalar(vigil::Kind::kString));
    const vigil::eval::FieldInfo& field = event->event->schema().fields[s];
    if (std::string problem = vigil::EventStringProblem(field.name, len); !problem.empty()) {
      throw Failure{VIGIL_ERR_LIMIT, problem};
    }
    event->event->SetString(s, CheckedText(value, len, "string"));
  });
}

vigil_status vigil_event_set_time(vigil_event* event, uint32_t slot, int64_t micros) {
  return SetField(event, [&] {
    size_t s = Slot(event, slot, Scalar(vigil::Kind::kTime));
    if (!vigil::InTimeRange(micros)) {
      throw Failure{VIGIL_ERR_INVALID_ARG, "time " + std::to_string(micros) + " is " +
                                               vigil::kTimeRangeMessage};
    }
    event->event->SetTime(s, micros);
  });
}

vigil_status vigil_event_set_date(vigil_event* event, uint32_t slot, int32_t year,
                                  uint32_t month, uint32_t day) {
  return SetField(event, [&] {
    size_t s = Slot(event, slot, Scalar(vigil::Kind::kTime));
    std::string why;
    std::optional<int64_t> micros = vigil::DateToTime(year, month, day, &why);
    if (!micros) {
      throw Failure{VIGIL_ERR_INVALID_ARG,
                    "field '" + event->event->schema().fields[s].name + "': " + why};
    }
    event->event->SetTime(s, *micros);
  });
}

vigil_status vigil_event_set_duration(vigil_event* event, uint32_t slot, int64_t micros) {
  return SetField(event, [&] {
    event->event->SetDuration(Slot(event, slot, Scalar(vigil::Kind::kDuration)), micros);
  });
}

vigil_status vigil_event_set_string_set(vigil_event* event, uint32_t slot,
                                        const char* const* values, const size_t* lens,
                                        size_t count) {
  return SetField(event, [&] {
    size_t s = Slot(event, slot, vigil::Type::SetOf(vigil::Kind::kString));
    if (count > 0 && (values == nullptr || lens == nullptr)) {
      throw Failure{VIGIL_ERR_MISUSE, "values or lens is NULL"};
    }
    const vigil::eval::FieldInfo& field = event->event->schema().fields[s];
    if (std::string problem = vigil::EventSetProblem(field.name, count); !problem.empty()) {
      throw Failure{VIGIL_ERR_LIMIT, problem};
    }
    std::vector<std::string_view> items;
    items.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      if (std::string problem = vigil::EventStringProblem(field.name, lens[i]); !problem.empty()) {
        throw Failure{VIGIL_ERR_LIMIT, problem};
      }
      items.push_back(CheckedText(values[i], lens[i], "set element"));
    }
    event->event->SetStringSet(s, items);
  });
}

vigil_status vigil_event_set_json(vigil_event* event, const char* json, size_t len) {
  if (!Valid(event, kEventMagic)) return VIGIL_ERR_MISUSE;
  ++event->version;
  return Guard(&event->errmsg, [&]() -> vigil_status {
    if (json == nullptr && len > 0) throw Failure{VIGIL_ERR_MISUSE, "json is NULL"};
    if (std::string problem = vigil::EventJsonProblem(len); !problem.empty()) {
      throw Failure{VIGIL_ERR_LIMIT, problem};
    }
    // One reader per thread, not per event: its parser buffers are large, and
    // events kept in bulk (batches) should stay compact.
    thread_local vigil::eval::EventJsonReader reader;
    std::string error;
    // A JSON text given on its own may start with a byte-order mark (base/bom.hpp).
    const std::string_view text = vigil::SkipUtf8Bom(std::string_view(json == nullptr ? "" : json, len));
    if (!reader.Read(text, *event->event, &error)) {
      throw Failure{VIGIL_ERR_INVALID_ARG, error};
    }
    return VIGIL_OK;
  });
}

const char* vigil_event_errmsg(const vigil_event* event) {
  if (!Valid(event, kEventMagic)) return "invalid event handle";
  return event->errmsg.c_str();
}

}  // extern "C"
