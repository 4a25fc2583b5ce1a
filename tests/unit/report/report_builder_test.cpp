// Reports built from in-memory cases through the example profiles: missing
// data names the element and the field, every change to fit the FIU's rules
// is a warning naming the element, long narratives are cut or split.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "base/time_util.hpp"
#include "base/tz.hpp"
#include "report/fincen.hpp"
#include "report/narrative.hpp"
#include "report/paths.hpp"
#include "report/profile.hpp"
#include "report/report.hpp"

namespace vigil::report {
namespace {

std::string Example(const std::string& name) {
  return std::string(VIGIL_SOURCE_DIR) + "/examples/reporting/" + name;
}

json::Value Json(const std::string& text) {
  json::Value v;
  json::ParseError e;
  EXPECT_TRUE(json::Parse(text, &v, &e)) << e.message << " in " << text;
  return v;
}

// The report data of customer 1001 as events carry it (rules/coalition/schema.vgl).
const char kZoe[] = R"("customer_id": 1001, "account_number": "AE070331234567890123456",
  "account_open_date": "2019-05-01T00:00:00Z", "customer_residence": "AE",
  "customer_first_name": "Zoë", "customer_last_name": "O'Brien-Smith",
  "customer_birth_date": "1986-04-12T00:00:00Z", "customer_nationality": "AE",
  "customer_id_number": "784198600000001", "customer_street": "Villa 12, Street 4",
  "customer_city": "Dubai", "customer_postcode": "00000", "customer_phone": "+971501234567")";

// A card payment by customer 1001 to a merchant, alerting rule r16 (T7).
cases::Transaction Card(const std::string& id, const std::string& time,
                        const std::string& customer = kZoe) {
  cases::Transaction t;
  t.event = id;
  t.time = time;
  t.time_us = *ParseTime(time);
  t.data = Json(R"({"event_id": ")" + id + R"(", "event_time": ")" + time +
                R"(", "event_type": "AUTH", "channel": "CARD_CNP", "direction": "OUT",
                "amount": 149.00, "currency": "AED", "amount_base": 4057, "network_ref": "507312345678",
                "mcc": 5967, "merchant_name": "STREAMHUB LIVE", "merchant_country": "NL", )" +
                customer + "}");
  return t;
}

cases::Alert AlertOn(const cases::Transaction& t, const std::string& reason) {
  cases::Alert a;
  a.event = t.event;
  a.time = t.time;
  a.time_us = t.time_us;
  a.decision = "report";
  a.score = 60;
  a.fired.push_back(cases::FiredRule{"coalition.cse/r16_watch_merchant", "1.0.0", "critical",
                                     "Card payment to a watch-listed merchant", reason,
                                     {"typology:T7"}});
  a.evidence = Json(R"({"format": "vigil.explain/2"})");
  return a;
}

cases::Case OneCardCase(size_t alerts = 1, const std::string& reason = "merchant on the watchlist",
                        const std::string& customer = kZoe) {
  cases::Case c;
  c.case_id = "case-0123456789abcdef0123456789abcdef";
  c.subject = {"customer_id", "1001"};
  c.window = "30d";
  c.decision = "report";
  c.decisions = {"allow", "review", "report"};
  c.rulesets.push_back(cases::RulesetRef{"coalition.cse", "1.0.0", "00", std::nullopt});
  for (size_t i = 0; i < alerts; ++i) {
    std::string time = fmt::format("2026-03-02T21:{:02}:{:02}Z", i / 60 % 60, i % 60);
    c.transactions.push_back(Card(fmt::format("e{}", i), time, customer));
    c.alerts.push_back(AlertOn(c.transactions.back(), reason));
  }
  c.opened = c.alerts.front().time;
  c.last_alert = c.alerts.back().time;
  c.typologies = {"T7"};
  c.rules.push_back(cases::RuleSummary{"coalition.cse/r16_watch_merchant", "1.0.0", "critical",
                                       "Card payment to a watch-listed merchant", {"typology:T7"},
                                       static_cast<int64_t>(alerts)});
  return c;
}

