// vigil fmt [--check] FILES...: rewrite rule files in the canonical layout.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "base/file_io.hpp"
#include "base/limits.hpp"
#include "cli.hpp"
#include "format/formatter.hpp"

namespace vigil::cli {


int RunFmt(const std::vector<std::string>& args) {
  const Command& self = *FindCommand("fmt");
  bool check = false;
  std::vector<std::string> files;
  for (const auto& a : args) {
    if (a == "--check") {
      check = true;
    } else if (a.starts_with("-")) {
      return Usage(self, fmt::format("unknown option '{}'", a));
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) return Usage(self, "no rule files given");
  int status = kExitOk;
  size_t changed = 0;
  for (const std::string& path : files) {
    Doing formatting(fmt::format("formatting \"{}\"", path));
    std::string text, error;
    if (!ReadWholeFile(path, limits::kMaxSourceBytes, &text, &error)) {
      fmt::print(stderr, "vigil fmt: cannot read \"{}\": {}\n", path, error);
      status = kExitFailure;
      continue;
    }
    // The file as it is on disk: a byte-order mark is skipped when reading
    // (base/bom.hpp) and not written back, so a file that has one needs
    // formatting.
    const std::string raw = std::move(text);
    SourceManager sources;
    uint32_t id = sources.Add(path, raw);
    DiagSink diags;
    std::optional<std::string> formatted = format::Format(sources, id, diags);
    if (!formatted) {
      fmt::print(stderr, "{}", RenderAll(diags.diagnostics(), sources));
      bool syntax = true;
      for (const Diagnostic& d : diags.diagnostics()) {
        syntax = syntax && d.code != DiagCode::kFormatChangesTokens;
      }
      fmt::print(stderr, "vigil fmt: {} {}; not formatted\n", path,
                 syntax ? "has syntax errors" : "cannot be formatted safely");
      status = kExitFailure;
      continue;
    }
    const std::string& before = raw;
    if (*formatted == before) continue;
    ++changed;
    if (check) {
      fmt::print("{}", format::Diff(path, before, *formatted));
      status = kExitFailure;
    } else if (!WriteFileAtomically(path, *formatted)) {
      fmt::print(stderr, "vigil fmt: cannot write \"{}\"\n", path);
      status = kExitFailure;
    }
  }
  if (check) {
    fmt::print(stderr, "{} of {} file{} need{} formatting\n", changed, files.size(),
               files.size() == 1 ? "" : "s", changed == 1 ? "s" : "");
  } else {
    fmt::print(stderr, "{} file{} reformatted\n", changed, changed == 1 ? "" : "s");
  }
  return status;
}

}  // namespace vigil::cli
