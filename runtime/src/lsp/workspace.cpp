#include "lsp/workspace.hpp"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "base/file_io.hpp"
#include "base/limits.hpp"
#include "lsp/uri.hpp"
#include "pack/pack.hpp"
#include "syntax/parse_cache.hpp"

namespace vigil::lsp {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxPackSearchLevels = 16;
constexpr size_t kMaxImportScanFiles = 200;
constexpr size_t kMaxImporterChain = 8;

}  // namespace

std::optional<uint32_t> Analysis::FileId(const std::string& path) const {
  auto it = files.find(path);
  if (it == files.end()) return std::nullopt;
  return it->second;
}

const LineIndex& Analysis::Lines(uint32_t file) const {
  auto& slot = lines_[file];
  if (!slot) slot = std::make_unique<LineIndex>(Text(file));
  return *slot;
}

const TestReport* Analysis::Tests() const {
  if (!compilation.ok()) return nullptr;
  if (!tests_) tests_ = RunTests(compilation, {});
  return &*tests_;
}

// ---------------------------------------------------------------- paths

Workspace::Workspace(CompileOptions base) : base_(std::move(base)) {
  base_.index_rules = false;
  base_.parse_cache = std::make_shared<syntax::ParseCache>();
}

void Workspace::SetRoot(const std::string& absolute_dir) {
  std::string root = fs::path(absolute_dir).lexically_normal().generic_string();
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  root_ = root == "/" ? "" : root;
}

std::string Workspace::DisplayPath(const std::string& absolute) const {
  std::string normal = fs::path(absolute).lexically_normal().generic_string();
  if (!root_.empty() && normal.size() > root_.size() + 1 && normal.starts_with(root_) &&
      normal[root_.size()] == '/') {
    return normal.substr(root_.size() + 1);
  }
  return normal;
}

std::string Workspace::AbsolutePath(const std::string& path) const {
  if (path.starts_with("/")) return path;
  std::string base = root_;
  if (base.empty()) {
    std::error_code ec;
    base = fs::current_path(ec).generic_string();
  }
  return (fs::path(base) / path).lexically_normal().generic_string();
}

std::string Workspace::PathToUri(const std::string& path) const {
  for (const auto& [uri, doc] : docs_) {
    if (doc.path == path) return uri;
  }
  return lsp::PathToUri(AbsolutePath(path));
}

// ---------------------------------------------------------------- documents

bool Workspace::Open(const std::string& uri, std::string text, int64_t version,
                     std::string* error) {
  std::optional<std::string> abs = UriToPath(uri);
  if (!abs) {
    *error = "only file: URIs are supported, not '" + uri.substr(0, 80) + "'";
    return false;
  }
  Document& doc = docs_[uri];
  doc.uri = uri;
  doc.path = DisplayPath(*abs);
  doc.text = std::move(text);
  doc.version = version;
  Changed(doc);
  return true;
}

Document* Workspace::Find(const std::string& uri) {
  auto it = docs_.find(uri);
  return it == docs_.end() ? nullptr : &it->second;
}

void Workspace::Changed(Document& doc) {
  bool found = false;
  for (auto& unit : units_) {
    if (unit->members.count(doc.path) > 0 ||
        std::find(unit->roots.begin(), unit->roots.end(), doc.path) != unit->roots.end()) {
      unit->dirty = true;
      found = true;
    }
  }
  if (!found) UnitFor(doc.path);
}

void Workspace::Close(const std::string& uri) {
  auto it = docs_.find(uri);
  if (it == docs_.end()) return;
  const std::string path = it->second.path;
  docs_.erase(it);
  // A unit none of whose files is open any more is dropped; the others read
  // the file from disk from now on.
  for (size_t i = 0; i < units_.size();) {
    Unit& unit = *units_[i];
    bool open = false;
    for (const auto& [u, doc] : docs_) open = open || unit.members.count(doc.path) > 0;
    if (!open) {
      for (const auto& p : unit.members) touched_.insert(p);
      units_.erase(units_.begin() + static_cast<long>(i));
      continue;
    }
    if (unit.members.count(path) > 0) unit.dirty = true;
    ++i;
  }
}

void Workspace::FilesChanged() {
  for (auto& unit : units_) unit->dirty = true;
}

bool Workspace::HasDirty() const {
  if (!touched_.empty()) return true;
  for (const auto& unit : units_) {
    if (unit->dirty) return true;
  }
  return false;
}

// ---------------------------------------------------------------- units

Workspace::Unit& Workspace::UnitFor(const std::string& path) {
  for (auto& unit : units_) {
    if (unit->members.count(path) > 0) return *unit;
  }
  for (auto& unit : units_) {
    if (std::find(unit->roots.begin(), unit->roots.end(), path) != unit->roots.end()) return *unit;
  }
  auto unit = std::make_unique<Unit>();
  unit->primary = path;
  unit->roots = DiscoverRoots(path, &unit->verify_member);
  units_.push_back(std::move(unit));
  return *units_.back();
}

