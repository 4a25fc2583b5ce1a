// Grouping alerts into cases (docs/case.md): by subject, within the window of
// the case's latest alert; cases close as the stream moves past them, so
// memory holds only the open ones.
#include "case/case_builder.hpp"

#include <gtest/gtest.h>

#include "base/time_util.hpp"

namespace vigil::cases {
namespace {

constexpr int64_t kHour = 3600LL * 1000000;
constexpr int64_t kDay = 24 * kHour;
const int64_t kT0 = *ParseTime("2026-03-01T00:00:00Z");

json::Value Data(const std::string& id, const char* amount, const char* currency) {
  json::Value d = json::Value::Object();
  d.Set("event_id", json::Value::String(id));
  if (amount != nullptr) d.Set("amount", json::Value::Number(amount));
  if (currency != nullptr) d.Set("currency", json::Value::String(currency));
  return d;
}

AlertInput Input(const std::string& subject, const std::string& id, int64_t t,
                 const char* decision = "review", const char* amount = "10.50",
                 const char* currency = "AUD", const char* rule = "r/a") {
  AlertInput in;
  in.subject = {"customer_id", subject};
  in.alert.event = id;
  in.alert.time_us = t;
  in.alert.time = TimeToString(t);
  in.alert.decision = decision;
  in.alert.score = 10;
  in.alert.fired.push_back(FiredRule{rule, "1.0.0", "medium", "a rule", "why",
                                     {"typology:T1", "source:S1"}});
  in.alert.evidence = json::Value::Object();
  in.alert.evidence.Set("format", json::Value::String("vigil.explain/2"));
  in.transaction.event = id;
  in.transaction.time = in.alert.time;
  in.transaction.time_us = t;
  in.transaction.data = Data(id, amount, currency);
  in.rulesets.push_back(RulesetRef{"r", "1.0.0", std::string(64, 'a'), std::nullopt});
  in.decisions = {"allow", "review", "report", "block"};
  in.event_where = "events.jsonl:" + id;
  return in;
}

struct Collect {
  std::vector<Case> cases;
  CaseBuilder builder;
  explicit Collect(BuildOptions o = {})
      : builder(std::move(o), [this](Case&& c, std::string*) {
          cases.push_back(std::move(c));
          return true;
        }) {}
  void Add(AlertInput in) {
    std::string error;
    ASSERT_TRUE(builder.Add(std::move(in), "results.jsonl:1", &error)) << error;
  }
};

TEST(CaseBuilder, GroupsBySubjectWithinTheWindowOfTheLatestAlert) {
  Collect c;
  c.Add(Input("1", "a1", kT0));
  c.Add(Input("2", "b1", kT0 + kHour, "report", "5", "USD", "r/b"));
  c.Add(Input("1", "a2", kT0 + 20 * kDay, "allow", "1.25"));
  c.Add(Input("1", "a3", kT0 + 45 * kDay));  // within 30 days of a2: same case
  EXPECT_EQ(c.cases.size(), 1u);             // subject 2 closed: the stream is 44 days on
  c.Add(Input("1", "a4", kT0 + 76 * kDay));  // 31 days after a3: a new case
  std::string error;
  ASSERT_TRUE(c.builder.Finish(&error)) << error;
  ASSERT_EQ(c.cases.size(), 3u);
  const Case& b = c.cases[0];
  EXPECT_EQ(b.subject.value, "2");
  EXPECT_EQ(b.decision, "report");
  const Case& a = c.cases[1];
  ASSERT_EQ(a.alerts.size(), 3u);
  EXPECT_EQ(a.alerts[0].event, "a1");
  EXPECT_EQ(a.case_id, CaseId(a.subject, "a1"));
  EXPECT_EQ(a.opened, "2026-03-01T00:00:00Z");
  EXPECT_EQ(a.last_alert, "2026-04-15T00:00:00Z");
  EXPECT_EQ(a.decision, "review");
  EXPECT_EQ(a.window, "30d");
  ASSERT_EQ(a.totals.size(), 1u);
  EXPECT_EQ(a.totals[0].currency, "AUD");
  EXPECT_EQ(a.totals[0].transactions, 3);
  EXPECT_EQ(a.totals[0].amount, "22.25");
  EXPECT_EQ(a.typologies, std::vector<std::string>{"T1"});
  ASSERT_EQ(a.rules.size(), 1u);
  EXPECT_EQ(a.rules[0].alerts, 3);
  EXPECT_EQ(c.cases[2].alerts[0].event, "a4");
}

TEST(CaseBuilder, OrdersByTimeAndTotalsPerCurrencyExactly) {
  Collect c;
  c.Add(Input("1", "late", kT0 + 2 * kHour, "review", "0.1", "EUR"));
  c.Add(Input("1", "early", kT0 + kHour, "review", "0.2", "EUR"));
  c.Add(Input("1", "none", kT0 + 3 * kHour, "review", nullptr, "EUR"));
  c.Add(Input("1", "nocur", kT0 + 4 * kHour, "review", "7", nullptr));
  c.Add(Input("1", "tie", kT0 + 4 * kHour, "review", "3.000", "AUD"));
  std::string error;
  ASSERT_TRUE(c.builder.Finish(&error));
  ASSERT_EQ(c.cases.size(), 1u);
  const Case& k = c.cases[0];
  std::vector<std::string> order;
  for (const Alert& a : k.alerts) order.push_back(a.event);
  EXPECT_EQ(order, (std::vector<std::string>{"early", "late", "none", "nocur", "tie"}));
  EXPECT_EQ(k.transactions[0].event, "early");
  EXPECT_EQ(k.case_id, CaseId(k.subject, "early"));
  ASSERT_EQ(k.totals.size(), 3u);
  EXPECT_EQ(k.totals[0].currency, "");  // no currency: written as null, first
  EXPECT_EQ(k.totals[0].amount, "7");
  EXPECT_EQ(k.totals[1].currency, "AUD");
  EXPECT_EQ(k.totals[1].amount, "3.000");
  EXPECT_EQ(k.totals[2].currency, "EUR");
  EXPECT_EQ(k.totals[2].transactions, 2);
  EXPECT_EQ(k.totals[2].amount, "0.3");
}

TEST(CaseBuilder, CasesBelowTheMinimumDecisionAreNotWritten) {
  Collect c;
  c.Add(Input("1", "a1", kT0, "allow"));
  c.Add(Input("2", "b1", kT0, "review"));
  std::string error;
  ASSERT_TRUE(c.builder.Finish(&error));
  ASSERT_EQ(c.cases.size(), 1u);
  EXPECT_EQ(c.cases[0].subject.value, "2");
  EXPECT_EQ(c.builder.cases_below_threshold(), 1u);

  BuildOptions all;
  all.min_decision = "allow";
  Collect d(all);
  d.Add(Input("1", "a1", kT0, "allow"));
  ASSERT_TRUE(d.builder.Finish(&error));
  EXPECT_EQ(d.cases.size(), 1u);
}

TEST(CaseBuilder, MemoryHoldsOnlyTheOpenCases) {
  // A long stream over many subjects, each alerting once a week for a while:
  // at any time only the subjects of the last window are open.
  BuildOptions o;
  o.window_us = 2 * kDay;
  uint64_t emitted = 0;
  size_t most_open = 0;
  CaseBuilder b(o, [&](Case&&, std::string*) {
    ++emitted;
    return true;
  });
  std::string error;
  for (int i = 0; i < 20000; ++i) {
    const int64_t t = kT0 + i * (kHour / 10);  // ten alerts an hour
    std::string subject = std::to_string(i % 5000);
    ASSERT_TRUE(b.Add(Input(subject, "e" + std::to_string(i), t), "r", &error)) << error;
    most_open = std::max(most_open, b.open_cases());
  }
  ASSERT_TRUE(b.Finish(&error));
  // Two days of alerts at ten an hour: at most 480 subjects are ever open,
  // not the 5000 the stream names.
  EXPECT_LE(most_open, 481u);
  EXPECT_EQ(emitted, 20000u);
  EXPECT_EQ(b.open_cases(), 0u);
}

TEST(CaseBuilder, BadInputIsNamed) {
  Collect c;
  std::string error;
  AlertInput in = Input("1", "a1", kT0, "review", "12,5");
  EXPECT_FALSE(c.builder.Add(std::move(in), "results.jsonl:7", &error));
  EXPECT_EQ(error, "events.jsonl:a1: event 'a1': member 'amount': expected a decimal amount (at "
                   "most 6 fractional digits), found 12,5");
  in = Input("1", "a1", kT0, "panic");
  EXPECT_FALSE(c.builder.Add(std::move(in), "results.jsonl:7", &error));
  EXPECT_EQ(error, "results.jsonl:7: decision 'panic' is not one of the evidence record's decisions");
  BuildOptions o;
  o.min_decision = "urgent";
  Collect d(o);
  EXPECT_FALSE(d.builder.Add(Input("1", "a1", kT0), "results.jsonl:2", &error));
  EXPECT_EQ(error, "results.jsonl:2: --min-decision 'urgent' is not a decision of these rules "
                   "(allow, review, report, block)");
}

}  // namespace
}  // namespace vigil::cases
