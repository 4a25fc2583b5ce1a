// One evaluated event as a JSON object (the line `vigil eval` writes):
// {"event":"t0001","decision":"review","score":40,
//  "fired":[{"rule":"set/id","version":"1.0.0","severity":"high","reason":"...","tags":[...]}],
//  "shadow":[{... the same, plus "score" and "decision" the rule would have added}],
//  "tags":["..."]}
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "eval/program.hpp"
#include "eval/result.hpp"

namespace vigil::eval {

// "event" is the event's id (Result::event_id, docs/language.md "Event ids")
// as a JSON string when it has one, else `line` as a number when it is not 0,
// else null.
// One fired (or, with `shadow`, would-have-fired) rule as a JSON object: rule,
// version, severity, [title,] reason, tags, and for a shadow rule the score
// and decision it would have added. Results and evidence records share it.
void AppendFiredRuleJson(const Program& program, const Result& result, const FiredRule& fired,
                         bool shadow, bool title, std::string& out);

void WriteResultJson(const Program& program, const Result& result, uint64_t line,
                     std::string& out);

// The short form of `vigil eval --output decisions`: {"event":...,
// "decision":"review","score":40}, "event" as in WriteResultJson.
void WriteDecisionJson(const Program& program, const Result& result, uint64_t line,
                       std::string& out);

// The lines of `vigil eval` for one rule set, each followed by '\n'. What
// every quiet result (nothing fired, nothing flagged: nearly all of them)
// shares is put together once here, per decision (`,"decision":"allow",
// "score":`, escaped as WriteResultJson escapes it), so that such a line is
// the event's id, that piece, the score and a constant tail, put together on
// the stack and appended in one call. Every line is byte for byte
// WriteResultJson's (or WriteDecisionJson's) followed by '\n'
// (ResultJson.LineWriterWritesWhatWriteResultJsonWrites). Safe for
// concurrent use; the program must outlive it.
class ResultLineWriter {
 public:
  explicit ResultLineWriter(const Program& program);
  // WriteResultJson(program, result, line, out), then '\n'.
  void WriteResult(const Result& result, uint64_t line, std::string& out) const;
  // WriteDecisionJson(program, result, line, out), then '\n'.
  void WriteDecision(const Result& result, uint64_t line, std::string& out) const;

 private:
  // Puts `{"event":<id>` + the decision's piece + the score at `w` (a buffer
  // of kBuffer bytes); null when the id or the piece needs the general path.
  char* PutHead(const Result& result, uint64_t line, char* w) const;

  // A decision's piece, `,"decision":"<name>","score":`, in a block of fixed
  // size padded with zeros: copied by one fixed-size copy (two 16-byte moves,
  // no call to memcpy) when it fits (`,"decision":"review","score":` is 29
  // bytes); a longer one is copied from decision_pieces_.
  static constexpr size_t kPieceBlock = 32;
  struct PieceBlock {
    char bytes[kPieceBlock] = {};
    size_t size = 0;  // 0: longer than the block
  };

  const Program& program_;
  std::vector<std::string> decision_pieces_;  // per decision: `,"decision":"<name>","score":`
  std::vector<PieceBlock> piece_blocks_;      // the same, where they fit a block
};

}  // namespace vigil::eval
