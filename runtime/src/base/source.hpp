// Source files and positions: the one place that knows how bytes map to
// lines and columns. Every later stage refers to source text by SourceRange.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

// A byte range [begin, end) in one source file.
struct SourceRange {
  uint32_t file = 0;
  uint32_t begin = 0;
  uint32_t end = 0;
};

// 1-based line and column; the column counts Unicode code points.
struct LineCol {
  uint32_t line = 1;
  uint32_t column = 1;
};

// One file's text, owned. Positions come from a line table and a table of
// code point counts, built on first use (a list file of millions of lines
// that no diagnostic points into never needs them) and then shared by any
// thread: Position is O(log lines) plus at most kColumnStride bytes.
class SourceFile {
 public:
  SourceFile(std::string path, std::string text);

  const std::string& path() const { return path_; }
  std::string_view text() const { return text_; }
  LineCol Position(uint32_t offset) const;
  // The text of the line that holds `offset`, without its line break.
  std::string_view LineText(uint32_t offset) const;

 private:
  static constexpr uint32_t kColumnStride = 4096;
  void BuildTables() const;

  std::string path_;
  std::string text_;
  mutable std::once_flag tables_built_;
  mutable std::vector<uint32_t> line_starts_;
  // Code points from the start of its line to each multiple of
  // kColumnStride, so that a column on a line of megabytes is found quickly.
  mutable std::vector<uint32_t> column_at_stride_;
};

// Owns every file of one compilation; file ids are indexes into it.
class SourceManager {
 public:
  // Keeps `text` without a leading byte-order mark (base/bom.hpp): offsets,
  // lines and columns count from the first character after it.
  uint32_t Add(std::string path, std::string text);
  const SourceFile& file(uint32_t id) const { return *files_[id]; }
  size_t size() const { return files_.size(); }

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;
};

}  // namespace vigil
