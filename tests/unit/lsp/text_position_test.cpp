// UTF-16 columns, as LSP clients count them, against byte offsets.
#include <gtest/gtest.h>

#include "lsp/text_position.hpp"
#include "lsp/uri.hpp"

namespace vigil::lsp {
namespace {

TEST(LineIndexTest, NonAsciiBeforeAPositionCountsUtf16Units) {
  // "é" is 2 bytes and 1 unit; "😀" is 4 bytes and 2 units (a surrogate pair).
  std::string text = "let a = 1\n# é😀 x\n";
  LineIndex lines(text);
  uint32_t x = static_cast<uint32_t>(text.find('x'));
  Position p = lines.ToPosition(x);
  EXPECT_EQ(p.line, 1u);
  EXPECT_EQ(p.character, 6u);  // '#', ' ', 'é', 2 for 😀, ' '
  EXPECT_EQ(lines.ToOffset(p), x);
}

TEST(LineIndexTest, InsideASurrogatePairMovesToTheCharacterStart) {
  std::string text = "😀x";
  LineIndex lines(text);
  EXPECT_EQ(lines.ToOffset(Position{0, 1}), 0u);
  EXPECT_EQ(lines.ToOffset(Position{0, 2}), 4u);
}

TEST(LineIndexTest, LineBreaksOfEveryKindAndClamping) {
  std::string text = "a\r\nbb\rc\nd";
  LineIndex lines(text);
  EXPECT_EQ(lines.line_count(), 4u);
  EXPECT_EQ(lines.ToPosition(3), (Position{1, 0}));
  EXPECT_EQ(lines.ToPosition(6), (Position{2, 0}));
  EXPECT_EQ(lines.ToOffset(Position{0, 99}), 1u);  // before "\r\n"
  EXPECT_EQ(lines.ToOffset(Position{99, 0}), text.size());
  EXPECT_EQ(lines.ToPosition(1), (Position{0, 1}));
  EXPECT_EQ(lines.ToPosition(2), (Position{0, 1}));  // between \r and \n: end of line 0
}

TEST(LineIndexTest, InvalidUtf8CountsOneUnitPerByte) {
  EXPECT_EQ(Utf16Length(std::string("a\xff\xfe", 3)), 3u);
  EXPECT_EQ(Utf16Length("\xe2\x82"), 2u);  // truncated sequence
}

TEST(UriTest, FileUrisAndPaths) {
  EXPECT_EQ(UriToPath("file:///tmp/a%20b/r%C3%A9gles.vgl"), "/tmp/a b/régles.vgl");
  EXPECT_EQ(UriToPath("file://localhost/x.vgl"), "/x.vgl");
  EXPECT_EQ(UriToPath("untitled:Untitled-1"), std::nullopt);
  EXPECT_EQ(UriToPath("file:///a%2"), std::nullopt);
  EXPECT_EQ(UriToPath("file:///a%00b"), std::nullopt);
  EXPECT_EQ(UriToPath("file://elsewhere/x"), std::nullopt);
  EXPECT_EQ(PathToUri("/tmp/a b/régles.vgl"), "file:///tmp/a%20b/r%C3%A9gles.vgl");
  EXPECT_EQ(UriToPath(PathToUri("/x/#?%.vgl")), "/x/#?%.vgl");
}

}  // namespace
}  // namespace vigil::lsp
