// The front door of the pipeline: rule files → diagnostics and, when there
// are no errors, an immutable eval::Program. Used by the CLI and the C ABI.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/diag.hpp"
#include "base/limits.hpp"
#include "base/source.hpp"
#include "eval/program.hpp"
#include "pack/pack.hpp"
#include "plan/strategy.hpp"
#include "sema/checker.hpp"
#include "sema/tests.hpp"

namespace vigil::syntax {
class ParseCache;
}  // namespace vigil::syntax

namespace vigil {

struct SourceInput {
  std::string path;  // as shown in diagnostics; imports resolve relative to it
  std::string text;
  bool root = true;  // compiled; otherwise only readable by imports and lists
  // For a pack given in memory: name its files as under this directory
  // instead of under `path` ("rules/coalition/rules.vgl", not
  // "out.vgp/rules.vgl"), so that `vigil pack build` names its sources.
  std::string pack_files_under = {};
};

struct CompileOptions {
  size_t max_errors = limits::kMaxErrors;
  // Warnings kept; the rest are counted in one W5013 warning. 0: all.
  size_t max_warnings = limits::kMaxWarnings;
  // Whether imports and list files may be read from disk. When false, only
  // the sources passed in are visible (for hosts that compile from memory).
  bool allow_filesystem = true;
  // Keys of keyed hashed lists, by the name the list declares.
  std::map<std::string, std::string> hmac_keys;
  // "Now" for list entries that expire (µs since the epoch); 0: the clock.
  int64_t now_us = 0;
  // The schema the host's events follow, as a .vgl file declaring it (path
  // for messages, text). When set, rules that need a field, a type or a
  // schema version the host does not provide fail to compile (E2019).
  std::optional<SourceInput> host_schema;
  // Which rule packs (.vgp paths) are accepted: signatures, revoked keys,
  // anti-rollback. The default accepts unsigned packs whose content is intact.
  pack::TrustPolicy pack_policy;
  // For tools that need what the checker knew (the language server: names,
  // positions, types, values). Called once, after checking and before
  // planning, with every file's AST in load order (an empty AST for a file
  // with syntax errors) and the checked module, or null when checking did not
  // run or found errors (the ASTs still carry the types sema could assign).
  std::function<void(const std::vector<sema::LoadedFile>& files, const sema::Module* module)>
      inspect;
  // Plain rule files under the same policy: when set, every rule file must
  // come in a pack that passes pack_policy, except the host's own files
  // named in local_files (paths or in-memory names). E2020 otherwise.
  bool require_packs = false;
  std::set<std::string> local_files;  // as given; compared with symbolic links resolved
  // Imports and list files are read from disk only inside the directory tree
  // of the rule file they descend from, or below one of these (E2023).
  std::vector<std::string> read_roots;
  // Whether an override carried by a pack may target rule sets the pack
  // does not declare (W5008), instead of E2021.
  bool allow_pack_overrides = false;
  // Whether the planner builds the rule index, which only makes evaluation
  // faster (plan/planner.hpp): a compilation that only checks (vigil check,
  // the language server) turns it off. The program evaluates the same.
  bool index_rules = true;
  // How the rules are evaluated: by the rule index or in order
  // (plan/strategy.hpp). kAuto chooses by the estimated cost per event;
  // tests and benchmarks force one to compare them. Results are the same.
  plan::StrategyChoice strategy = plan::StrategyChoice::kAuto;
  // Parsed declarations kept from one compilation to the next, for a tool
  // that compiles the same files after each edit (the language server): only
  // the declarations whose text changed are parsed again, with the same
  // results (syntax/parse_cache.hpp). Null: every file is parsed whole. One
  // compilation at a time may use a cache.
  std::shared_ptr<syntax::ParseCache> parse_cache;
};


// A pack that was loaded, as the host may want to log it.
struct LoadedPack {
  std::string path;
  pack::Manifest manifest;
  std::string content_hash;
  std::vector<std::string> signed_by;  // hex public keys of valid signatures
};

struct Compilation {
  SourceManager sources;
  std::vector<Diagnostic> diagnostics;           // errors and warnings, in report order
  size_t warnings_not_shown = 0;                 // counted beyond max_warnings (W5013 says how many)
  std::shared_ptr<const eval::Program> program;  // null when there are errors
  std::vector<sema::TestCase> tests;             // inline `test` blocks, checked
  std::vector<SourceInput> fixtures;             // fixtures carried by packs (self-test)
  std::vector<LoadedPack> packs;

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
