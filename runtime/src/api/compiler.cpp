// The compile driver: reads files, follows imports, then runs the pipeline
// parse → check → plan. Bad input of any kind ends as diagnostics.
#include "api/compiler.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "api/file_gate.hpp"
#include "api/host_schema.hpp"
#include "base/bom.hpp"
#include "base/list_file.hpp"
#include "base/text.hpp"
#include "base/utf8.hpp"
#include "lint/lint.hpp"
#include "plan/planner.hpp"
#include "sema/checker.hpp"
#include "syntax/parse.hpp"
#include "syntax/parse_cache.hpp"

namespace vigil {

namespace fs = std::filesystem;

size_t Compilation::error_count() const {
  size_t n = 0;
  for (const auto& d : diagnostics) n += d.severity == Severity::kError;
  return n;
}

std::string Compilation::RenderDiagnostics() const { return RenderAll(diagnostics, sources); }

namespace {

// The diagnostic code for a read the gate refused.
DiagCode CodeFor(Refusal r) {
  switch (r) {
    case Refusal::kTooLarge: return DiagCode::kFileTooLarge;
    case Refusal::kUntrusted: return DiagCode::kUntrustedFile;
    case Refusal::kOutsideTree: return DiagCode::kOutsideTree;
    case Refusal::kNotInManifest: return DiagCode::kListNotInManifest;
    case Refusal::kNotRuleFile: return DiagCode::kNotRuleFile;
    case Refusal::kUnreadable:
    case Refusal::kOutsidePack: return DiagCode::kFileNotFound;
  }
  return DiagCode::kFileNotFound;
}

class Driver {
 public:
  Driver(Compilation& out, const CompileOptions& options, std::vector<SourceInput> inputs)
      : out_(out), options_(options), diags_(options.max_errors, options.max_warnings),
        gate_(options, std::move(inputs)) {}

  // A rule file or pack the host named (from disk or among the in-memory
  // sources). Every byte comes through the gate.
  void AddRoot(const std::string& path, const std::string& pack_files_under = "") {
    const size_t tree = gate_.AddRoot(path);
    std::string text, error;
    Refusal refusal = Refusal::kUnreadable;
    const size_t limit = path.ends_with(".vgp") ? pack::kMaxPackBytes : limits::kMaxSourceBytes;
    if (!gate_.Read(FileGate::Request{path, ReadKind::kRuleFile, "", tree}, limit, &text, &refusal,
                    &error)) {
      const char* what = refusal == Refusal::kUntrusted     ? "rule file \"{}\" refused: {}"
                         : refusal == Refusal::kNotRuleFile ? "cannot load \"{}\": {}"
                                                            : "cannot read \"{}\": {}";
      diags_.ErrorNoRange(CodeFor(refusal), fmt::format(fmt::runtime(what), path, error));
      return;
    }
    if (path.ends_with(".vgp")) {  // a pack, from disk or given in memory
      AddPack(path, std::move(text), tree, pack_files_under);
      return;
    }
    // A renamed pack would otherwise be parsed as rules ("unexpected 'vigil'").
    if (pack::LooksLikePack(text)) {
      diags_.ErrorNoRange(DiagCode::kPackRefused,
                          fmt::format("pack \"{}\" refused: a pack is loaded by a name ending "
                                      "in '.vgp'",
                                      path));
      return;
    }
    Enqueue(path, std::move(text), -1, tree, "");
  }

