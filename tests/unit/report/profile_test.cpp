// FIU profiles: a valid profile reads; every mistake in one is an error that
// names the file and the member, never ignored.
#include <gtest/gtest.h>

#include <string>

#include "report/profile.hpp"

namespace vigil::report {
namespace {

const char kGoaml[] = R"({
  "format": "vigil.report-profile/1",
  "kind": "goaml",
  "title": "test",
  "time_zone": "Asia/Dubai",
  "local_currency": "AED",
  "lookups": {"customer": {"key": "customer_id"}},
  "text": [{"elements": ["first_name"], "transliterate": true, "allowed": "A-Za-z ", "max": 100, "min": 1}],
  "narrative": {"text": "{case.case_id}: {alerts}", "alert": "{alert.event}: {rules}", "alert_rule": "{rule.id}{evidence}"},
  "goaml": {
    "rentity_id": 1001,
    "submission_code": "E",
    "report_code": "STR",
    "entity_reference": {"from": "case.case_id"},
    "indicators": {"map": {"typology:T7": ["CSAM1"]}},
    "transaction": {
      "number": {"from": ["event.network_ref", "event.event_id"]},
      "date": {"from": "event.event_time", "format": "datetime"},
      "amount": {"from": "event.amount", "format": "decimal"},
      "description": {"text": "{event.channel}"}
    },
    "channels": [
      {"match": {"channel": ["CARD_CNP"]}, "transmode_code": "DBCD", "transmode_comment": "E",
       "client_funds_code": "FRACC", "counterparty_funds_code": "POSMS", "counterparty": "merchant"}
    ],
    "parties": {
      "client": {"node": "person", "my_client": true, "country": {"from": "customer.residence"},
                 "element": {"first_name": {"from": "customer.first_name"}}},
      "merchant": {"node": "entity", "country": {"from": "event.merchant_country"},
                   "element": {"name": {"from": "event.merchant_name"}}}
    }
  }
})";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::string Error(const std::string& text) {
  Profile p;
  std::string error;
  EXPECT_FALSE(ReadProfile(text, "p.json", &p, &error));
  return error;
}

TEST(Profile, ReadsAGoamlProfile) {
  Profile p;
  std::string error;
  ASSERT_TRUE(ReadProfile(kGoaml, "p.json", &p, &error)) << error;
  EXPECT_EQ(p.kind, ReportKind::kGoaml);
  EXPECT_EQ(p.time_zone, "Asia/Dubai");
  EXPECT_EQ(p.goaml.rentity_id, "1001");
  ASSERT_EQ(p.goaml.number.paths.size(), 2u);
  EXPECT_EQ(p.goaml.number.paths[1], "event.event_id");
  EXPECT_EQ(p.goaml.date.format, ValueFormat::kDateTime);
  ASSERT_EQ(p.goaml.channels.size(), 1u);
  ASSERT_EQ(p.goaml.channels[0].match.conditions.size(), 1u);
  EXPECT_EQ(p.goaml.channels[0].match.conditions[0].first, "event.channel");
  ASSERT_EQ(p.goaml.parties.size(), 2u);
  EXPECT_EQ(p.goaml.parties[0].node, PartyNode::kPerson);
  EXPECT_TRUE(p.goaml.parties[0].my_client);
  ASSERT_EQ(p.text.size(), 1u);
  EXPECT_TRUE(p.text[0].transliterate);
  EXPECT_EQ(p.text[0].max_chars, 100u);
  EXPECT_EQ(LookupOfPath(p, "customer.first_name"), "customer");
  EXPECT_EQ(LookupOfPath(p, "event.customer_id"), "");
}

TEST(Profile, NotJsonNamesLineAndColumn) {
  EXPECT_EQ(Error("{\n  \"format\": \"x\",\n}").substr(0, 9), "p.json:3:");
}

TEST(Profile, UnknownMembersAreErrors) {
  EXPECT_EQ(Error(Replace(kGoaml, "\"title\"", "\"titel\"")),
            "p.json: member 'titel': not a member of a profile (format, kind, title, time_zone, "
            "local_currency, lookups, text, narrative, goaml, fincen)");
  EXPECT_EQ(Error(Replace(kGoaml, "\"format\": \"datetime\"", "\"format\": \"datetime\", \"optinal\": true")),
            "p.json: member 'goaml.transaction.date.optinal': not a member of a value (from, text, "
            "value, optional, map, default, format, divide, multiply, digits)");
  EXPECT_EQ(Error(Replace(kGoaml, "\"max\": 100", "\"maximum\": 100")),
            "p.json: member 'text[0].maximum': not a member of a text rule (elements, except, "
            "transliterate, single_line, allowed, max, min, pattern)");
}

