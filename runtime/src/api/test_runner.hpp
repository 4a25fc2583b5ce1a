// Runs a rule set's tests: the inline `test` blocks and JSON Lines fixtures
// (LANGUAGE.md §6). Each test (a `test` block, a fixture file) starts from a
// fresh engine state, so aggregates see only that test's events, in order.
// Used by `vigil test`; reports are plain data for text and JUnit output.
#pragma once

#include <string>
#include <vector>

#include "api/compiler.hpp"

namespace vigil {

struct TestFailure {
  std::string where;    // "rules/x.vgl:12:5" or "fixtures/a.jsonl:3"
  std::string message;  // "expected fires burst: fired [a, b], decision review, score 40"
};

struct TestOutcome {
  std::string name;   // the test block's name, or the fixture's path
  std::string file;   // where it is defined
  size_t events = 0;  // events evaluated
  double seconds = 0;
  bool stopped = false;  // ended early at the bound on a test's work (a failure says so)
  std::vector<TestFailure> failures;
  bool passed() const { return failures.empty(); }
};

struct TestReport {
  std::vector<TestOutcome> tests;
  std::vector<std::string> never_fired;  // qualified ids of rules that no test fired
  size_t passed() const;
  size_t failed() const;
};

// Runs every inline test of `compilation` (which must be ok()), then each
// fixture file. Fixtures run on the stream engine of `vigil eval` with
// `threads` threads (0: every core); the report is the same for any number.
TestReport RunTests(const Compilation& compilation, const std::vector<std::string>& fixtures,
                    unsigned threads = 1);

// JUnit XML (the Ant/Surefire dialect CI systems read): one <testsuite> with
// one <testcase> per test, failures as <failure> elements.
std::string JUnitXml(const TestReport& report, const std::string& suite_name);

}  // namespace vigil
