#include "base/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vigil {

namespace {

// What a file that is not a regular file is, for the message.
const char* SpecialKind(mode_t mode) {
  if (S_ISDIR(mode)) return "it is a directory";
  if (S_ISFIFO(mode)) return "it is a FIFO (named pipe), not a regular file";
  if (S_ISSOCK(mode)) return "it is a socket, not a regular file";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "it is a device, not a regular file";
  return "it is not a regular file";
}

std::string TooLarge(uint64_t size, size_t limit, bool at_least) {
  return fmt::format("file is too large ({}{} bytes; the limit is {} bytes)", at_least ? "over " : "",
                     at_least ? limit : size, limit);
}

// Closes the descriptor however the read ends.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string ReadFileStart(const std::string& path, size_t n) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)};
  if (f.fd < 0) return {};
  struct stat st {};
  std::string out;
  if (::fstat(f.fd, &st) == 0 && S_ISREG(st.st_mode)) {
    out.resize(n);
    ssize_t got = ::read(f.fd, out.data(), n);
    out.resize(got > 0 ? static_cast<size_t>(got) : 0);
  }
  return out;
}

std::string TooLargeMessage(uint64_t size, size_t limit) { return TooLarge(size, limit, false); }

bool ReadWholeFile(const std::string& path, size_t limit, std::string* text, std::string* error) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused
  // below); it has no effect on reads of regular files.
  Fd f{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)};
  if (f.fd < 0) {
    int e = errno;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
      *error = SpecialKind(st.st_mode);  // a socket cannot even be opened (ENXIO)
    } else {
      *error = e == ENOENT ? "no such file" : e == EACCES ? "permission denied" : std::strerror(e);
    }
    return false;
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) {
    *error = std::strerror(errno);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    *error = SpecialKind(st.st_mode);
    return false;
  }
  if (static_cast<uint64_t>(st.st_size) > limit) {
    *error = TooLarge(static_cast<uint64_t>(st.st_size), limit, false);
    return false;
  }
  // The size is a hint only: files under /proc say 0, and a file may grow
  // while it is read. Reading stops one byte past the limit.
  std::string out;
  out.reserve(static_cast<size_t>(st.st_size));
  char buf[65536];
  for (;;) {
    const size_t want = std::min(sizeof(buf), limit + 1 - out.size());
    ssize_t n = ::read(f.fd, buf, want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      // A read that fails midway (EIO from /proc, a disk error) is an
      // error, never a shorter file.
      *error = fmt::format("read failed after {} bytes: {}", out.size(), std::strerror(errno));
      return false;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > limit) {
      *error = TooLarge(out.size(), limit, true);
      return false;
    }
  }
  *text = std::move(out);
  return true;
}

}  // namespace vigil
