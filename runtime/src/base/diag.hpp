// Diagnostics are data first (code, range, message, help); rendering the
// caret text for people is a separate function.
#pragma once

#include <string>
#include <vector>

#include "base/diag_codes.hpp"
#include "base/source.hpp"

namespace vigil {

enum class Severity : uint8_t { kError, kWarning, kNote };

struct Diagnostic {
  Severity severity = Severity::kError;
  DiagCode code = DiagCode::kSyntax;
  SourceRange range;
  bool has_range = true;  // false for errors about a whole input (e.g. a missing file)
  std::string message;    // lower case, no trailing period, names quoted with '...'
  std::string help;       // optional, e.g. "did you mean 'amount'?"
};

// Collects diagnostics for one compilation. Reporting stops after
// `max_errors` errors with one final kTooManyErrors diagnostic. Warnings
// past `max_warnings` (0: no limit) are counted, not kept: Finish() adds one
// kWarningsNotShown warning with their number.
class DiagSink {
 public:
  explicit DiagSink(size_t max_errors = 20, size_t max_warnings = 0)
      : max_errors_(max_errors), max_warnings_(max_warnings) {}

  void Error(DiagCode code, SourceRange range, std::string message, std::string help = {});
  void ErrorNoRange(DiagCode code, std::string message);
  void Add(Diagnostic d);

  bool has_errors() const { return error_count_ > 0; }
  size_t error_count() const { return error_count_; }
  // True once the error limit is reached; stages should stop early.
  bool saturated() const { return error_count_ >= max_errors_; }
  const std::vector<Diagnostic>& diagnostics() const { return diags_; }
  // Warnings counted but not kept (beyond max_warnings).
  size_t warnings_not_shown() const { return warnings_not_shown_; }
  // Adds the summary of the warnings not kept, if any; call once, last.
  void Finish();

 private:
  size_t max_errors_;
  size_t max_warnings_;
  size_t error_count_ = 0;
  size_t warning_count_ = 0;
  size_t warnings_not_shown_ = 0;
  std::vector<Diagnostic> diags_;
};

// "file:line:col: error[E2001]: message", the source line, a caret line under
// the range (^ then ~), and "= help: ..." when there is help.
std::string Render(const Diagnostic& d, const SourceManager& sources);
std::string RenderAll(const std::vector<Diagnostic>& diags, const SourceManager& sources);
// "E2001" or "W1001".
std::string CodeName(const Diagnostic& d);

}  // namespace vigil
