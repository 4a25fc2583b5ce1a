#include "eval/result_json.hpp"

#include <fmt/format.h>

#include <cstring>

#include "base/json_writer.hpp"

namespace vigil::eval {

namespace {

// Digits without a format string, for the integers of every result line.
template <typename T>
void AppendInt(T value, std::string& out) {
  const fmt::format_int digits(value);
  out.append(digits.data(), digits.size());
}

}  // namespace

void AppendFiredRuleJson(const Program& p, const Result& r, const FiredRule& f, bool shadow,
                         bool title, std::string& out) {
  const RuleInfo& rule = p.rules[f.rule];
  out += "{\"rule\":";
  AppendJsonString(rule.qualified_id, out);
  out += ",\"version\":";
  AppendJsonString(p.rulesets[rule.ruleset].version, out);
  out += ",\"severity\":\"";
  out += SeverityName(rule.severity);
  out += '"';
  if (title) {
    out += ",\"title\":";
    AppendJsonString(rule.title, out);
  }
  out += ",\"reason\":";
  AppendJsonString(r.reason(f), out);
  out += ",\"tags\":[";
  for (size_t i = 0; i < rule.tags.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(rule.tags[i], out);
  }
  out += ']';
  if (shadow) {
    out += ",\"score\":";
    AppendInt(rule.score, out);
    out += ",\"decision\":";
    if (rule.decision >= 0) {
      AppendJsonString(p.decisions[rule.decision], out);
    } else {
      out += "null";
    }
  }
  out += '}';
}

namespace {

// The result's "event" member: its id, else its line number, else null.
void AppendEventMember(const Result& r, uint64_t line, std::string& out) {
  out += "{\"event\":";
  if (r.event_id_member != nullptr) {
    AppendJsonString(r.event_id, out);
  } else if (line > 0) {
    AppendInt(line, out);
  } else {
    out += "null";
  }
}

// The "fired", "shadow" and "tags" members of a result.
void AppendRuleLists(const Program& p, const Result& r, std::string& out) {
  out += ",\"fired\":[";
  for (size_t i = 0; i < r.fired.size(); ++i) {
    if (i > 0) out += ',';
    AppendFiredRuleJson(p, r, r.fired[i], false, false, out);
  }
  out += "],\"shadow\":[";
  for (size_t i = 0; i < r.shadow.size(); ++i) {
    if (i > 0) out += ',';
    AppendFiredRuleJson(p, r, r.shadow[i], true, false, out);
  }
  out += "],\"tags\":[";
  for (size_t i = 0; i < r.tags.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(*r.tags[i], out);
  }
  out += ']';
}

}  // namespace

void WriteDecisionJson(const Program& p, const Result& r, uint64_t line, std::string& out) {
  AppendEventMember(r, line, out);
  out += ",\"decision\":";
  AppendJsonString(p.decisions[r.decision], out);
  out += ",\"score\":";
  AppendInt(r.score, out);
  out += '}';
}

namespace {

char* Put(char* w, std::string_view literal) {
  std::memcpy(w, literal.data(), literal.size());
  return w + literal.size();
}

// The result of most events (nothing fired, nothing flagged) put together in
// a buffer on the stack and appended in one call: a dozen appends, each
// checking the string's room, cost more than the rules of a small rule set.
// False (nothing appended) when a string needs an escape or is long.
// `{"event":` and the id (or the line, or null) at w, in a buffer ending at
// limit with room for an id of kMaxStackId; nullptr when the id is longer or
// needs an escape. Both stack writers below start their lines with it.
constexpr size_t kMaxStackId = 128;
// Inlined into the line writer's PutHead, itself inlined into WriteResult and
// WriteDecision: the calls and their saved registers were about 20
// instructions of the ~170 a quiet line took.
[[gnu::always_inline]] inline char* PutEventMember(const Result& r, uint64_t line, char* w, char* limit) {
  w = Put(w, "{\"event\":");
  if (r.event_id_member != nullptr) {
    if (r.event_id.size() > kMaxStackId) return nullptr;
    return PutPlainJsonString(r.event_id, w, limit);
  }
  if (line > 0) {
    const fmt::format_int digits(line);
    return Put(w, std::string_view(digits.data(), digits.size()));
  }
  return Put(w, "null");
}

bool WriteQuietResult(const Program& p, const Result& r, uint64_t line, std::string& out) {
  char buffer[320];
  char* const limit = buffer + sizeof buffer;
  char* w = PutEventMember(r, line, buffer, limit);
  if (w == nullptr) return false;
  w = Put(w, ",\"decision\":");
  const std::string& decision = p.decisions[r.decision];
  if (decision.size() > 64 || (w = PutPlainJsonString(decision, w, limit)) == nullptr) return false;
  w = Put(w, ",\"score\":");
  const fmt::format_int score(r.score);
  w = Put(w, std::string_view(score.data(), score.size()));
  w = Put(w, ",\"fired\":[],\"shadow\":[],\"tags\":[]}");
  out.append(buffer, static_cast<size_t>(w - buffer));
  return true;
}

// Whether the result is written as "fired":[],"shadow":[],"tags":[] and no
// flag after them.
bool IsQuiet(const Result& r) {
  return r.fired.empty() && r.shadow.empty() && r.tags.empty() && !r.late && !r.outlier && !r.state_error &&
         !r.duplicate && r.reversal == Reversal::kNone;
}

}  // namespace

void WriteResultJson(const Program& p, const Result& r, uint64_t line, std::string& out) {
  if (IsQuiet(r) && WriteQuietResult(p, r, line, out)) {
    return;
  }
  AppendEventMember(r, line, out);
  out += ",\"decision\":";
  AppendJsonString(p.decisions[r.decision], out);
  out += ",\"score\":";
  AppendInt(r.score, out);
  if (r.fired.empty() && r.shadow.empty() && r.tags.empty()) {
    out += ",\"fired\":[],\"shadow\":[],\"tags\":[]";  // most events: one append
  } else {
    AppendRuleLists(p, r, out);
  }
  // Only when true, so that stateless results keep their shape.
  if (r.late) out += ",\"late\":true";
  if (r.outlier) out += ",\"outlier\":true";
  if (r.state_error) out += ",\"state_error\":true";
  if (r.duplicate) out += ",\"duplicate\":true";
  if (r.reversal == Reversal::kApplied) out += ",\"reversal\":\"applied\"";
  if (r.reversal == Reversal::kUnknown) out += ",\"reversal\":\"unknown\"";
  out += '}';
}

namespace {

// The longest decision piece the line writer puts on the stack (and
// kMaxStackId, above); longer ones (never seen in practice) go the general way.
constexpr size_t kMaxStackPiece = 96;
// `{"event":` 9, the id with its quotes and the scan's 16 bytes of zeros
// (PutPlainJsonString), the piece, a score of up to 20 characters and the
// longest tail (kQuietTail) with its '\n'.
constexpr char kQuietTail[] = ",\"fired\":[],\"shadow\":[],\"tags\":[]}\n";
constexpr size_t kBuffer = 9 + kMaxStackId + 2 + 16 + kMaxStackPiece + 20 + sizeof kQuietTail;

}  // namespace

ResultLineWriter::ResultLineWriter(const Program& program) : program_(program) {
  decision_pieces_.reserve(program.decisions.size());
  for (const std::string& d : program.decisions) {
    std::string piece = ",\"decision\":";
    AppendJsonString(d, piece);
    piece += ",\"score\":";
    PieceBlock block;
    if (piece.size() <= kPieceBlock) {
      std::memcpy(block.bytes, piece.data(), piece.size());
      block.size = piece.size();
    }
    piece_blocks_.push_back(block);
    decision_pieces_.push_back(std::move(piece));
  }
}

[[gnu::always_inline]] inline char* ResultLineWriter::PutHead(const Result& r, uint64_t line, char* w) const {
  w = PutEventMember(r, line, w, w + kBuffer);
  if (w == nullptr) return nullptr;
  // The buffer has room for kMaxStackPiece >= kPieceBlock bytes here.
  static_assert(kPieceBlock <= kMaxStackPiece);
  const PieceBlock& block = piece_blocks_[r.decision];
  if (block.size > 0) {
    std::memcpy(w, block.bytes, kPieceBlock);
    w += block.size;
  } else {
    const std::string& piece = decision_pieces_[r.decision];
    if (piece.size() > kMaxStackPiece) return nullptr;
    w = Put(w, piece);
  }
  // Most scores are one digit (nothing fired: the rule set's base, often 0).
  if (static_cast<uint64_t>(r.score) < 10) {
    *w++ = static_cast<char>('0' + r.score);
  } else {
    const fmt::format_int score(r.score);
    w = Put(w, std::string_view(score.data(), score.size()));
  }
  return w;
}

void ResultLineWriter::WriteResult(const Result& r, uint64_t line, std::string& out) const {
  if (IsQuiet(r)) {
    char buffer[kBuffer];
    if (char* w = PutHead(r, line, buffer)) {
      std::memcpy(w, kQuietTail, sizeof kQuietTail - 1);
      out.append(buffer, static_cast<size_t>(w - buffer) + sizeof kQuietTail - 1);
      return;
    }
  }
  WriteResultJson(program_, r, line, out);
  out += '\n';
}

void ResultLineWriter::WriteDecision(const Result& r, uint64_t line, std::string& out) const {
  char buffer[kBuffer];
  if (char* w = PutHead(r, line, buffer)) {
    w[0] = '}';
    w[1] = '\n';
    out.append(buffer, static_cast<size_t>(w - buffer) + 2);
    return;
  }
  WriteDecisionJson(program_, r, line, out);
  out += '\n';
}

}  // namespace vigil::eval
