#include "base/diag.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

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
  if (d.severity == Severity::kWarning && max_warnings_ != 0 && warning_count_ >= max_warnings_) {
    ++warnings_not_shown_;
    return;
  }
  warning_count_ += d.severity == Severity::kWarning ? 1 : 0;
  diags_.push_back(std::move(d));
}

void DiagSink::Finish() {
  if (warnings_not_shown_ == 0) return;
  Diagnostic d;
  d.severity = Severity::kWarning;
  d.code = DiagCode::kWarningsNotShown;
  d.has_range = false;
  d.message = fmt::format("{} more warning{} not shown (the first {} are)", warnings_not_shown_,
                          warnings_not_shown_ == 1 ? "" : "s", max_warnings_);
  d.help = "`vigil check --all-warnings` shows every warning";
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

// Shows at most kMaxShownLineBytes of a long source line: a window around
// the range, cut at code point boundaries and marked with "..." where
// clipped, so that a diagnostic on a line of megabytes stays short.
constexpr size_t kMaxShownLineBytes = 160;
constexpr size_t kShownBeforeRange = 60;

struct ShownLine {
  std::string_view text;  // the part of the line shown
  bool clipped_front = false;
  bool clipped_back = false;
};

ShownLine ClipLine(std::string_view line, size_t begin) {
  if (line.size() <= kMaxShownLineBytes) return {line};
  auto is_continuation = [&](size_t i) {
    return i < line.size() && (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80;
  };
  size_t from = begin > kShownBeforeRange ? begin - kShownBeforeRange : 0;
  from = std::min(from, line.size() - kMaxShownLineBytes);
  while (from > 0 && is_continuation(from)) --from;
  size_t to = std::min(line.size(), from + kMaxShownLineBytes);
  while (to < line.size() && is_continuation(to)) ++to;
  return {line.substr(from, to - from), from > 0, to < line.size()};
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
  const ShownLine shown = ClipLine(line, begin - line_start);
  const auto shown_start = static_cast<uint32_t>(shown.text.data() - file.text().data());
  const auto shown_end = shown_start + static_cast<uint32_t>(shown.text.size());
  begin = std::clamp(begin, shown_start, shown_end);
  end = std::clamp(end, begin, shown_end);
  const char* front = shown.clipped_front ? "..." : "";
  out += fmt::format(" {} | {}{}{}\n", gutter, front, ExpandTabs(shown.text),
                     shown.clipped_back ? "..." : "");
  size_t lead = std::strlen(front) + DisplayWidth(shown.text.substr(0, begin - shown_start));
  size_t width = std::max<size_t>(1, DisplayWidth(shown.text.substr(begin - shown_start, end - begin)));
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
