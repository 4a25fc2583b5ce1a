// Case files (docs/case.md): the writer's bytes are stable and read back to
// the same case; the reader refuses anything else, naming the member.
#include "case/case_json.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace vigil::cases {
namespace {

json::Value Parsed(std::string_view text) {
  json::Value v;
  json::ParseError e;
  EXPECT_TRUE(json::Parse(text, &v, &e)) << e.message;
  return v;
}

Case Sample() {
  Case c;
  c.subject = {"customer_id", "100234987"};
  c.case_id = CaseId(c.subject, "evt-1");
  c.window = "30d";
  c.opened = "2026-03-02T08:15:00Z";
  c.last_alert = "2026-03-03T09:00:00.250Z";
  c.decision = "report";
  c.decisions = {"allow", "review", "report", "block"};
  RulesetRef rs{"coalition.cse", "1.0.0", std::string(64, 'a'), std::nullopt};
  c.rulesets.push_back(rs);
  rs.name = "other";
  rs.pack = PackRef{"other.vgp", "2.0.0", std::string(64, 'b'), {std::string(64, 'c')}};
  c.rulesets.push_back(rs);
  Alert a;
  a.event = "evt-1";
  a.time = "2026-03-02T08:15:00Z";
  a.decision = "report";
  a.score = 45;
  a.fired.push_back(FiredRule{"coalition.cse/r14", "1.0.0", "critical", "Watchlist",
                              "beneficiary on the coalition watchlist", {"typology:T1"}});
  a.evidence = Parsed(R"({"format":"vigil.explain/2","score":45})");
  c.alerts.push_back(a);
  Transaction t;
  t.event = "evt-1";
  t.time = a.time;
  t.data = Parsed(R"({"event_id":"evt-1","amount":19.90,"currency":"AUD"})");
  c.transactions.push_back(t);
  c.totals.push_back(CurrencyTotal{"", 1, "3.5"});
  c.totals.push_back(CurrencyTotal{"AUD", 1, "19.90"});
  c.typologies = {"T1"};
  c.rules.push_back(RuleSummary{"coalition.cse/r14", "1.0.0", "critical", "Watchlist",
                                {"typology:T1"}, 1});
  return c;
}

TEST(CaseJson, CaseIdsAreStableAndDependOnSubjectAndFirstAlert) {
  Subject s{"customer_id", "100234987"};
  EXPECT_EQ(CaseId(s, "evt-1"), CaseId(s, "evt-1"));
  EXPECT_NE(CaseId(s, "evt-1"), CaseId(s, "evt-2"));
  EXPECT_NE(CaseId(s, "evt-1"), CaseId(Subject{"account_id", "100234987"}, "evt-1"));
  EXPECT_TRUE(std::regex_match(CaseId(s, "evt-1"), std::regex("case-[0-9a-f]{32}")));
}

TEST(CaseJson, WritesStableBytesThatReadBackToTheSameCase) {
  const std::string text = WriteCaseJson(Sample());
  EXPECT_EQ(text, WriteCaseJson(Sample()));
  EXPECT_EQ(text.back(), '\n');
  EXPECT_NE(text.find("\"currency\": null"), std::string::npos);
  EXPECT_NE(text.find("\"amount\":19.90"), std::string::npos);  // as the event had it
  Case c;
  std::string error;
  ASSERT_TRUE(ReadCaseJson(text, "c.json", &c, &error)) << error;
  EXPECT_EQ(WriteCaseJson(c), text);
  EXPECT_EQ(c.alerts[0].time_us, c.transactions[0].time_us);
  ASSERT_TRUE(c.rulesets[1].pack.has_value());
  EXPECT_EQ(c.rulesets[1].pack->signers.size(), 1u);
  EXPECT_FALSE(c.rulesets[0].pack.has_value());
}

// The sample with `edit` applied to its JSON, read back: the error.
std::string ReadEdited(const std::function<void(json::Value&)>& edit) {
  json::Value v = CaseToJson(Sample());
  edit(v);
  std::string text;
  json::Write(v, text);
  Case c;
  std::string error;
  if (ReadCaseJson(text, "cases/x.json", &c, &error)) return "read";
  return error;
}

json::Value* Member(json::Value& v, std::string_view name) {
  for (auto& [k, m] : v.members()) {
    if (k == name) return &m;
  }
  return nullptr;
}

TEST(CaseJson, RefusesMalformedCasesNamingTheMember) {
  EXPECT_EQ(ReadEdited([](json::Value& v) { v.Set("extra", json::Value::Int(1)); }),
            "cases/x.json: member 'extra': not a member of a vigil.case/1 file");
  EXPECT_EQ(ReadEdited([](json::Value& v) { *Member(v, "format") = json::Value::String("vigil.case/2"); }),
            "cases/x.json: member 'format': expected \"vigil.case/1\", found \"vigil.case/2\" (a file "
            "of another format or a newer version of vigil)");
  EXPECT_EQ(ReadEdited([](json::Value& v) { *Member(v, "case_id") = json::Value::String("42"); }),
            "cases/x.json: member 'case_id': expected \"case-\" and 32 lowercase hex digits, found "
            "\"42\"");
  EXPECT_EQ(ReadEdited([](json::Value& v) {
              *Member(Member(v, "alerts")->items()[0], "time") = json::Value::String("yesterday");
            }),
            "cases/x.json: member 'alerts[0].time': expected an RFC 3339 time, found \"yesterday\"");
  EXPECT_EQ(ReadEdited([](json::Value& v) {
              *Member(Member(v, "alerts")->items()[0], "score") = json::Value::String("45");
            }),
            "cases/x.json: member 'alerts[0].score': expected a number, found a string");
  EXPECT_EQ(ReadEdited([](json::Value& v) {
              auto& fired = Member(Member(v, "alerts")->items()[0], "fired")->items()[0];
              *Member(fired, "tags") = json::Value::Array();
              Member(fired, "tags")->Push(json::Value::Int(3));
            }),
            "cases/x.json: member 'alerts[0].fired[0].tags[0]': expected a string, found a number");
  EXPECT_EQ(ReadEdited([](json::Value& v) {
              auto& evidence = *Member(Member(v, "alerts")->items()[0], "evidence");
              *Member(evidence, "format") = json::Value::String("vigil.explain/1");
            }),
            "cases/x.json: member 'alerts[0].evidence.format': expected \"vigil.explain/2\", found "
            "\"vigil.explain/1\"");
  EXPECT_EQ(ReadEdited([](json::Value& v) { v.members().erase(v.members().begin() + 2); }),
            "cases/x.json: member 'subject': missing");
  EXPECT_EQ(ReadEdited([](json::Value& v) { *Member(v, "decision") = json::Value::String("panic"); }),
            "cases/x.json: member 'decision': \"panic\" is not one of 'decisions'");
  EXPECT_EQ(ReadEdited([](json::Value& v) {
              *Member(Member(v, "totals")->items()[1], "amount") = json::Value::String("1,5");
            }),
            "cases/x.json: member 'totals[1].amount': expected a decimal number, found \"1,5\"");
  EXPECT_EQ(ReadEdited([](json::Value& v) {
              *Member(Member(v, "rules")->items()[0], "alerts") = json::Value::Int(-1);
            }),
            "cases/x.json: member 'rules[0].alerts': expected a whole number >= 0, found -1");
  EXPECT_EQ(ReadEdited([](json::Value& v) {
              Member(Member(v, "rulesets")->items()[1], "pack")->Set("key", json::Value::Null());
            }),
            "cases/x.json: member 'rulesets[1].pack.key': not a member of a vigil.case/1 file");
}

TEST(CaseJson, ReportsSyntaxErrorsWithLineAndColumn) {
  Case c;
  std::string error;
  EXPECT_FALSE(ReadCaseJson("{\n  \"format\": \"vigil.case/1\",\n}", "a.json", &c, &error));
  EXPECT_EQ(error, "a.json:3:1: a trailing ',' before '}'");
  EXPECT_FALSE(ReadCaseJson("[]", "a.json", &c, &error));
  EXPECT_EQ(error, "a.json: expected a JSON object (a vigil.case/1 file), found an array");
  EXPECT_FALSE(ReadCaseFile("/nonexistent/case.json", &c, &error));
  EXPECT_EQ(error, "cannot read \"/nonexistent/case.json\": no such file");
}

}  // namespace
}  // namespace vigil::cases
