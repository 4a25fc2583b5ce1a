// What evaluating one event produced. Reusable: Clear() keeps capacity, so a
// warm Result takes new events without allocating.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::eval {

struct FiredRule {
  uint32_t rule = 0;          // index into Program::rules
  uint32_t reason_begin = 0;  // into Result::text
  uint32_t reason_len = 0;
};

// What a reversal event did (docs/language.md, "Duplicates and reversals").
enum class Reversal : uint8_t {
  kNone,     // not a reversal (or one evaluated without recording)
  kApplied,  // took back its original in at least one aggregate group
  kUnknown,  // found no original to take back
};

struct Result {
  uint32_t decision = 0;               // index into Program::decisions
  int64_t score = 0;
  std::vector<FiredRule> fired;        // enforced rules, declaration order
  std::vector<FiredRule> shadow;       // shadow rules that would have fired
  std::vector<const std::string*> tags;  // from `tag` actions of fired rules, first occurrence order
  std::string text;                    // storage for formatted reasons
  bool late = false;                   // too late to be recorded in the aggregates' state
  bool outlier = false;                // its time is far ahead of the stream: not recorded
  bool state_error = false;            // the state backend failed: aggregates are missing
  bool duplicate = false;              // already recorded: evaluated, not recorded again
  Reversal reversal = Reversal::kNone; // what a reversal took back
  // The event's id (eval::AppendEventId), empty when it has none, and the
  // field or JSON member it came from (null then).
  std::string event_id;
  const char* event_id_member = nullptr;

  void Clear() {
    ClearAllButId();
    event_id.clear();
  }
  // Clear() but for the id, which Session::Evaluate always sets itself (so
  // that an id as long as the last event's is overwritten in place).
  void ClearAllButId() {
    decision = 0;
    score = 0;
    fired.clear();
    shadow.clear();
    tags.clear();
    text.clear();
    late = false;
    outlier = false;
    state_error = false;
    duplicate = false;
    reversal = Reversal::kNone;
    event_id_member = nullptr;
  }
  std::string_view reason(const FiredRule& f) const {
    return std::string_view(text).substr(f.reason_begin, f.reason_len);
  }
};

}  // namespace vigil::eval