LookupTable Customers(const std::string& records) {
  LookupTable t;
  t.name = "customer";
  t.key = "customer_id";
  t.file = "customers.jsonl";
  json::Value r = Json(records);
  t.records.emplace("1001", r);
  return t;
}

// The bank's KYC extract: what events do not carry.
const char kKyc[] = R"({"customer_id": 1001, "gender": "F", "occupation": "Engineer",
  "id_type": "NATIONAL_ID", "id_issued": "2021-01-10", "id_expires": "2031-01-09",
  "branch": "Dubai Marina", "account_currency": "AED", "phone_prefix": "971"})";

struct Fixture {
  Profile profile;
  Lookups lookups;
  std::unique_ptr<TimeZone> zone;

  explicit Fixture(const std::string& profile_file, const std::string& kyc = kKyc) {
    std::string error;
    EXPECT_TRUE(ReadProfileFile(Example(profile_file), &profile, &error)) << error;
    zone = TimeZone::Load(profile.time_zone, &error);
    EXPECT_NE(zone, nullptr) << error;
    if (!kyc.empty()) lookups["customer"] = Customers(kyc);
  }

  ReportOutput Build(const cases::Case& c) {
    ReportInput in;
    in.profile = &profile;
    in.c = &c;
    in.lookups = &lookups;
    in.zone = zone.get();
    in.report_date = "2026-03-10";
    return BuildReport(in);
  }
};

bool Has(const std::vector<std::string>& lines, const std::string& line) {
  for (const auto& l : lines) {
    if (l == line) return true;
  }
  ADD_FAILURE() << "missing: " << line << "\nhave:\n"
                << [&] {
                     std::string all;
                     for (const auto& l : lines) all += "  " + l + "\n";
                     return all;
                   }();
  return false;
}

TEST(Report, GoamlCardPaymentBuildsAndTransliteratesWithWarnings) {
  Fixture f("goaml-ae.json");
  ReportOutput out = f.Build(OneCardCase());
  EXPECT_TRUE(out.errors.empty());
  EXPECT_NE(out.xml.find("<first_name>Zoe</first_name>"), std::string::npos);
  EXPECT_NE(out.xml.find("<date_transaction>2026-03-03T01:00:00</date_transaction>"),
            std::string::npos);  // 21:00 UTC is 01:00 the next day in Dubai
  EXPECT_NE(out.xml.find("<indicator>CSAM1</indicator>"), std::string::npos);
  Has(out.warnings, "warning: /report/transaction/t_from_my_client/from_account/signatory/t_person/"
                    "first_name: transliterated 'Zoë' to 'Zoe'");
  EXPECT_EQ(out.xml, f.Build(OneCardCase()).xml);  // deterministic
}

TEST(Report, NamesOutsideTheAllowedCharactersAreChangedWithAWarning) {
  Fixture f("goaml-lk.json");
  ReportOutput out = f.Build(OneCardCase());
  EXPECT_TRUE(out.errors.empty());
  Has(out.warnings, "warning: /report/transaction/t_from_my_client/from_account/signatory/t_person/"
                    "last_name: removed \"'\", \"-\" (outside [A-Za-z]): 'O'Brien-Smith' became "
                    "'OBrienSmith'");
  EXPECT_NE(out.xml.find("<last_name>OBrienSmith</last_name>"), std::string::npos);
}

TEST(Report, ANameWithoutALatinFormIsAnError) {
  std::string arabic = kZoe;
  arabic.replace(arabic.find("\"Zoë\""), 6, "\"زوي\"");
  Fixture f("goaml-ae.json");
  ReportOutput out = f.Build(OneCardCase(1, "x", arabic));
  EXPECT_TRUE(out.xml.empty());
  Has(out.errors, "error: /report/transaction/t_from_my_client/from_account/signatory/t_person/"
                  "first_name: '' has 0 characters after fitting; the profile needs at least 1");
}

