// A rule set evaluated in order without aggregates: Session::Evaluate is
// then RunOrdered<true>, which does Evaluate's work around the rules itself
// (the prefetch, the session's start of an event, the result's clearing, the
// id's copy). A reused Session and Result over events that alternate between
// firing and not must give each event's own result: nothing of the last
// event's (rules, score, decision, tags, reasons, id), and node tests and
// reasons read from this event's values.
#include "test_util.hpp"

namespace vigil::testing {
namespace {

const char* kWholeRules = R"(ruleset t.whole version "1.0.0"
schema txn version 1 {
  txn_id: string
  amount: int
  country: string
}
uses schema txn
rule big { when amount > 100 and country == "PH" then score 10 decide review tag "big" reason "{amount} in {country}" }
rule doubled { when amount * 2 > 500 then score 5 tag "doubled" }
rule quiet { mode shadow when amount > 1000 then score 99 reason "would {txn_id}" }
)";

TEST(OrderedWhole, AReusedResultHoldsEachEventsOwnOutcome) {
  Compilation c = CompileText(kWholeRules);
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  ASSERT_EQ(c.program->strategy, eval::EvalStrategy::kOrdered);
  ASSERT_TRUE(c.program->aggregates.empty());
  // `amount * 2 > 500` is a node the evaluator runs (read from fields_).
  bool node = false;
  for (const eval::OrderedTest& t : c.program->ordered.tests) node = node || t.kind == eval::OrderedTest::kNode;
  ASSERT_TRUE(node);
  const eval::Program& p = *c.program;
  eval::Session session(c.program);
  eval::Event e(p.schema);
  eval::Result result;
  struct Case {
    const char* id;
    int64_t amount;
    const char* country;
    std::vector<std::string> fired, shadow, tags;
    int64_t score;
    std::string reason;  // of the first fired rule, or of the shadow one
  };
  const std::vector<Case> cases = {
      {"t-1", 300, "PH", {"big", "doubled"}, {}, {"big", "doubled"}, 15, "300 in PH"},
      {"t-2", 5, "PH", {}, {}, {}, 0, ""},
      {"t-33", 260, "KE", {"doubled"}, {}, {"doubled"}, 5, ""},
      {"t-4", 2000, "ID", {"doubled"}, {"quiet"}, {"doubled"}, 5, "would t-4"},
      {"", 1, "PH", {}, {}, {}, 0, ""},
  };
  // Past the counting events (kAdaptEvents), into the adapted order too.
  for (uint32_t round = 0; round < eval::Session::kAdaptEvents / cases.size() + 4; ++round) {
    for (const Case& k : cases) {
      e.Reset();
      if (*k.id != '\0') e.SetString(0, k.id);
      e.SetInt(1, k.amount);
      e.SetString(2, k.country);
      session.Evaluate(e, result);
      SCOPED_TRACE(std::string("round ") + std::to_string(round) + " event " + k.id);
      std::vector<std::string> fired, shadow, tags;
      for (const eval::FiredRule& f : result.fired) fired.push_back(p.rules[f.rule].id);
      for (const eval::FiredRule& f : result.shadow) shadow.push_back(p.rules[f.rule].id);
      for (const std::string* t : result.tags) tags.push_back(*t);
      EXPECT_EQ(fired, k.fired);
      EXPECT_EQ(shadow, k.shadow);
      EXPECT_EQ(tags, k.tags);
      EXPECT_EQ(result.score, k.score);
      EXPECT_EQ(result.event_id, k.id);
      if (*k.id != '\0') {
        ASSERT_NE(result.event_id_member, nullptr);
        EXPECT_STREQ(result.event_id_member, "txn_id");
      } else {
        EXPECT_EQ(result.event_id_member, nullptr);
      }
      const bool decided = !k.fired.empty() && k.fired[0] == "big";
      EXPECT_EQ(result.decision, decided ? static_cast<uint32_t>(p.rules[0].decision) : 0u);
      std::string reason;
      if (!result.fired.empty() && result.fired[0].reason_len != 0) reason = std::string(result.reason(result.fired[0]));
      if (!result.shadow.empty()) reason = std::string(result.reason(result.shadow[0]));
      EXPECT_EQ(reason, k.reason);
    }
  }
}

}  // namespace
}  // namespace vigil::testing
