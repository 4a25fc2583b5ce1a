// vigil eval --rules FILES... --events FILE.jsonl: one JSON result per event.
#include <fmt/format.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "cli.hpp"
#include "eval/event_json.hpp"
#include "eval/explain.hpp"
#include "eval/result_json.hpp"
#include "base/time_util.hpp"
#include "eval/session.hpp"
#include "state/store.hpp"

namespace vigil::cli {

namespace {

struct EvalArgs {
  std::vector<std::string> rules;
  std::string events;
  bool explain = false;
  bool fail_fast = false;
  bool allow_pii = false;
  bool record = true;
  std::string state;
  state::StoreOptions store;
  std::vector<std::string> lists;  // NAME=FILE: values of external lists
};

}  // namespace

int RunEval(const std::vector<std::string>& args) {
  const Command& self = *FindCommand("eval");
  EvalArgs a;
  bool have_events = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--rules") {
      while (i + 1 < args.size() && !args[i + 1].starts_with("--")) a.rules.push_back(args[++i]);
    } else if (arg == "--events") {
      if (i + 1 >= args.size()) return Usage(self, "--events needs a file");
      a.events = args[++i];
      have_events = true;
    } else if (arg == "--explain") {
      a.explain = true;
    } else if (arg == "--allow-pii") {
      a.allow_pii = true;
    } else if (arg == "--no-record") {
      a.record = false;
    } else if (arg == "--state") {
      if (i + 1 >= args.size()) return Usage(self, "--state needs a file");
      a.state = args[++i];
    } else if (arg == "--lateness") {
      if (i + 1 >= args.size()) return Usage(self, "--lateness needs a duration such as 5m");
      std::optional<int64_t> d = ParseDuration(args[++i]);
      if (!d || *d < 0) {
        return Usage(self, fmt::format("--lateness takes a duration such as 5m, not '{}'", args[i]));
      }
      a.store.lateness_us = *d;
    } else if (arg == "--list") {
      if (i + 1 >= args.size() || args[i + 1].find('=') == std::string::npos) {
        return Usage(self, "--list needs NAME=FILE");
      }
      a.lists.push_back(args[++i]);
    } else if (arg == "--on-error") {
      if (i + 1 >= args.size()) return Usage(self, "--on-error needs skip or fail");
      const std::string& mode = args[++i];
      if (mode != "skip" && mode != "fail") {
        return Usage(self, fmt::format("--on-error takes skip or fail, not '{}'", mode));
      }
      a.fail_fast = mode == "fail";
    } else {
      return Usage(self, fmt::format("unexpected argument '{}'", arg));
    }
  }
  if (a.rules.empty()) return Usage(self, "no rule files given (--rules FILES...)");
  if (!have_events) return Usage(self, "no events given (--events FILE.jsonl)");
  std::vector<std::string> rule_files;
  std::string expand_error;
  if (!ExpandRulePaths(a.rules, &rule_files, &expand_error)) {
    fmt::print(stderr, "vigil eval: {}\n", expand_error);
    return kExitUsage;
  }
  a.rules = std::move(rule_files);

  Compilation c = CompileAndReport(a.rules);
  if (!c.ok()) {
    fmt::print(stderr, "vigil eval: the rules do not compile\n");
    return kExitUsage;
  }
  for (const std::string& spec : a.lists) {
    std::string error;
    if (!SupplyExternalList(*c.program, spec, &error)) {
      fmt::print(stderr, "vigil eval: --list {}: {}\n", spec, error);
      return kExitUsage;
    }
  }
  std::FILE* in = a.events == "-" ? stdin : std::fopen(a.events.c_str(), "rb");
  if (in == nullptr) {
    fmt::print(stderr, "vigil eval: cannot open \"{}\": {}\n", a.events, std::strerror(errno));
    return kExitFailure;
  }
  const std::string shown = a.events == "-" ? "<stdin>" : a.events;
  auto store = std::make_shared<state::Store>(a.store);
  eval::Session session(c.program, store);
  std::string state_error;
  if (!a.state.empty() && ::access(a.state.c_str(), F_OK) == 0) {
    Doing loading(fmt::format("loading the state \"{}\"", a.state));
    if (!store->Load(a.state, &state_error)) {
      fmt::print(stderr, "vigil eval: cannot load the state: {}\n", state_error);
      if (in != stdin) std::fclose(in);
      return kExitFailure;
    }
  }
  eval::Event event(c.program->schema);
  eval::Result result;
  eval::EventJsonReader reader;
  eval::EvalOptions options{a.allow_pii, a.record};
  LineReader lines(in);
  std::string line;
  std::string out;
  std::string error;
  uint64_t number = 0;
  uint64_t evaluated = 0;
  uint64_t skipped = 0;
  uint64_t late = 0;
  bool too_long = false;
  int status = kExitOk;
  Doing reading(fmt::format("reading \"{}\"", shown), &number);
  while (lines.Next(line, &too_long)) {
    ++number;
    if (!too_long && line.find_first_not_of(" \t") == std::string::npos) continue;
    bool ok = !too_long && reader.Read(line, event, &error);
    if (!ok) {
      if (too_long) error = fmt::format("line is longer than {} bytes", LineReader::kMaxLine);
      fmt::print(stderr, "{}:{}: {}\n", shown, number, error);
      ++skipped;
      if (a.fail_fast) {
        status = kExitFailure;
        break;
      }
      continue;
    }
    session.Evaluate(event, result, options);
    late += result.late ? 1 : 0;
    eval::WriteResultJson(*c.program, result, reader.last_id(), number, out);
    if (a.explain) {
      out.pop_back();  // reopen the object to add the explanation
      out += ",\"explain\":";
      eval::AppendExplainJson(session, event, result, options, out);
      out += '}';
    }
    out += '\n';
    ++evaluated;
    if (out.size() > (1 << 16)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  if (in != stdin) std::fclose(in);
  Doing saving(fmt::format("saving the state \"{}\"", a.state));
  if (!a.state.empty() && !store->Save(a.state, &state_error)) {
    fmt::print(stderr, "vigil eval: cannot save the state: {}\n", state_error);
    status = kExitFailure;
  }
  fmt::print(stderr, "{} event{} evaluated, {} skipped", evaluated, evaluated == 1 ? "" : "s",
             skipped);
  if (late > 0) fmt::print(stderr, ", {} late (not recorded in the aggregates' state)", late);
  fmt::print(stderr, "\n");
  return status;
}

}  // namespace vigil::cli
