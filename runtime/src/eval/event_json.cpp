#include "eval/event_json.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <vector>

#include "base/event_limits.hpp"
#include "base/time_util.hpp"

namespace vigil::eval {

namespace od = simdjson::ondemand;

struct EventJsonReader::Impl {
  od::parser parser;
  std::string buffer;                  // the line plus simdjson's padding
  std::vector<uint32_t> seen;          // per slot: the line number that set it
  uint32_t line = 0;
  std::vector<std::string_view> items; // scratch for set<string> fields
  std::string id;                      // copy of the id member
};

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

// Members that name the event in results: txn_id, event_id or id.
bool IsIdKey(std::string_view key) { return key == "txn_id" || key == "event_id" || key == "id"; }

const char* Expected(Type t) {
  if (t.is_set) return "an array of strings";
  switch (t.kind) {
    case Kind::kBool: return "true or false";
    case Kind::kInt: return "an integer";
    case Kind::kDecimal: return "a decimal number";
    case Kind::kFloat: return "a number";
    case Kind::kString: return "a string";
    case Kind::kTime: return "an RFC 3339 time string or integer microseconds";
    case Kind::kDuration: return "a duration such as \"24h\" or integer microseconds";
    default: return "a value";
  }
}

}  // namespace

bool EventJsonReader::Read(std::string_view json, Event& event, std::string* error) {
  Impl& m = *impl_;
  event.Reset();
  last_id_ = {};
  ++m.line;
  if (m.seen.size() != event.size()) m.seen.assign(event.size(), 0);
  if (std::string problem = EventJsonProblem(json.size()); !problem.empty()) {
    *error = std::move(problem);
    return false;
  }
  // Content after the object ("{} x") would be ignored by the parser: refuse it.
  std::string_view trimmed = Trim(json);
  while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t')) {
    trimmed.remove_prefix(1);
  }
  if (!trimmed.empty() && trimmed.front() != '{') {
    *error = "the line is not a JSON object";
    return false;
  }
  if (!trimmed.empty() && trimmed.back() != '}') {
    *error = "malformed JSON: the line must hold exactly one object";
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
  for (auto member : object) {
    std::string_view key;
    if (auto code = member.unescaped_key().get(key)) return fail_json(code);
    od::value value;
    if (auto code = member.value().get(value)) return fail_json(code);
    od::json_type type;
    if (auto code = value.type().get(type)) return fail_json(code);
    int slot = schema.Find(key);
    if (slot < 0) {
      if (IsIdKey(key) && type == od::json_type::string) {
        std::string_view id;
        if (!value.get_string().get(id)) {
          m.id.assign(id);
          last_id_ = m.id;
        }
      }
      continue;  // not a schema field: ignored (the parser skips it)
    }
    const FieldInfo& field = schema.fields[slot];
    if (m.seen[slot] == m.line) {
      *error = fmt::format("field '{}' appears twice", field.name);
      return false;
    }
    m.seen[slot] = m.line;
    if (IsIdKey(key) && type == od::json_type::string) {
      std::string_view id;
      if (!value.get_string().get(id)) {
        if (std::string problem = EventStringProblem(field.name, id.size()); !problem.empty()) {
          *error = std::move(problem);
          return false;
        }
        m.id.assign(id);
        last_id_ = m.id;
        event.SetString(slot, id);
        continue;
      }
    }
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
        std::optional<Decimal> d = ParseDecimal(raw);
        if (!d) {
          *error = fmt::format(
              "field '{}': expected a decimal number (at most 6 fractional digits), found {}",
              field.name, Shorten(value.raw_json_token()));
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
          event.SetInt(slot, i);
          break;
        }
        std::string_view s;
        if (type != od::json_type::string || value.get_string().get(s)) return mismatch();
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
  return true;
}

}  // namespace vigil::eval
