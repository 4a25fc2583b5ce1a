// The one door through which a compilation reads files. Rule files, packs,
// imports and list files all come through FileGate::Read, which decides
// what may be read before anything is opened (docs/sharing.md, "What a
// compilation may read"):
//
// - the host's policy for plain files: with `require_packs`, a rule file
//   that is not a pack must be one of the host's own (`local_files`);
// - names: rule files and imports are *.vgl, packs *.vgp, list files *.txt,
//   *.list or *.sha256, so nothing else (/etc/passwd, /proc/self/environ)
//   is ever parsed or quoted in a diagnostic;
// - confinement: an import or list file is read from disk only inside the
//   directory tree of the rule file it descends from, or below a directory
//   the host allows (`read_roots`); symbolic links are resolved first;
// - packs are sealed: their files read only files of the same pack, and a
//   list only when pack.json names it;
// - the bytes: regular files only (no devices, FIFOs, sockets or
//   directories), size-limited before and while reading, and a read that
//   fails midway is an error (base/file_io.hpp).
//
// A new feature that reads a file must add a ReadKind here rather than
// open it itself. The one other read of a compilation is time zone data
// (`hour(ts, "Pacific/Auckland")`), from the system's tz database: the name
// is checked to be a zone name (no "..", not absolute) and the file is read
// with the same ReadWholeFile (base/tz.cpp).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "api/compiler.hpp"

namespace vigil {

enum class ReadKind : uint8_t {
  kRuleFile,  // a rule file or pack the host named
  kImport,    // `import "x.vgl"`
  kListFile,  // `list NAME: set<T> from "x.txt"`
};

// Why a read was refused; the driver maps each to a diagnostic code.
enum class Refusal : uint8_t {
  kUnreadable,     // E2009: missing, not a regular file, a failed read, or reading is disabled
  kTooLarge,       // E4001
  kUntrusted,      // E2020: a plain rule file under a policy that requires packs
  kOutsideTree,    // E2023: outside the rule files' directory tree
  kOutsidePack,    // E2009: a file of a pack reading outside the pack
  kNotInManifest,  // E2024: a pack's list that pack.json does not name
  kNotRuleFile,    // E2025: a name that is not a rule, pack or list file's
};

class FileGate {
 public:
  // `inputs` are the host's in-memory sources (readable by name).
  FileGate(const CompileOptions& options, std::vector<SourceInput> inputs);

  // A file the host named (rule file or pack; `given` when its text came in
  // memory). Its directory becomes the tree its imports and lists may read;
  // returns that tree's id, for Read.
  size_t AddRoot(const std::string& path);

  // Seals a loaded pack: its files, readable under `prefix` ("x.vgp/") from
  // files of the same pack only, and the list files pack.json names.
  void AddPack(const std::string& prefix, const std::map<std::string, std::string>& files,
               const std::vector<std::string>& lists);

  struct Request {
    std::string path;  // resolved: lexically normal, relative to the working directory
    ReadKind kind = ReadKind::kRuleFile;
    std::string from;  // the path of the file that reads it; "" for a root
    size_t tree = 0;   // the root tree `from` descends from (from AddRoot)
  };
  // Whether `r` may be read at all (names, trust, pack seal, confinement),
  // without reading it; or why not.
  bool Allowed(const Request& r, Refusal* refusal, std::string* error) const;
  // Reads `r.path` into `text` when Allowed, or says why not (`refusal`, and
  // a message that quotes no content of the file).
  bool Read(const Request& r, size_t limit, std::string* text, Refusal* refusal,
            std::string* error) const;

  // The pack prefix ("x.vgp/") `path` belongs to, or "" for a file of the host.
  std::string PackOf(const std::string& path) const;

  static bool IsRuleFileName(const std::string& path);
  static bool IsListFileName(const std::string& path);

 private:
  bool ReadMemory(const std::string& key, size_t limit, std::string* text, Refusal* refusal,
                  std::string* error) const;
  bool Confined(const Request& r, Refusal* refusal, std::string* error) const;

  const CompileOptions& options_;
  std::map<std::string, SourceInput> memory_;  // by PathKey
  struct Tree {
    std::string shown;      // as given, for messages
    std::string canonical;  // symbolic links resolved
  };
  std::vector<Tree> trees_;               // one per root
  std::vector<Tree> allowed_;             // options_.read_roots
  std::set<std::string> local_;           // options_.local_files, canonical
  std::map<std::string, std::set<std::string>> pack_lists_;  // prefix → list paths in pack.json
};

// A normalised key for a path, so that "a/../b.vgl" and "b.vgl" are one file.
std::string PathKey(const std::string& path);

}  // namespace vigil
