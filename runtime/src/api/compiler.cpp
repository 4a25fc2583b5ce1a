// The compile driver: reads files, follows imports, then runs the pipeline
// parse → check → plan. Bad input of any kind ends as diagnostics.
#include "api/compiler.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "base/file_io.hpp"
#include "base/text.hpp"
#include "base/utf8.hpp"
#include "lint/lint.hpp"
#include "plan/planner.hpp"
#include "sema/checker.hpp"
#include "syntax/parse.hpp"

namespace vigil {

namespace fs = std::filesystem;

size_t Compilation::error_count() const {
  size_t n = 0;
  for (const auto& d : diagnostics) n += d.severity == Severity::kError;
  return n;
}

std::string Compilation::RenderDiagnostics() const { return RenderAll(diagnostics, sources); }

namespace {

// A normalised key for a path, so that "a/../b.vgl" and "b.vgl" are one file.
std::string PathKey(const std::string& path) {
  return fs::path(path).lexically_normal().generic_string();
}

class Driver {
 public:
  Driver(Compilation& out, const CompileOptions& options, std::vector<SourceInput> inputs)
      : out_(out), options_(options), diags_(options.max_errors, options.max_warnings) {
    for (auto& in : inputs) memory_.emplace(PathKey(in.path), std::move(in));
  }

  void AddRoot(const std::string& path, std::optional<std::string> text) {
    if (path.ends_with(".vgp")) {  // a pack, from disk or given in memory
      AddPack(path, std::move(text));
      return;
    }
    // A renamed pack would otherwise be parsed as rules ("unexpected 'vigil'").
    if ((text && pack::LooksLikePack(*text)) ||
        (!text && !memory_.contains(PathKey(path)) && options_.allow_filesystem &&
         pack::LooksLikePack(ReadFileStart(path, 16)))) {
      diags_.ErrorNoRange(DiagCode::kPackRefused,
                          fmt::format("pack \"{}\" refused: a pack is loaded by a name ending "
                                      "in '.vgp'",
                                      path));
      return;
    }
    if (!text) {
      std::string content;
      std::string error;
      if (!Load(path, limits::kMaxSourceBytes, &content, &error)) {
        DiagCode code = error.starts_with("file is too large") ? DiagCode::kFileTooLarge
                                                               : DiagCode::kFileNotFound;
        diags_.ErrorNoRange(code, fmt::format("cannot read \"{}\": {}", path, error));
        return;
      }
      text = std::move(content);
    }
    Enqueue(path, std::move(*text), -1);
  }

  void Run() {
    // Breadth-first over imports; parents always precede what they import.
    for (size_t i = 0; i < files_.size() && !diags_.saturated(); ++i) {
      std::optional<ast::File> file = syntax::ParseFile(out_.sources, file_ids_[i], diags_);
      if (!file) {
        files_[i].ast.file_id = file_ids_[i];
        continue;
      }
      files_[i].ast = std::move(*file);
      FollowImports(i);
    }
    CheckCycles();
    if (!diags_.has_errors()) {
      sema::ListReader reader = [this](uint32_t from, const std::string& path,
                                       std::string* error) -> std::optional<uint32_t> {
        std::string resolved = Resolve(from, path);
        if (!InsideItsPack(from, resolved)) {
          *error = "a file of a pack cannot read files outside the pack";
          return std::nullopt;
        }
        std::string text;
        if (!Load(resolved, limits::kMaxListFileBytes, &text, error)) return std::nullopt;
        size_t bad = utf8::FindInvalid(text);
        if (bad != std::string::npos) {
          *error = fmt::format("invalid UTF-8 at byte {}", bad);
          return std::nullopt;
        }
        return out_.sources.Add(resolved, std::move(text));
      };
      sema::CheckOptions check;
      check.hmac_keys = options_.hmac_keys;
      check.now_us = options_.now_us;
      std::optional<sema::Module> module = sema::Check(files_, out_.sources, diags_, reader, check);
      if (options_.inspect) options_.inspect(files_, module ? &*module : nullptr);
      if (module && CheckPackManifests(*module) && CheckHostSchema(*module)) {
        out_.tests = std::move(module->tests);
        lint::Facts facts = lint::Collect(*module);
        out_.program = plan::Plan(std::move(*module), out_.sources, Digest());
        lint::Run(facts, *out_.program, out_.sources, diags_);
      }
    } else if (options_.inspect) {
      options_.inspect(files_, nullptr);
    }
    diags_.Finish();
    out_.diagnostics = diags_.diagnostics();
    out_.warnings_not_shown = diags_.warnings_not_shown();
  }

