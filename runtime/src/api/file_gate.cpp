#include "api/file_gate.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "base/file_io.hpp"

namespace vigil {

namespace fs = std::filesystem;

std::string PathKey(const std::string& path) {
  return fs::path(path).lexically_normal().generic_string();
}

namespace {

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The directory a file's relative imports resolve against.
std::string DirOf(const std::string& path) {
  std::string dir = fs::path(path).parent_path().generic_string();
  return dir.empty() ? "." : dir;
}

// `path` absolute, with every symbolic link resolved as far as it exists.
// Never throws: on an error the lexical form is the answer.
std::string Canonical(const std::string& path) {
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  if (ec) abs = fs::path(path);
  fs::path p = fs::weakly_canonical(abs, ec);
  return ec ? abs.lexically_normal().generic_string() : p.generic_string();
}

// Whether `path` is `dir` or below it (both canonical).
bool IsWithin(const std::string& dir, const std::string& path) {
  if (dir == "/") return true;
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         path[dir.size()] == '/');
}

}  // namespace

bool FileGate::IsRuleFileName(const std::string& path) { return EndsWith(path, ".vgl"); }

bool FileGate::IsListFileName(const std::string& path) {
  return EndsWith(path, ".txt") || EndsWith(path, ".list") || EndsWith(path, ".sha256");
}

FileGate::FileGate(const CompileOptions& options, std::vector<SourceInput> inputs)
    : options_(options) {
  for (auto& in : inputs) memory_.emplace(PathKey(in.path), std::move(in));
  for (const std::string& dir : options.read_roots) allowed_.push_back(Tree{dir, Canonical(dir)});
  // "member.vgl", "./member.vgl" and its absolute path name one local file.
  for (const std::string& path : options.local_files) local_.insert(Canonical(path));
}

size_t FileGate::AddRoot(const std::string& path) {
  const std::string dir = DirOf(path);
  trees_.push_back(Tree{dir, Canonical(dir)});
  return trees_.size() - 1;
}

void FileGate::AddPack(const std::string& prefix, const std::map<std::string, std::string>& files,
                       const std::vector<std::string>& lists) {
  for (const auto& [inner, bytes] : files) {
    memory_.emplace(prefix + inner, SourceInput{prefix + inner, bytes, false, {}});
  }
  std::set<std::string>& named = pack_lists_[prefix];
  for (const std::string& l : lists) named.insert(prefix + PathKey(l));
}

std::string FileGate::PackOf(const std::string& path) const {
  const std::string key = PathKey(path);
  for (const auto& [prefix, lists] : pack_lists_) {
    if (key.starts_with(prefix)) return prefix;
  }
  return "";
}

bool FileGate::ReadMemory(const std::string& key, size_t limit, std::string* text,
                          Refusal* refusal, std::string* error) const {
  const SourceInput& in = memory_.at(key);
  if (in.text.size() > limit) {
    *refusal = Refusal::kTooLarge;
    *error = fmt::format("file is too large ({} bytes; the limit is {} bytes)", in.text.size(),
                         limit);
    return false;
  }
  *text = in.text;
  return true;
}

// An import or list file read from disk must lie in the directory tree of
// the rule file it descends from, or below a directory the host allows.
bool FileGate::Confined(const Request& r, Refusal* refusal, std::string* error) const {
  const std::string real = Canonical(r.path);
  if (r.tree < trees_.size() && IsWithin(trees_[r.tree].canonical, real)) return true;
  for (const Tree& t : allowed_) {
    if (IsWithin(t.canonical, real)) return true;
  }
  *refusal = Refusal::kOutsideTree;
  *error = fmt::format(
      "it is outside the directory tree of the rule files (\"{}\"); a host that means it can "
      "allow a directory with --read-root DIR (C API: vigil_compiler_allow_dir)",
      r.tree < trees_.size() ? trees_[r.tree].shown : ".");
  return false;
}

bool FileGate::Allowed(const Request& r, Refusal* refusal, std::string* error) const {
  const std::string key = PathKey(r.path);
  const bool is_pack = EndsWith(key, ".vgp");
  // 1. The name says what the file is; nothing else is ever opened.
  switch (r.kind) {
    case ReadKind::kRuleFile:
      if (!IsRuleFileName(key) && !is_pack && !memory_.count(key)) {
        *refusal = Refusal::kNotRuleFile;
        *error = "rule files are named *.vgl and packs *.vgp";
        return false;
      }
      if (options_.require_packs && !is_pack && !local_.count(Canonical(key))) {
        *refusal = Refusal::kUntrusted;
        *error = "the host accepts rules only in packs that pass its trust policy "
                 "(VIGIL_SIGNED_ONLY); its own files must be named as local (VIGIL_LOCAL_FILES, "
                 "C API: vigil_compiler_add_local_file)";
        return false;
      }
      return true;
    case ReadKind::kImport:
      if (!IsRuleFileName(key)) {
        *refusal = Refusal::kNotRuleFile;
        *error = "only rule files (*.vgl) can be imported";
        return false;
      }
      break;
    case ReadKind::kListFile:
      if (!IsListFileName(key)) {
        *refusal = Refusal::kNotRuleFile;
        *error = "list files are named *.txt, *.list or *.sha256";
        return false;
      }
      break;
  }
  // 2. A pack is sealed: its files read only files of the same pack, and
  //    lists only when pack.json names them.
  const std::string reader_pack = r.from.empty() ? "" : PackOf(r.from);
  if (!reader_pack.empty()) {
    if (!key.starts_with(reader_pack)) {
      *refusal = Refusal::kOutsidePack;
      *error = "a file of a pack cannot read files outside the pack";
      return false;
    }
    if (r.kind == ReadKind::kListFile && !pack_lists_.at(reader_pack).count(key)) {
      *refusal = Refusal::kNotInManifest;
      *error = fmt::format("pack.json does not name \"{}\" in \"lists\" (every list a pack "
                           "reads is named there with its TLP marking)",
                           key.substr(reader_pack.size()));
      return false;
    }
    if (!memory_.count(key)) {
      *refusal = Refusal::kUnreadable;
      *error = fmt::format("the pack has no file \"{}\"", key.substr(reader_pack.size()));
      return false;
    }
    return true;
  }
  // 3. The host's in-memory sources; then disk, confined.
  if (memory_.count(key)) return true;
  if (!options_.allow_filesystem) {
    *refusal = Refusal::kUnreadable;
    *error = "no such source was given (reading files is disabled)";
    return false;
  }
  return Confined(r, refusal, error);
}

bool FileGate::Read(const Request& r, size_t limit, std::string* text, Refusal* refusal,
                    std::string* error) const {
  if (!Allowed(r, refusal, error)) return false;
  const std::string key = PathKey(r.path);
  if (memory_.count(key)) return ReadMemory(key, limit, text, refusal, error);
  if (!options_.allow_filesystem) {
    *refusal = Refusal::kUnreadable;
    *error = "no such source was given (reading files is disabled)";
    return false;
  }
  // Regular files only, bounded, a failed read is an error (base/file_io).
  if (!ReadWholeFile(r.path, limit, text, error)) {
    *refusal = error->starts_with("file is too large") ? Refusal::kTooLarge : Refusal::kUnreadable;
    return false;
  }
  return true;
}

}  // namespace vigil