TEST(Profile, FormatAndKindAreChecked) {
  EXPECT_EQ(Error(Replace(kGoaml, "vigil.report-profile/1", "vigil.report-profile/9")),
            "p.json: member 'format': expected \"vigil.report-profile/1\", found "
            "\"vigil.report-profile/9\"");
  EXPECT_EQ(Error(Replace(kGoaml, "\"kind\": \"goaml\"", "\"kind\": \"fintrac\"")),
            "p.json: member 'kind': expected \"goaml\" or \"fincen-sar\", found \"fintrac\"");
  EXPECT_EQ(Error(Replace(kGoaml, "\"report_code\": \"STR\",", "")),
            "p.json: member 'goaml.report_code': missing");
}

TEST(Profile, PathsMustNameAKnownSource) {
  EXPECT_EQ(Error(Replace(kGoaml, "\"from\": \"event.amount\"", "\"from\": \"evnt.amount\"")),
            "p.json: member 'goaml.transaction.amount.from': 'evnt.amount': unknown source 'evnt' "
            "(event, case, report, alert, rule, or a lookup declared in \"lookups\")");
  EXPECT_EQ(Error(Replace(kGoaml, "\"from\": \"case.case_id\"", "\"from\": \"case.id\"")),
            "p.json: member 'goaml.entity_reference.from': 'case.id': a case has no member 'id' (it "
            "has case_id, subject, subject_field, window, opened, last_alert, decision, "
            "alert_count, transaction_count, typologies, rulesets, first_transaction, "
            "last_transaction, total_amount)");
  EXPECT_EQ(Error(Replace(kGoaml, "\"from\": \"case.case_id\"", "\"from\": \"alert.time\"")),
            "p.json: member 'goaml.entity_reference.from': 'alert.time' is only available in "
            "narrative.alert, narrative.alert_rule and narrative.rule, not in the report header and "
            "parties");
}

TEST(Profile, NarrativePlaceholdersBelongToTheirTemplate) {
  EXPECT_EQ(Error(Replace(kGoaml, "{case.case_id}: {alerts}", "{case.case_id}: {evidence}")),
            "p.json: member 'narrative.text': {evidence} is only available in narrative.rule and "
            "narrative.alert_rule");
  EXPECT_EQ(Error(Replace(kGoaml, "{case.case_id}: {alerts}", "{case.case_id}: {rules}")),
            "p.json: member 'narrative.text': {rules} needs narrative.rule, the template of one rule");
  EXPECT_EQ(Error(Replace(kGoaml, "\"alert\": \"{alert.event}: {rules}\"", "\"alert\": \"{rule.alerts}\"")),
            "p.json: member 'narrative.alert': 'rule.alerts' is only available in narrative.rule and "
            "narrative.alert_rule, not in narrative.alert");
  EXPECT_EQ(Error(Replace(kGoaml, "{case.case_id}: {alerts}", "{case.case_id: {alerts}")),
            "p.json: member 'narrative.text': the template has an empty or broken placeholder at "
            "character 1");
  EXPECT_EQ(Error(Replace(kGoaml, "{case.case_id}: {alerts}", "{case.case_id} } {alerts}")),
            "p.json: member 'narrative.text': the template has a '}' at character 16 without its "
            "'{' (write '}}' for a brace)");
}

TEST(Profile, PartiesMustExist) {
  EXPECT_EQ(Error(Replace(kGoaml, "\"counterparty\": \"merchant\"", "\"counterparty\": \"shop\"")),
            "p.json: member 'goaml.channels[0].counterparty': no party 'shop' in goaml.parties");
  EXPECT_EQ(Error(Replace(kGoaml, "\"client\": {\"node\"", "\"customer\": {\"node\"")),
            "p.json: member 'goaml.parties': no party 'client' (the bank's customer, named by "
            "goaml.client)");
  EXPECT_EQ(Error(Replace(kGoaml, "\"node\": \"person\"", "\"node\": \"human\"")),
            "p.json: member 'goaml.parties.client.node': expected \"account\", \"person\" or "
            "\"entity\", found \"human\"");
}

