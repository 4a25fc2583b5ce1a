// The `vigil` command: a table of subcommands, each in its own file.
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <atomic>
#include <exception>
#include <string>
#include <span>
#include <string_view>
#include <vector>

#include "api/compiler.hpp"
#include "stream/eval_stream.hpp"

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
int RunCase(const std::vector<std::string>& args);
int RunReport(const std::vector<std::string>& args);
int RunRefer(const std::vector<std::string>& args);
int RunImpact(const std::vector<std::string>& args);

// Options that take one value may be given once, in every command: a repeated
// one (`--events a.jsonl --events b.jsonl`) is a usage error, never "the last
// one wins". Options that name what they set (`--list NAME=FILE`) may repeat
// for different names, not for one name.
class OnceOptions {
 public:
  // A usage problem ("--events is given twice; give it once") when `option`
  // (for `name`, if given) was taken before; empty otherwise.
  std::string Take(const std::string& option, const std::string& name = {});

 private:
  std::vector<std::string> seen_;
};

// Reads a key file (its bytes, trailing newlines dropped); false when it
// cannot be read, is empty or is larger than a key can be, with the reason
// in `error` when given ("no such file", "it is empty").
inline constexpr size_t kMaxKeyFileBytes = 4096;
bool ReadKeyFile(const std::string& path, std::string* key, std::string* error = nullptr);
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
// VIGIL_TRUSTED_KEYS, VIGIL_REVOKED_KEYS, VIGIL_MIN_PACK_VERSION,
// VIGIL_SIGNED_ONLY, VIGIL_LOCAL_FILES (fail closed), and from the command
// line's compile flags (TakeCompileFlag).
CompileOptions OptionsFromEnvironment();

// The compile flags of every command that compiles rules (check, eval,
// explain, test, diff), as their help says (VIGIL_COMPILE_FLAGS_HELP):
//   --allow-pack-overrides  a pack's overrides may target rule sets it does not declare
//   --read-root DIR         imports and list files may also be read below DIR
// Returns 1 when args[i] is one (i moves past its value), 0 when it is not,
// and -1 with `problem` set when its value is missing.
int TakeCompileFlag(const std::vector<std::string>& args, size_t& i, std::string* problem);

// The value of --threads (vigil eval, diff, test): a number from 1 to 1024.
// False with `problem` set (a usage message) otherwise.
bool ParseThreads(const std::string& value, unsigned* threads, std::string* problem);
#define VIGIL_COMPILE_FLAGS_HELP                                                          \
  "  --allow-pack-overrides  let overrides carried by a pack target rule sets the\n"     \
  "                        pack does not declare (warning W5008; docs/sharing.md)\n"     \
  "  --read-root DIR       imports and list files may also be read below DIR (by\n"      \
  "                        default only in each rule file's own directory tree)\n"

// Compiles rule files with OptionsFromEnvironment, printing diagnostics and
// every override applied to stderr (`side` labels them, for vigil diff; at
// most `max_warnings` warnings, then their count; 0: all). `index_rules`:
// false when the program will not evaluate (CompileOptions::index_rules).
Compilation CompileAndReport(const std::vector<std::string>& files, const char* side = nullptr,
                             size_t max_warnings = limits::kMaxWarnings, bool index_rules = true);

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
  // Whether reading failed (a directory, an I/O error) rather than ended.
  bool failed() const { return failed_; }

 private:
  void Finish(std::string& line);  // drops the CR of CRLF, and a BOM on line 1
  std::FILE* file_;
  size_t lines_ = 0;
  bool failed_ = false;
  std::vector<char> buf_ = std::vector<char>(1 << 16);
  size_t pos_ = 0;
  size_t len_ = 0;
  bool eof_ = false;
};

// Reads a file (or stdin) for the stream engine, which cuts the lines itself
// exactly as LineReader does (stream/block_lines.hpp, range_lines.hpp).
// Nothing of the file may have been read through its FILE buffer before.
// A regular file is read in ranges at offsets (pread), by every stream
// thread at once, from where its offset stands to the size it has when the
// run starts; anything else (a pipe, a terminal) in blocks with read(2), in
// order, one thread at a time.
class ByteReader {
 public:
  explicit ByteReader(std::FILE* file);
  // Runs the stream over the input, in ranges or in blocks as above.
  stream::StreamTotals Run(std::span<const stream::Side> sides, stream::Handler& handler,
                           const stream::StreamOptions& options);
  // Whether reading failed (a directory, an I/O error) rather than ended,
  // and the errno it failed with.
  bool failed() const { return error_.load() != 0; }
  int error() const { return error_.load(); }

 private:
  // Fills at most `size` bytes; 0 at the end of the input or after an error.
  size_t Read(char* buffer, size_t size);
  // At `offset` from the input's start; -1 on an error (recorded).
  int64_t ReadAt(char* buffer, size_t size, uint64_t offset);

  int fd_;
  bool ranges_ = false;  // a regular file: read at offsets
  uint64_t start_ = 0;   // its offset when opened
  uint64_t size_ = 0;    // its bytes from there, when opened
  std::atomic<int> error_{0};  // the first error (ReadAt runs on several threads)
};

}  // namespace vigil::cli
