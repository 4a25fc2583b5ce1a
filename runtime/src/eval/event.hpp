// One event's field values, by slot, with owned storage for its strings.
// Reusable: Reset() marks every field missing and keeps the memory.
// One thread at a time.
#pragma once

#include <cstring>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "base/arena.hpp"
#include "eval/schema.hpp"
#include "eval/value.hpp"

namespace vigil::eval {

class Event {
 public:
  // Small chunks: an event's strings are short, and events kept in bulk
  // (batches, benchmarks) should stay compact in memory.
  explicit Event(const Schema& schema)
      : schema_(&schema), values_(schema.fields.size()), storage_(512) {}

  const Schema& schema() const { return *schema_; }
  size_t size() const { return values_.size(); }
  const Value* values() const { return values_.data(); }
  // The slots to write in place, for the reader's loop over a line
  // (eval/event_json_fast.cpp): a pointer held in a local is not reloaded
  // after each store, as values_ would be. Strings must outlive the event's
  // next Reset (as SetValue's).
  Value* mutable_values() { return values_.data(); }
  const Value& at(size_t slot) const { return values_[slot]; }

  void Reset() {
    // Every slot missing. Value::Missing() is zero bytes where it sets any
    // (the payload's first word, the scale, the flag), so one memset of the
    // slots does what a loop of assignments does with three stores a slot.
    // (A schema without fields has no slots, and memset must not be given
    // the null pointer of an empty vector.)
    static_assert(std::is_trivially_copyable_v<Value>);
    if (!values_.empty()) std::memset(static_cast<void*>(values_.data()), 0, values_.size() * sizeof(Value));
    storage_.Reset();
    member_id_ = {};
    member_id_name_ = nullptr;
  }
  // Reset() for a reader that then writes every slot but `slots` (a value,
  // or missing for a null): only those are marked missing here, the rest
  // are left for the reader to overwrite. The shaped JSON path
  // (event_json_fast.cpp) writes each slot its shape names, so the memset of
  // every slot was a call of about 35 instructions a line spent on slots
  // about to be written.
  void ResetSlots(std::span<const uint32_t> slots) {
    for (const uint32_t s : slots) values_[s] = Value::Missing();
    storage_.Reset();
    member_id_ = {};
    member_id_name_ = nullptr;
  }
  void SetMissing(size_t slot) { values_[slot] = Value::Missing(); }
  void SetBool(size_t slot, bool v) { values_[slot] = Value::Bool(v); }
  void SetInt(size_t slot, int64_t v) { values_[slot] = Value::Int(v); }
  void SetFloat(size_t slot, double v) { values_[slot] = Value::Float(v); }
  void SetDecimal(size_t slot, Decimal v) { values_[slot] = Value::Dec(v); }
  void SetTime(size_t slot, int64_t micros) { values_[slot] = Value::Int(micros); }
  void SetDuration(size_t slot, int64_t micros) { values_[slot] = Value::Int(micros); }
  // Copies the bytes; the caller's buffer need not outlive the call.
  void SetString(size_t slot, std::string_view v) { values_[slot] = Value::Str(storage_.Copy(v)); }
  void SetStringSet(size_t slot, std::span<const std::string_view> items) {
    auto* arr = reinterpret_cast<StrView*>(
        storage_.Allocate(sizeof(StrView) * std::max<size_t>(items.size(), 1), alignof(StrView)));
    for (size_t k = 0; k < items.size(); ++k) {
      std::string_view copy = storage_.Copy(items[k]);
      arr[k] = StrView{copy.data(), static_cast<uint32_t>(copy.size())};
    }
    values_[slot] = Value::StrSet(arr, static_cast<uint32_t>(items.size()));
  }
  // Raw slot write, for values whose strings already live long enough
  // (test fixtures built from program constants).
  void SetValue(size_t slot, Value v) { values_[slot] = v; }
  Arena& storage() { return storage_; }

  // The id given by a JSON member that is not a schema field (`event_id`,
  // `txn_id` or `id`), for schemas without an id field (docs/language.md,
  // "Event ids"). Copied; `member` must be a string literal.
  void SetMemberId(std::string_view id, const char* member) {
    member_id_ = storage_.Copy(id);
    member_id_name_ = member;
  }
  std::string_view member_id() const { return member_id_; }
  const char* member_id_name() const { return member_id_name_; }

 private:
  const Schema* schema_;
  std::vector<Value> values_;
  Arena storage_;
  std::string_view member_id_;
  const char* member_id_name_ = nullptr;
};

// The event's id as text (docs/language.md, "Event ids"): the schema's id
// field (@id, or one named event_id, txn_id or id), else the JSON member that
// named it; empty when there is none. `member` (may be null) receives the
// field or member name. Appends to `out` without allocating once warm.
void AppendEventId(const Event& event, std::string& out, const char** member = nullptr);

}  // namespace vigil::eval
