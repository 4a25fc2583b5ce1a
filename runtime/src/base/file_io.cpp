#include "base/file_io.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigil {

namespace {

// strerror's text in the form of our messages: lower case ("permission denied").
std::string ErrnoText(int err) {
  if (err == ENOENT) return "no such file";
  std::string text = std::strerror(err);
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text;
}

const char* KindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

}  // namespace

std::string ReadFileStart(const std::string& path, size_t n) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return {};
  struct stat st {};
  std::string out;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    out.resize(n);
    ssize_t got = ::read(fd, out.data(), n);
    out.resize(got > 0 ? static_cast<size_t>(got) : 0);
  }
  ::close(fd);
  return out;
}

std::string TooLargeMessage(uint64_t size, size_t limit) {
  return fmt::format("file is too large ({} bytes; the limit is {} bytes)", size, limit);
}

bool ReadWholeFile(const std::string& path, size_t limit, std::string* text, std::string* error) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused
  // below); it changes nothing for regular files.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    *error = errno == EISDIR ? "it is a directory" : ErrnoText(errno);
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    *error = ErrnoText(errno);
    ::close(fd);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    // Devices, FIFOs and sockets may never end (/dev/zero) or never start.
    *error = S_ISDIR(st.st_mode) ? std::string("it is a directory")
                                 : fmt::format("it is {}, not a regular file", KindOf(st.st_mode));
    ::close(fd);
    return false;
  }
  if (static_cast<uint64_t>(st.st_size) > limit) {
    *error = TooLargeMessage(static_cast<uint64_t>(st.st_size), limit);
    ::close(fd);
    return false;
  }
  // The size may change while reading (or be 0, as in /proc): read to the
  // end, but never more than the limit.
  text->clear();
  text->reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = fmt::format("read error: {}", ErrnoText(errno));
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    if (text->size() + static_cast<size_t>(n) > limit) {
      *error = TooLargeMessage(text->size() + static_cast<size_t>(n), limit);
      ::close(fd);
      return false;
    }
    text->append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return true;
}

}  // namespace vigil
