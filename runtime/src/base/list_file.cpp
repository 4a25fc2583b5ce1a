#include "base/list_file.hpp"

#include <chrono>

#include "base/time_util.hpp"
#include "base/utf8.hpp"

namespace vigil {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

constexpr int64_t kDayMicros = int64_t{86400} * 1000000;

}  // namespace

void ForEachListLine(std::string_view file, const std::function<void(const ListLine&)>& visit) {
  constexpr std::string_view kMarker = " @expires ";
  size_t pos = 0;
  size_t number = 0;
  while (pos < file.size()) {
    size_t end = file.find('\n', pos);
    if (end == std::string_view::npos) end = file.size();
    std::string_view raw = file.substr(pos, end - pos);
    ++number;
    ListLine line;
    line.text = Trim(raw);
    line.offset = pos + static_cast<size_t>(line.text.data() - raw.data());
    line.number = number;
    pos = end + 1;
    if (line.text.empty() || line.text.front() == '#') continue;
    line.value = line.text;
    size_t at = line.text.rfind(kMarker);
    if (at != std::string_view::npos) {
      line.value = Trim(line.text.substr(0, at));
      line.expiry = Trim(line.text.substr(at + kMarker.size()));
      if (line.expiry.size() == 10) {  // a date: through the end of that day
        std::optional<int64_t> day = ParseTime(std::string(line.expiry) + "T00:00:00Z");
        if (day) line.expires = *day + kDayMicros;
      } else {
        line.expires = ParseTime(line.expiry);
      }
      line.bad_expiry = !line.expires;
    }
    visit(line);
  }
}

std::string CheckListText(std::string_view file, std::string_view path) {
  size_t bad = utf8::FindInvalidText(file);
  if (bad == std::string_view::npos) return {};
  size_t line = 1;
  for (size_t i = 0; i < bad; ++i) line += file[i] == '\n';
  const std::string where =
      path.empty() ? "line " + std::to_string(line) : std::string(path) + ":" + std::to_string(line);
  return where + ": " + utf8::DescribeInvalidText(file, bad);
}

size_t CountListEntries(std::string_view file) {
  size_t entries = 0;
  size_t pos = 0;
  while (pos < file.size()) {
    size_t end = file.find('\n', pos);
    if (end == std::string_view::npos) end = file.size();
    std::string_view line = Trim(file.substr(pos, end - pos));
    entries += !line.empty() && line.front() != '#' ? 1 : 0;
    pos = end + 1;
  }
  return entries;
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace vigil
