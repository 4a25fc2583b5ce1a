// Reading whole files with a size limit checked before reading, so that a
// huge or special file never exhausts memory.
#pragma once

#include <cstddef>
#include <string>

namespace vigil {

// Reads `path` into `text`; false with a short reason ("no such file", "it is
// a directory", "file is too large (N bytes; the limit is M bytes)").
bool ReadWholeFile(const std::string& path, size_t limit, std::string* text, std::string* error);

}  // namespace vigil
