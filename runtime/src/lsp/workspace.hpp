// The documents an editor has open and the compilations they belong to.
//
// A document is checked as `vigil check` checks the files it is compiled
// with (its "unit"): the files of its pack when a pack.json in its folder or
// a parent folder lists it; else, when a .vgl file of its folder imports it,
// that file (and whatever imports that one in turn); else the document alone
// with its imports. Open documents are read from the editor's text, every
// other file from disk. Paths under the workspace root are shown relative to
// it (the server runs there), so messages are those `vigil check` prints
// when run from the root.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/compiler.hpp"
#include "api/test_runner.hpp"
#include "lsp/index.hpp"
#include "lsp/text_position.hpp"

namespace vigil::lsp {

struct Document {
  std::string uri;
  std::string path;  // as compiled: relative to the root when under it
  std::string text;
  int64_t version = 0;
};

// One compilation of a unit and what was learnt from it.
class Analysis {
 public:
  Compilation compilation;
  Index index;
  std::map<std::string, uint32_t> files;  // path → source id
  std::vector<std::string> roots;

  std::optional<uint32_t> FileId(const std::string& path) const;
  const std::string& Path(uint32_t file) const { return compilation.sources.file(file).path(); }
  std::string_view Text(uint32_t file) const { return compilation.sources.file(file).text(); }
  const LineIndex& Lines(uint32_t file) const;
  // The tests' outcome (the runner of `vigil test`), run once on first use;
  // null when the rules do not compile.
  const TestReport* Tests() const;

 private:
  mutable std::map<uint32_t, std::unique_ptr<LineIndex>> lines_;
  mutable std::optional<TestReport> tests_;
};

// A diagnostic in protocol terms.
struct PublishedDiagnostic {
  Position start, end;
  Severity severity = Severity::kError;
  std::string code;  // "E2001"
  std::string message;
  std::string help;
  bool operator==(const PublishedDiagnostic&) const = default;
};

struct Publication {
  std::string uri;
  std::vector<PublishedDiagnostic> diagnostics;
};

class Workspace {
 public:
  // Compiles as `base` says, except that it keeps the parsed declarations
  // from one edit to the next and builds no rule index (it only checks; the
  // code lenses' tests evaluate the same without it).
  explicit Workspace(CompileOptions base);

  // The folder the server runs in: paths under it are relative.
  void SetRoot(const std::string& absolute_dir);
  const std::string& root() const { return root_; }

  // False (with an error) for a URI that is not a file: URI.
  bool Open(const std::string& uri, std::string text, int64_t version, std::string* error);
  Document* Find(const std::string& uri);
  void Changed(Document& doc);  // after the text was edited
  void Close(const std::string& uri);
  // Files changed on disk: every unit is checked again.
  void FilesChanged();

  // The latest analysis of the document's unit (checking it first when it
  // is out of date).
  std::shared_ptr<const Analysis> AnalysisFor(const Document& doc);
  // Checks every unit that is out of date; returns the diagnostics to
  // publish (only files whose diagnostics changed).
  std::vector<Publication> Refresh();
  bool HasDirty() const;

  std::string PathToUri(const std::string& path) const;
  std::string DisplayPath(const std::string& absolute) const;
  std::string AbsolutePath(const std::string& path) const;

 private:
  struct Unit {
    std::vector<std::string> roots;  // paths, as compiled
    std::string primary;             // the document the unit was made for
    bool dirty = true;
    bool verify_member = false;      // found by an import scan: confirm it
    std::set<std::string> members;   // every source path of the last compilation
    std::shared_ptr<Analysis> analysis;
    std::map<std::string, std::vector<PublishedDiagnostic>> diagnostics;  // by path
  };

  Unit& UnitFor(const std::string& path);
  std::vector<std::string> DiscoverRoots(const std::string& path, bool* verify);
  std::optional<std::vector<std::string>> PackRoots(const std::string& path);
  std::optional<std::string> ImporterOf(const std::string& path);
  void Analyse(Unit& unit);
  std::vector<PublishedDiagnostic> Union(const std::string& path) const;

  CompileOptions base_;
  std::string root_;
  std::map<std::string, Document> docs_;  // by URI
  std::vector<std::unique_ptr<Unit>> units_;
  std::map<std::string, std::vector<PublishedDiagnostic>> published_;  // by path
  std::map<std::string, int64_t> published_version_;  // open documents: version published
  std::set<std::string> touched_;  // files whose diagnostics may have changed
  // Declarations of each file from its last version that parsed, for files
  // that now have syntax errors (completion keeps working while typing).
  std::map<std::string, std::vector<Decl>> last_good_;
};

}  // namespace vigil::lsp
