// The event schema a compiled program reads: field name → slot and type.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "eval/types.hpp"

namespace vigil::eval {

struct FieldInfo {
  std::string name;
  Type type;
  bool key = false;   // @key: usable as an aggregate key
  bool pii = false;   // @pii: masked in reasons and explanations
  bool time = false;  // @time: the event's time
  bool id = false;       // @id: names the event in results and evidence
  bool subject = false;  // @subject: whom `vigil case` groups alerts by
};

class Schema {
 public:
  std::string name;
  int64_t version = 0;
  std::vector<FieldInfo> fields;  // index = slot
  int time_slot = -1;             // the @time field, else `ts`, else -1
  // The @id field, else a string or int field named event_id, txn_id or id
  // (in that order), else -1: events are then named by a JSON member of one
  // of those names (docs/language.md, "Event ids").
  int id_slot = -1;
  int subject_slot = -1;          // the @subject field, else -1

  void Add(FieldInfo field) {
    index_.emplace(field.name, static_cast<int>(fields.size()));
    fields.push_back(std::move(field));
    identity_ = Identity();
  }
  // Slot of a field, or -1. Used when reading events, never while evaluating;
  // the lookup takes a string_view without allocating.
  int Find(std::string_view field_name) const {
    auto it = index_.find(field_name);
    return it == index_.end() ? -1 : it->second;
  }
  // A number no other Schema object of the process has had, renewed by a
  // copy and by Add. Readers that keep what they learnt about one schema's
  // events between calls (eval/event_json.hpp) compare it, not the address,
  // which a freed schema's successor may reuse.
  uint64_t identity() const { return identity_.value; }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, int, Hash, std::equal_to<>> index_;
  struct Identity {
    uint64_t value = Next();
    Identity() = default;
    Identity(const Identity&) : value(Next()) {}
    Identity& operator=(const Identity&) {
      value = Next();
      return *this;
    }
    static uint64_t Next() {
      static std::atomic<uint64_t> next{1};
      return next.fetch_add(1, std::memory_order_relaxed);
    }
  };
  Identity identity_;
};

}  // namespace vigil::eval
