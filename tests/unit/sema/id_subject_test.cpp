// @id and @subject (docs/language.md, "Event ids"; docs/case.md): one string
// or int field each; without @id a conventionally named field names events.
#include <gtest/gtest.h>

#include "eval/event_json.hpp"
#include "test_util.hpp"

namespace vigil::testing {
namespace {

Compilation Schema(const std::string& fields) {
  return CompileText("ruleset t.ids version \"1.0.0\"\nschema s version 1 {\n" + fields +
                     "\n}\nuses schema s\nrule r { title \"r\" severity low when amount > 0 "
                     "then score 1 }\n");
}

TEST(IdAndSubject, MarkOneStringOrIntFieldEach) {
  Compilation c = Schema("ref: string @id\n amount: decimal\n customer: int @key @subject");
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  const eval::Schema& s = c.program->schema;
  EXPECT_EQ(s.fields[s.id_slot].name, "ref");
  EXPECT_EQ(s.fields[s.subject_slot].name, "customer");
  EXPECT_TRUE(s.fields[s.id_slot].id);
  EXPECT_TRUE(s.fields[s.subject_slot].subject);
}

TEST(IdAndSubject, WrongTypesAndSecondFieldsAreErrors) {
  Compilation c = Schema("ref: decimal @id\n amount: decimal");
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E3001"});
  EXPECT_NE(c.RenderDiagnostics().find("@id needs a field of type string or int, not decimal"),
            std::string::npos);
  c = Schema("a: string @id\n b: string @id\n amount: decimal");
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E2002"});
  EXPECT_NE(c.RenderDiagnostics().find("a schema has one @id field only; 'a' has it already"),
            std::string::npos);
  c = Schema("a: set<string> @subject\n amount: decimal");
  EXPECT_EQ(Codes(c), std::vector<std::string>{"E3001"});
  c = Schema("amount: decimal @idd");
  EXPECT_NE(c.RenderDiagnostics().find("did you mean 'id'?"), std::string::npos)
      << c.RenderDiagnostics();
}

TEST(IdAndSubject, WithoutIdAConventionalFieldOrMemberNamesTheEvent) {
  Compilation c = Schema("id: string\n txn_id: int\n amount: decimal");
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  EXPECT_EQ(c.program->schema.fields[c.program->schema.id_slot].name, "txn_id");
  eval::Event e(c.program->schema);
  eval::EventJsonReader reader;
  std::string error;
  ASSERT_TRUE(reader.Read(R"({"id":"x","txn_id":77,"amount":1})", e, &error)) << error;
  EXPECT_EQ(reader.last_id(), "77");
  ASSERT_TRUE(reader.Read(R"({"id":"x","amount":1})", e, &error));
  EXPECT_EQ(reader.last_id(), "");  // the id field is missing: no id

  Compilation bare = Schema("amount: decimal");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare.program->schema.id_slot, -1);
  eval::Event b(bare.program->schema);
  ASSERT_TRUE(reader.Read(R"({"id":"c","txn_id":"b","amount":1})", b, &error));
  EXPECT_EQ(reader.last_id(), "b");  // event_id, then txn_id, then id
  ASSERT_TRUE(reader.Read(R"({"id":true,"amount":1})", b, &error));
  EXPECT_EQ(reader.last_id(), "");  // neither a string nor an integer
}

}  // namespace
}  // namespace vigil::testing
