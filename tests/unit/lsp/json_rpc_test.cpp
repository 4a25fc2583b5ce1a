// The LSP message reader: frames split anywhere, several at once, and every
// kind of broken header give whole bodies or errors, never a hang.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lsp/json_rpc.hpp"

namespace vigil::lsp {
namespace {

std::vector<MessageReader::Frame> ReadAll(MessageReader& r) {
  std::vector<MessageReader::Frame> out;
  MessageReader::Frame f;
  while (r.Next(&f)) out.push_back(f);
  return out;
}

TEST(MessageReaderTest, WholeFramesFromByteByBytePieces) {
  std::string stream = FrameMessage(R"({"a":1})") + FrameMessage(R"({"b":"é"})");
  MessageReader r;
  std::vector<MessageReader::Frame> got;
  for (char c : stream) {
    r.Feed(std::string_view(&c, 1));
    for (auto& f : ReadAll(r)) got.push_back(f);
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[0].ok);
  EXPECT_EQ(got[0].body, R"({"a":1})");
  EXPECT_EQ(got[1].body, R"({"b":"é"})");
  EXPECT_EQ(r.buffered(), 0u);
  EXPECT_FALSE(r.mid_frame());
}

TEST(MessageReaderTest, SeveralFramesInOnePieceAndOtherHeaders) {
  MessageReader r;
  r.Feed("Content-Type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-length: 2\r\n\r\n{}"
         "Content-Length:3\n\n[1]");
  auto got = ReadAll(r);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].body, "{}");
  EXPECT_EQ(got[1].body, "[1]");
}

TEST(MessageReaderTest, PartialBodyWaits) {
  MessageReader r;
  r.Feed("Content-Length: 10\r\n\r\n12345");
  MessageReader::Frame f;
  EXPECT_FALSE(r.Next(&f));
  EXPECT_TRUE(r.mid_frame());
  r.Feed("67890");
  ASSERT_TRUE(r.Next(&f));
  EXPECT_EQ(f.body, "1234567890");
}

TEST(MessageReaderTest, BadHeadersAreErrorsAndReadingGoesOn) {
  MessageReader r;
  r.Feed("Content-Length: abc\r\n\r\n");
  r.Feed("X-Other: 1\r\n\r\n");
  r.Feed("no colon here\r\n\r\n");
  r.Feed("Content-Length: 2\r\nContent-Length: 3\r\n\r\n");
  r.Feed("Content-Length: -1\r\n\r\n");
  r.Feed(FrameMessage("{}"));
  auto got = ReadAll(r);
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(got[0].error, "Content-Length 'abc' is not a number");
  EXPECT_EQ(got[1].error, "message header has no Content-Length");
  EXPECT_EQ(got[2].error, "header line 'no colon here' has no ':'");
  EXPECT_EQ(got[3].error, "two different Content-Length headers");
  EXPECT_EQ(got[4].error, "Content-Length '-1' is not a number");
  EXPECT_TRUE(got[5].ok);
  EXPECT_EQ(got[5].body, "{}");
}

TEST(MessageReaderTest, EndlessHeaderIsDroppedNotKept) {
  MessageReader r;
  std::string junk(MessageReader::kMaxHeaderBytes + 100, 'x');
  r.Feed(junk);
  MessageReader::Frame f;
  ASSERT_TRUE(r.Next(&f));
  EXPECT_FALSE(f.ok);
  EXPECT_EQ(f.error, "message header is longer than 8192 bytes");
  EXPECT_EQ(r.buffered(), 0u);
}

TEST(MessageReaderTest, OversizedBodyIsSkippedAsItArrivesWithoutBuffering) {
  MessageReader r;
  const size_t size = MessageReader::kMaxBodyBytes + 10;
  r.Feed("Content-Length: " + std::to_string(size) + "\r\n\r\n");
  MessageReader::Frame f;
  ASSERT_TRUE(r.Next(&f));
  EXPECT_FALSE(f.ok);
  EXPECT_NE(f.error.find("larger than the limit"), std::string::npos);
  std::string piece(1 << 20, 'z');
  size_t sent = 0;
  while (sent + piece.size() <= size) {
    r.Feed(piece);
    sent += piece.size();
    EXPECT_FALSE(r.Next(&f));
    EXPECT_LE(r.buffered(), piece.size());
  }
  r.Feed(std::string(size - sent, 'z') + FrameMessage("{\"after\":true}"));
  ASSERT_TRUE(r.Next(&f));
  EXPECT_TRUE(f.ok);
  EXPECT_EQ(f.body, "{\"after\":true}");
}

TEST(MessageReaderTest, NestingDepthIsMeasuredOutsideStrings) {
  EXPECT_FALSE(NestsDeeperThan(R"({"a":[{"b":"[[[[[[[["}]})", 3));
  EXPECT_TRUE(NestsDeeperThan(std::string(65, '[') + std::string(65, ']'), 64));
  EXPECT_FALSE(NestsDeeperThan(std::string(64, '[') + std::string(64, ']'), 64));
  EXPECT_FALSE(NestsDeeperThan(R"(["\"[[[["])", 1));
}

}  // namespace
}  // namespace vigil::lsp
