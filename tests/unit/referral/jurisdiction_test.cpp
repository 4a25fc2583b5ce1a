// Jurisdiction precedence (docs/referral.md, "Jurisdiction"): the first step
// with a valid code decides, by most frequent code; other codes are related;
// no code gives reasons; the country list and policy reader refuse what is
// not ISO 3166-1 alpha-2, naming the member.
#include "referral/jurisdiction.hpp"

#include <gtest/gtest.h>

#include "referral/countries.hpp"
#include "referral/policy.hpp"

namespace vigil::referral {
namespace {

const char* kPolicy = R"({
  "format": "vigil.referral-policy/1",
  "sender": {"name": "Bank", "country": "AU"},
  "schema": "rules.vgl",
  "precedence": [
    {"name": "verified residence", "field": "residence", "when": "verified"},
    {"name": "IP country", "field": "ip_country"}
  ],
  "related": ["merchant_country"],
  "jurisdictions": {"PH": {"tlp": "RED", "identifiers": "plaintext"}},
  "entities": {"subject": {"properties": {"name": "name"}}, "payment": {"properties": {}}}
})";

Policy Read(const std::string& text) {
  Policy p;
  std::string error;
  EXPECT_TRUE(ReadPolicy(text, "policy.json", &p, &error)) << error;
  return p;
}

json::Value Event(const char* residence, bool verified, const char* ip, const char* merchant) {
  json::Value e = json::Value::Object();
  if (residence) e.Set("residence", json::Value::String(residence));
  e.Set("verified", json::Value::Bool(verified));
  if (ip) e.Set("ip_country", json::Value::String(ip));
  if (merchant) e.Set("merchant_country", json::Value::String(merchant));
  return e;
}

std::string Code(int index) { return index < 0 ? "" : Countries()[index].code; }

TEST(Countries, ListIsSortedAndComplete) {
  ASSERT_EQ(CountryCount(), 249u);
  for (size_t i = 1; i < CountryCount(); ++i) {
    EXPECT_LT(std::string(Countries()[i - 1].code), std::string(Countries()[i].code));
  }
  EXPECT_NE(FindCountry("PH"), nullptr);
  EXPECT_NE(FindCountry("GB"), nullptr);
  EXPECT_EQ(FindCountry("UK"), nullptr);
  EXPECT_EQ(FindCountry("XK"), nullptr);
  EXPECT_EQ(FindCountry("ph"), nullptr);
}

TEST(Jurisdiction, FirstStepWithACodeDecides) {
  Policy p = Read(kPolicy);
  CountryTally t;
  t.Add(p, Event("PH", true, "SG", "NL"));
  t.Add(p, Event(nullptr, false, "SG", nullptr));
  Decision d = Decide(p, t);
  EXPECT_EQ(Code(d.country), "PH");
  EXPECT_EQ(d.step, 0);
  ASSERT_EQ(d.related.size(), 2u);  // NL and SG, not PH itself
  EXPECT_EQ(Code(d.related[0]), "NL");
  EXPECT_EQ(Code(d.related[1]), "SG");
}

TEST(Jurisdiction, WhenFieldGatesAStep) {
  Policy p = Read(kPolicy);
  CountryTally t;
  t.Add(p, Event("PH", false, "sg ", nullptr));  // unverified: the IP step decides
  Decision d = Decide(p, t);
  EXPECT_EQ(Code(d.country), "SG");
  EXPECT_EQ(d.step, 1);
}

TEST(Jurisdiction, MostFrequentThenAlphabetical) {
  Policy p = Read(kPolicy);
  CountryTally t;
  t.Add(p, Event(nullptr, false, "TH", nullptr));
  t.Add(p, Event(nullptr, false, "KH", nullptr));
  t.Add(p, Event(nullptr, false, "TH", nullptr));
  EXPECT_EQ(Code(Decide(p, t).country), "TH");
  CountryTally tie;
  tie.Add(p, Event(nullptr, false, "TH", nullptr));
  tie.Add(p, Event(nullptr, false, "KH", nullptr));
  EXPECT_EQ(Code(Decide(p, tie).country), "KH");
}

