// Validation with libxml2 against a schema written for this test: valid,
// invalid with each error's line and element path, schemas that cannot load.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "report/xsd_validate.hpp"

namespace vigil::report {
namespace {

const char kXsd[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:element name="report">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="rentity_id" type="xs:int"/>
        <xs:element name="transaction" maxOccurs="unbounded">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="name">
                <xs:simpleType>
                  <xs:restriction base="xs:string">
                    <xs:maxLength value="5"/>
                  </xs:restriction>
                </xs:simpleType>
              </xs:element>
            </xs:sequence>
          </xs:complexType>
        </xs:element>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>
)";

std::string WriteTemp(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("vigil_xsd_test_" + name);
  std::ofstream(path) << text;
  return path.string();
}

TEST(XsdValidator, ValidAndInvalidDocuments) {
  std::string error;
  auto v = XsdValidator::Load(WriteTemp("ok.xsd", kXsd), &error);
  ASSERT_NE(v, nullptr) << error;
  std::vector<XsdError> errors;
  EXPECT_TRUE(v->Validate("<report><rentity_id>7</rentity_id><transaction><name>ab</name>"
                          "</transaction></report>",
                          &errors));
  EXPECT_TRUE(errors.empty());
  EXPECT_FALSE(v->Validate("<?xml version=\"1.0\"?>\n<report>\n  <rentity_id>x</rentity_id>\n"
                           "  <transaction><name>ab</name></transaction>\n"
                           "  <transaction><name>abcdefg</name></transaction>\n</report>\n",
                           &errors));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].line, 3);
  EXPECT_EQ(errors[0].path, "/report/rentity_id");
  EXPECT_NE(errors[0].message.find("'x' is not a valid value of the atomic type 'xs:int'"),
            std::string::npos)
      << errors[0].message;
  EXPECT_EQ(errors[1].line, 5);
  EXPECT_EQ(errors[1].path, "/report/transaction[2]/name");
  EXPECT_NE(errors[1].message.find("maxLength"), std::string::npos) << errors[1].message;
}

TEST(XsdValidator, ADocumentThatIsNotWellFormedGivesItsParseError) {
  std::string error;
  auto v = XsdValidator::Load(WriteTemp("ok2.xsd", kXsd), &error);
  ASSERT_NE(v, nullptr) << error;
  std::vector<XsdError> errors;
  EXPECT_FALSE(v->Validate("<report>\n<rentity_id>1</report>", &errors));
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].line, 2);
}

TEST(XsdValidator, SchemasThatCannotLoadAreErrorsNamingTheFile) {
  std::string error;
  EXPECT_EQ(XsdValidator::Load("/nonexistent/fiu.xsd", &error), nullptr);
  EXPECT_TRUE(error.starts_with("cannot load the schema \"/nonexistent/fiu.xsd\": ")) << error;
  const std::string bad = WriteTemp("bad.xsd", "<xs:schema xmlns:xs=\"http://www.w3.org/2001/"
                                               "XMLSchema\"><xs:element/></xs:schema>");
  EXPECT_EQ(XsdValidator::Load(bad, &error), nullptr);
  EXPECT_TRUE(error.starts_with("cannot load the schema \"" + bad + "\": ")) << error;
}

}  // namespace
}  // namespace vigil::report
