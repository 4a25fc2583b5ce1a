#include "base/diag.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "base/utf8.hpp"

namespace vigil {

void DiagSink::Error(DiagCode code, SourceRange range, std::string message, std::string help) {
  Add(Diagnostic{Severity::kError, code, range, true, std::move(message), std::move(help)});
}

void DiagSink::ErrorNoRange(DiagCode code, std::string message) {
  Add(Diagnostic{Severity::kError, code, {}, false, std::move(message), {}});
}

void DiagSink::Add(Diagnostic d) {
  if (d.severity == Severity::kError) {
    if (error_count_ >= max_errors_) return;
    ++error_count_;
    diags_.push_back(std::move(d));
    if (error_count_ == max_errors_) {
      diags_.push_back(Diagnostic{Severity::kError, DiagCode::kTooManyErrors, diags_.back().range,
                                  diags_.back().has_range,
                                  fmt::format("too many errors ({}); stopping here", max_errors_),
                                  {}});
    }
    return;
  }
  diags_.push_back(std::move(d));
}

std::string CodeName(const Diagnostic& d) {
  char letter = d.severity == Severity::kWarning ? 'W' : 'E';
  return fmt::format("{}{:04}", letter, static_cast<unsigned>(d.code));
}

namespace {

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kNote:
      return "note";
  }
  return "error";
}

// Display width of a piece of a line: tabs become one space (the line is
// printed with tabs expanded the same way), and each code point is one column.
size_t DisplayWidth(std::string_view s) { return utf8::CountCodePoints(s); }

std::string ExpandTabs(std::string_view line) {
  std::string out(line);
  std::replace(out.begin(), out.end(), '\t', ' ');
  return out;
}

}  // namespace

std::string Render(const Diagnostic& d, const SourceManager& sources) {
  if (!d.has_range || d.range.file >= sources.size()) {
    std::string out = fmt::format("{}[{}]: {}\n", SeverityName(d.severity), CodeName(d), d.message);
    if (!d.help.empty()) out += fmt::format("  = help: {}\n", d.help);
    return out;
  }
  const SourceFile& file = sources.file(d.range.file);
  LineCol pos = file.Position(d.range.begin);
  std::string out = fmt::format("{}:{}:{}: {}[{}]: {}\n", file.path(), pos.line, pos.column,
                                SeverityName(d.severity), CodeName(d), d.message);
  std::string_view line = file.LineText(d.range.begin);
  // Only the first line of a multi-line range is shown.
  uint32_t line_start = static_cast<uint32_t>(line.data() - file.text().data());
  uint32_t line_end = line_start + static_cast<uint32_t>(line.size());
  uint32_t begin = std::clamp(d.range.begin, line_start, line_end);
  uint32_t end = std::clamp(std::max(d.range.end, begin), begin, line_end);
  std::string gutter = fmt::format("{}", pos.line);
  std::string pad(gutter.size(), ' ');
  out += fmt::format(" {} | {}\n", gutter, ExpandTabs(line));
  size_t lead = DisplayWidth(line.substr(0, begin - line_start));
  size_t width = std::max<size_t>(1, DisplayWidth(line.substr(begin - line_start, end - begin)));
  out += fmt::format(" {} | {}^{}\n", pad, std::string(lead, ' '), std::string(width - 1, '~'));
  if (!d.help.empty()) out += fmt::format(" {} = help: {}\n", pad, d.help);
  return out;
}

std::string RenderAll(const std::vector<Diagnostic>& diags, const SourceManager& sources) {
  std::string out;
  for (const auto& d : diags) out += Render(d, sources);
  return out;
}

}  // namespace vigil
