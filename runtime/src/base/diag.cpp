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

// Terminal columns of a code point: East Asian wide and emoji ranges take
// two, combining marks none, everything else one (tabs are printed as one
// space). Keeps the caret under the right character.
int CodePointWidth(char32_t c) {
  if ((c >= 0x300 && c <= 0x36F) || (c >= 0x200B && c <= 0x200F)) return 0;
  if ((c >= 0x1100 && c <= 0x115F) || (c >= 0x2600 && c <= 0x27BF) ||
      (c >= 0x2E80 && c <= 0xA4CF) || (c >= 0xAC00 && c <= 0xD7A3) ||
      (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) ||
      (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6) ||
      (c >= 0x1F300 && c <= 0x1FAFF) || (c >= 0x20000 && c <= 0x3FFFD)) {
    return 2;
  }
  return 1;
}

size_t DisplayWidth(std::string_view s) {
  size_t width = 0;
  for (size_t i = 0; i < s.size();) width += static_cast<size_t>(CodePointWidth(utf8::Decode(s, i)));
  return width;
}

// The source line as shown under a diagnostic: tabs as one space, and
// bidirectional controls as U+FFFD (one column each, like the control in
// DisplayWidth), so that the line reads in the order it is compiled.
std::string ExpandTabs(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\t') {
      out += ' ';
      continue;
    }
    size_t next = i;
    // Every bidirectional control is three bytes starting with E2.
    if (static_cast<unsigned char>(line[i]) == 0xE2 && i + 2 < line.size() &&
        utf8::IsBidiControl(utf8::Decode(line, next))) {
      out += "\xEF\xBF\xBD";
      i += 2;
      continue;
    }
    out += line[i];
  }
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
