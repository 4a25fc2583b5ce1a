// The result line of `vigil eval` (eval/result_json.hpp). Most results
// (nothing fired, nothing flagged) are put together in a buffer on the stack
// (WriteQuietResult); whatever their id, decision and score, the line must
// be the one the member-by-member writer gives, which is spelt out here.
#include "base/json_writer.hpp"
#include "eval/result_json.hpp"
#include "test_util.hpp"

namespace vigil::testing {
namespace {

// The line of a result with nothing fired, member by member.
std::string Expected(const eval::Result& r, uint64_t line, std::string_view decision) {
  std::string out = "{\"event\":";
  if (r.event_id_member != nullptr) {
    AppendJsonString(r.event_id, out);
  } else {
    out += line > 0 ? std::to_string(line) : "null";
  }
  out += ",\"decision\":";
  AppendJsonString(decision, out);
  out += ",\"score\":" + std::to_string(r.score);
  out += ",\"fired\":[],\"shadow\":[],\"tags\":[]";
  if (r.late) out += ",\"late\":true";
  if (r.duplicate) out += ",\"duplicate\":true";
  if (r.reversal == eval::Reversal::kUnknown) out += ",\"reversal\":\"unknown\"";
  return out + "}";
}

// A result with id, score and decision d, and one flag by number (0: none;
// 1 late, 2 duplicate, 3 reversal unknown, 4 outlier, 5 state error, 6 a
// rule fired).
eval::Result ResultOf(const std::string& id, int64_t score, uint32_t d, int flag) {
  eval::Result r;
  r.event_id = id;
  r.event_id_member = "txn_id";
  r.score = score;
  r.decision = d;
  r.late = flag == 1;
  r.duplicate = flag == 2;
  r.reversal = flag == 3 ? eval::Reversal::kUnknown : eval::Reversal::kNone;
  r.outlier = flag == 4;
  r.state_error = flag == 5;
  if (flag == 6) r.fired.push_back(eval::FiredRule{});
  return r;
}

// One rule, whose decisions the results below take in turn.
constexpr const char* kRuleSet =
    "ruleset t.out version \"1.0.0\"\nschema txn version 1 {\n  ts: time\n  amount: decimal\n}\n"
    "uses schema txn\nrule r { when amount > 1.00 then score 1 }\n";

TEST(ResultJson, QuietResultsAreWrittenAsEveryOther) {
  Compilation c = CompileText(kRuleSet);
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  const eval::Program& p = *c.program;
  ASSERT_FALSE(p.decisions.empty());
  const std::string ids[] = {"t000000001", "", "a\"b", "tab\there", "Zoë 東京", std::string(62, 'x'),
                             std::string(127, 'y'), std::string(128, 'z'), std::string(129, 'w'),
                             std::string(300, 'v') + "\\"};
  const int64_t scores[] = {0, 7, -3, INT64_MAX, INT64_MIN};
  size_t checked = 0;
  for (const std::string& id : ids) {
    for (int64_t score : scores) {
      for (uint32_t d = 0; d < p.decisions.size(); ++d) {
        for (int flag = 0; flag < 4; ++flag) {  // the flags Expected spells out
          const eval::Result r = ResultOf(id, score, d, flag);
          std::string out = "before";
          eval::WriteResultJson(p, r, 0, out);
          ASSERT_EQ(out, "before" + Expected(r, 0, p.decisions[d])) << id;
          ++checked;
        }
      }
    }
  }
  // Without an id: the line number, or null.
  for (uint64_t line : {uint64_t{0}, uint64_t{1}, uint64_t{18446744073709551615u}}) {
    eval::Result r;
    std::string out;
    eval::WriteResultJson(p, r, line, out);
    EXPECT_EQ(out, Expected(r, line, p.decisions[0]));
  }
  EXPECT_GT(checked, 100u);
}

// The CLI's writer (ResultLineWriter) puts a quiet line together from pieces
// made once per rule set; every line must be WriteResultJson's (and
// WriteDecisionJson's) followed by '\n', whatever the id, decision, score,
// flags, and for results that are not quiet too.
TEST(ResultJson, LineWriterWritesWhatWriteResultJsonWrites) {
  Compilation c = CompileText(kRuleSet);
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  const eval::Program& p = *c.program;
  const eval::ResultLineWriter writer(p);
  const std::string ids[] = {"t000000001", "", "a\"b", "tab\there", "Zoë 東京", std::string(15, 'q'),
                             std::string(16, 'q'), std::string(127, 'y'), std::string(128, 'z'),
                             std::string(129, 'w'), std::string(300, 'v') + "\\"};
  const int64_t scores[] = {0, 1, 9, 10, 99, -1, -10, INT64_MAX, INT64_MIN};
  size_t checked = 0;
  auto check = [&](const eval::Result& r, uint64_t line) {
    std::string want = "before";
    eval::WriteResultJson(p, r, line, want);
    want += '\n';
    std::string got = "before";
    writer.WriteResult(r, line, got);
    ASSERT_EQ(got, want) << r.event_id << " " << r.score;
    want = "before";
    eval::WriteDecisionJson(p, r, line, want);
    want += '\n';
    got = "before";
    writer.WriteDecision(r, line, got);
    ASSERT_EQ(got, want) << r.event_id << " " << r.score;
    ++checked;
  };
  for (const std::string& id : ids) {
    for (int64_t score : scores) {
      for (uint32_t d = 0; d < p.decisions.size(); ++d) {
        for (int flag = 0; flag < 7; ++flag) check(ResultOf(id, score, d, flag), 0);
      }
    }
  }
  for (uint64_t line : {uint64_t{0}, uint64_t{1}, uint64_t{10}, uint64_t{18446744073709551615u}}) {
    eval::Result r;
    check(r, line);
  }
  EXPECT_GT(checked, 500u);
}

// The line writer copies a decision's piece (`,"decision":"<name>","score":`,
// 23 bytes + the name) as one 32-byte block when it fits, from the string
// up to 96 bytes, and leaves longer ones to WriteResultJson: names of 9 and
// 10 letters (pieces of 32 and 33 bytes) and of 73 and 74 (96 and 97) are
// on either side of those edges.
TEST(ResultJson, LineWriterTakesDecisionsOfEveryLength) {
  const size_t lengths[] = {1, 8, 9, 10, 11, 40, 73, 74, 90};
  std::string order;
  for (size_t i = 0; i < std::size(lengths); ++i) {
    if (i > 0) order += " < ";
    order += std::string(lengths[i] - 1, 'd') + static_cast<char>('a' + i);
  }
  const std::string text =
      "ruleset t.len version \"1.0.0\"\nschema txn version 1 {\n  ts: time\n  amount: decimal\n}\n"
      "uses schema txn\ndecisions " + order + "\nrule r { when amount > 1.00 then score 1 }\n";
  Compilation c = CompileText(text);
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  const eval::Program& p = *c.program;
  ASSERT_EQ(p.decisions.size(), std::size(lengths));
  const eval::ResultLineWriter writer(p);
  for (uint32_t d = 0; d < p.decisions.size(); ++d) {
    ASSERT_EQ(p.decisions[d].size(), lengths[d]);
    for (int64_t score : {int64_t{0}, int64_t{5}, int64_t{-12}, int64_t{123456}}) {
      for (const std::string& id : {std::string("t1"), std::string(40, 'i')}) {
        const eval::Result r = ResultOf(id, score, d, 0);
        std::string got = "x";
        writer.WriteResult(r, 3, got);
        EXPECT_EQ(got, "x" + Expected(r, 3, p.decisions[d]) + "\n") << p.decisions[d];
        got = "x";
        writer.WriteDecision(r, 3, got);
        std::string want = "x";
        eval::WriteDecisionJson(p, r, 3, want);
        EXPECT_EQ(got, want + "\n") << p.decisions[d];
        EXPECT_NE(got.find(",\"decision\":\"" + p.decisions[d] + "\",\"score\":" + std::to_string(score) + "}"),
                  std::string::npos);
      }
    }
  }
}

}  // namespace
}  // namespace vigil::testing
