#include "base/source.hpp"

#include <algorithm>

#include "base/bom.hpp"
#include "base/utf8.hpp"

namespace vigil {

SourceFile::SourceFile(std::string path, std::string text)
    : path_(std::move(path)), text_(std::move(text)) {
  line_starts_.push_back(0);
  for (uint32_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
  }
}

LineCol SourceFile::Position(uint32_t offset) const {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  size_t line = static_cast<size_t>(it - line_starts_.begin());  // 1-based
  uint32_t start = line_starts_[line - 1];
  std::string_view before(text_.data() + start, offset - start);
  return LineCol{static_cast<uint32_t>(line),
                 static_cast<uint32_t>(utf8::CountCodePoints(before) + 1)};
}

std::string_view SourceFile::LineText(uint32_t offset) const {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  uint32_t start = *(it - 1);
  uint32_t end = start;
  while (end < text_.size() && text_[end] != '\n') ++end;
  if (end > start && text_[end - 1] == '\r') --end;
  return std::string_view(text_.data() + start, end - start);
}

uint32_t SourceManager::Add(std::string path, std::string text) {
  StripUtf8Bom(text);  // rule, list and schema files alike (base/bom.hpp)
  files_.push_back(std::make_unique<SourceFile>(std::move(path), std::move(text)));
  return static_cast<uint32_t>(files_.size() - 1);
}

}  // namespace vigil