  void Run() {
    // Breadth-first over imports; parents always precede what they import.
    for (size_t i = 0; i < files_.size() && !diags_.saturated(); ++i) {
      std::optional<ast::File> file =
          options_.parse_cache ? options_.parse_cache->Parse(out_.sources, file_ids_[i], diags_)
                               : syntax::ParseFile(out_.sources, file_ids_[i], diags_);
      if (!file) {
        files_[i].ast.file_id = file_ids_[i];
        continue;
      }
      files_[i].ast = std::move(*file);
      lint::ScanText(out_.sources, file_ids_[i], diags_);
      FollowImports(i);
    }
    CheckCycles();
    if (!diags_.has_errors()) {
      sema::ListReader reader = [this](uint32_t from, const std::string& path, std::string* error,
                                       DiagCode* code) -> std::optional<uint32_t> {
        std::string resolved = Resolve(from, path);
        std::string text;
        Refusal refusal = Refusal::kUnreadable;
        const std::string& from_path = out_.sources.file(from).path();
        if (!gate_.Read(FileGate::Request{resolved, ReadKind::kListFile, from_path, TreeOf(from)},
                        limits::kMaxListFileBytes, &text, &refusal, error)) {
          *code = CodeFor(refusal);
          return std::nullopt;
        }
        // SourceManager::Add skips a byte-order mark, as every reader does.
        *error = CheckListText(SkipUtf8Bom(text));
        if (!error->empty()) return std::nullopt;
        return out_.sources.Add(resolved, std::move(text));
      };
      sema::CheckOptions check;
      check.hmac_keys = options_.hmac_keys;
      check.now_us = options_.now_us;
      check.allow_pack_overrides = options_.allow_pack_overrides;
      std::optional<sema::Module> module = sema::Check(files_, out_.sources, diags_, reader, check);
      if (options_.inspect) options_.inspect(files_, module ? &*module : nullptr);
      if (module && CheckPackManifests(*module)) {
        std::vector<sema::TestCase> tests = std::move(module->tests);
        // SHA-256 over every source, and over each rule set's own: the same
        // list when there is one rule set (most runs), hashed once then.
        const SourceList all = AllSources();
        const std::string digest = Sha256Of(all);
        DescribeRulesets(*module, all, digest);
        lint::Facts facts = lint::Collect(*module);
        std::shared_ptr<const eval::Program> program =
            plan::Plan(std::move(*module), out_.sources, digest, options_.index_rules,
                       options_.strategy);
        // What the compiled rules read is known once they are planned.
        if (!options_.host_schema ||
            CheckHostSchema(*options_.host_schema, *program, out_.sources, diags_)) {
          out_.tests = std::move(tests);
          out_.program = std::move(program);
          lint::Run(facts, *out_.program, out_.sources, diags_);
        }
      }
    } else if (options_.inspect) {
      options_.inspect(files_, nullptr);
    }
    diags_.Finish();
    out_.diagnostics = diags_.diagnostics();
    out_.warnings_not_shown = diags_.warnings_not_shown();
  }

 private:
  // A rule pack (.vgp): checked, verified against the host's policy, then
  // its files become in-memory sources under "PATH.vgp/", sealed by the gate.
  void AddPack(const std::string& path, std::string image, size_t tree,
               const std::string& files_under) {
    std::string error;
    pack::Pack p;
    if (!pack::ParseImage(image, &p, &error) || !pack::Verify(p, options_.pack_policy, &error)) {
      diags_.ErrorNoRange(DiagCode::kPackRefused, fmt::format("pack \"{}\" refused: {}", path, error));
      return;
    }
    if (!p.manifest.min_vigil.empty() &&
        pack::CompareVersions(VIGIL_VERSION_STRING_INTERNAL, p.manifest.min_vigil) < 0) {
      diags_.ErrorNoRange(DiagCode::kPackRefused,
                          fmt::format("pack \"{}\" needs vigil {} or later; this is vigil {}", path,
                                      p.manifest.min_vigil, VIGIL_VERSION_STRING_INTERNAL));
      return;
    }
    const std::string origin = PathKey(files_under.empty() ? path : files_under);
    const std::string prefix = origin + "/";
    std::vector<std::string> lists;
    for (const pack::ListEntry& l : p.manifest.lists) lists.push_back(l.path);
    gate_.AddPack(prefix, p.files, lists);
    for (const std::string& fixture : p.manifest.fixtures) {
      auto it = p.files.find(fixture);
      if (it == p.files.end()) {
        diags_.ErrorNoRange(DiagCode::kPackRefused,
                            fmt::format("pack \"{}\" names fixture \"{}\", which it does not contain",
                                        path, fixture));
        continue;
      }
      out_.fixtures.push_back(SourceInput{prefix + fixture, it->second, false, {}});
    }
    LoadedPack info;
    info.path = path;
    info.manifest = p.manifest;
    info.content_hash = p.content_hash;
    for (const auto& sig : p.signatures) info.signed_by.push_back(pack::ToHex(sig.public_key));
    out_.packs.push_back(std::move(info));
    for (const std::string& file : p.manifest.files) {
      Enqueue(prefix + file, p.files[file], -1, tree, origin);
    }
  }

