// Where a rule file's top-level declarations begin, found by a cheap scan of
// its text (no lexer, no parser), so that the parse cache can parse each
// declaration apart and reuse the ones an edit did not touch.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace vigil::syntax {

// Offsets that split `text` into pieces, each a run of whole declarations:
// 0, then every line start that is outside brackets, strings and comments
// and begins with a keyword that starts a declaration (`rule`, `let`, ...).
// A wrong guess costs only speed: a piece that does not parse cleanly alone
// makes the cache parse the whole file (parse_cache.hpp).
std::vector<uint32_t> DeclarationStarts(std::string_view text);

}  // namespace vigil::syntax
