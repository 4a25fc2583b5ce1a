#include "eval/event_json.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <vector>

#include "eval/event_json_impl.hpp"

#include "base/json_check.hpp"
#include "base/event_limits.hpp"
#include "base/time_util.hpp"

namespace vigil::eval {

namespace od = simdjson::ondemand;

EventJsonReader::EventJsonReader() : impl_(std::make_unique<Impl>()) {}
EventJsonReader::~EventJsonReader() = default;

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string Shorten(std::string_view raw) {
  raw = Trim(raw);
  if (raw.size() > 40) return std::string(raw.substr(0, 37)) + "...";
  return std::string(raw);
}

// No string vigil holds contains NUL (docs/language.md): JSON can escape one
// (\u0000), so a field's string is checked after unescaping.
bool HasNul(std::string_view s) { return s.find('\0') != std::string_view::npos; }
bool NulError(std::string_view field, std::string* error) {
  *error = fmt::format("field '{}': a string cannot contain U+0000 (NUL)", field);
  return false;
}

const char* Expected(Type t) {
  if (t.is_set) return "an array of strings";
  switch (t.kind) {
    case Kind::kBool: return "true or false";
    case Kind::kInt: return "an integer";
    case Kind::kDecimal: return "a decimal number";
    case Kind::kFloat: return "a number";
    case Kind::kString: return "a string";
    case Kind::kTime:
      return "an RFC 3339 time string, a date \"YYYY-MM-DD\" or integer microseconds";
    case Kind::kDuration: return "a duration such as \"24h\" or integer microseconds";
    default: return "a value";
  }
}

}  // namespace

// Read and ReadInPlace: event_json_fast.cpp, with ReadFast.

