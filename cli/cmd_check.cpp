// vigil check FILES...: compile and report.
#include <fmt/format.h>

#include "cli.hpp"

namespace vigil::cli {

int RunCheck(const std::vector<std::string>& args) {
  const Command& self = *FindCommand("check");
  std::vector<std::string> files;
  bool werror = false;
  size_t max_warnings = limits::kMaxWarnings;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string problem;
    if (int taken = TakeCompileFlag(args, i, &problem); taken != 0) {
      if (taken < 0) return Usage(self, problem);
      continue;
    }
    if (a == "-Werror" || a == "--werror") {
      werror = true;
      continue;
    }
    if (a == "--all-warnings") {
      max_warnings = 0;
      continue;
    }
    if (a.starts_with("-") && a != "-") return Usage(self, fmt::format("unknown option '{}'", a));
    files.push_back(a);
  }
  if (files.empty()) return Usage(self, "no rule files given");
  std::string error;
  std::vector<std::string> paths = std::move(files);
  if (!ExpandRulePaths(paths, &files, &error)) {
    fmt::print(stderr, "vigil check: {}\n", error);
    return kExitUsage;
  }
  // A check does not evaluate: the rule index would be built for nothing.
  Compilation c = CompileAndReport(files, nullptr, max_warnings, /*index_rules=*/false);
  if (!c.ok()) {
    size_t n = c.error_count();
    fmt::print(stderr, "{} error{}\n", n, n == 1 ? "" : "s");
    return kExitFailure;
  }
  size_t warnings = c.warnings_not_shown;  // W5013 counts them; it is not one itself
  for (const auto& d : c.diagnostics) {
    warnings += d.severity == Severity::kWarning && d.code != DiagCode::kWarningsNotShown ? 1 : 0;
  }
  if (werror && warnings > 0) {
    fmt::print(stderr, "{} warning{} (-Werror)\n", warnings, warnings == 1 ? "" : "s");
    return kExitFailure;
  }
  size_t rules = c.program->rules.size();
  fmt::print(stderr, "ok: {} rule{} in {} rule set{}, {} test{}\n", rules, rules == 1 ? "" : "s",
             c.program->rulesets.size(), c.program->rulesets.size() == 1 ? "" : "s",
             c.tests.size(), c.tests.size() == 1 ? "" : "s");
  return kExitOk;
}

}  // namespace vigil::cli
