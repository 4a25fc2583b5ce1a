// Reading whole files with a size limit checked before reading, so that a
// huge or special file never exhausts memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace vigil {

// Reads `path` into `text`; false with a short reason ("no such file", "it is
// a directory", "it is a FIFO, not a regular file", "file is too large (N
// bytes; the limit is M bytes)", "read error: ..."). Only regular files are
// read: devices, FIFOs and sockets are refused without waiting on them. The
// limit holds even when the file grows while it is read.
bool ReadWholeFile(const std::string& path, size_t limit, std::string* text, std::string* error);

// The first `n` bytes (fewer if the file is shorter) of a regular file, or
// empty when it cannot be read: for recognising a file by its content.
std::string ReadFileStart(const std::string& path, size_t n);

// "file is too large (N bytes; the limit is M bytes)": callers recognise it
// by its start ("file is too large").
std::string TooLargeMessage(uint64_t size, size_t limit);

}  // namespace vigil
