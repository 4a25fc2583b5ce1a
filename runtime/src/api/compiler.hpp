// The front door of the pipeline: rule files → diagnostics and, when there
// are no errors, an immutable eval::Program. Used by the CLI and the C ABI.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/diag.hpp"
#include "base/limits.hpp"
#include "base/source.hpp"
#include "eval/program.hpp"
#include "sema/tests.hpp"

namespace vigil {

struct CompileOptions {
  size_t max_errors = limits::kMaxErrors;
  // Whether imports and list files may be read from disk. When false, only
  // the sources passed in are visible (for hosts that compile from memory).
  bool allow_filesystem = true;
  // Keys of keyed hashed lists, by the name the list declares.
  std::map<std::string, std::string> hmac_keys;
};

struct SourceInput {
  std::string path;  // as shown in diagnostics; imports resolve relative to it
  std::string text;
};

struct Compilation {
  SourceManager sources;
  std::vector<Diagnostic> diagnostics;           // errors and warnings, in report order
  std::shared_ptr<const eval::Program> program;  // null when there are errors
  std::vector<sema::TestCase> tests;             // inline `test` blocks, checked

  bool ok() const { return program != nullptr; }
  size_t error_count() const;
  std::string RenderDiagnostics() const;
};

Compilation CompileFiles(const std::vector<std::string>& paths, const CompileOptions& options = {});
Compilation CompileSources(std::vector<SourceInput> inputs, const CompileOptions& options = {});
// Files read from disk and in-memory sources, compiled together.
Compilation Compile(const std::vector<std::string>& paths, std::vector<SourceInput> inputs,
                    const CompileOptions& options = {});

}  // namespace vigil
