// Reading whole files with a size limit checked before reading, so that a
// huge or special file never exhausts memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace vigil {

// Reads `path` into `text`; false with a short reason ("no such file", "it is
// a directory", "file is too large (N bytes; the limit is M bytes)"). Only
// regular files are read: a directory, FIFO, socket or device is refused
// without waiting on it; at most `limit` bytes are ever read, whatever the
// file claims its size is; a read that fails midway (EIO) is an error, never
// a shorter text. The reason never quotes the file's content.
bool ReadWholeFile(const std::string& path, size_t limit, std::string* text, std::string* error);

// The first `n` bytes (fewer if the file is shorter) of a regular file, or
// empty when it cannot be read: for recognising a file by its content.
std::string ReadFileStart(const std::string& path, size_t n);

// "file is too large (N bytes; the limit is M bytes)": callers recognise it
// by its start ("file is too large").
std::string TooLargeMessage(uint64_t size, size_t limit);

}  // namespace vigil
