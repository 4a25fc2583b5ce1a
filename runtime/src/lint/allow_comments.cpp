#include "lint/allow_comments.hpp"

#include <algorithm>

namespace vigil::lint {

namespace {

constexpr std::string_view kMarker = "vigil:";

// Offsets of each "vigil: allow A B, C" in `text`, listed under A, B and C.
void IndexText(std::string_view text, std::unordered_map<std::string, std::vector<uint32_t>>& out) {
  for (size_t at = text.find(kMarker); at != std::string_view::npos;
       at = text.find(kMarker, at + 1)) {
    size_t eol = text.find('\n', at);
    std::string_view rest =
        text.substr(at + kMarker.size(),
                    eol == std::string_view::npos ? std::string_view::npos : eol - at - kMarker.size());
    size_t allow = rest.find("allow");
    if (allow == std::string_view::npos ||
        rest.substr(0, allow).find_first_not_of(" \t") != std::string_view::npos) {
      continue;
    }
    rest.remove_prefix(allow + 5);
    size_t pos = 0;
    while (pos < rest.size()) {
      size_t start = rest.find_first_not_of(" \t,", pos);
      if (start == std::string_view::npos) break;
      size_t stop = rest.find_first_of(" \t,", start);
      out[std::string(rest.substr(start, stop - start))].push_back(static_cast<uint32_t>(at));
      pos = stop;
    }
  }
}

}  // namespace

const AllowComments::FileIndex& AllowComments::IndexOf(uint32_t file) {
  auto it = files_.find(file);
  if (it != files_.end()) return it->second;
  FileIndex& index = files_[file];
  IndexText(sources_.file(file).text(), index);  // offsets come out sorted
  return index;
}

bool AllowComments::Allows(SourceRange scope, const std::string& code) {
  if (scope.file >= sources_.size()) return false;
  const FileIndex& index = IndexOf(scope.file);
  auto it = index.find(code);
  if (it == index.end()) return false;
  const SourceFile& f = sources_.file(scope.file);
  const auto size = static_cast<uint32_t>(f.text().size());
  const uint32_t begin = std::min(scope.begin, size);
  const uint32_t end = std::min(scope.end, size);
  // From the start of the line above the scope's first line.
  uint32_t from = static_cast<uint32_t>(f.LineText(begin).data() - f.text().data());
  if (from > 0) from = static_cast<uint32_t>(f.LineText(from - 1).data() - f.text().data());
  auto marker = std::lower_bound(it->second.begin(), it->second.end(), from);
  return marker != it->second.end() && *marker < end;
}

}  // namespace vigil::lint