  // The root tree a loaded source (by source id) descends from.
  size_t TreeOf(uint32_t source_id) const {
    auto it = tree_of_source_.find(source_id);
    return it == tree_of_source_.end() ? 0 : it->second;
  }

  // A pack's manifest must describe the rules it carries: the rule set's
  // name and version, and the versions of the schemas it names.
  bool CheckPackManifests(const sema::Module& module) {
    bool ok = true;
    for (const LoadedPack& p : out_.packs) {
      auto rs = std::find_if(module.rulesets.begin(), module.rulesets.end(),
                             [&](const eval::RulesetInfo& r) { return r.name == p.manifest.name; });
      if (rs == module.rulesets.end() || rs->version != p.manifest.version) {
        diags_.ErrorNoRange(
            DiagCode::kPackRefused,
            fmt::format("pack \"{}\": pack.json describes rule set {} {}, but its rules declare {}",
                        p.path, p.manifest.name, p.manifest.version,
                        rs == module.rulesets.end() ? "no such rule set"
                                                    : "version " + rs->version));
        ok = false;
      }
      for (const auto& [name, version] : p.manifest.schemas) {
        if (module.schema.name != name || module.schema.version != version) {
          diags_.ErrorNoRange(
              DiagCode::kPackRefused,
              fmt::format("pack \"{}\": pack.json needs schema {} version {}, but its rules use "
                          "schema {} version {}",
                          p.path, name, version, module.schema.name, module.schema.version));
          ok = false;
        }
      }
    }
    return ok;
  }

  std::string Resolve(uint32_t from_file, const std::string& path) {
    fs::path base = fs::path(out_.sources.file(from_file).path()).parent_path();
    return (base / path).lexically_normal().generic_string();
  }

  // Whether one more source file fits kMaxFiles; if not, says so once, at
  // the import that asks for it (`at`; null for a file given by the host).
  bool RoomForAnotherFile(const std::string& path, const SourceRange* at) {
    if (files_.size() < limits::kMaxFiles) return true;
    if (!reported_too_many_files_) {
      std::string message = fmt::format("cannot load \"{}\": too many source files (the limit is {})",
                                         path, limits::kMaxFiles);
      if (at != nullptr) {
        diags_.Error(DiagCode::kTooMany, *at, std::move(message));
      } else {
        diags_.ErrorNoRange(DiagCode::kTooMany, std::move(message));
      }
      reported_too_many_files_ = true;
    }
    return false;
  }

  // False when a limit refuses the file (the error is reported, at `at` for
  // an import).
  bool Enqueue(const std::string& path, std::string text, int parent, size_t tree,
               std::string origin, const SourceRange* at = nullptr) {
    if (!RoomForAnotherFile(path, at)) return false;
    // Each file is parsed alone, but the ASTs of all are kept until planned.
    source_bytes_ += text.size();
    if (source_bytes_ > limits::kMaxSourceBytesTotal) {
      std::string message = fmt::format("cannot compile \"{}\": the rule files of this compilation "
                                        "would hold {} bytes (the limit is {} in all)",
                                        path, source_bytes_, limits::kMaxSourceBytesTotal);
      if (at != nullptr) {
        diags_.Error(DiagCode::kFileTooLarge, *at, std::move(message));
      } else {
        diags_.ErrorNoRange(DiagCode::kFileTooLarge, std::move(message));
      }
      return false;
    }
    loaded_.emplace(PathKey(path), files_.size());
    edges_.emplace_back();
    file_ids_.push_back(out_.sources.Add(path, std::move(text)));
    tree_of_source_.emplace(file_ids_.back(), tree);
    sema::LoadedFile f;
    f.parent = parent;
    f.origin = std::move(origin);
    files_.push_back(std::move(f));
    return true;
  }

