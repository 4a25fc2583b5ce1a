// The built-in functions and aggregates as an author sees them: signature
// and one line of documentation (docs/language.md, "Built-in functions" and
// "Aggregates"), for hover and completion. A test compiles a call of each
// against the checker, so this table cannot name a function vigil lacks.
#pragma once

#include <string_view>
#include <vector>

namespace vigil::lsp {

struct BuiltinDoc {
  std::string_view name;
  std::string_view signature;  // "lower(s: string) -> string"
  std::string_view snippet;    // LSP snippet inserted by completion: "lower(${1:s})"
  std::string_view doc;
  bool aggregate = false;
};

const std::vector<BuiltinDoc>& Builtins();
// The entries of one name (min and max are both a function and an aggregate).
std::vector<const BuiltinDoc*> FindBuiltin(std::string_view name);

// Reserved words and clause words of the language (docs/language.md, "Names
// and keywords"), the duration units, severities, modes and annotations.
const std::vector<std::string_view>& Keywords();
const std::vector<std::string_view>& DurationUnits();

}  // namespace vigil::lsp
