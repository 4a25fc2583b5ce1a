#include <fmt/format.h>

#include <cstring>

#include "cli.hpp"

namespace vigil::cli {

Compilation CompileAndReport(const std::vector<std::string>& files) {
  Compilation c = CompileFiles(files);
  std::string text = c.RenderDiagnostics();
  if (!text.empty()) fmt::print(stderr, "{}", text);
  return c;
}

bool LineReader::Next(std::string& line, bool* too_long) {
  line.clear();
  *too_long = false;
  bool any = false;
  for (;;) {
    if (pos_ == len_) {
      if (eof_) return any;
      len_ = std::fread(buf_.data(), 1, buf_.size(), file_);
      pos_ = 0;
      if (len_ == 0) {
        eof_ = true;
        return any;
      }
    }
    any = true;
    const char* start = buf_.data() + pos_;
    const void* nl = std::memchr(start, '\n', len_ - pos_);
    size_t take = nl == nullptr ? len_ - pos_ : static_cast<const char*>(nl) - start;
    if (!*too_long) {
      if (line.size() + take > kMaxLine) {
        *too_long = true;
        line.clear();
      } else {
        line.append(start, take);
      }
    }
    pos_ += take;
    if (nl != nullptr) {
      ++pos_;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return true;
    }
  }
}

}  // namespace vigil::cli