  // Reports each import that closes a cycle (a imports b imports a), by a
  // depth-first walk over the import edges; iterative, so deep chains of
  // imports cannot overflow the stack.
  void CheckCycles() {
    enum Color : uint8_t { kWhite, kGray, kBlack };
    std::vector<Color> color(files_.size(), kWhite);
    for (size_t root = 0; root < files_.size(); ++root) {
      if (color[root] != kWhite) continue;
      std::vector<std::pair<size_t, size_t>> stack{{root, 0}};  // (file, next edge)
      color[root] = kGray;
      while (!stack.empty()) {
        auto& [file, next] = stack.back();
        if (next == edges_[file].size()) {
          color[file] = kBlack;
          stack.pop_back();
          continue;
        }
        const Edge& edge = edges_[file][next++];
        if (color[edge.target] == kGray) {
          diags_.Error(DiagCode::kImportCycle, edge.range,
                       fmt::format("import cycle: \"{}\" imports \"{}\", which imports it back",
                                   out_.sources.file(file_ids_[file]).path(),
                                   out_.sources.file(file_ids_[edge.target]).path()));
        } else if (color[edge.target] == kWhite) {
          color[edge.target] = kGray;
          stack.emplace_back(edge.target, 0);
        }
      }
    }
  }

  void FollowImports(size_t index) {
    for (const auto& item : files_[index].ast.items) {
      const auto* imp = std::get_if<ast::ImportDecl>(&item);
      if (imp == nullptr) continue;
      std::string path = Resolve(file_ids_[index], imp->path.value);
      const std::string& from = out_.sources.file(file_ids_[index]).path();
      const size_t tree = TreeOf(file_ids_[index]);
      FileGate::Request request{path, ReadKind::kImport, from, tree};
      std::string text;
      std::string error;
      Refusal refusal = Refusal::kUnreadable;
      auto it = loaded_.find(PathKey(path));
      // Already loaded: compiled once however often it is imported, but
      // only where this file may read.
      const bool known = it != loaded_.end();
      if (!known && !RoomForAnotherFile(path, &imp->path.range)) continue;  // before reading it
      const bool ok = known ? gate_.Allowed(request, &refusal, &error)
                            : gate_.Read(request, limits::kMaxSourceBytes, &text, &refusal, &error);
      if (!ok) {
        diags_.Error(CodeFor(refusal), imp->path.range,
                     fmt::format("cannot import \"{}\": {}", imp->path.value, error));
        continue;
      }
      if (known) {
        edges_[index].push_back(Edge{it->second, imp->path.range});
        continue;
      }
      const size_t target = files_.size();
      // Only an enqueued file gets an edge: a refused one (a limit) has no index.
      if (Enqueue(path, std::move(text), static_cast<int>(index), tree, files_[index].origin,
                  &imp->path.range)) {
        edges_[index].push_back(Edge{target, imp->path.range});
      }
    }
  }

  // Sources as a digest covers them, in its order: each one's path as the
  // digest names it, and its id.
  using SourceList = std::vector<std::pair<std::string, size_t>>;

  // What evidence records say about each rule set: the digest of its own
  // files and the pack it came from. `all` and `all_digest` are every
  // source's (AllSources), which a rule set's list equals when it is the
  // only one: SHA-256 (libsodium's portable code, ~30 instructions a byte)
  // runs once over them, not twice.
  void DescribeRulesets(sema::Module& module, const SourceList& all,
                        const std::string& all_digest) const {
    for (size_t r = 0; r < module.rulesets.size(); ++r) {
      eval::RulesetInfo& info = module.rulesets[r];
      const SourceList own = RulesetSources(static_cast<int>(r), module.file_rulesets);
      info.sources_digest = own == all ? all_digest : Sha256Of(own);
      for (const LoadedPack& p : out_.packs) {
        if (p.manifest.name != info.name) continue;
        info.pack = eval::PackInfo{p.path, p.manifest.version, p.content_hash, p.signed_by};
      }
    }
  }

