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

// Parses the expression in bytes [begin, end) of a file, as used for the
// `{expr}` pieces of reason templates. Returns null after reporting errors.
ast::ExprPtr ParseExpression(const SourceManager& sources, uint32_t file_id, uint32_t begin,
                             uint32_t end, DiagSink& diags);

}  // namespace vigil::syntax
