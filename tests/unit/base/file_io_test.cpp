// ReadWholeFile: the one way vigil reads a whole file. Regular files only,
// bounded whatever the file says its size is, a failed read is an error.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "base/file_io.hpp"

namespace vigil {
namespace {

namespace fs = std::filesystem;

std::string Dir() {
  std::string dir = ::testing::TempDir() + "file_io_test_" + std::to_string(::getpid());
  fs::create_directories(dir);
  return dir;
}

TEST(ReadWholeFile, ReadsARegularFile) {
  const std::string path = Dir() + "/a.txt";
  std::ofstream(path) << "hello\n";
  std::string text, error;
  ASSERT_TRUE(ReadWholeFile(path, 100, &text, &error)) << error;
  EXPECT_EQ(text, "hello\n");
}

TEST(ReadWholeFile, RefusesDirectoriesFifosSocketsAndDevicesWithoutBlocking) {
  std::string text, error;
  EXPECT_FALSE(ReadWholeFile(Dir(), 100, &text, &error));
  EXPECT_EQ(error, "it is a directory");
  const std::string fifo = Dir() + "/fifo";
  fs::remove(fifo);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_FALSE(ReadWholeFile(fifo, 100, &text, &error));  // would block for ever if opened plainly
  EXPECT_EQ(error, "it is a FIFO (named pipe), not a regular file");
  EXPECT_FALSE(ReadWholeFile("/dev/zero", 100, &text, &error));
  EXPECT_EQ(error, "it is a device, not a regular file");
  EXPECT_FALSE(ReadWholeFile("/dev/null", 100, &text, &error));
  const std::string sock = Dir() + "/sock";
  fs::remove(sock);
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock.c_str());
  if (sock.size() < sizeof(addr.sun_path) &&
      ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    EXPECT_FALSE(ReadWholeFile(sock, 100, &text, &error));
    EXPECT_EQ(error, "it is a socket, not a regular file");
  }
  ::close(fd);
}

TEST(ReadWholeFile, LimitsHoldForFilesThatClaimSizeZero) {
  // Files under /proc report size 0; reading still stops at the limit.
  std::string text, error;
  EXPECT_FALSE(ReadWholeFile("/proc/self/maps", 16, &text, &error));
  EXPECT_NE(error.find("file is too large (over 16 bytes"), std::string::npos) << error;
  const std::string path = Dir() + "/big.txt";
  std::ofstream(path) << std::string(1000, 'x');
  EXPECT_FALSE(ReadWholeFile(path, 999, &text, &error));
  EXPECT_EQ(error, "file is too large (1000 bytes; the limit is 999 bytes)");
}

TEST(ReadWholeFile, AReadThatFailsMidwayIsAnErrorNotAnEmptyFile) {
  std::string text = "unchanged", error;
  const std::string missing = Dir() + "/nope.txt";
  EXPECT_FALSE(ReadWholeFile(missing, 100, &text, &error));
  EXPECT_EQ(error, "no such file");
  EXPECT_EQ(text, "unchanged");
  // /proc/self/mem is a regular file whose read at offset 0 fails (EIO).
  EXPECT_FALSE(ReadWholeFile("/proc/self/mem", 1 << 20, &text, &error));
  EXPECT_NE(error.find("read failed after 0 bytes"), std::string::npos) << error;
  EXPECT_EQ(text, "unchanged");
}

}  // namespace
}  // namespace vigil