  // The files a rule set's digest covers: those that belong to it and every
  // file they import (that belongs to no other rule set), sorted by their
  // paths relative to the directory of its first file. The same files give
  // the same digest however they are given: by path, as a directory or in a
  // pack.
  SourceList RulesetSources(int ruleset, const std::vector<int>& file_rulesets) const {
    std::vector<bool> in(files_.size(), false);
    std::vector<size_t> todo;
    for (size_t i = 0; i < files_.size() && i < file_rulesets.size(); ++i) {
      if (file_rulesets[i] == ruleset) todo.push_back(i);
    }
    std::optional<fs::path> base;
    if (!todo.empty()) {
      base = fs::path(out_.sources.file(file_ids_[todo.front()]).path()).lexically_normal()
                 .parent_path();
    }
    while (!todo.empty()) {
      size_t f = todo.back();
      todo.pop_back();
      if (in[f] || (f < file_rulesets.size() && file_rulesets[f] >= 0 &&
                    file_rulesets[f] != ruleset)) {
        continue;
      }
      in[f] = true;
      for (const Edge& e : edges_[f]) todo.push_back(e.target);
    }
    SourceList files;
    for (size_t i = 0; i < files_.size(); ++i) {
      if (!in[i]) continue;
      fs::path path = fs::path(out_.sources.file(file_ids_[i]).path()).lexically_normal();
      files.emplace_back(path.lexically_relative(*base).generic_string(), i);
    }
    std::sort(files.begin(), files.end());
    for (auto& [path, i] : files) i = file_ids_[i];
    return files;
  }

  // SHA-256 (hex) over sources, each as "PATH\nLENGTH\n" and its text, in
  // the order given.
  std::string Sha256Of(const SourceList& files) const {
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init(&state);
    for (const auto& [path, id] : files) {
      const SourceFile& f = out_.sources.file(static_cast<uint32_t>(id));
      std::string header = fmt::format("{}\n{}\n", path, f.text().size());
      crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(header.data()),
                                header.size());
      crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(f.text().data()),
                                f.text().size());
    }
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&state, digest);
    std::string hex(2 * sizeof(digest), '\0');
    text::HexInto(digest, sizeof(digest), hex.data());
    return hex;
  }

  // Every source (path and text, in load order), for the SHA-256 that
  // explanations name so that a report can prove which rules produced it.
  // Paths are relative to the first file's directory: the digest does not
  // depend on where the files are.
  SourceList AllSources() const {
    fs::path base;
    if (!file_ids_.empty()) {
      base = fs::path(out_.sources.file(file_ids_[0]).path()).lexically_normal().parent_path();
    }
    SourceList files;
    for (uint32_t id : file_ids_) {
      files.emplace_back(fs::path(out_.sources.file(id).path())
                             .lexically_normal()
                             .lexically_relative(base)
                             .generic_string(),
                         id);
    }
    return files;
  }

  Compilation& out_;
  const CompileOptions& options_;
  DiagSink diags_;
  FileGate gate_;  // every file read goes through it
  std::map<uint32_t, size_t> tree_of_source_;  // source id → root tree (FileGate::AddRoot)
  std::map<std::string, size_t> loaded_;
  std::vector<sema::LoadedFile> files_;
  std::vector<uint32_t> file_ids_;
  struct Edge {
    size_t target;
    SourceRange range;  // the import's path, for the message
  };
  std::vector<std::vector<Edge>> edges_;  // imports of each file
  size_t source_bytes_ = 0;               // of the rule files enqueued (kMaxSourceBytesTotal)
  bool reported_too_many_files_ = false;  // kMaxFiles is reported once
};

}  // namespace

Compilation Compile(const std::vector<std::string>& paths, std::vector<SourceInput> inputs,
                    const CompileOptions& options) {
  Compilation out;
  std::vector<std::pair<std::string, std::string>> roots;  // path, pack_files_under
  for (const auto& in : inputs) {
    if (in.root) roots.emplace_back(in.path, in.pack_files_under);
  }
  Driver driver(out, options, std::move(inputs));
  for (const auto& p : paths) driver.AddRoot(p);
  for (const auto& [path, under] : roots) driver.AddRoot(path, under);  // read from memory
  driver.Run();
  return out;
}

Compilation CompileFiles(const std::vector<std::string>& paths, const CompileOptions& options) {
  return Compile(paths, {}, options);
}

Compilation CompileSources(std::vector<SourceInput> inputs, const CompileOptions& options) {
  return Compile({}, std::move(inputs), options);
}

}  // namespace vigil
