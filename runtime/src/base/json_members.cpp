#include "base/json_members.hpp"

#include <fmt/format.h>

#include <optional>

#include "base/time_util.hpp"

namespace vigil::json {

Members::Members(const Value& object, std::string path, std::string* error,
                 std::string_view format)
    : object_(object), path_(std::move(path)), error_(error), format_(format) {}

const Value* Members::Read(std::string_view member) {
  const auto& members = object_.members();
  for (size_t i = 0; i < members.size(); ++i) {
    if (members[i].first != member) continue;
    if (i < 64) {
      seen_ |= uint64_t{1} << i;
    } else {
      if (seen_more_.size() < members.size() - 64) seen_more_.resize(members.size() - 64);
      seen_more_[i - 64] = true;
    }
    return &members[i].second;
  }
  return nullptr;
}

std::string Members::Path(std::string_view member) const {
  return path_.empty() ? std::string(member) : fmt::format("{}.{}", path_, member);
}

bool Members::Fail(const std::string& path, const std::string& what) {
  if (error_->empty()) *error_ = fmt::format("member '{}': {}", path, what);
  return false;
}

const Value* Members::Any(std::string_view member) {
  const Value* v = Read(member);
  if (v == nullptr) Fail(Path(member), "missing");
  return v;
}

const Value* Members::Get(std::string_view member, Type type, bool optional) {
  const Value* v = Read(member);
  if (v == nullptr || (optional && v->is_null())) {
    if (!optional) Fail(Path(member), "missing");
    return nullptr;
  }
  if (v->type() != type) {
    Fail(Path(member), fmt::format("expected {}, found {}", TypeName(type), TypeName(v->type())));
    return nullptr;
  }
  return v;
}

bool Members::String(std::string_view member, std::string* out, bool non_empty) {
  const Value* v = Get(member, Type::kString);
  if (v == nullptr) return false;
  if (non_empty && v->text().empty()) return Fail(Path(member), "expected a non-empty string");
  *out = v->text();
  return true;
}

bool Members::OptionalString(std::string_view member, std::string* out) {
  const Value* v = Get(member, Type::kString, true);
  if (v != nullptr) *out = v->text();
  return error_->empty();
}

bool Members::Int(std::string_view member, int64_t* out, int64_t min) {
  const Value* v = Get(member, Type::kNumber);
  if (v == nullptr) return false;
  std::optional<int64_t> i = v->AsInt();
  if (!i || *i < min) {
    return Fail(Path(member),
                min == INT64_MIN ? fmt::format("expected an integer, found {}", v->text())
                                 : fmt::format("expected a whole number >= {}, found {}", min,
                                               v->text()));
  }
  *out = *i;
  return true;
}

bool Members::OptionalInt(std::string_view member, int64_t* out, int64_t min) {
  const Value* v = Read(member);
  if (v == nullptr || v->is_null()) return error_->empty();
  return Int(member, out, min);
}

bool Members::Bool(std::string_view member, bool* out, bool optional) {
  const Value* v = Get(member, Type::kBool, optional);
  if (v != nullptr) *out = v->boolean();
  return v != nullptr || (optional && error_->empty());
}

bool Members::Time(std::string_view member, std::string* text, int64_t* us) {
  if (!String(member, text)) return false;
  std::optional<int64_t> t = ParseTime(*text);
  if (!t) return Fail(Path(member), fmt::format("expected an RFC 3339 time, found \"{}\"", *text));
  *us = *t;
  return true;
}

bool Members::Strings(std::string_view member, std::vector<std::string>* out, bool optional) {
  const Value* v = Get(member, Type::kArray, optional);
  if (v == nullptr) return optional && error_->empty();
  out->clear();
  for (size_t i = 0; i < v->items().size(); ++i) {
    const Value& item = v->items()[i];
    if (!item.is_string()) {
      return Fail(fmt::format("{}[{}]", Path(member), i),
                  fmt::format("expected a string, found {}", TypeName(item.type())));
    }
    out->push_back(item.text());
  }
  return true;
}

bool Members::Done() {
  if (!error_->empty()) return false;
  const auto& members = object_.members();
  for (size_t i = 0; i < members.size(); ++i) {
    const bool seen = i < 64 ? (seen_ >> i & 1) != 0
                             : i - 64 < seen_more_.size() && seen_more_[i - 64];
    if (!seen) return Fail(Path(members[i].first), fmt::format("not a member of a {} file", format_));
  }
  return true;
}

}  // namespace vigil::json
