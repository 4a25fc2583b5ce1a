// List entries with an expiry: "VALUE @expires DATE" matches through that
// day (UTC); "VALUE @expires TIME" until that instant. Expired entries are
// dropped when compiling, with a warning that counts them.
#include "base/time_util.hpp"
#include "test_util.hpp"

namespace vigil::testing {
namespace {

Compilation CompileAt(const std::string& now) {
  CompileOptions options;
  options.allow_filesystem = false;
  options.now_us = *ParseTime(now);
  std::vector<SourceInput> inputs = {
      {"r.vgl", Header() + "list L: set<string> from \"l.txt\"\n"
                           "rule r {\n  title \"listed\"\n  severity low\n  when country in L\n  then score 1\n}\n"},
      {"l.txt",
       "PH\nTH @expires 2026-03-01\nVN @expires 2026-03-01T12:00:00Z\n"
       "jane@example.org @expires 2026-03-05\n",
       false}};
  return CompileSources(std::move(inputs), options);
}

bool Matches(const Compilation& c, const std::string& country) {
  eval::Session session(c.program);
  eval::Event event(c.program->schema);
  eval::Result result;
  SetField(event, "country", country);
  session.Evaluate(event, result);
  return result.fired.size() == 1;
}

TEST(ListExpiry, DatesMatchThroughTheirDayTimesUntilTheirInstant) {
  Compilation before = CompileAt("2026-03-01T11:59:59Z");
  ASSERT_TRUE(before.ok()) << before.RenderDiagnostics();
  EXPECT_TRUE(Matches(before, "PH"));
  EXPECT_TRUE(Matches(before, "TH"));
  EXPECT_TRUE(Matches(before, "VN"));
  EXPECT_TRUE(Matches(before, "jane@example.org"));  // '@' inside a value is not a marker
  EXPECT_TRUE(Codes(before).empty());

  Compilation noon = CompileAt("2026-03-01T12:00:00Z");
  ASSERT_TRUE(noon.ok());
  EXPECT_TRUE(Matches(noon, "TH"));
  EXPECT_FALSE(Matches(noon, "VN"));
  EXPECT_EQ(Codes(noon), (std::vector<std::string>{"W5007"}));
  EXPECT_NE(noon.RenderDiagnostics().find("list 'L': 1 entry has expired and no longer matches"),
            std::string::npos);

  Compilation next_day = CompileAt("2026-03-02T00:00:00Z");
  ASSERT_TRUE(next_day.ok());
  EXPECT_FALSE(Matches(next_day, "TH"));
  EXPECT_TRUE(Matches(next_day, "PH"));
  EXPECT_NE(next_day.RenderDiagnostics().find("2 entries have expired and no longer match"),
            std::string::npos);
}

TEST(ListExpiry, ABadDateIsAnErrorNamingTheLine) {
  CompileOptions options;
  options.allow_filesystem = false;
  Compilation c = CompileSources(
      {{"r.vgl", Header() + "list L: set<string> from \"l.txt\"\nrule r { when country in L then score 1 }\n"},
       {"l.txt", "PH\nTH @expires next week\n", false}},
      options);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.RenderDiagnostics().find("l.txt:2:1: error[E3009]: 'next week' is not an expiry date"),
            std::string::npos)
      << c.RenderDiagnostics();
}

}  // namespace
}  // namespace vigil::testing
