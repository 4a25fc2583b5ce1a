// Strict reading of JSON objects of a documented format (case files,
// referral policies, outcomes, impact files): every member checked for
// presence and type, members the format does not define refused, and every
// problem named by its path: member 'alerts[2].time': expected an RFC 3339
// time, found "yesterday".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/json_value.hpp"

namespace vigil::json {

// Reads the members of one object, remembering which were read, so that
// Done() can refuse the others. The first problem is kept in `*error`
// ("member 'PATH': WHAT"); later ones are ignored.
class Members {
 public:
  // `format` names the format in the message for an unknown member ("not a
  // member of a vigil.case/1 file").
  Members(const Value& object, std::string path, std::string* error, std::string_view format);

  const Value& object() const { return object_; }
  const std::string& path() const { return path_; }
  std::string Path(std::string_view member) const;
  bool Fail(const std::string& path, const std::string& what);

  // The member, or null (and an error unless optional; an optional member
  // may also be null).
  const Value* Get(std::string_view member, Type type, bool optional = false);
  // The member whatever its type, or null and an error when it is missing.
  const Value* Any(std::string_view member);
  bool Has(std::string_view member) const { return object_.Find(member) != nullptr; }

  bool String(std::string_view member, std::string* out, bool non_empty = true);
  bool OptionalString(std::string_view member, std::string* out);
  bool Int(std::string_view member, int64_t* out, int64_t min = INT64_MIN);
  bool OptionalInt(std::string_view member, int64_t* out, int64_t min = INT64_MIN);
  bool Bool(std::string_view member, bool* out, bool optional = false);
  // An RFC 3339 time: its text and microseconds since the epoch.
  bool Time(std::string_view member, std::string* text, int64_t* us);
  bool Strings(std::string_view member, std::vector<std::string>* out, bool optional = false);

  // Reads each element of an array of objects with `read(members, index)`.
  template <typename Fn>
  bool Objects(std::string_view member, Fn&& read, bool optional = false) {
    const Value* v = Get(member, Type::kArray, optional);
    if (v == nullptr) return optional && error_->empty();
    for (size_t i = 0; i < v->items().size(); ++i) {
      const Value& item = v->items()[i];
      const std::string path = Path(member) + "[" + std::to_string(i) + "]";
      if (!item.is_object()) {
        return Fail(path, std::string("expected an object, found ") + TypeName(item.type()));
      }
      Members m(item, path, error_, format_);
      if (!read(m, i) || !m.Done()) return false;
    }
    return true;
  }

  template <typename Fn>
  bool Object(std::string_view member, Fn&& read, bool optional = false) {
    const Value* v = Get(member, Type::kObject, optional);
    if (v == nullptr) return optional && error_->empty();
    Members m(*v, Path(member), error_, format_);
    return read(m) && m.Done();
  }

  // Reads every member of an object member as `read(members_of_value, key)`
  // when the values are objects, in the file's order.
  template <typename Fn>
  bool EachObject(std::string_view member, Fn&& read, bool optional = false) {
    const Value* v = Get(member, Type::kObject, optional);
    if (v == nullptr) return optional && error_->empty();
    for (const auto& [key, value] : v->members()) {
      const std::string path = Path(member) + "." + key;
      if (!value.is_object()) {
        return Fail(path, std::string("expected an object, found ") + TypeName(value.type()));
      }
      Members m(value, path, error_, format_);
      if (!read(m, key) || !m.Done()) return false;
    }
    return true;
  }

  // Refuses members the format does not define.
  bool Done();

 private:
  // The member named `member` (marked as read), or null.
  const Value* Read(std::string_view member);

  const Value& object_;
  std::string path_;
  std::string* error_;
  std::string format_;
  // Which of the object's members were asked for, by position: one bit
  // each for the first 64, the rest in `seen_more_` (an object read this
  // way is checked member by member, and allocating for each name asked for
  // was a large part of reading case files).
  uint64_t seen_ = 0;
  std::vector<bool> seen_more_;
};

}  // namespace vigil::json
