// EventJsonReader's one-pass path: the strict check of the line
// (base/json_check.hpp) hands over each top-level member as it passes, and
// the member is converted from its text there: no copy of the line, no
// second parse. It only accepts what it can decide exactly as the reference
// path (event_json.cpp) would, with the same values; anything else (an
// error of any kind, an escaped string or member name, a set, a number at
// the edge of a type) gives the line back to the reference path, which
// words the message.
#include <charconv>
#include <cmath>

#include "base/decimal.hpp"
#include "base/json_check.hpp"
#include "base/json_shape.hpp"
#include "base/limits.hpp"
#include "base/time_util.hpp"
#include "eval/event_json_impl.hpp"

namespace vigil::eval {

namespace {

// An integer exactly as simdjson's get_int64 takes it: digits with an
// optional minus, no fraction or exponent, within int64. "-0" is left to the
// reference path.
bool PlainInt(std::string_view raw, int64_t* out) {
  if (raw.empty() || raw == "-0") return false;
  const char* end = raw.data() + raw.size();
  auto [ptr, ec] = std::from_chars(raw.data(), end, *out);
  return ec == std::errc() && ptr == end;
}

// The text of a string value written without escapes (between its quotes).
std::string_view Unquoted(std::string_view raw) { return raw.substr(1, raw.size() - 2); }

struct FastLine {
  EventJsonReader::Impl* m;
  Event* event;
  const Schema* schema;
  size_t position = 0;  // of the member in the line
  int id_rank = 3;      // of the member that named the event so far (none)
};

// One top-level member whose field is known: `slot` (-1: not a field of the
// schema) and, for a member that is not a field, `rank` (IdRank when the
// schema has no id field, else -1). False hands the line to the reference
// path.
bool Convert(FastLine& line, int slot, int rank, const JsonMemberText& member) {
  EventJsonReader::Impl& m = *line.m;
  const Schema& schema = *line.schema;
  const std::string_view raw = member.value;
  const char first = raw[0];
  if (slot < 0) {
    if (rank < 0 || rank >= line.id_rank) return true;  // ignored (checked as JSON)
    if (first == '"') {
      if (member.value_escaped) return false;
      const std::string_view id = Unquoted(raw);
      if (id.size() > limits::kMaxEventStringBytes) return false;
      line.event->SetMemberId(id, kIdMembers[rank]);
      line.id_rank = rank;
    } else if (first == '-' || (first >= '0' && first <= '9')) {
      int64_t number;
      if (!PlainInt(raw, &number)) return false;
      line.event->SetMemberId(raw, kIdMembers[rank]);
      line.id_rank = rank;
    }
    return true;
  }
  const size_t s = static_cast<size_t>(slot);
  if (m.seen[s] == m.line) return false;  // given twice: an error
  m.seen[s] = m.line;
  if (first == 'n') return true;  // null: missing
  const Type t = schema.fields[s].type;
  if (t.is_set) return false;
  const bool is_string = first == '"';
  const bool is_number = first == '-' || (first >= '0' && first <= '9');
  if (is_string && member.value_escaped) return false;
  Event& event = *line.event;
  switch (t.kind) {
    case Kind::kBool:
      if (raw == "true") {
        event.SetBool(s, true);
      } else if (raw == "false") {
        event.SetBool(s, false);
      } else {
        return false;
      }
      return true;
    case Kind::kInt: {
      int64_t i;
      if (!is_number || !PlainInt(raw, &i)) return false;
      event.SetInt(s, i);
      return true;
    }
    case Kind::kDecimal: {
      if (!is_number && !is_string) return false;
      std::optional<Decimal> d = ParseDecimal(is_string ? Unquoted(raw) : raw);
      if (!d) return false;
      event.SetDecimal(s, *d);
      return true;
    }
    case Kind::kFloat: {
      double f;
      if (!is_number) return false;
      const char* end = raw.data() + raw.size();
      auto [ptr, ec] = std::from_chars(raw.data(), end, f);
      // Zero (its sign) and the edges of the range are left to simdjson.
      if (ec != std::errc() || ptr != end || !std::isfinite(f) || f == 0) return false;
      event.SetFloat(s, f);
      return true;
    }
    case Kind::kString: {
      if (!is_string) return false;
      const std::string_view text = Unquoted(raw);
      if (text.size() > limits::kMaxEventStringBytes) return false;
      event.SetString(s, text);
      return true;
    }
    case Kind::kTime:
    case Kind::kDuration: {
      if (is_number) {
        int64_t i;
        if (!PlainInt(raw, &i)) return false;
        if (t.kind == Kind::kTime && !InTimeRange(i)) return false;
        event.SetInt(s, i);
        return true;
      }
      if (!is_string) return false;
      const std::string_view text = Unquoted(raw);
      // A time field also takes a date alone (docs/language.md, "Dates"); a
      // bad date goes to the reference path, which words the message.
      std::optional<int64_t> v =
          t.kind == Kind::kTime ? ParseTimeOrDate(text) : ParseDuration(text);
      if (!v) return false;
      event.SetInt(s, *v);
      return true;
    }
    default:
      return false;
  }
}

// One top-level member as the strict check hands it over: finds its field,
// notes it for the shape of the line, converts it.
bool Member(void* context, const JsonMemberText& member) {
  FastLine& line = *static_cast<FastLine*>(context);
  EventJsonReader::Impl& m = *line.m;
  const Schema& schema = *line.schema;
  if (member.key_escaped) return false;
  const std::string_view key = member.key;
  const size_t at = line.position++;
  int slot = -1;
  if (at < m.slot_at.size()) {
    const int guess = m.slot_at[at];
    if (guess >= 0 && static_cast<size_t>(guess) < schema.fields.size() &&
        schema.fields[static_cast<size_t>(guess)].name == key) {
      slot = guess;
    }
  }
  if (slot < 0) {
    slot = schema.Find(key);
    if (at < 64) {
      if (m.slot_at.size() <= at) m.slot_at.resize(at + 1, -1);
      m.slot_at[at] = slot;
    }
  }
  if (at < kMaxShapeMembers) m.line_keys[at] = key;
  return Convert(line, slot, slot < 0 && schema.id_slot < 0 ? IdRank(key) : -1, member);
}

// Keeps the members of the line just read as the shape to try first on the
// next line, unless it is the shape already held (nothing is allocated then).
void LearnShape(EventJsonReader::Impl& m, const Schema& schema, size_t members) {
  if (members == 0 || members > kMaxShapeMembers) return;
  if (m.shape.size() == members) {
    size_t i = 0;
    while (i < members && m.shape.key(i) == m.line_keys[i]) ++i;
    if (i == members) return;
  }
  m.shape.Clear();
  m.shape_slots.clear();
  m.shape_ranks.clear();
  for (size_t i = 0; i < members; ++i) {
    const std::string_view key = m.line_keys[i];
    const int slot = schema.Find(key);
    m.shape.Add(key);
    m.shape_slots.push_back(slot);
    m.shape_ranks.push_back(slot < 0 && schema.id_slot < 0 ? IdRank(key) : -1);
  }
}

void FinishId(EventJsonReader::Impl& m, const Event& event) {
  m.id.clear();
  AppendEventId(event, m.id);
}

}  // namespace

bool EventJsonReader::ReadFast(std::string_view json, Event& event) {
  Impl& m = *impl_;
  last_id_ = {};
  if (m.seen.size() != event.size()) m.seen.assign(event.size(), 0);
  if (json.size() > limits::kMaxEventJsonBytes) {
    event.Reset();
    ++m.line;
    return false;
  }
  // First, the shape of the last line (base/json_shape.hpp), unless it has
  // missed on the last few lines (then only one line in 64 tries it).
  if (!m.shape.empty() && (m.shape_misses < 4 || (m.line & 63) == 0)) {
    event.Reset();
    ++m.line;
    FastLine line{&m, &event, &event.schema()};
    const bool read = m.shape.Lex(json, [&](size_t i, const JsonMemberText& member) {
      return Convert(line, m.shape_slots[i], m.shape_ranks[i], member);
    });
    if (read) {
      m.shape_misses = 0;
      FinishId(m, event);
      last_id_ = m.id;
      return true;
    }
    ++m.shape_misses;
  }
  // Any line: the strict check hands over each member.
  event.Reset();
  ++m.line;  // a new line number: what a failed shaped try marked is forgotten
  FastLine line{&m, &event, &event.schema()};
  JsonProblem problem;
  if (!CheckJsonObject(json, &problem, &Member, &line)) return false;
  LearnShape(m, event.schema(), line.position);
  FinishId(m, event);
  last_id_ = m.id;
  return true;
}

}  // namespace vigil::eval
