// Deep copies of AST items moved to another place: another file id and a
// byte offset added to every range. The parse cache (parse_cache.hpp) keeps
// each declaration parsed alone, at offset 0, and copies it to where the
// declaration is now.
#pragma once

#include <cstdint>

#include "syntax/ast.hpp"

namespace vigil::syntax {

struct Relocation {
  uint32_t file = 0;    // the file id every range gets
  uint32_t offset = 0;  // added to every range's begin and end
};

// A copy of `item` (built from a parse without errors) with every range
// relocated. Ranges never set (all zero) stay unset, as in a fresh parse.
ast::Item CopyItem(const ast::Item& item, const Relocation& to);

}  // namespace vigil::syntax