bool EventJsonReader::ReadReference(std::string_view json, Event& event, std::string* error) {
  Impl& m = *impl_;
  event.Reset();
  last_event_ = nullptr;
  ++m.line;
  if (m.seen.size() != event.size()) m.seen.assign(event.size(), 0);
  if (std::string problem = EventJsonProblem(json.size()); !problem.empty()) {
    *error = std::move(problem);
    return false;
  }
  // The whole line is checked as strict JSON first (base/json_check.hpp):
  // On-Demand parsing below only looks at the members it reads, and would
  // accept garbage in the others or after the object.
  JsonProblem json_problem;
  if (!CheckJsonObject(json, &json_problem)) {
    *error = "malformed JSON " + json_problem.Describe();
    return false;
  }
  m.buffer.assign(json);
  m.buffer.resize(json.size() + simdjson::SIMDJSON_PADDING, '\0');
  od::document doc;
  auto fail_json = [&](simdjson::error_code code) {
    *error = fmt::format("malformed JSON: {}", simdjson::error_message(code));
    return false;
  };
  if (auto code = m.parser.iterate(m.buffer.data(), json.size(), m.buffer.size()).get(doc)) {
    return fail_json(code);
  }
  od::object object;
  if (auto code = doc.get_object().get(object)) {
    *error = code == simdjson::INCORRECT_TYPE ? "the line is not a JSON object" : "";
    if (error->empty()) return fail_json(code);
    return false;
  }
  const Schema& schema = event.schema();
  int id_rank = 3;  // of the member that named the event so far (none)
  for (auto member : object) {
    std::string_view key;
    if (auto code = member.unescaped_key().get(key)) return fail_json(code);
    od::value value;
    if (auto code = member.value().get(value)) return fail_json(code);
    od::json_type type;
    if (auto code = value.type().get(type)) return fail_json(code);
    int slot = schema.Find(key);
    if (slot < 0) {
      const int rank = schema.id_slot < 0 ? IdRank(key) : -1;
      if (rank >= 0 && rank < id_rank) {
        std::string_view id;
        int64_t number = 0;
        if (type == od::json_type::string && !value.get_string().get(id)) {
          if (HasNul(id)) return NulError(key, error);
          if (std::string problem = EventStringProblem(key, id.size()); !problem.empty()) {
            *error = std::move(problem);
            return false;
          }
          event.SetMemberId(id, kIdMembers[rank]);
          id_rank = rank;
        } else if (type == od::json_type::number) {
          std::string_view raw = Trim(value.raw_json_token());
          if (!value.get_int64().get(number)) {
            event.SetMemberId(raw, kIdMembers[rank]);
            id_rank = rank;
          }
        }
      }
      continue;  // not a schema field: ignored (checked as JSON above)
    }
    const FieldInfo& field = schema.fields[slot];
    if (m.seen[slot] == m.line) {
      *error = fmt::format("field '{}' appears twice", field.name);
      return false;
    }
    m.seen[slot] = m.line;
    if (type == od::json_type::null) continue;  // missing
    auto mismatch = [&]() {
      std::string_view raw = value.raw_json_token();
      *error = fmt::format("field '{}': expected {}, found {}", field.name, Expected(field.type),
                           Shorten(raw));
      return false;
    };
    Type t = field.type;
    if (t.is_set) {
      if (type != od::json_type::array) return mismatch();
      od::array array;
      if (value.get_array().get(array)) return mismatch();
      m.items.clear();
      // Strings point into the parser's buffer until the next line: copied by SetStringSet.
      for (auto element : array) {
        std::string_view s;
        if (element.get_string().get(s)) {
          *error = fmt::format("field '{}': expected {}, found a non-string element", field.name,
                               Expected(t));
          return false;
        }
        if (HasNul(s)) return NulError(field.name, error);
        if (std::string problem = EventStringProblem(field.name, s.size()); !problem.empty()) {
          *error = std::move(problem);
          return false;
        }
        m.items.push_back(s);
        if (std::string problem = EventSetProblem(field.name, m.items.size()); !problem.empty()) {
          *error = std::move(problem);
          return false;
        }
      }
      event.SetStringSet(slot, m.items);
      continue;
    }
    switch (t.kind) {
      case Kind::kBool: {
        bool b;
        if (type != od::json_type::boolean || value.get_bool().get(b)) return mismatch();
        event.SetBool(slot, b);
        break;
      }
      case Kind::kInt: {
        int64_t i;
        if (type != od::json_type::number || value.get_int64().get(i)) return mismatch();
        event.SetInt(slot, i);
        break;
      }
      case Kind::kDecimal: {
        std::string_view raw;
        if (type == od::json_type::number) {
          raw = Trim(value.raw_json_token());  // the number exactly as written
        } else if (type == od::json_type::string) {
          if (value.get_string().get(raw)) return mismatch();
        } else {
          return mismatch();
        }
        DecimalError why;
        std::optional<Decimal> d = ParseDecimal(raw, &why);
        if (!d) {
          *error = why == DecimalError::kSyntax
                       ? fmt::format("field '{}': expected a decimal number, found {}", field.name,
                                     Shorten(value.raw_json_token()))
                       : fmt::format("field '{}': decimal {}: {}", field.name,
                                     Shorten(value.raw_json_token()), DecimalErrorText(why));
          return false;
        }
        event.SetDecimal(slot, *d);
        break;
      }
      case Kind::kFloat: {
        double f;
        if (type != od::json_type::number || value.get_double().get(f)) return mismatch();
        event.SetFloat(slot, f);
        break;
      }
      case Kind::kString: {
        std::string_view s;
        if (type != od::json_type::string || value.get_string().get(s)) return mismatch();
        if (HasNul(s)) return NulError(field.name, error);
        if (std::string problem = EventStringProblem(field.name, s.size()); !problem.empty()) {
          *error = std::move(problem);
          return false;
        }
        event.SetString(slot, s);
        break;
      }
      case Kind::kTime:
      case Kind::kDuration: {
        if (type == od::json_type::number) {
          int64_t i;
          if (value.get_int64().get(i)) return mismatch();
          if (t.kind == Kind::kTime && !InTimeRange(i)) {
            *error = fmt::format("field '{}': time {} is {}", field.name, i, kTimeRangeMessage);
            return false;
          }
          event.SetInt(slot, i);
          break;
        }
        std::string_view s;
        if (type != od::json_type::string || value.get_string().get(s)) return mismatch();
        if (t.kind == Kind::kTime && LooksLikeDate(s)) {
          // A date alone is midnight UTC of that day (docs/language.md, "Dates").
          std::string why;
          std::optional<int64_t> day = ParseDate(s, &why);
          if (!day) {
            *error = fmt::format("field '{}': \"{}\" is not a date: {}", field.name, s, why);
            return false;
          }
          event.SetInt(slot, *day);
          break;
        }
        std::optional<int64_t> v = t.kind == Kind::kTime ? ParseTime(s) : ParseDuration(s);
        if (!v) {
          *error = fmt::format("field '{}': expected {}, found \"{}\"", field.name, Expected(t),
                               Shorten(s));
          return false;
        }
        event.SetInt(slot, *v);
        break;
      }
      default:
        return mismatch();
    }
  }
  last_event_ = &event;
  return true;
}

std::string_view EventJsonReader::last_id() const {
  if (last_event_ == nullptr) return {};
  impl_->id.clear();
  AppendEventId(*last_event_, impl_->id);
  return impl_->id;
}

}  // namespace vigil::eval
