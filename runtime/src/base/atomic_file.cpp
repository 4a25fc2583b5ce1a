#include "base/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace vigil {

namespace {

std::string Problem(const char* what, const std::string& path) {
  return std::string(what) + " " + path + ": " + std::strerror(errno);
}

// The directory holding `path`, for the fsync that makes the rename durable.
std::string ParentDirectory(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

std::string AtomicTempPath(const std::string& path) { return path + ".tmp"; }

bool WriteFileAtomically(const std::string& path, std::initializer_list<std::string_view> parts,
                         mode_t mode, std::string* error) {
  const std::string tmp = AtomicTempPath(path);
  // A temporary file left by a run that was killed is garbage; a symlink
  // there must not make us write through it. Neither is ever opened.
  if (::unlink(tmp.c_str()) != 0 && errno != ENOENT) {
    *error = Problem("cannot remove the old temporary file", tmp);
    return false;
  }
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) {
    *error = Problem("cannot create", tmp);
    return false;
  }
  bool ok = true;
  for (std::string_view part : parts) ok = ok && WriteAll(fd, part);
  if (!ok || ::fsync(fd) != 0) {
    *error = Problem("cannot write", tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return false;
  }
  if (::close(fd) != 0) {
    *error = Problem("cannot write", tmp);
    ::unlink(tmp.c_str());
    return false;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    *error = Problem(("cannot rename " + tmp + " to").c_str(), path);
    ::unlink(tmp.c_str());
    return false;
  }
  // Make the rename itself durable.
  int dir = ::open(ParentDirectory(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return true;
}

AtomicFileBatch::~AtomicFileBatch() {
  for (const std::string& path : pending_) ::unlink(AtomicTempPath(path).c_str());
}

bool AtomicFileBatch::Add(const std::string& path, std::string_view bytes, mode_t mode,
                          std::string* error) {
  const std::string tmp = AtomicTempPath(path);
  if (::unlink(tmp.c_str()) != 0 && errno != ENOENT) {
    *error = Problem("cannot remove the old temporary file", tmp);
    return false;
  }
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) {
    *error = Problem("cannot create", tmp);
    return false;
  }
  if (!WriteAll(fd, bytes)) {
    *error = Problem("cannot write", tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return false;
  }
  if (::close(fd) != 0) {
    *error = Problem("cannot write", tmp);
    ::unlink(tmp.c_str());
    return false;
  }
  // Written twice in one batch: the second content replaces the first, as
  // two WriteFileAtomically calls would.
  if (std::find(pending_.begin(), pending_.end(), path) == pending_.end()) pending_.push_back(path);
  return true;
}

bool AtomicFileBatch::Commit(std::vector<std::pair<std::string, std::string>>* failed) {
  if (pending_.empty()) return true;
  const size_t failed_before = failed->size();
  // Every temporary file is made durable before any is renamed: one sync of
  // the file system of each directory involved.
  std::vector<std::string> dirs;
  for (const std::string& path : pending_) {
    std::string dir = ParentDirectory(path);
    if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(std::move(dir));
  }
  std::vector<std::string> unsynced;
  for (const std::string& dir : dirs) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || ::syncfs(fd) != 0) unsynced.push_back(Problem("cannot sync", dir));
    if (fd >= 0) ::close(fd);
  }
  for (const std::string& path : pending_) {
    const std::string tmp = AtomicTempPath(path);
    if (!unsynced.empty()) {
      failed->emplace_back(path, unsynced.front());
      ::unlink(tmp.c_str());
    } else if (std::rename(tmp.c_str(), path.c_str()) != 0) {
      failed->emplace_back(path, Problem(("cannot rename " + tmp + " to").c_str(), path));
      ::unlink(tmp.c_str());
    }
  }
  pending_.clear();
  // Make the renames durable.
  for (const std::string& dir : dirs) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
  }
  return failed->size() == failed_before;
}

}  // namespace vigil
