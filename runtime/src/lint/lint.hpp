// Warnings for rules that compile but probably do not say what was meant
// (W5xxx in docs/diagnostics.md). Runs after planning, on facts collected
// from the checked module (what was declared and read) and on the planned
// conditions (where constant folding has already happened).
//
// A warning is silenced for one rule or declaration by a comment inside it or
// on the line above it:   # vigil: allow W5003 W5005
#pragma once

#include <string>
#include <vector>

#include "base/diag.hpp"
#include "eval/program.hpp"
#include "sema/module.hpp"

namespace vigil::lint {

struct UnusedDecl {
  std::string kind;  // "const", "list", "param", "let"
  std::string name;
  SourceRange range;
};

struct RuleFacts {
  bool has_title = false;
  bool has_severity = false;
  SourceRange when_range;
};

struct Facts {
  std::vector<UnusedDecl> unused;
  std::vector<RuleFacts> rules;  // in eval::Program::rules order (disabled rules left out)
};

// Before planning (which consumes the module).
Facts Collect(const sema::Module& module);
void Run(const Facts& facts, const eval::Program& program, const SourceManager& sources,
         DiagSink& diags);

// Warnings about a rule file's text itself, for every file that parses:
// bidirectional control characters (W5009), which make a shared file display
// in another order than it compiles ("Trojan Source").
void ScanText(const SourceManager& sources, uint32_t file_id, DiagSink& diags);

}  // namespace vigil::lint