TEST(Report, MissingMandatoryDataNamesTheElementAndTheField) {
  Fixture f("goaml-ae.json");
  f.lookups["customer"].records.clear();
  cases::Case c = OneCardCase();
  c.transactions[0].data = Json(R"({"event_id": "e0", "event_time": "2026-03-02T21:00:00Z",
      "channel": "CARD_CNP", "amount": 149.00, "currency": "AED", "customer_id": 1001,
      "merchant_country": "NL"})");
  ReportOutput out = f.Build(c);
  EXPECT_TRUE(out.xml.empty());
  Has(out.errors, "error: /report/transaction/t_to/to_entity/name: no value: event 'e0' has no "
                  "field 'merchant_name' (goaml.parties.merchant.element.name)");
  Has(out.errors, "error: /report/transaction/t_from_my_client/from_account/branch: no value: "
                  "lookup 'customer' (customers.jsonl) has no record with customer_id 1001 (event "
                  "'e0') (goaml.parties.client.element.branch)");
  Has(out.errors, "error: /report/transaction/t_from_my_client/from_account/signatory/t_person/"
                  "first_name: no value: event 'e0' has no field 'customer_first_name' "
                  "(goaml.parties.client.element.signatory.t_person.first_name)");
}

TEST(Report, ForeignCurrencyTransactionsCarryTheirOwnAmount) {
  Fixture f("goaml-ae.json");
  cases::Case c = OneCardCase();
  std::string usd = kZoe;
  c.transactions[0].data = Json(R"({"event_id": "e0", "event_time": "2026-03-02T21:00:00Z",
      "event_type": "AUTH", "channel": "CARD_CNP", "amount": 40.57, "currency": "USD",
      "amount_base": 4057, "mcc": 5967, "merchant_name": "M", "merchant_country": "NL", )" + usd + "}");
  ReportOutput out = f.Build(c);
  EXPECT_TRUE(out.errors.empty());
  EXPECT_NE(out.xml.find("<amount_local>148.99</amount_local>"), std::string::npos) << out.xml;
  EXPECT_NE(out.xml.find("<from_foreign_currency>\n"
                         "        <foreign_currency_code>USD</foreign_currency_code>\n"
                         "        <foreign_amount>40.57</foreign_amount>\n"
                         "        <foreign_exchange_rate>3.672418</foreign_exchange_rate>"),
            std::string::npos) << out.xml;
  // In the local currency: the event's own amount, and no foreign block.
  out = f.Build(OneCardCase());
  EXPECT_NE(out.xml.find("<amount_local>149.00</amount_local>"), std::string::npos);
  EXPECT_EQ(out.xml.find("foreign_currency"), std::string::npos);
}

TEST(Report, AChannelNoRowMatchesIsAnError) {
  Fixture f("goaml-ae.json");
  cases::Case c = OneCardCase();
  c.transactions[0].data = Json(R"({"event_id": "e0", "channel": "TELEPATHY", "currency": "AED", "amount": 1, "customer_id": 1001})");
  ReportOutput out = f.Build(c);
  Has(out.errors, "error: /report/transaction: no row of goaml.channels matches event 'e0', "
                  "event.channel 'TELEPATHY', event.direction missing (add a row, or a last row "
                  "without \"match\")");
}

TEST(Report, AnOverLongGoamlNarrativeIsCutWithAWarning) {
  Fixture ae("goaml-ae.json"), lk("goaml-lk.json");
  const cases::Case c = OneCardCase(120, std::string(100, 'x'));
  ReportOutput out = ae.Build(c);
  EXPECT_TRUE(out.errors.empty());
  bool found = false;
  for (const auto& w : out.warnings) {
    found |= w.starts_with("warning: /report/reason: cut from ") &&
             w.ends_with(" to 8000 characters (the limit is 8000)");
  }
  EXPECT_TRUE(found);
  out = lk.Build(c);
  found = false;
  for (const auto& w : out.warnings) {
    found |= w.starts_with("warning: /report/reason: cut from ") &&
             w.ends_with(" to 4000 characters (the limit is 4000)");
  }
  EXPECT_TRUE(found);
}

