// The event id a Session puts in each Result (docs/language.md, "Event
// ids"): the copy the session makes for a string id field must give what
// AppendEventId gives, for every kind of id, and a reused Result must not
// keep anything of the previous event's id.
#include "test_util.hpp"

namespace vigil::testing {
namespace {

std::string SchemaWith(const std::string& id_field) {
  return "ruleset t.ids version \"1.0.0\"\nschema txn version 1 {\n  ts: time\n" + id_field +
         "  amount: decimal\n}\nuses schema txn\nrule r { when amount > 1.00 then score 1 }\n";
}

// Evaluates `event` into the reused `result` and checks the id against
// AppendEventId's.
void ExpectSameId(eval::Session& session, const eval::Event& event, eval::Result& result,
                  const std::string& want, const char* want_member) {
  session.Evaluate(event, result);
  std::string appended;
  const char* member = nullptr;
  eval::AppendEventId(event, appended, &member);
  EXPECT_EQ(result.event_id, want);
  EXPECT_EQ(result.event_id, appended);
  if (want_member == nullptr) {
    EXPECT_EQ(result.event_id_member, nullptr);
    EXPECT_EQ(member, nullptr);
  } else {
    ASSERT_NE(result.event_id_member, nullptr);
    EXPECT_STREQ(result.event_id_member, want_member);
    EXPECT_STREQ(member, want_member);
  }
}

TEST(EventId, StringIdFieldLongShortMissingAndEmpty) {
  Compilation c = CompileText(SchemaWith("  txn_id: string\n"));
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  eval::Session session(c.program);
  eval::Event e(c.program->schema);
  eval::Result result;
  // A long id (beyond any small-string buffer), then a shorter one into the
  // same Result: nothing of the first may remain.
  const std::string long_id(100, 'x');
  SetField(e, "txn_id", long_id);
  SetField(e, "amount", Dec{"5.00"});
  ExpectSameId(session, e, result, long_id, "txn_id");
  e.Reset();
  SetField(e, "txn_id", "t2");
  ExpectSameId(session, e, result, "t2", "txn_id");
  e.Reset();  // missing: no id and no member
  SetField(e, "amount", Dec{"5.00"});
  ExpectSameId(session, e, result, "", nullptr);
  e.Reset();  // present and empty: an empty id from the field
  SetField(e, "txn_id", "");
  ExpectSameId(session, e, result, "", "txn_id");
}

// The session overwrites an id as long as the last event's in place
// (Session::CopyEventId): every pair of lengths from 0 to 40 in turn, each
// byte different from the one it replaces, the same length twice in a row
// included, into one reused Result.
TEST(EventId, EveryLengthAfterEveryLengthInOneResult) {
  Compilation c = CompileText(SchemaWith("  txn_id: string\n"));
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  eval::Session session(c.program);
  eval::Event e(c.program->schema);
  eval::Result result;
  int round = 0;
  auto id_of = [&](size_t n) {
    std::string id(n, ' ');
    for (size_t k = 0; k < n; ++k) id[k] = static_cast<char>('!' + (k * 7 + round) % 90);
    ++round;
    return id;
  };
  for (size_t a = 0; a <= 40; ++a) {
    for (size_t b = 0; b <= 40; ++b) {
      for (size_t n : {a, b, b}) {
        const std::string id = id_of(n);
        e.Reset();
        SetField(e, "txn_id", id);
        SetField(e, "amount", Dec{"5.00"});
        session.Evaluate(e, result);
        ASSERT_EQ(result.event_id, id) << a << " then " << b;
        ASSERT_STREQ(result.event_id_member, "txn_id");
      }
    }
  }
}

// A Result that held another rule set's id, or one the caller wrote, of the
// same length: replaced entirely, and cleared for an event without one.
TEST(EventId, ResultReusedAcrossSessionsAndWrittenByTheCaller) {
  Compilation ints = CompileText(SchemaWith("  event_id: int\n"));
  Compilation strs = CompileText(SchemaWith("  txn_id: string\n"));
  ASSERT_TRUE(ints.ok() && strs.ok());
  eval::Session s1(ints.program), s2(strs.program);
  eval::Event e1(ints.program->schema), e2(strs.program->schema);
  eval::Result result;
  SetField(e1, "event_id", -42);
  ExpectSameId(s1, e1, result, "-42", "event_id");
  SetField(e2, "txn_id", "abc");
  ExpectSameId(s2, e2, result, "abc", "txn_id");
  result.event_id = "xyz";
  ExpectSameId(s1, e1, result, "-42", "event_id");
  result.event_id = "xyz";
  e2.Reset();
  ExpectSameId(s2, e2, result, "", nullptr);
  result.event_id = "xyzw";
  SetField(e2, "txn_id", "");
  ExpectSameId(s2, e2, result, "", "txn_id");
}

TEST(EventId, IntIdFieldAndMemberId) {
  Compilation ints = CompileText(SchemaWith("  event_id: int\n"));
  ASSERT_TRUE(ints.ok()) << ints.RenderDiagnostics();
  eval::Session s1(ints.program);
  eval::Event e1(ints.program->schema);
  eval::Result result;
  SetField(e1, "event_id", -42);
  ExpectSameId(s1, e1, result, "-42", "event_id");

  // No id field: the JSON member that named the event.
  Compilation none = CompileText(SchemaWith(""));
  ASSERT_TRUE(none.ok()) << none.RenderDiagnostics();
  eval::Session s2(none.program);
  eval::Event e2(none.program->schema);
  e2.SetMemberId("m-7", "id");
  ExpectSameId(s2, e2, result, "m-7", "id");
  e2.Reset();
  ExpectSameId(s2, e2, result, "", nullptr);
}

}  // namespace
}  // namespace vigil::testing
