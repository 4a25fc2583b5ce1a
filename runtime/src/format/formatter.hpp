// `vigil fmt`: one canonical layout for rule files. The author's line breaks
// are kept (like gofmt); everything else is normalised: indentation (two
// spaces a block; continuation lines aligned under their clause or just
// inside the bracket that is still open), spacing around operators, commas,
// colons and brackets, blank lines (at most one, none at the edges of a
// block), trailing comments aligned in runs, one final newline. Comments are
// kept. Formatting is idempotent: formatting the output changes nothing.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/diag.hpp"
#include "base/source.hpp"

namespace vigil::format {

// The formatted text of a file, or nullopt (with diagnostics) when the file
// has syntax errors: a file that does not parse is never rewritten.
std::optional<std::string> Format(const SourceManager& sources, uint32_t file_id,
                                  DiagSink& diags);

// The check Format applies to its own output before returning it: the byte
// offset in `before` of the first token that `after` does not reproduce
// (layout aside; comments compared without trailing blanks), or -1 when both
// read as the same tokens.
long FirstChangedToken(std::string_view before, std::string_view after);

// A line diff of `before` and `after` for `vigil fmt --check` ("-" old lines,
// "+" new lines, with hunk headers giving line numbers).
std::string Diff(const std::string& path, const std::string& before, const std::string& after);

}  // namespace vigil::format