 private:
  bool Load(const std::string& path, size_t limit, std::string* text, std::string* error) {
    auto it = memory_.find(PathKey(path));
    if (it != memory_.end()) {
      if (it->second.text.size() > limit) {
        *error = TooLargeMessage(it->second.text.size(), limit);
        return false;
      }
      *text = it->second.text;
      return true;
    }
    if (!options_.allow_filesystem) {
      *error = "no such source was given (reading files is disabled)";
      return false;
    }
    return ReadWholeFile(path, limit, text, error);
  }

  // A rule pack (.vgp): checked, verified against the host's policy, then
  // its files become in-memory sources under "PATH.vgp/".
  void AddPack(const std::string& path, std::optional<std::string> given) {
    std::string image, error;
    if (given) {
      image = std::move(*given);
    } else if (!Load(path, pack::kMaxPackBytes, &image, &error)) {
      diags_.ErrorNoRange(DiagCode::kFileNotFound, fmt::format("cannot read \"{}\": {}", path, error));
      return;
    }
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
    const std::string prefix = PathKey(path) + "/";
    pack_prefixes_.push_back(prefix);
    for (auto& [inner, bytes] : p.files) {
      memory_.emplace(prefix + inner, SourceInput{prefix + inner, bytes, false});
    }
    for (const std::string& fixture : p.manifest.fixtures) {
      auto it = p.files.find(fixture);
      if (it == p.files.end()) {
        diags_.ErrorNoRange(DiagCode::kPackRefused,
                            fmt::format("pack \"{}\" names fixture \"{}\", which it does not contain",
                                        path, fixture));
        continue;
      }
      out_.fixtures.push_back(SourceInput{prefix + fixture, it->second, false});
    }
    LoadedPack info;
    info.path = path;
    info.manifest = p.manifest;
    info.content_hash = p.content_hash;
    for (const auto& sig : p.signatures) info.signed_by.push_back(pack::ToHex(sig.public_key));
    out_.packs.push_back(std::move(info));
    for (const std::string& file : p.manifest.files) Enqueue(prefix + file, p.files[file], -1);
  }

