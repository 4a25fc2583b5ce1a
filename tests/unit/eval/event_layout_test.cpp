// An Event's strings lie right after its values, in one allocation
// (eval/event.hpp): an event that is not in cache is then one run of
// adjacent lines. And the layout changes nothing an event holds.
#include "test_util.hpp"

namespace vigil::testing {
namespace {

const char* kRules =
    "ruleset t.layout version \"1.0.0\"\nschema txn version 1 {\n  txn_id: string\n"
    "  amount: int\n  country: string\n}\nuses schema txn\n"
    "rule r { when country == \"PH\" then score 1 }\n";

TEST(EventLayout, TheFirstStringsFollowTheValues) {
  Compilation c = CompileText(kRules);
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  eval::Event e(c.program->schema);
  ASSERT_EQ(e.size(), 3u);
  for (size_t i = 0; i < e.size(); ++i) EXPECT_FALSE(e.at(i).present);
  const char* end_of_values = reinterpret_cast<const char*>(e.values() + e.size());
  for (int round = 0; round < 2; ++round) {
    e.Reset();
    e.SetString(0, "t1");
    e.SetInt(1, 7);
    e.SetString(2, "PH");
    EXPECT_EQ(e.at(0).s.ptr, end_of_values) << "round " << round;
    EXPECT_EQ(e.at(2).s.ptr, end_of_values + 2);
    EXPECT_EQ(e.at(0).str(), "t1");
    EXPECT_EQ(e.at(1).i, 7);
    EXPECT_EQ(e.at(2).str(), "PH");
  }
  // A string longer than the first chunk goes elsewhere, intact, and the
  // next event's strings are after the values again.
  std::string long_id(eval::Event::kChunk + 10, 'z');
  e.Reset();
  e.SetString(0, long_id);
  EXPECT_EQ(e.at(0).str(), long_id);
  e.Reset();
  EXPECT_FALSE(e.at(0).present);
  e.SetString(2, "KE");
  EXPECT_EQ(e.at(2).s.ptr, end_of_values);
}

// The session reads the values where the event keeps them: a rule on a
// string that lies after the values fires, and the id is copied.
TEST(EventLayout, ASessionReadsTheAdjacentStrings) {
  Compilation c = CompileText(kRules);
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  eval::Session session(c.program);
  eval::Event e(c.program->schema);
  eval::Result result;
  for (const char* country : {"PH", "ID", "PH"}) {
    e.Reset();
    e.SetString(0, "id-1");
    e.SetString(2, country);
    session.Evaluate(e, result);
    EXPECT_EQ(result.fired.size(), std::string_view(country) == "PH" ? 1u : 0u) << country;
    EXPECT_EQ(result.event_id, "id-1");
  }
}

}  // namespace
}  // namespace vigil::testing
