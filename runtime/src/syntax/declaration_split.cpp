#include "syntax/declaration_split.hpp"

#include <array>

namespace vigil::syntax {

namespace {

// Keywords that begin a top-level declaration and cannot continue one: the
// reserved ones, and `decisions` and `reversal`, which are names elsewhere
// but never follow a complete declaration as part of it (a name does not
// follow an expression, a string or a closing brace in the grammar).
constexpr std::array<std::string_view, 13> kStarters = {
    "ruleset", "uses", "schema", "const", "list", "param", "let",
    "decisions", "reversal", "import", "rule", "test", "override"};

bool IdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool StartsDeclaration(std::string_view text, size_t at) {
  for (std::string_view k : kStarters) {
    if (text.substr(at, k.size()) == k && (at + k.size() == text.size() || !IdentChar(text[at + k.size()]))) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<uint32_t> DeclarationStarts(std::string_view text) {
  std::vector<uint32_t> starts{0};
  int depth = 0;  // ( and { not yet closed; negative after a stray closer
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\n') {
      ++i;
      if (depth == 0 && i < text.size() && StartsDeclaration(text, i)) {
        starts.push_back(static_cast<uint32_t>(i));
      }
      continue;
    }
    if (c == '#' || (c == '/' && i + 1 < text.size() && text[i + 1] == '/')) {
      while (i < text.size() && text[i] != '\n') ++i;  // a comment, to the end of the line
      continue;
    }
    if (c == '"') {  // a string: it ends at its quote or, unterminated, at the line's end
      ++i;
      while (i < text.size() && text[i] != '"' && text[i] != '\n') {
        i += text[i] == '\\' && i + 1 < text.size() && text[i + 1] != '\n' && text[i + 1] != '\r' ? 2 : 1;
      }
      if (i < text.size() && text[i] == '"') ++i;
      continue;
    }
    if (c == '(' || c == '{') ++depth;
    if (c == ')' || c == '}') --depth;
    ++i;
  }
  return starts;
}

}  // namespace vigil::syntax
