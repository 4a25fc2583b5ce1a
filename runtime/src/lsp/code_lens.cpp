// Code lenses: over each rule, how its tests fared (the runner of `vigil
// test`), and a command to run them again; over each test, its outcome.
#include <fmt/format.h>

#include <map>

#include "lsp/features.hpp"

namespace vigil::lsp {

namespace {

constexpr const char* kRunTests = "vigil.runTests";

// The outcome of the test declared at `d`, matched by where it starts.
const TestOutcome* OutcomeOf(const Analysis& a, const TestReport& report, const Decl& d) {
  const auto& tests = a.compilation.tests;
  for (size_t i = 0; i < tests.size() && i < report.tests.size(); ++i) {
    if (tests[i].range.file == d.range.file && tests[i].range.begin == d.range.begin) {
      return &report.tests[i];
    }
  }
  return nullptr;
}

json Lens(const Context& c, SourceRange at, const std::string& title, const std::string& only) {
  return json{{"range", c.Range(SourceRange{at.file, at.begin, at.begin})},
              {"command",
               {{"title", title}, {"command", kRunTests}, {"arguments", {c.doc.uri, only}}}}};
}

}  // namespace

json CodeLenses(const Context& c) {
  const Analysis& a = *c.analysis;
  json out = json::array();
  const TestReport* report = a.Tests();
  // Each rule's tests' outcomes, by rule id.
  std::map<std::string, std::pair<size_t, size_t>> by_rule;  // passed, failed
  if (report != nullptr) {
    for (const Decl& t : a.index.decls) {
      if (t.kind != DeclKind::kTest || t.stale) continue;
      const TestOutcome* o = OutcomeOf(a, *report, t);
      if (o == nullptr) continue;
      for (const std::string& rule : t.rules) {
        auto& counts = by_rule[rule];
        (o->passed() ? counts.first : counts.second)++;
      }
    }
  }
  for (const Decl& d : a.index.decls) {
    if (d.range.file != c.file || d.stale) continue;
    if (d.kind == DeclKind::kRule) {
      if (report == nullptr) {
        out.push_back(Lens(c, d.range, "tests: the rules do not compile", d.name));
        continue;
      }
      auto counts = by_rule[d.name];
      size_t passed = counts.first, failed = counts.second;
      std::string title;
      if (passed + failed == 0) {
        title = "no test names this rule";
      } else if (failed == 0) {
        title = fmt::format("✓ {} test{} passed", passed, passed == 1 ? "" : "s");
      } else {
        title = fmt::format("✗ {} of {} test{} failed", failed, passed + failed,
                            passed + failed == 1 ? "" : "s");
      }
      out.push_back(Lens(c, d.range, title, d.name));
      out.push_back(Lens(c, d.range, "▶ run tests", d.name));
    } else if (d.kind == DeclKind::kTest && report != nullptr) {
      const TestOutcome* o = OutcomeOf(a, *report, d);
      if (o == nullptr) continue;
      std::string title = o->passed() ? "✓ passed"
                                      : "✗ failed: " + o->failures.front().message.substr(0, 120);
      out.push_back(Lens(c, d.range, title, d.name));
    }
  }
  return out;
}

json RunTestsCommand(const Context& c, const std::string& only) {
  const Analysis& a = *c.analysis;
  if (!a.compilation.ok()) {
    throw RequestError(kRequestFailed, fmt::format("the rules do not compile ({} error{})",
                                                   a.compilation.error_count(),
                                                   a.compilation.error_count() == 1 ? "" : "s"));
  }
  // A fresh run: the report cached for the lenses is not reused.
  TestReport report = RunTests(a.compilation, {});
  size_t passed = 0, failed = 0;
  json failures = json::array();
  for (size_t i = 0; i < report.tests.size() && i < a.compilation.tests.size(); ++i) {
    const TestOutcome& t = report.tests[i];
    bool selected = only.empty() || t.name == only;
    if (!selected) {
      for (const Decl& d : a.index.decls) {
        if (d.kind == DeclKind::kTest && d.range.begin == a.compilation.tests[i].range.begin &&
            d.range.file == a.compilation.tests[i].range.file &&
            std::find(d.rules.begin(), d.rules.end(), only) != d.rules.end()) {
          selected = true;
        }
      }
    }
    if (!selected) continue;
    (t.passed() ? passed : failed)++;
    for (const TestFailure& f : t.failures) {
      failures.push_back(json{{"test", t.name}, {"where", f.where}, {"message", f.message}});
    }
  }
  return json{{"passed", passed}, {"failed", failed}, {"failures", failures}};
}

}  // namespace vigil::lsp