TEST(Report, FincenNarrativeIsSplitIntoBlocksAndCutAfterFive) {
  Fixture f("fincen-sar.json");
  f.profile.narrative.alert_rule = "{rule.reason}";  // each alert line carries its reasons
  // About 300 characters per alert: 40 alerts fit in 5 blocks, 120 do not.
  ReportOutput out = f.Build(OneCardCase(40, std::string(150, 'y')));
  EXPECT_TRUE(out.errors.empty());
  EXPECT_NE(out.xml.find("<ActivityNarrativeSequenceNumber>3</ActivityNarrativeSequenceNumber>"),
            std::string::npos);
  for (const auto& w : out.warnings) EXPECT_EQ(w.find("narrative cut"), std::string::npos) << w;
  out = f.Build(OneCardCase(120, std::string(150, 'y')));
  EXPECT_TRUE(out.errors.empty());
  EXPECT_NE(out.xml.find("<ActivityNarrativeSequenceNumber>5</ActivityNarrativeSequenceNumber>"),
            std::string::npos);
  EXPECT_EQ(out.xml.find("<ActivityNarrativeSequenceNumber>6</ActivityNarrativeSequenceNumber>"),
            std::string::npos);
  bool found = false;
  for (const auto& w : out.warnings) {
    found |= w.find("ActivityNarrativeText: narrative cut from ") != std::string::npos &&
             w.ends_with(" characters: FinCEN takes at most 5 blocks of 4000 characters");
  }
  EXPECT_TRUE(found);
}

TEST(Report, FincenAmountsAreWholeDollarsRoundedUp) {
  Fixture f("fincen-sar.json");
  ReportOutput out = f.Build(OneCardCase(2));  // 2 × 4057 cents = 81.14 USD
  EXPECT_TRUE(out.errors.empty());
  EXPECT_NE(out.xml.find("<TotalSuspiciousAmountText>82</TotalSuspiciousAmountText>"),
            std::string::npos);
  EXPECT_NE(out.xml.find("TotalAmount=\"82\""), std::string::npos);
  EXPECT_NE(out.xml.find("PartyCount=\"6\""), std::string::npos);
}

TEST(SplitNarrative, BreaksAtASpaceNearTheEndOfABlock) {
  std::string words;
  for (int i = 0; i < 20; ++i) words += "word ";  // 100 characters
  std::vector<std::string> blocks = SplitNarrative(words, 42);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].size(), 40u);  // after the space at 39, not inside a word
  EXPECT_EQ(blocks[1].size(), 40u);
  EXPECT_EQ(blocks[2].size(), 20u);
  blocks = SplitNarrative(std::string(10, 'z'), 4);  // no space: cut hard
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[2], "zz");
  blocks = SplitNarrative("ééééé", 2);  // characters, not bytes
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0], "éé");
  EXPECT_TRUE(SplitNarrative("", 4).empty());
}

