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
#include <cstring>

#include "base/decimal.hpp"
#include "base/json_check.hpp"
#include "base/json_scan.hpp"
#include "base/json_shape.hpp"
#include "base/limits.hpp"
#include "base/time_util.hpp"
#include "eval/event_json_impl.hpp"
#include "eval/shaped_numbers.hpp"

namespace vigil::eval {

namespace {

using shaped_numbers::IsDigit;
using shaped_numbers::ShapedDecimal;
using shaped_numbers::ShapedInt;

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
  if (first == 'n') {  // null: missing, written so, as a shaped line resets only the slots it does not name
    line.event->SetMissing(s);
    return true;
  }
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

// What the shaped path does with each member of its shape, decided once when
// the shape is learnt from the member's field: the common cases are converted
// inline here; anything they do not take (a null, a value of another type,
// a number in another form) goes to Convert, which decides it exactly as on
// any line.
enum ShapeOp : uint8_t {
  kOpConvert,  // Convert decides (id members, sets, bools, floats, durations)
  kOpIgnore,   // not a field and not an id member: checked as JSON only
  kOpString,
  kOpInt,
  kOpDecimal,
  kOpTime,
};

uint8_t ShapeOpOf(const Schema& schema, int slot, int rank) {
  if (slot < 0) return rank < 0 ? kOpIgnore : kOpConvert;
  const Type t = schema.fields[static_cast<size_t>(slot)].type;
  if (t.is_set) return kOpConvert;
  switch (t.kind) {
    case Kind::kString: return kOpString;
    case Kind::kInt: return kOpInt;
    case Kind::kDecimal: return kOpDecimal;
    case Kind::kTime: return kOpTime;
    default: return kOpConvert;
  }
}

// A member's value that its op's scan did not take (or that has no such
// scan), at p: read by the general scan and converted by Convert, exactly
// as on any line. Where the value ends, or null to give the line to the
// strict check. Out of line, and p passed by value: the loop below keeps
// its own in a register.
[[gnu::noinline]] const char* OtherValue(FastLine& line, EventJsonReader::Impl::ShapeField f, const char* p,
                                         const char* end) {
  const char* const value = p;
  JsonMemberText member;
  if (!JsonShape::Value(p, end, &member.value_escaped)) return nullptr;
  member.value = std::string_view(value, static_cast<size_t>(p - value));
  if (f.op != kOpIgnore && !Convert(line, f.slot, f.rank, member)) return nullptr;
  return p;
}

// A time of a form TimeReader::ReadQuoted does not take, at p (its opening
// quote): the string's end, then TimeReader::Parse. Where the value ends,
// or null when that does not take it either (OtherValue then decides). Out
// of line, as above.
[[gnu::noinline]] const char* OtherTime(TimeReader& times, Value* value, const char* p, const char* end) {
  const char* const close = JsonShape::PlainString(p, end);
  if (close == nullptr) return nullptr;
  const std::optional<int64_t> v = times.Parse(std::string_view(p + 1, static_cast<size_t>(close - p - 1)));
  if (!v) return nullptr;
  *value = Value::Int(*v);
  return close + 1;
}

// The members of a shaped line from `step` on, as long as the common cases
// take them: strings first (most members of most lines), then times of the
// common forms (TimeReader::ReadQuoted), plain integers and decimals.
// Returns where it stopped and the step of the member it did not take (its
// name read, its value at `p`), or the shape's end; a null `p` when a
// member's name is not the shape's. Both come back in registers (a step
// passed by reference went through memory), and the arguments are five
// (all in registers: a seventh went on the stack). Calls nothing, so the
// constants of the string scan can stay in registers through the loop (a
// call would clobber them), and out of line, so that the few values it
// needs are all it holds.
// Written for few instructions a member (docs/performance.md, "Round 21:
// reading a JSON line"): one record per member (ShapeStep), a name of up to
// 16 bytes compared in one 16-byte compare, a string whose closing quote is
// in its first 16 bytes found by one compare, a time of the common forms
// read where it lies without a scan for its quote, digits read 8 at a time.
struct ShapeStop {
  const char* p;
  const EventJsonReader::Impl::ShapeStep* step;
};

[[gnu::noinline]] ShapeStop CommonMembers(EventJsonReader::Impl& m, const EventJsonReader::Impl::ShapeStep* s,
                                          Value* const values, const char* p, const char* const end) {
  const EventJsonReader::Impl::ShapeStep* const last = m.shape_steps.data() + m.shape_steps.size();
  const JsonShape& shape = m.shape;
  TimeReader& times = m.times;
#if defined(__SSE2__)
  auto [flip, below, backslash] = json_scan::StopFinder::Make();
  // Opaque to the compiler from here on: known constants, GCC loaded them
  // again from memory at each string (four instructions a string, 36 a line
  // of v100); values it cannot see stay in their registers through the loop.
  asm("" : "+x"(flip), "+x"(below), "+x"(backslash));
#endif
  for (; s != last; ++s) {
    if (!shape.Name(s->token, p, end)) return {nullptr, s};
    const uint8_t op = s->field.op;
    // The field's value (for the ops below, whose members are fields). A
    // pointer, read only by those ops: for a schema without fields `values`
    // is null, and binding a reference to it would be undefined (UBSan,
    // fuzz_capi) even where nothing is written.
    Value* const out = reinterpret_cast<Value*>(reinterpret_cast<char*>(values) + s->value_offset);
    if (op == kOpString) {
      if (*p != '"') break;
      // The first stop after the opening quote. The byte at `end` is a
      // stop that is not a quote (kJsonShapePadding), and p < end, so a
      // closing quote found is within the line.
#if defined(__SSE2__)
      // Most strings end within the first 16 bytes (no check of their
      // length is needed then); longer ones go on 16 bytes at a time.
      const unsigned first = json_scan::StopFinder::Mask16(p + 1, flip, below, backslash);
      if (__builtin_expect(first != 0, 1)) {
        const char* const close = p + 1 + __builtin_ctz(first);
        if (*close != '"') break;
        *out = Value::Str(std::string_view(p + 1, static_cast<size_t>(close - p - 1)));
        p = close + 1;
        continue;
      }
      // The constants made again here, not the loop's: with the loop's, GCC
      // copied them for this rare path ahead of the first compare, two
      // register copies on every string.
      const auto [flip2, below2, backslash2] = json_scan::StopFinder::Make();
      const char* const close = json_scan::StopFinder::Find(p + 17, flip2, below2, backslash2);
#else
      const char* const close = json_scan::FindStringStopPadded(p + 1);
#endif
      const size_t size = static_cast<size_t>(close - p - 1);
      if (*close != '"' || size > limits::kMaxEventStringBytes) break;
      *out = Value::Str(std::string_view(p + 1, size));
      p = close + 1;
    } else if (op == kOpTime) {
      const char* close;
      int64_t t;
      if (*p != '"' || !times.ReadQuoted(p + 1, &close, &t)) break;
      *out = Value::Int(t);
      p = close + 1;
    } else if (op == kOpInt) {
      int64_t v;
      if ((*p != '-' && !IsDigit(*p)) || !ShapedInt(p, &v)) break;
      *out = Value::Int(v);
    } else if (op == kOpDecimal) {
      Decimal d;
      if ((*p != '-' && !IsDigit(*p)) || !ShapedDecimal(p, &d)) break;
      *out = Value::Dec(d);
    } else {
      break;
    }
  }
  return {p, s};
}

// The members of a shaped line from `step` on, which CommonMembers did not
// take (its name read, its value at p), and those after them: the member at
// `step` the general way (a time of another form, or a day not seen last,
// by TimeReader::Parse, else the general scan and Convert, exactly as on any
// line), then CommonMembers again. Where the line's members end, or null to
// give the line to the strict check. Out of line, with the FastLine that
// Convert needs: the common line, which CommonMembers takes whole, holds
// none of it (no frame, no registers kept across these calls).
[[gnu::noinline]] const char* OtherMembers(EventJsonReader::Impl& m, Event& event,
                                           const EventJsonReader::Impl::ShapeStep* step, const char* p,
                                           const char* const end) {
  FastLine line{&m, &event, &event.schema()};
  const EventJsonReader::Impl::ShapeStep* const last = m.shape_steps.data() + m.shape_steps.size();
  Value* const values = event.mutable_values();
  for (;;) {
    const EventJsonReader::Impl::ShapeField f = step->field;
    const char* next = nullptr;
    if (f.op == kOpTime && *p == '"') next = OtherTime(m.times, &values[f.slot], p, end);
    if (next == nullptr) next = OtherValue(line, f, p, end);
    if (next == nullptr) return nullptr;
    const ShapeStop stop = CommonMembers(m, step + 1, values, next, end);
    if (stop.p == nullptr || stop.step == last) return stop.p;
    step = stop.step;
    p = stop.p;
  }
}

// A shaped line (m.shape), member by member: each member's name compared as
// a block, then its value read by the scan its op names, which converts it
// where it ends. A value the op's scan does not take goes through the
// general scan (JsonShape::Value) and Convert, exactly as on any line. The
// line lies in a buffer that outlives the event's values and is followed by
// the shape's padding (a copy in the event's storage, or the stream's chunk:
// ReadFast), so a string value is kept where it lies.
// False gives the line to the strict check.
//
// The common cases are read by CommonMembers, the rest (and a new day of
// times) by OtherMembers.
// Inlined into ReadFast (itself into ReadInPlace): out of line it was a call
// and a frame of its own, about 20 instructions a line.
[[gnu::always_inline]] inline bool ReadShaped(EventJsonReader::Impl& m, Event& event, const char* p,
                                              const char* const end) {
  if (!m.shape.Open(p, end)) return false;
  const ShapeStop stop = CommonMembers(m, m.shape_steps.data(), event.mutable_values(), p, end);
  if (stop.p == nullptr) return false;
  p = stop.p;
  if (stop.step != m.shape_steps.data() + m.shape_steps.size()) [[unlikely]] {
    p = OtherMembers(m, event, stop.step, p, end);
    if (p == nullptr) return false;
  }
  return JsonShape::Close(p, end);
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
// next line, unless it is the shape already held for this schema (nothing is
// allocated then).
void LearnShape(EventJsonReader::Impl& m, const Schema& schema, size_t members) {
  if (members == 0 || members > kMaxShapeMembers) return;
  if (m.shape.size() == members && m.shape_schema == schema.identity()) {
    size_t i = 0;
    while (i < members && m.shape.key(i) == m.line_keys[i]) ++i;
    if (i == members) return;
  }
  m.shape.Clear();
  m.shape_steps.clear();
  m.shape_schema = schema.identity();
  // Every slot flagged unset, those the shape names cleared, then the
  // flagged ones listed in place (the list's room is kept: nothing is
  // allocated when shapes come and go).
  m.shape_unset.assign(schema.fields.size(), 1);
  for (size_t i = 0; i < members; ++i) {
    const std::string_view key = m.line_keys[i];
    const int slot = schema.Find(key);
    const int rank = slot < 0 && schema.id_slot < 0 ? IdRank(key) : -1;
    m.shape.Add(key);
    m.shape_steps.push_back({m.shape.members()[i],
                             {slot, static_cast<int8_t>(rank), ShapeOpOf(schema, slot, rank)},
                             slot < 0 ? 0u : static_cast<uint32_t>(static_cast<size_t>(slot) * sizeof(Value))});
    if (slot >= 0) m.shape_unset[static_cast<size_t>(slot)] = 0;
  }
  size_t unset = 0;
  for (size_t s = 0; s < m.shape_unset.size(); ++s) {
    if (m.shape_unset[s] != 0) m.shape_unset[unset++] = static_cast<uint32_t>(s);
  }
  m.shape_unset.resize(unset);
}

}  // namespace

namespace {

// Up to this many slots left unset by a shape are marked missing one by one
// (three stores each) rather than by Event::Reset's memset of every slot (a
// call, about 35 instructions for 13 slots).
constexpr size_t kShapeUnsetByLoop = 6;

// Any line: the strict check hands over each member. Out of line, so that a
// shaped line does not pay its frame (the JsonProblem and its strings, about
// 40 instructions a line of saving, clearing and destroying).
[[gnu::noinline]] bool ReadChecked(EventJsonReader::Impl& m, std::string_view json, Event& event) {
  event.Reset();
  ++m.line;  // a new line number: what a failed shaped try marked is forgotten
  FastLine line{&m, &event, &event.schema()};
  JsonProblem problem;
  if (!CheckJsonObject(json, &problem, &Member, &line)) return false;
  LearnShape(m, event.schema(), line.position);
  return true;
}

}  // namespace

// Defined here, with ReadFast, so that ReadFast is inlined into them.
bool EventJsonReader::Read(std::string_view json, Event& event, std::string* error) {
  // The one-pass path accepts exactly what the reference path accepts, with
  // the same values; whatever it cannot decide alone (an error, an escape, a
  // set) is read again there, where every message is worded.
  if (fast_ && ReadFast(json, event, false)) return true;
  return ReadReference(json, event, error);
}

bool EventJsonReader::ReadInPlace(std::string_view json, Event& event, std::string* error) {
  if (fast_ && ReadFast(json, event, true)) [[likely]] return true;
  return ReadReference(json, event, error);
}

[[gnu::always_inline]] inline bool EventJsonReader::ReadFast(std::string_view json, Event& event, bool in_place) {
  Impl& m = *impl_;
  last_event_ = nullptr;
  if (m.seen.size() != event.size()) [[unlikely]] m.seen.assign(event.size(), 0);
  if (json.size() > limits::kMaxEventJsonBytes) [[unlikely]] {
    event.Reset();
    ++m.line;
    return false;
  }
  // First, the shape of the last line (base/json_shape.hpp), unless it was
  // learnt on another schema's events (its slots and ops are that schema's),
  // or it has missed on the last few lines (then only one line in 64 tries it).
  if (!m.shape.empty() && m.shape_schema == event.schema().identity() &&
      (m.shape_misses < 4 || (m.line & 63) == 0)) [[likely]] {
    // Only the slots the shape does not name: a shaped line that is read
    // writes every one it names (a null as missing); one that is not is
    // read again by ReadChecked, after a whole Reset. Many such slots (a
    // wide schema, narrow lines) are cleared faster by the memset of all.
    if (m.shape_unset.size() <= kShapeUnsetByLoop) [[likely]] {
      event.ResetSlots(m.shape_unset);
    } else {
      event.Reset();
    }
    ++m.line;
    // The strings are kept where they lie in the line: in the caller's
    // buffer when it lasts as long as the event and ends the line with a
    // stop and readable padding (ReadInPlace: the stream's chunks), else in
    // one copy of the line in the event's storage (one copy instead of one
    // per string value), followed by the padding (zero bytes).
    const char* text = json.data();
    if (!in_place) {
      char* copy = event.storage().Allocate(json.size() + kJsonShapePadding);
      std::memcpy(copy, json.data(), json.size());
      std::memset(copy + json.size(), 0, kJsonShapePadding);
      text = copy;
    }
    if (ReadShaped(m, event, text, text + json.size())) [[likely]] {
      m.shape_misses = 0;
      last_event_ = &event;
      return true;
    }
    ++m.shape_misses;
  }
  if (!ReadChecked(m, json, event)) return false;
  last_event_ = &event;
  return true;
}

}  // namespace vigil::eval
