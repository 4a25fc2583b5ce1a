// vigil test PATHS...: run a rule set's inline tests and JSON Lines fixtures.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "api/test_runner.hpp"
#include "base/file_io.hpp"
#include "base/limits.hpp"
#include "cli.hpp"

namespace vigil::cli {

namespace fs = std::filesystem;

namespace {

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Whether a rule file's text declares an inline test (a line starting with
// `test "`): a hint, not a parse.
bool DeclaresTests(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    size_t first = line.find_first_not_of(" \t");
    if (first != std::string_view::npos) {
      line.remove_prefix(first);
      if (line.starts_with("test")) {
        line.remove_prefix(4);
        size_t next = line.find_first_not_of(" \t");
        if (next > 0 && next != std::string_view::npos && line[next] == '"') return true;
      }
    }
    pos = end + 1;
  }
  return false;
}

// The .vgl files beside the given ones (in their directories, not given)
// that declare tests: `vigil test rules.vgl` with the tests in tests.vgl.
std::vector<std::string> SiblingsWithTests(const std::vector<std::string>& given) {
  constexpr size_t kMaxLookedAt = 200;  // files read for the hint
  std::set<fs::path> given_paths, dirs;
  for (const std::string& g : given) {
    fs::path p = fs::path(g).lexically_normal();
    given_paths.insert(p);
    dirs.insert(p.parent_path());
  }
  std::vector<std::string> out;
  size_t looked_at = 0;
  for (const fs::path& dir : dirs) {
    std::error_code ec;
    std::vector<fs::path> candidates;
    for (fs::directory_iterator it(dir.empty() ? fs::path(".") : dir, ec), end; !ec && it != end;
         it.increment(ec)) {
      fs::path p = (dir / it->path().filename()).lexically_normal();
      if (p.extension() == ".vgl" && !given_paths.contains(p)) candidates.push_back(p);
    }
    std::sort(candidates.begin(), candidates.end());
    for (const fs::path& p : candidates) {
      if (++looked_at > kMaxLookedAt) return out;
      std::string text, error;
      if (ReadWholeFile(p.string(), limits::kMaxSourceBytes, &text, &error) &&
          DeclaresTests(text)) {
        out.push_back(p.generic_string());
      }
    }
  }
  return out;
}

}  // namespace

int RunTest(const std::vector<std::string>& args) {
  const Command& self = *FindCommand("test");
  std::vector<std::string> rules;
  std::vector<std::string> fixtures;
  std::string junit;
  bool require_coverage = false;
  std::vector<std::string> lists;  // NAME=FILE: values of external lists
  unsigned threads = 0;             // fixtures: 0 is every core
  OnceOptions once;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string problem;
    if (int taken = TakeCompileFlag(args, i, &problem); taken != 0) {
      if (taken < 0) return Usage(self, problem);
      continue;
    }
    if (a == "--junit" || a == "--threads" || (a == "--list" && i + 1 < args.size())) {
      std::string twice = a == "--junit" || a == "--threads" ? once.Take(a)
                                           : once.Take(a, args[i + 1].substr(0, args[i + 1].find('=')));
      if (!twice.empty()) return Usage(self, twice);
    }
    if (a == "--junit") {
      if (i + 1 >= args.size()) return Usage(self, "--junit needs a file");
      junit = args[++i];
    } else if (a == "--threads") {
      if (i + 1 >= args.size()) return Usage(self, "--threads needs a number of threads");
      if (!ParseThreads(args[++i], &threads, &problem)) return Usage(self, problem);
    } else if (a == "--require-coverage") {
      require_coverage = true;
    } else if (a == "--list") {
      if (i + 1 >= args.size() || args[i + 1].find('=') == std::string::npos) {
        return Usage(self, "--list needs NAME=FILE");
      }
      lists.push_back(args[++i]);
    } else if (a.starts_with("-")) {
      return Usage(self, fmt::format("unknown option '{}'", a));
    } else if (fs::is_directory(a)) {
      std::string error;
      if (!CollectDirectory(a, &rules, &fixtures, &error)) {
        fmt::print(stderr, "vigil test: {}\n", error);
        return kExitUsage;
      }
    } else if (EndsWith(a, ".jsonl")) {
      fixtures.push_back(a);
    } else {
      rules.push_back(a);
    }
  }
  if (rules.empty()) return Usage(self, "no rule files given (FILES or a directory of .vgl files)");

  Compilation c = CompileAndReport(rules);
  if (!c.ok()) {
    fmt::print(stderr, "vigil test: the rules do not compile\n");
    return kExitUsage;
  }
  for (const std::string& spec : lists) {
    std::string error;
    if (!SupplyExternalList(*c.program, spec, &error)) {
      fmt::print(stderr, "vigil test: --list {}: {}\n", spec, error);
      return kExitUsage;
    }
  }
  if (c.tests.empty() && fixtures.empty()) {
    // "0 passed, 0 failed" and success would hide that nothing was tested.
    std::vector<std::string> siblings = SiblingsWithTests(rules);
    if (siblings.empty()) {
      fmt::print(stderr,
                 "vigil test: no tests in the files given: write `test \"NAME\" {{ ... }}` "
                 "blocks, or give .jsonl fixtures\n");
    } else {
      std::string names;
      for (const std::string& s : siblings) names += fmt::format("{}\"{}\"", names.empty() ? "" : ", ", s);
      fmt::print(stderr,
                 "vigil test: no tests in the files given, but {} beside them hold{} tests: give "
                 "{} too, or the directory (vigil test {})\n",
                 names, siblings.size() == 1 ? "s" : "", siblings.size() == 1 ? "it" : "them",
                 fs::path(siblings[0]).parent_path().empty()
                     ? "."
                     : fs::path(siblings[0]).parent_path().generic_string());
    }
    return kExitFailure;
  }
  Doing running("running the tests");
  TestReport report = RunTests(c, fixtures, threads);
  for (const TestOutcome& t : report.tests) {
    fmt::print("{}  {}  ({}, {} event{})\n", t.passed() ? "PASS" : "FAIL", t.name, t.file,
               t.events, t.events == 1 ? "" : "s");
    for (const TestFailure& f : t.failures) fmt::print("      {}: {}\n", f.where, f.message);
  }
  const bool uncovered = !report.never_fired.empty();
  if (uncovered) {
    fmt::print("{} rule{} no test fired:", report.never_fired.size(),
               report.never_fired.size() == 1 ? "" : "s");
    for (const auto& r : report.never_fired) fmt::print(" {}", r);
    fmt::print("\n");
  }
  if (!junit.empty()) {
    std::ofstream out(junit, std::ios::binary | std::ios::trunc);
    std::string suite = c.program->rulesets.empty() ? "vigil" : c.program->rulesets[0].name;
    out << JUnitXml(report, suite);
    if (!out.flush()) {
      fmt::print(stderr, "vigil test: cannot write \"{}\"\n", junit);
      return kExitFailure;
    }
  }
  fmt::print("{} passed, {} failed\n", report.passed(), report.failed());
  if (report.failed() > 0) return kExitFailure;
  if (require_coverage && uncovered) {
    fmt::print(stderr, "vigil test: --require-coverage: {} rule{} never fired\n",
               report.never_fired.size(), report.never_fired.size() == 1 ? "" : "s");
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace vigil::cli