TEST(Formats, DatesFollowTheProfileZone) {
  Fixture f("goaml-ae.json");
  Context ctx;
  ctx.profile = &f.profile;
  ctx.zone = f.zone.get();
  std::string out, why;
  ASSERT_TRUE(ApplyFormat(ctx, ValueFormat::kDateTime, {}, "2026-03-02T21:14:05Z", &out, &why));
  EXPECT_EQ(out, "2026-03-03T01:14:05");
  ASSERT_TRUE(ApplyFormat(ctx, ValueFormat::kDate, {}, "2026-03-02T21:14:05Z", &out, &why));
  EXPECT_EQ(out, "2026-03-02T00:00:00");  // a day as written: birth dates do not move
  ASSERT_TRUE(LocalYmd(ctx, "2026-03-02T21:14:05Z", &out));
  EXPECT_EQ(out, "20260303");  // the day of an instant, in the profile's zone
  ASSERT_TRUE(ApplyFormat(ctx, ValueFormat::kDate, {}, "1986-04-12", &out, &why));
  EXPECT_EQ(out, "1986-04-12T00:00:00");
  ASSERT_TRUE(ApplyFormat(ctx, ValueFormat::kYmd, {}, "1986-04-12", &out, &why));
  EXPECT_EQ(out, "19860412");
  ASSERT_TRUE(ApplyFormat(ctx, ValueFormat::kDateTime, {}, "2026-01-10T22:05:00", &out, &why));
  EXPECT_EQ(out, "2026-01-10T22:05:00");  // no zone: already local
  EXPECT_FALSE(ApplyFormat(ctx, ValueFormat::kDate, {}, "1986-02-30", &out, &why));
  EXPECT_EQ(why, "'1986-02-30' is not a date or an RFC 3339 time");
  ASSERT_TRUE(ApplyFormat(ctx, ValueFormat::kDecimal, {100, "", -1}, "12950", &out, &why));
  EXPECT_EQ(out, "129.50");
  ASSERT_TRUE(ApplyFormat(ctx, ValueFormat::kDecimal, {100, "3.6725", 2}, "4057", &out, &why));
  EXPECT_EQ(out, "148.99");  // 40.57 USD × 3.6725 = 148.993325 AED
  ASSERT_TRUE(ApplyFormat(ctx, ValueFormat::kDecimal, {1, "", 0}, "2.5", &out, &why));
  EXPECT_EQ(out, "3");  // half away from zero
  ASSERT_TRUE(ApplyFormat(ctx, ValueFormat::kDecimal, {1, "", 0}, "-2.5", &out, &why));
  EXPECT_EQ(out, "-3");
  ASSERT_TRUE(ApplyFormat(ctx, ValueFormat::kDecimal, {}, "149", &out, &why));
  EXPECT_EQ(out, "149");
  EXPECT_FALSE(ApplyFormat(ctx, ValueFormat::kDecimal, {}, "12x", &out, &why));
  EXPECT_EQ(why, "'12x' is not a decimal number");
}

TEST(Evidence, SummarisesTheAggregatesOfARuleAndItsLets) {
  json::Value record = Json(R"J({"format": "vigil.explain/2", "rules": [
    {"rule": "c/r06", "fired": true, "condition": {"kind": "op", "expr": "a and b", "value": true,
      "children": [
        {"kind": "let", "expr": "small_corridor_transfer", "value": true, "let": "small_corridor_transfer"},
        {"kind": "aggregate", "expr": "count(by: customer_id, within: 30d, where: small_corridor_transfer)",
         "value": 9, "aggregate": {"function": "count", "by": ["customer_id"], "key": {"customer_id": "****"},
         "within": "30d", "events": 9}}]}},
    {"rule": "c/r07", "fired": true, "condition": {"kind": "const", "expr": "true", "value": true}}],
    "lets": {"small_corridor_transfer": {"value": true, "condition": {"kind": "aggregate",
      "expr": "sum(amount_base, by: customer_id, within: 7d)", "value": "12000",
      "aggregate": {"function": "sum", "events": 1}}}}})J");
  EXPECT_EQ(EvidenceSummary(record, "c/r06"),
            " (sum(amount_base, by: customer_id, within: 7d) = 12000 over 1 event; "
            "count(by: customer_id, within: 30d, where: small_corridor_transfer) = 9 over 9 events)");
  EXPECT_EQ(EvidenceSummary(record, "c/r07"), "");
  EXPECT_EQ(EvidenceSummary(Json("{}"), "c/r06"), "");
}

}  // namespace
}  // namespace vigil::report
