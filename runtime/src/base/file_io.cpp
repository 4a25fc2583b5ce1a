#include "base/file_io.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace vigil {

namespace fs = std::filesystem;

bool ReadWholeFile(const std::string& path, size_t limit, std::string* text, std::string* error) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    *error = "it is a directory";
    return false;
  }
  auto size = fs::file_size(path, ec);
  if (ec) {
    *error = ec == std::errc::no_such_file_or_directory ? "no such file" : ec.message();
    return false;
  }
  if (size > limit) {
    *error = fmt::format("file is too large ({} bytes; the limit is {} bytes)", size, limit);
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot open it";
    return false;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  *text = buf.str();
  return true;
}

}  // namespace vigil