  // A file inside a pack reads only files of the same pack.
  bool InsideItsPack(uint32_t from_file, const std::string& resolved) const {
    const std::string from = PathKey(out_.sources.file(from_file).path());
    for (const std::string& prefix : pack_prefixes_) {
      if (from.starts_with(prefix)) return PathKey(resolved).starts_with(prefix);
    }
    return true;
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

  // The host's schema must provide what the rules read: the same schema, at
  // least the version the rules are written for, and every field with its type.
  bool CheckHostSchema(const sema::Module& module) {
    if (!options_.host_schema) return true;
    const SourceInput& host = *options_.host_schema;
    uint32_t id = out_.sources.Add(host.path, host.text);
    DiagSink parse_diags(limits::kMaxErrors);
    std::optional<ast::File> file = syntax::ParseFile(out_.sources, id, parse_diags);
    const ast::SchemaDecl* schema = nullptr;
    if (file) {
      for (const auto& item : file->items) {
        if (const auto* s = std::get_if<ast::SchemaDecl>(&item)) schema = s;
      }
    }
    if (schema == nullptr || parse_diags.has_errors()) {
      for (const Diagnostic& d : parse_diags.diagnostics()) diags_.Add(d);
      diags_.ErrorNoRange(DiagCode::kHostSchema,
                          fmt::format("the host schema \"{}\" must declare one schema", host.path));
      return false;
    }
    const eval::Schema& need = module.schema;
    if (schema->name.text != need.name) {
      diags_.Error(DiagCode::kHostSchema, schema->name.range,
                   fmt::format("the rules read schema '{}', but the host provides schema '{}'",
                               need.name, schema->name.text));
      return false;
    }
    bool ok = true;
    if (schema->version < need.version) {
      diags_.Error(DiagCode::kHostSchema, schema->range,
                   fmt::format("the rules need schema '{}' version {}, but the host provides version {}",
                               need.name, need.version, schema->version));
      ok = false;
    }
    for (const eval::FieldInfo& f : need.fields) {
      const ast::FieldDecl* have = nullptr;
      for (const auto& hf : schema->fields) {
        if (hf.name.text == f.name) have = &hf;
      }
      const std::string want = TypeName(f.type);
      if (have == nullptr) {
        diags_.Error(DiagCode::kHostSchema, schema->name.range,
                     fmt::format("the rules need field '{}: {}', which the host's schema '{}' does "
                                 "not have", f.name, want, schema->name.text));
        ok = false;
      } else if (TypeRefText(have->type) != want) {
        diags_.Error(DiagCode::kHostSchema, have->range,
                     fmt::format("the rules need field '{}' as {}, but the host provides {}", f.name,
                                 want, TypeRefText(have->type)));
        ok = false;
      }
    }
    return ok;
  }

  static std::string TypeRefText(const ast::TypeRef& t) {
    return t.elem ? t.name.text + "<" + TypeRefText(*t.elem) + ">" : t.name.text;
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
  bool Enqueue(const std::string& path, std::string text, int parent,
               const SourceRange* at = nullptr) {
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
    sema::LoadedFile f;
    f.parent = parent;
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
      if (!InsideItsPack(file_ids_[index], path)) {
        diags_.Error(DiagCode::kFileNotFound, imp->path.range,
                     fmt::format("cannot import \"{}\": a file of a pack cannot read files "
                                 "outside the pack", imp->path.value));
        continue;
      }
      auto it = loaded_.find(PathKey(path));
      if (it != loaded_.end()) {
        // Already loaded: a file is compiled once however often it is imported.
        edges_[index].push_back(Edge{it->second, imp->path.range});
        continue;
      }
      if (!RoomForAnotherFile(path, &imp->path.range)) continue;  // before reading it
      std::string text;
      std::string error;
      if (!Load(path, limits::kMaxSourceBytes, &text, &error)) {
        diags_.Error(DiagCode::kFileNotFound, imp->path.range,
                     fmt::format("cannot import \"{}\": {}", imp->path.value, error));
        continue;
      }
      const size_t target = files_.size();
      // Only an enqueued file gets an edge: a refused one (a limit) has no index.
      if (Enqueue(path, std::move(text), static_cast<int>(index), &imp->path.range)) {
        edges_[index].push_back(Edge{target, imp->path.range});
      }
    }
  }

  // SHA-256 over every source (path and text, in load order): explanations
  // name it so that a report can prove which rules produced it.
  std::string Digest() const {
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init(&state);
    for (uint32_t id : file_ids_) {
      const SourceFile& f = out_.sources.file(id);
      std::string header = fmt::format("{}\n{}\n", f.path(), f.text().size());
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

  Compilation& out_;
  const CompileOptions& options_;
  DiagSink diags_;
  std::map<std::string, SourceInput> memory_;
  std::vector<std::string> pack_prefixes_;  // "x.vgp/" of each loaded pack
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
  std::vector<std::pair<std::string, std::string>> roots;
  for (const auto& in : inputs) {
    if (in.root) roots.emplace_back(in.path, in.text);
  }
  Driver driver(out, options, std::move(inputs));
  for (const auto& p : paths) driver.AddRoot(p, std::nullopt);
  for (auto& [path, text] : roots) driver.AddRoot(path, std::move(text));
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
