// Formats a rule file given as text, as `vigil fmt` does: the formatted text,
// or nothing with the diagnostics rendered into *errors (when given). Shared
// by the formatter's tests (one definition, as unity builds put their files
// in one translation unit).
#pragma once

#include <optional>
#include <string>

#include "format/formatter.hpp"

namespace vigil::testing {

inline std::optional<std::string> FormatText(const std::string& text,
                                             std::string* errors = nullptr) {
  SourceManager sources;
  uint32_t id = sources.Add("f.vgl", text);
  DiagSink diags;
  std::optional<std::string> out = format::Format(sources, id, diags);
  if (errors != nullptr) *errors = RenderAll(diags.diagnostics(), sources);
  return out;
}

}  // namespace vigil::testing