std::vector<std::string> Workspace::DiscoverRoots(const std::string& path, bool* verify) {
  *verify = false;
  if (auto pack = PackRoots(path)) return *pack;
  std::string top = path;
  std::set<std::string> seen{path};
  for (size_t i = 0; i < kMaxImporterChain; ++i) {
    std::optional<std::string> importer = ImporterOf(top);
    if (!importer || !seen.insert(*importer).second) break;
    top = *importer;
  }
  if (top != path) {
    *verify = true;
    return {top};
  }
  return {path};
}

// The files of the pack whose pack.json (in the file's folder or a parent)
// lists this file.
std::optional<std::vector<std::string>> Workspace::PackRoots(const std::string& path) {
  fs::path abs = AbsolutePath(path);
  fs::path dir = abs.parent_path();
  for (size_t level = 0; level < kMaxPackSearchLevels && !dir.empty(); ++level) {
    fs::path manifest_path = dir / pack::kManifestName;
    std::string text, error;
    if (ReadWholeFile(manifest_path.string(), size_t{1} << 20, &text, &error)) {
      pack::Manifest manifest;
      if (pack::ParseManifest(text, &manifest, &error)) {
        std::vector<std::string> roots;
        bool listed = false;
        for (const std::string& f : manifest.files) {
          std::string member = (dir / f).lexically_normal().generic_string();
          listed = listed || member == abs.generic_string();
          roots.push_back(DisplayPath(member));
        }
        if (listed) return roots;
      }
    }
    if (dir == dir.root_path()) break;
    dir = dir.parent_path();
  }
  return std::nullopt;
}