TEST(Profile, ValuesAreChecked) {
  EXPECT_EQ(Error(Replace(kGoaml, "{\"from\": \"case.case_id\"}",
                          "{\"from\": \"case.case_id\", \"text\": \"x\"}")),
            "p.json: member 'goaml.entity_reference': expected exactly one of \"from\", \"text\" and "
            "\"value\"");
  EXPECT_EQ(Error(Replace(kGoaml, "\"format\": \"decimal\"", "\"format\": \"decimal\", \"divide\": 12")),
            "p.json: member 'goaml.transaction.amount.divide': expected a power of ten (1, 10, 100, "
            "...)");
  EXPECT_EQ(Error(Replace(kGoaml, "\"format\": \"decimal\"", "\"format\": \"decimal\", \"multiply\": \"x\"")),
            "p.json: member 'goaml.transaction.amount.multiply': expected a decimal number (\"3.6725\")");
  EXPECT_EQ(Error(Replace(kGoaml, "\"format\": \"datetime\"", "\"format\": \"datetime\", \"digits\": 2")),
            "p.json: member 'goaml.transaction.date': divide, multiply and digits need \"format\": "
            "\"decimal\"");
  EXPECT_EQ(Error(Replace(kGoaml, "\"format\": \"datetime\"", "\"format\": \"iso\"")),
            "p.json: member 'goaml.transaction.date.format': unknown format \"iso\" (text, datetime, "
            "date, yyyymmdd, decimal or upper)");
  EXPECT_EQ(Error(Replace(kGoaml, "\"allowed\": \"A-Za-z \"", "\"pattern\": \"([A-Z\"")),
            "p.json: member 'text[0].pattern': not a regular expression: missing ]: [A-Z");
  EXPECT_EQ(Error(Replace(kGoaml, "\"allowed\": \"A-Za-z \"", "\"allowed\": \"z-a\"")),
            "p.json: member 'text[0].allowed': the range at character 1 of the set runs backwards");
  EXPECT_EQ(Error(Replace(kGoaml, "\"customer\": {\"key\"", "\"event\": {\"key\"")),
            "p.json: member 'lookups.event': a lookup name must be a plain name other than event, "
            "case, report, alert and rule");
}

const char kFincen[] = R"({
  "format": "vigil.report-profile/1",
  "kind": "fincen-sar",
  "narrative": {"text": "{alerts}", "alert": "{alert.event}"},
  "fincen": {
    "parties": [
      {"ActivityPartyTypeCode": "35", "PartyName": {"PartyNameTypeCode": "L", "RawPartyFullName": "B"}},
      {"ActivityPartyTypeCode": "37", "PartyName": {"PartyNameTypeCode": "L", "RawPartyFullName": "B"}},
      {"ActivityPartyTypeCode": "30", "PartyName": {"PartyNameTypeCode": "L", "RawPartyFullName": "B"}},
      {"ActivityPartyTypeCode": "8", "PartyName": {"PartyNameTypeCode": "L", "RawPartyFullName": "B"}},
      {"ActivityPartyTypeCode": "34", "PartyName": {"PartyNameTypeCode": "L", "RawPartyFullName": "B"}}
    ],
    "subjects": [{"party": {"PartyName": {"PartyNameTypeCode": "L", "RawPartyFullName": {"from": "event.merchant_name"}}}}],
    "amount": {"from": "event.amount_base", "format": "decimal", "divide": 100},
    "classifications": {"map": {"typology:T4": [{"type": 9, "subtype": 9999, "other": "SEXTORTION"}]}}
  }
})";

TEST(Profile, ReadsAFincenProfile) {
  Profile p;
  std::string error;
  ASSERT_TRUE(ReadProfile(kFincen, "f.json", &p, &error)) << error;
  EXPECT_EQ(p.kind, ReportKind::kFincenSar);
  EXPECT_EQ(p.local_currency, "USD");
  EXPECT_EQ(p.fincen.parties.size(), 5u);
  EXPECT_EQ(p.fincen.amount.decimal.divide, 100);
  ASSERT_EQ(p.fincen.classifications.size(), 1u);
  EXPECT_EQ(p.fincen.classifications[0].second[0].subtype, "9999");
}

TEST(Profile, FincenNeedsItsFiveFixedParties) {
  EXPECT_EQ(Error(Replace(kFincen,
                          "      {\"ActivityPartyTypeCode\": \"37\", \"PartyName\": {\"PartyNameTypeCode\": "
                          "\"L\", \"RawPartyFullName\": \"B\"}},\n",
                          "")),
            "p.json: member 'fincen.parties': no party with ActivityPartyTypeCode 37 (transmitter "
            "contact); FinCEN requires parties 35, 37, 30, 8 and 34 besides the subject (33)");
  EXPECT_EQ(Error(Replace(kFincen, "{\"ActivityPartyTypeCode\": \"8\"", "{\"ActivityPartyTypeCode\": \"33\"")),
            "p.json: member 'fincen.parties': no party with ActivityPartyTypeCode 8 (contact "
            "office); FinCEN requires parties 35, 37, 30, 8 and 34 besides the subject (33)");
  EXPECT_EQ(Error(Replace(kFincen, "{\"ActivityPartyTypeCode\": \"35\", ", "{")),
            "p.json: member 'fincen.parties[0]': expected \"ActivityPartyTypeCode\" first, with a "
            "constant code");
  EXPECT_EQ(Error(Replace(kFincen, "\"kind\": \"fincen-sar\",", "\"kind\": \"fincen-sar\", \"goaml\": {},")),
            "p.json: member 'goaml': a fincen-sar profile has no goaml section");
}

}  // namespace
}  // namespace vigil::report
