#include "base/source.hpp"

#include <algorithm>

#include "base/bom.hpp"
#include "base/utf8.hpp"

namespace vigil {

SourceFile::SourceFile(std::string path, std::string text)
    : path_(std::move(path)), text_(std::move(text)) {}

void SourceFile::BuildTables() const {
  std::call_once(tables_built_, [this] {
    line_starts_.push_back(0);
    column_at_stride_.reserve(text_.size() / kColumnStride + 1);
    uint32_t column = 0;  // code points since the line's start
    for (uint32_t i = 0; i < text_.size(); ++i) {
      if (i % kColumnStride == 0) column_at_stride_.push_back(column);
      if (text_[i] == '\n') {
        line_starts_.push_back(i + 1);
        column = 0;
      } else if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) {
        ++column;
      }
    }
  });
}

LineCol SourceFile::Position(uint32_t offset) const {
  BuildTables();
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  size_t line = static_cast<size_t>(it - line_starts_.begin());  // 1-based
  uint32_t start = line_starts_[line - 1];
  // Count from the last stride mark inside the line, if there is one.
  uint32_t mark = offset / kColumnStride * kColumnStride;
  size_t column = 0;
  if (mark > start && mark / kColumnStride < column_at_stride_.size()) {
    column = column_at_stride_[mark / kColumnStride];
    start = mark;
  }
  std::string_view before(text_.data() + start, offset - start);
  column += utf8::CountCodePoints(before);
  return LineCol{static_cast<uint32_t>(line), static_cast<uint32_t>(column + 1)};
}

std::string_view SourceFile::LineText(uint32_t offset) const {
  BuildTables();
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  uint32_t start = *(it - 1);
  // The next line's start follows this line's '\n'.
  uint32_t end = it == line_starts_.end() ? static_cast<uint32_t>(text_.size()) : *it - 1;
  if (end > start && text_[end - 1] == '\r') --end;
  return std::string_view(text_.data() + start, end - start);
}

uint32_t SourceManager::Add(std::string path, std::string text) {
  StripUtf8Bom(text);  // rule, list and schema files alike (base/bom.hpp)
  files_.push_back(std::make_unique<SourceFile>(std::move(path), std::move(text)));
  return static_cast<uint32_t>(files_.size() - 1);
}

}  // namespace vigil
