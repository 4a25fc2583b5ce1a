// Writing a file so that a crash at any moment leaves either its old content
// or its new content, complete: the bytes go to PATH.tmp, which is fsynced
// and renamed over PATH, and then the directory is fsynced.
#pragma once

#include <sys/types.h>

#include <initializer_list>
#include <string>
#include <string_view>

namespace vigil {

// Writes the concatenation of `parts` to `path` atomically, creating it with
// `mode` (before the umask). PATH.tmp is never written through: whatever is
// there (a leftover of a crash, a planted symlink) is removed and the file
// created anew, exclusively. False with a message naming the file.
bool WriteFileAtomically(const std::string& path, std::initializer_list<std::string_view> parts,
                         mode_t mode, std::string* error);

// The name of the temporary file WriteFileAtomically uses for `path`.
std::string AtomicTempPath(const std::string& path);

}  // namespace vigil
