// vigil test PATHS...: run a rule set's inline tests and JSON Lines fixtures.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "api/test_runner.hpp"
#include "cli.hpp"

namespace vigil::cli {

namespace fs = std::filesystem;

namespace {

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

int RunTest(const std::vector<std::string>& args) {
  const Command& self = *FindCommand("test");
  std::vector<std::string> rules;
  std::vector<std::string> fixtures;
  std::string junit;
  bool require_coverage = false;
  std::vector<std::string> lists;  // NAME=FILE: values of external lists
  OnceOptions once;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string problem;
    if (int taken = TakeCompileFlag(args, i, &problem); taken != 0) {
      if (taken < 0) return Usage(self, problem);
      continue;
    }
    if (a == "--junit" || (a == "--list" && i + 1 < args.size())) {
      std::string twice = a == "--junit" ? once.Take(a)
                                           : once.Take(a, args[i + 1].substr(0, args[i + 1].find('=')));
      if (!twice.empty()) return Usage(self, twice);
    }
    if (a == "--junit") {
      if (i + 1 >= args.size()) return Usage(self, "--junit needs a file");
      junit = args[++i];
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
  TestReport report = RunTests(c, fixtures);
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
