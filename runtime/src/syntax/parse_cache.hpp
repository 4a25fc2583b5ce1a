// Parsed declarations kept from one compilation to the next, for a tool that
// compiles the same files again after every edit (the language server). A
// keystroke changes one declaration: only that one is parsed again, the
// others are copied from the cache to where they are now.
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "base/diag.hpp"
#include "base/source.hpp"
#include "syntax/ast.hpp"
#include "syntax/parse.hpp"

namespace vigil::syntax {

class ParseCache {
 public:
  // What the last Parse did (for tests and benchmarks).
  struct Stats {
    size_t pieces = 0;   // runs of declarations the file was split into
    size_t reused = 0;   // of them, found in the cache
    bool whole = false;  // the whole file was parsed as ParseFile does
  };

  // The same as ParseFile: the same AST and the same diagnostics. Each
  // piece of the file (declaration_split.hpp) is parsed alone, or found in
  // the cache by its text; when a piece does not parse without any
  // diagnostic, or the pieces together reach a limit of the file, the whole
  // file is parsed by ParseFile instead, so that errors are reported exactly
  // as ParseFile reports them. Not thread-safe: one compilation at a time.
  std::optional<ast::File> Parse(const SourceManager& sources, uint32_t file_id, DiagSink& diags);

  const Stats& last() const { return last_; }

 private:
  // One piece, parsed alone from offset 0 of source file 0.
  struct Piece {
    bool clean = false;  // parsed without any diagnostic
    ast::File ast;
    ParseCounts counts;
  };
  using Pieces = std::unordered_map<std::string, std::shared_ptr<const Piece>>;  // by text

  std::shared_ptr<const Piece> ParsePiece(const std::string& path, std::string text);

  // Each file's pieces from its last parse, by path; the least recently
  // parsed files are dropped beyond kMaxFiles.
  static constexpr size_t kMaxFiles = 64;
  std::map<std::string, Pieces> files_;
  std::list<std::string> recent_;  // paths, most recently parsed first
  Stats last_;
};

}  // namespace vigil::syntax
