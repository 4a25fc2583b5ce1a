// Fitting values to an FIU's character and length rules: every change is
// reported, nothing is changed silently, and what cannot fit is an error.
#include <gtest/gtest.h>

#include <memory>

#include <re2/re2.h>

#include "report/fit.hpp"
#include "report/transliterate.hpp"
#include "report/xml_tree.hpp"

namespace vigil::report {
namespace {

TEST(Transliterate, LatinLettersLoseTheirAccents) {
  EXPECT_EQ(Transliterate("Zoë Müller-Łódź"), "Zoe Muller-Lodz");
  EXPECT_EQ(Transliterate("Søren Ærø"), "Soren Aero");
  EXPECT_EQ(Transliterate("Straße"), "Strasse");
  EXPECT_EQ(Transliterate("Şerban Ţăranu"), "Serban Taranu");
  EXPECT_EQ(Transliterate("O’Brien – «x»"), "O'Brien - «x»");  // « » have no form: kept
}

TEST(Transliterate, CyrillicFollowsIcao9303AndCapitalises) {
  EXPECT_EQ(Transliterate("Жанна Щербакова"), "Zhanna Shcherbakova");
  EXPECT_EQ(Transliterate("ЖАННА"), "ZHANNA");
  EXPECT_EQ(Transliterate("Юлия"), "Iuliia");
  EXPECT_EQ(Transliterate("Ж"), "Zh");
}

TEST(Transliterate, GreekAndCombiningAccents) {
  EXPECT_EQ(Transliterate("Νίκος Παπαδόπουλος"), "Nikos Papadopoulos");
  EXPECT_EQ(Transliterate("Jose\xCC\x81"), "Jose");  // e + U+0301
}

TEST(Transliterate, ScriptsWithoutAFormAreKept) {
  EXPECT_EQ(Transliterate("محمد"), "محمد");
  EXPECT_EQ(AsciiForm(U'م'), nullptr);
  EXPECT_STREQ(AsciiForm(U'a'), "a");
}

TEST(CharSet, ParsesRangesAndLiterals) {
  CharSet set;
  std::string error;
  ASSERT_TRUE(CharSet::Parse("a-zA-Z0-9 .'-", &set, &error)) << error;
  EXPECT_TRUE(set.Contains('q'));
  EXPECT_TRUE(set.Contains('-'));
  EXPECT_TRUE(set.Contains('\''));
  EXPECT_FALSE(set.Contains(','));
  EXPECT_FALSE(CharSet::Parse("z-a", &set, &error));
  EXPECT_EQ(error, "the range at character 1 of the set runs backwards");
  EXPECT_FALSE(CharSet::Parse("", &set, &error));
  EXPECT_FALSE(CharSet::Parse("a\\", &set, &error));
}

// A tree to fit values in: /report/t_person/first_name, /report/reason.
struct Doc {
  XmlNode root{"report"};
  XmlNode* person = root.Add("t_person");
  XmlNode* first_name = person->Add("first_name");
  XmlNode* entity_name = root.Add("t_entity")->Add("name");
  XmlNode* reason = root.Add("reason");
};

FitRule NameRule() {
  FitRule r;
  r.elements = {"first_name", "last_name", "t_entity/name"};
  r.transliterate = true;
  std::string error;
  EXPECT_TRUE(CharSet::Parse("a-zA-Z0-9 .'-", &r.allowed, &error));
  r.min_chars = 1;
  r.max_chars = 10;
  r.Compile();
  return r;
}

TEST(FitValue, TransliteratesThenDropsWhatIsStillOutsideTheSet) {
  Doc d;
  std::string v = "Zoë, Anne";
  FitOutcome o = FitValue({NameRule()}, *d.first_name, v);
  EXPECT_EQ(v, "Zoe Anne");
  ASSERT_EQ(o.changes.size(), 2u);
  EXPECT_EQ(o.changes[0], "transliterated 'Zoë, Anne' to 'Zoe, Anne'");
  EXPECT_EQ(o.changes[1], "removed \",\" (outside [a-zA-Z0-9 .'-]): 'Zoe, Anne' became 'Zoe Anne'");
  EXPECT_TRUE(o.error.empty());
}

TEST(FitValue, CutsByCharactersNotBytes) {
  Doc d;
  std::string v = "ÉÉÉÉÉÉÉÉÉÉÉÉ";  // 12 characters, 24 bytes
  FitRule r;
  r.elements = {"reason"};
  r.max_chars = 10;
  r.Compile();
  FitOutcome o = FitValue({r}, *d.reason, v);
  EXPECT_EQ(v, "ÉÉÉÉÉÉÉÉÉÉ");
  ASSERT_EQ(o.changes.size(), 1u);
  EXPECT_EQ(o.changes[0], "cut from 12 to 10 characters (the limit is 10)");
}

TEST(FitValue, ANameWithNoLatinFormIsAnError) {
  Doc d;
  std::string v = "محمد";
  FitOutcome o = FitValue({NameRule()}, *d.first_name, v);
  EXPECT_EQ(v, "");
  EXPECT_EQ(o.error, "'' has 0 characters after fitting; the profile needs at least 1");
}

TEST(FitValue, RulesMatchByElementAndParent) {
  Doc d;
  std::string v = "Café & Co";
  FitOutcome o = FitValue({NameRule()}, *d.entity_name, v);
  EXPECT_EQ(v, "Cafe  Co");
  EXPECT_EQ(o.changes.size(), 2u);
  std::string reason = "Café & Co";
  EXPECT_TRUE(FitValue({NameRule()}, *d.reason, reason).changes.empty());
  EXPECT_EQ(reason, "Café & Co");
}

TEST(FitValue, ExceptLeavesElementsAlone) {
  Doc d;
  FitRule r;
  r.elements = {"*"};
  r.except = {"reason"};
  r.single_line = true;
  r.Compile();
  std::string reason = "a\n  b", name = "a\n  b";
  EXPECT_TRUE(FitValue({r}, *d.reason, reason).changes.empty());
  EXPECT_EQ(reason, "a\n  b");
  FitOutcome o = FitValue({r}, *d.first_name, name);
  EXPECT_EQ(name, "a b");
  EXPECT_EQ(o.changes.size(), 1u);
}

TEST(FitValue, CharactersXmlCannotCarryAreAlwaysRemovedAndReported) {
  Doc d;
  std::string v = std::string("bell\x07") + "end";
  FitOutcome o = FitValue({}, *d.reason, v);
  EXPECT_EQ(v, "bellend");
  ASSERT_EQ(o.changes.size(), 1u);
  EXPECT_EQ(o.changes[0], "removed U+0007 (not allowed in XML), leaving 'bellend'");
}

TEST(FitValue, APatternThatStillFailsIsAnError) {
  Doc d;
  FitRule r;
  r.elements = {"first_name"};
  r.pattern = "([A-Za-z]+( [A-Za-z]+)+)|([A-Za-z]+)";
  r.regex = std::make_shared<re2::RE2>(r.pattern);
  r.Compile();
  std::string ok = "Alex Marie", bad = "Jean-Luc";
  EXPECT_TRUE(FitValue({r}, *d.first_name, ok).error.empty());
  EXPECT_EQ(FitValue({r}, *d.first_name, bad).error,
            "'Jean-Luc' does not match the pattern '([A-Za-z]+( [A-Za-z]+)+)|([A-Za-z]+)' after "
            "fitting");
}

TEST(FitValue, InvalidUtf8IsAnError) {
  Doc d;
  std::string v = "\xff";
  EXPECT_EQ(FitValue({}, *d.reason, v).error, "the value is not valid UTF-8");
}

TEST(XmlTree, PathsIndexRepeatedSiblingsOnly) {
  XmlNode root("report");
  XmlNode* t1 = root.Add("transaction");
  XmlNode* leaf = t1->AddLeaf("amount_local", "1.00");
  EXPECT_EQ(leaf->Path(), "/report/transaction/amount_local");
  root.Add("transaction");
  EXPECT_EQ(leaf->Path(), "/report/transaction[1]/amount_local");
}

TEST(XmlTree, WritesEscapedDeterministicXml) {
  XmlNode root("r");
  root.SetAttribute("a", "x\"<&\n");
  root.AddLeaf("t", "1 < 2 & \"q\"\r");
  root.Add("empty");
  EXPECT_EQ(WriteXml(root),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<r a=\"x&quot;&lt;&amp;&#10;\">\n"
            "  <t>1 &lt; 2 &amp; \"q\"&#13;</t>\n"
            "  <empty/>\n"
            "</r>\n");
}

}  // namespace
}  // namespace vigil::report
