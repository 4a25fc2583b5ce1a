// Writing a file so that a crash at any moment leaves either its old content
// or its new content, complete: the bytes go to PATH.tmp, which is fsynced
// and renamed over PATH, and then the directory is fsynced.
#pragma once

#include <sys/types.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil {

// Writes the concatenation of `parts` to `path` atomically, creating it with
// `mode` (before the umask). PATH.tmp is never written through: whatever is
// there (a leftover of a crash, a planted symlink) is removed and the file
// created anew, exclusively. False with a message naming the file.
bool WriteFileAtomically(const std::string& path, std::initializer_list<std::string_view> parts,
                         mode_t mode, std::string* error);

// The name of the temporary file WriteFileAtomically uses for `path`.
std::string AtomicTempPath(const std::string& path);

// Many files written each as WriteFileAtomically writes one (PATH.tmp
// created anew, made durable, renamed over PATH, the rename made durable),
// but with one sync of the file system for a batch of files instead of two
// per file: Add writes a PATH.tmp; Commit syncs them all (syncfs), renames
// each into place, then syncs each directory once. A crash leaves each PATH
// with its old content or its new content, complete, as before; files not
// yet committed stay as PATH.tmp (removed by the next write of PATH).
class AtomicFileBatch {
 public:
  AtomicFileBatch() = default;
  AtomicFileBatch(const AtomicFileBatch&) = delete;
  AtomicFileBatch& operator=(const AtomicFileBatch&) = delete;
  ~AtomicFileBatch();  // removes the temporary files of an uncommitted batch

  // Writes PATH.tmp; false with a message naming the file (nothing pending
  // for it then). A path added again in the same batch gets the new content.
  bool Add(const std::string& path, std::string_view bytes, mode_t mode, std::string* error);
  size_t pending() const { return pending_.size(); }  // distinct paths
  // Commits every pending file. Each path that could not be put in place is
  // appended to `failed` with its message; true when none failed.
  bool Commit(std::vector<std::pair<std::string, std::string>>* failed);

 private:
  std::vector<std::string> pending_;  // final paths whose PATH.tmp is written
};

}  // namespace vigil
