#include "base/text.hpp"

#include <gtest/gtest.h>

#include <string>

#include "base/utf8.hpp"

namespace vigil {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s.size(), '\0');
  out.resize(text::LowerInto(s, out.data()));
  return out;
}
std::string Upper(std::string_view s) {
  std::string out(s.size(), '\0');
  out.resize(text::UpperInto(s, out.data()));
  return out;
}

TEST(Text, CaseMapping) {
  EXPECT_EQ(Lower("School FEES"), "school fees");
  EXPECT_EQ(Lower("CAFÉ ŁÓDŹ ΑΘΗΝΑ МОСКВА"), "café łódź αθηνα москва");
  EXPECT_EQ(Upper("café łódź αθηνα москва"), "CAFÉ ŁÓDŹ ΑΘΗΝΑ МОСКВА");
  EXPECT_EQ(Lower("STRAßE ☕"), "straße ☕");
  EXPECT_EQ(Upper("ß"), "ß");  // its upper case is longer: unchanged
}

TEST(Utf8, ValidationAndCounting) {
  EXPECT_TRUE(utf8::IsValid("café ☕ 😀"));
  EXPECT_EQ(utf8::FindInvalid("ab\xC3\x28"), 2u);
  EXPECT_EQ(utf8::FindInvalid("\xC0\xAF"), 0u);          // overlong
  EXPECT_EQ(utf8::FindInvalid("\xED\xA0\x80"), 0u);      // surrogate
  EXPECT_EQ(utf8::FindInvalid("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(utf8::FindInvalid("abc\xE2\x98"), 3u);       // truncated
  EXPECT_EQ(utf8::CountCodePoints("café ☕"), 6u);
}

}  // namespace
}  // namespace vigil