TEST(Jurisdiction, UnassignedWithReasons) {
  Policy p = Read(kPolicy);
  CountryTally t;
  t.Add(p, Event("PH", false, "ZZ", nullptr));
  Decision d = Decide(p, t);
  EXPECT_EQ(d.country, -1);
  ASSERT_EQ(d.reasons.size(), 2u);
  EXPECT_EQ(d.reasons[0], "verified residence (residence): 'verified' is true in no transaction");
  EXPECT_EQ(d.reasons[1],
            "IP country (ip_country): 'ZZ' is not an ISO 3166-1 alpha-2 country code");
}

// Reasons belong to the step that met the value, even when two steps share
// a name and one field's name begins with the other's (they were once
// matched by name and field prefix, and crossed over).
TEST(Jurisdiction, ReasonsByStepNotByName) {
  std::string text = kPolicy;
  const std::string from = R"({"name": "IP country", "field": "ip_country"})";
  text.replace(text.find(from), from.size(),
               R"({"name": "IP", "field": "ip_country"}, {"name": "IP", "field": "ip"})");
  Policy p = Read(text);
  CountryTally t;
  json::Value e = Event(nullptr, false, "ZZ", nullptr);
  e.Set("ip", json::Value::String("QQ"));
  t.Add(p, e);
  Decision d = Decide(p, t);
  EXPECT_EQ(d.country, -1);
  ASSERT_EQ(d.reasons.size(), 3u);
  EXPECT_EQ(d.reasons[1], "IP (ip_country): 'ZZ' is not an ISO 3166-1 alpha-2 country code");
  EXPECT_EQ(d.reasons[2], "IP (ip): 'QQ' is not an ISO 3166-1 alpha-2 country code");
}

// More steps than a step index holds are refused, not wrapped round.
TEST(Policy, RefusesTooManySteps) {
  std::string steps;
  for (size_t i = 0; i <= kMaxPrecedenceSteps; ++i) {
    steps += R"({"name": "IP", "field": "ip_country"}, )";
  }
  std::string text = kPolicy;
  text.replace(text.find(R"("precedence": [)"), 15, R"("precedence": [)" + steps);
  Policy p;
  std::string error;
  EXPECT_FALSE(ReadPolicy(text, "policy.json", &p, &error));
  EXPECT_EQ(error, "policy.json: member 'precedence': expected at most 64 steps, found 67");
}

TEST(Policy, HandlingPerJurisdiction) {
  Policy p = Read(kPolicy);
  EXPECT_EQ(p.For("PH").tlp, "TLP:RED");
  EXPECT_EQ(p.For("PH").identifiers, Identifiers::kPlaintext);
  EXPECT_EQ(p.For("DE").tlp, "TLP:AMBER+STRICT");
  EXPECT_EQ(p.For("DE").identifiers, Identifiers::kKeyed);
  EXPECT_EQ(p.For("unassigned").code, "H2");
}

TEST(Policy, RefusesWhatIsNotThere) {
  struct Case {
    std::string from, to, message;
  };
  const Case cases[] = {
      {R"("PH": {)", R"("UK": {)",
       "member 'jurisdictions.UK': 'UK' is not an ISO 3166-1 alpha-2 country code (the United "
       "Kingdom is 'GB')"},
      {R"("country": "AU")", R"("country": "Australia")",
       "member 'sender.country': 'Australia' is not an ISO 3166-1 alpha-2 country code"},
      {R"("tlp": "RED")", R"("tlp": "PINK")", "member 'jurisdictions.PH.tlp': 'PINK' is not a TLP"},
      {R"("identifiers": "plaintext")", R"("identifiers": "clear")",
       "member 'jurisdictions.PH.identifiers': expected \"keyed\" or \"plaintext\""},
      {R"("schema": "rules.vgl",)", R"("schema": "rules.vgl", "colour": 1,)",
       "member 'colour': not a member of a vigil.referral-policy/1 file"},
  };
  for (const Case& c : cases) {
    std::string text = kPolicy;
    text.replace(text.find(c.from), c.from.size(), c.to);
    Policy p;
    std::string error;
    EXPECT_FALSE(ReadPolicy(text, "policy.json", &p, &error)) << c.to;
    EXPECT_NE(error.find("policy.json: " + c.message), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace vigil::referral
