// AppendJsonString (base/json_writer.hpp): its one-append path for plain
// strings and its escaping path write exactly what a byte-at-a-time
// escaper writes, for strings of every length around the 16-byte blocks of
// its scan and with every byte value at every position.
#include "base/json_writer.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace vigil {
namespace {

std::string Reference(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

TEST(JsonWriter, EveryByteAtEveryPlace) {
  // Up to 80 bytes: strings of up to 62 are scanned in a padded copy on the
  // stack, longer ones where they lie (json_writer.cpp).
  for (size_t length = 0; length <= 80; ++length) {
    for (int byte = 0; byte < 256; ++byte) {
      for (size_t at = 0; at < length; at += (length > 20 ? 7 : 1)) {
        std::string s(length, 'a');
        s[at] = static_cast<char>(byte);
        std::string out = "prefix";
        AppendJsonString(s, out);
        ASSERT_EQ(out, "prefix" + Reference(s)) << "length " << length << " byte " << byte << " at " << at;
      }
      if (length > 0) {  // the last byte, where the copy's padding begins
        std::string s(length, 'a');
        s[length - 1] = static_cast<char>(byte);
        std::string out;
        AppendJsonString(s, out);
        ASSERT_EQ(out, Reference(s)) << "length " << length << " byte " << byte << " last";
      }
    }
    std::string plain(length, 'x');
    std::string out;
    AppendJsonString(plain, out);
    ASSERT_EQ(out, Reference(plain));
  }
  std::string out;
  AppendJsonString("Zoë \"東京\"\n", out);
  EXPECT_EQ(out, "\"Zoë \\\"東京\\\"\\n\"");
}

}  // namespace
}  // namespace vigil