// A .vgl file of the same folder that imports this one (by a quick look at
// its text; the compilation confirms it).
std::optional<std::string> Workspace::ImporterOf(const std::string& path) {
  fs::path abs = AbsolutePath(path);
  std::string needle = fmt::format("\"{}\"", abs.filename().string());
  std::vector<fs::path> candidates;
  std::error_code ec;
  for (auto it = fs::directory_iterator(abs.parent_path(), ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (candidates.size() >= kMaxImportScanFiles) break;
    if (it->path().extension() == ".vgl" && it->path() != abs) candidates.push_back(it->path());
  }
  std::sort(candidates.begin(), candidates.end());
  for (const fs::path& candidate : candidates) {
    std::string display = DisplayPath(candidate.generic_string());
    std::string text, error;
    bool open = false;
    for (const auto& [uri, doc] : docs_) {
      if (doc.path == display) {
        text = doc.text;
        open = true;
      }
    }
    if (!open && !ReadWholeFile(candidate.string(), limits::kMaxSourceBytes, &text, &error)) continue;
    for (size_t at = text.find("import"); at != std::string::npos; at = text.find("import", at + 1)) {
      size_t eol = text.find('\n', at);
      std::string_view line(text.data() + at, (eol == std::string::npos ? text.size() : eol) - at);
      if (line.find(needle) != std::string_view::npos) return display;
    }
  }
  return std::nullopt;
}

void Workspace::Analyse(Unit& unit) {
  auto analysis = std::make_shared<Analysis>();
  std::vector<uint32_t> rule_files;
  CompileOptions options = base_;
  options.inspect = [&](const std::vector<sema::LoadedFile>& files, const sema::Module* module) {
    analysis->index = Index::Build(files, module);
    for (const auto& f : files) rule_files.push_back(f.ast.file_id);
  };
  std::vector<SourceInput> inputs;
  for (const auto& [uri, doc] : docs_) inputs.push_back(SourceInput{doc.path, doc.text, false});
  analysis->roots = unit.roots;
  analysis->compilation = Compile(unit.roots, std::move(inputs), options);
  const SourceManager& sources = analysis->compilation.sources;
  for (uint32_t id = 0; id < sources.size(); ++id) {
    analysis->files.emplace(sources.file(id).path(), id);
  }
  if (unit.verify_member && analysis->files.count(unit.primary) == 0) {
    // The import scan was wrong (a commented-out import): the file alone.
    unit.verify_member = false;
    unit.roots = {unit.primary};
    Analyse(unit);
    return;
  }
  unit.verify_member = false;

  // Files with syntax errors keep the names of their last good version, and
  // so do the files they imported then (a file that does not parse imports
  // nothing): their text comes from the previous analysis.
  Index& index = analysis->index;
  bool any_broken = false;
  for (const auto& d : analysis->compilation.diagnostics) {
    any_broken = any_broken || (d.has_range && d.severity == Severity::kError &&
                                static_cast<unsigned>(d.code) < 2000);
  }
  const auto first_carried = static_cast<uint32_t>(sources.size());
  if (any_broken && unit.analysis) {
    // The `uses schema` may be in a file that does not parse now.
    if (index.schema.empty()) index.schema = unit.analysis->index.schema;
    for (const auto& [path, old_id] : unit.analysis->files) {
      if (analysis->files.count(path) > 0 || !path.ends_with(".vgl") || last_good_.count(path) == 0) {
        continue;
      }
      uint32_t id = analysis->compilation.sources.Add(path, std::string(unit.analysis->Text(old_id)));
      analysis->files.emplace(path, id);
      rule_files.push_back(id);
    }
  }
  for (uint32_t id : rule_files) {
    const std::string& path = sources.file(id).path();
    bool parsed = std::find(index.parsed_files.begin(), index.parsed_files.end(), id) !=
                  index.parsed_files.end();
    bool broken = false;
    for (const auto& d : analysis->compilation.diagnostics) {
      broken = broken || (d.has_range && d.range.file == id && d.severity == Severity::kError &&
                          static_cast<unsigned>(d.code) < 2000);
    }
    bool carried = std::find(index.parsed_files.begin(), index.parsed_files.end(), id) ==
                       index.parsed_files.end() &&
                   id >= first_carried;
    broken = broken || carried;
    if (parsed || !broken) {
      std::vector<Decl> own;
      for (const Decl& d : index.decls) {
        if (d.name_range.file == id) own.push_back(d);
      }
      last_good_[path] = std::move(own);
      continue;
    }
    auto good = last_good_.find(path);
    if (good == last_good_.end()) continue;
    for (Decl d : good->second) {
      d.stale = true;
      d.name_range.file = d.range.file = id;
      if (d.value) d.value->file = id;
      index.decls.push_back(std::move(d));
      const Decl& added = index.decls.back();
      auto decl_id = static_cast<uint32_t>(index.decls.size() - 1);
      bool value = added.kind == DeclKind::kConst || added.kind == DeclKind::kParam ||
                   added.kind == DeclKind::kList || added.kind == DeclKind::kLet ||
                   (added.kind == DeclKind::kField && added.container == index.schema);
      if (value) index.values.emplace(added.name, decl_id);
    }
  }

  // Diagnostics by file, in protocol terms.
  std::map<std::string, std::vector<PublishedDiagnostic>> by_path;
  for (const Diagnostic& d : analysis->compilation.diagnostics) {
    PublishedDiagnostic p;
    p.severity = d.severity;
    p.code = CodeName(d);
    p.message = d.message;
    p.help = d.help;
    std::string path = unit.primary;
    if (d.has_range && d.range.file < sources.size()) {
      path = sources.file(d.range.file).path();
      const LineIndex& lines = analysis->Lines(d.range.file);
      p.start = lines.ToPosition(d.range.begin);
      p.end = lines.ToPosition(std::max(d.range.begin, d.range.end));
    }
    by_path[path].push_back(std::move(p));
  }
  for (const auto& p : unit.members) touched_.insert(p);
  unit.members.clear();
  for (const auto& [path, id] : analysis->files) unit.members.insert(path);
  unit.members.insert(unit.primary);
  for (const auto& p : unit.members) touched_.insert(p);
  unit.diagnostics = std::move(by_path);
  unit.analysis = std::move(analysis);
  unit.dirty = false;
}

std::shared_ptr<const Analysis> Workspace::AnalysisFor(const Document& doc) {
  Unit& unit = UnitFor(doc.path);
  if (unit.dirty || !unit.analysis) Analyse(unit);
  return unit.analysis;
}

std::vector<PublishedDiagnostic> Workspace::Union(const std::string& path) const {
  std::vector<PublishedDiagnostic> out;
  for (const auto& unit : units_) {
    if (unit->members.count(path) == 0) continue;
    auto it = unit->diagnostics.find(path);
    if (it == unit->diagnostics.end()) continue;
    for (const auto& d : it->second) {
      if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
    }
  }
  return out;
}

std::vector<Publication> Workspace::Refresh() {
  for (auto& unit : units_) {
    if (unit->dirty) Analyse(*unit);
  }
  std::vector<Publication> out;
  for (const std::string& path : touched_) {
    std::vector<PublishedDiagnostic> now = Union(path);
    // Every new version of an open document gets its diagnostics (even when
    // they did not change: the editor learns that version was checked);
    // other files only when theirs changed.
    const Document* open = nullptr;
    for (const auto& [uri, doc] : docs_) {
      if (doc.path == path) open = &doc;
    }
    auto it = published_.find(path);
    bool same = it != published_.end() && it->second == now;
    bool new_version = open != nullptr && published_version_[path] != open->version;
    if (same && !new_version) continue;
    if (it == published_.end() && now.empty() && open == nullptr) continue;
    out.push_back(Publication{PathToUri(path), now});
    published_[path] = std::move(now);
    if (open != nullptr) published_version_[path] = open->version;
  }
  touched_.clear();
  return out;
}

}  // namespace vigil::lsp
