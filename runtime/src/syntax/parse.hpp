// The parser driver: source text → AST. The only entry point into ANTLR;
// nothing outside syntax/ sees an ANTLR type.
#pragma once

#include <optional>

#include "base/diag.hpp"
#include "base/source.hpp"
#include "syntax/ast.hpp"

namespace vigil::syntax {

// Parses one file. Never throws for bad input: every problem becomes a
// diagnostic, and the result is empty when the file has syntax errors.
std::optional<ast::File> ParseFile(const SourceManager& sources, uint32_t file_id,
                                   DiagSink& diags);

// What a parse counted against the limits of one file (limits::kMaxTokens,
// limits::kMaxParseNodes).
struct ParseCounts {
  size_t tokens = 0;
  size_t nodes = 0;
};

// ParseFile's first, fast stage only (SLL prediction, stopping at the first
// syntax error), for the parse cache: empty on a syntax error, which is not
// reported (errors other than syntax errors are). When it succeeds, the AST is
// the one ParseFile gives, and `counts` says what the parse counted (the
// cache parses declarations apart and adds the counts up to know whether the
// whole file meets the limits).
std::optional<ast::File> ParseFileFast(const SourceManager& sources, uint32_t file_id,
                                       DiagSink& diags, ParseCounts* counts);

// The checks ParseFile makes on a file's text before parsing it (size,
// UTF-8, NUL bytes); false after reporting the problem.
bool CheckFileText(const SourceManager& sources, uint32_t file_id, DiagSink& diags);

// Parses the expression in bytes [begin, end) of a file, as used for the
// `{expr}` pieces of reason templates. Returns null after reporting errors.
ast::ExprPtr ParseExpression(const SourceManager& sources, uint32_t file_id, uint32_t begin,
                             uint32_t end, DiagSink& diags);

}  // namespace vigil::syntax
