// The token stream of a file, comments and whitespace included, in neutral
// form (the lexer's symbolic names), for tools that work on layout rather
// than meaning: the formatter. The only ANTLR user stays syntax/.
#pragma once

#include <string_view>
#include <vector>

namespace vigil::syntax {

struct LexToken {
  std::string_view kind;  // the lexer's symbolic name: "ID", "AND", "LPAREN", "WS", "LINE_COMMENT"
  std::string_view text;  // a view into the source text
};

// Every token of `text` in order, whitespace and comments included. Tokens
// the parser would reject are returned too (ERROR_CHAR, UNTERMINATED_STRING).
std::vector<LexToken> Tokenize(std::string_view text);

}  // namespace vigil::syntax
