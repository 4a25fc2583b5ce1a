// The `vigil` command: a table of subcommands, each in its own file.
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "api/compiler.hpp"

namespace vigil::cli {

// Exit codes shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // errors in the input (diagnostics, failed events)
inline constexpr int kExitUsage = 2;    // bad command line, or rules that do not compile (eval, test)

struct Command {
  const char* name;
  const char* summary;
  const char* usage;  // full help text
  int (*run)(const std::vector<std::string>& args);
};

const std::vector<Command>& Commands();
const Command* FindCommand(std::string_view name);
int Usage(const Command& cmd, const std::string& problem);  // prints to stderr, returns kExitUsage

int RunCheck(const std::vector<std::string>& args);
int RunEval(const std::vector<std::string>& args);
int RunTest(const std::vector<std::string>& args);
int RunExplain(const std::vector<std::string>& args);
int RunFmt(const std::vector<std::string>& args);
int RunList(const std::vector<std::string>& args);
int RunPack(const std::vector<std::string>& args);
int RunDiff(const std::vector<std::string>& args);
int RunLsp(const std::vector<std::string>& args);

// Reads a key file (its bytes, trailing newlines dropped); false when it
// cannot be read, is empty or is larger than a key can be.
inline constexpr size_t kMaxKeyFileBytes = 4096;
bool ReadKeyFile(const std::string& path, std::string* key);
// A whole file, or standard input for "-", refusing more than `limit` bytes.
bool ReadInput(const std::string& path, size_t limit, std::string* text, std::string* error);
// Replaces `path` through a temporary file created with `mode`, fsync and a
// rename: a crash leaves the old file or the new one, never half of one.
bool WriteFileAtomically(const std::string& path, const std::string& bytes, mode_t mode = 0666);
// Public key files, comma-separated (VIGIL_TRUSTED_KEYS and --trust).
bool ReadPublicKeys(const std::string& list, std::vector<std::string>* keys, std::string* error);

// `--list NAME=FILE`: supplies an external list from a file of values.
bool SupplyExternalList(const eval::Program& program, const std::string& spec, std::string* error);

// Every rule file (.vgl) below `dir` and, when `fixtures` is given, every
// fixture (.jsonl), each sorted by path.
bool CollectDirectory(const std::string& dir, std::vector<std::string>* rules,
                      std::vector<std::string>* fixtures, std::string* error);

// Rule-file arguments of check, eval, explain and diff: a directory stands
// for every .vgl file below it, as `vigil test DIR` reads it.
bool ExpandRulePaths(const std::vector<std::string>& paths, std::vector<std::string>* files,
                     std::string* error);

// Compile options from the environment: VIGIL_HMAC_KEYS, VIGIL_HOST_SCHEMA,
// VIGIL_TRUSTED_KEYS, VIGIL_REVOKED_KEYS, VIGIL_MIN_PACK_VERSION (fail closed).
CompileOptions OptionsFromEnvironment();

// Compiles rule files with OptionsFromEnvironment, printing diagnostics to
// stderr (at most `max_warnings` warnings, then their count; 0: all).
Compilation CompileAndReport(const std::vector<std::string>& files,
                             size_t max_warnings = limits::kMaxWarnings);

// What the command is working on, named if it runs out of memory after all
// ("out of memory while reading \"e.jsonl\" (line 12)"). Scoped; the innermost
// one is named, also after an exception has unwound it. The CLI is
// single-threaded.
class Doing {
 public:
  explicit Doing(std::string what, const uint64_t* line = nullptr);
  ~Doing();
  Doing(const Doing&) = delete;
  Doing& operator=(const Doing&) = delete;
  // "reading \"e.jsonl\" (line 12)": the innermost Doing in scope, or else
  // the innermost one an exception left; or empty.
  static std::string Describe();

 private:
  std::string what_;
  const uint64_t* line_;
  Doing* outer_;
  int exceptions_;  // std::uncaught_exceptions() when made
};

// Reads a file (or stdin for "-") line by line with a cap on line length.
class LineReader {
 public:
  static constexpr size_t kMaxLine = limits::kMaxEventJsonBytes;
  explicit LineReader(std::FILE* file) : file_(file) {}
  // Returns false at end of input. `too_long` is set for a line over kMaxLine
  // (its content is dropped, the reader moves past it).
  bool Next(std::string& line, bool* too_long);

 private:
  std::FILE* file_;
  std::vector<char> buf_ = std::vector<char>(1 << 16);
  size_t pos_ = 0;
  size_t len_ = 0;
  bool eof_ = false;
};

}  // namespace vigil::cli
