// vigil eval --rules FILES... --events FILE.jsonl: one JSON result per event.
#include <fmt/format.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

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
  eval::ExplainOptions explain_options;  // --explain=fired: only the rules that fired
  bool fail_fast = false;
  bool allow_pii = false;
  bool record = true;
  std::string state;
  state::StoreOptions store;
  std::vector<std::string> lists;  // NAME=FILE: values of external lists
};

// A snapshot is never silently misread: say what of it these rules use.
// Nothing is dropped either way (state::Store keeps the union, saved back).
void WarnAboutLoadedState(const state::Store& store, const eval::Program& program,
                          const std::string& path) {
  const state::Store::LoadReport r = store.last_load();
  const size_t unused = r.snapshot_aggregates - r.used;
  if (r.snapshot_aggregates > 0 && r.used == 0 && !program.aggregates.empty()) {
    fmt::print(stderr,
               "vigil eval: warning: the state \"{}\" holds none of these rules' aggregates "
               "(it was saved for other rules): their windows start empty; its {} "
               "aggregate{} kept and saved back, not updated\n",
               path, r.snapshot_aggregates, r.snapshot_aggregates == 1 ? " is" : "s are");
  } else if (unused > 0) {
    fmt::print(stderr,
               "vigil eval: warning: the state \"{}\" holds {} aggregate{} that these rules do "
               "not use: kept and saved back, not updated\n",
               path, unused, unused == 1 ? "" : "s");
  }
}

}  // namespace

int RunEval(const std::vector<std::string>& args) {
  const Command& self = *FindCommand("eval");
  EvalArgs a;
  bool have_events = false;
  OnceOptions once;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    std::string problem;
    if (int taken = TakeCompileFlag(args, i, &problem); taken != 0) {
      if (taken < 0) return Usage(self, problem);
      continue;
    }
    if (arg == "--events" || arg == "--state" || arg == "--lateness" || arg == "--on-error" ||
        arg == "--max-skew") {
      std::string twice = once.Take(arg);
      if (!twice.empty()) return Usage(self, twice);
    } else if (arg == "--list" && i + 1 < args.size()) {
      std::string twice = once.Take(arg, args[i + 1].substr(0, args[i + 1].find('=')));
      if (!twice.empty()) return Usage(self, twice);
    }
    if (arg == "--rules") {
      while (i + 1 < args.size() && !args[i + 1].starts_with("--")) a.rules.push_back(args[++i]);
    } else if (arg == "--events") {
      if (i + 1 >= args.size()) return Usage(self, "--events needs a file");
      a.events = args[++i];
      have_events = true;
    } else if (arg == "--explain" || arg == "--explain=all") {
      a.explain = true;
    } else if (arg == "--explain=fired") {
      a.explain = true;
      a.explain_options.fired_only = true;
    } else if (arg.starts_with("--explain=")) {
      return Usage(self, fmt::format("--explain takes all or fired, not '{}'", arg.substr(10)));
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
    } else if (arg == "--max-skew") {
      if (i + 1 >= args.size()) return Usage(self, "--max-skew needs a duration such as 30d, or off");
      const std::string& v = args[++i];
      std::optional<int64_t> d = ParseDuration(v);
      if (v == "off") {
        a.store.max_skew_us = state::kNoSkewBound;
      } else if (!d || *d <= 0) {
        return Usage(self, fmt::format("--max-skew takes a duration such as 30d, or off, not '{}'", v));
      } else {
        a.store.max_skew_us = *d;
      }
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
  std::error_code dir_error;
  if (a.events != "-" && std::filesystem::is_directory(a.events, dir_error)) {
    fmt::print(stderr, "vigil eval: cannot read \"{}\": it is a directory (give a JSON Lines file)\n",
               a.events);
    return kExitFailure;
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
    WarnAboutLoadedState(*store, *c.program, a.state);
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
  uint64_t outliers = 0;
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
    if (result.outlier) {
      ++outliers;
      const eval::Value t = event.at(static_cast<size_t>(c.program->schema.time_slot));
      fmt::print(stderr,
                 "{}:{}: time {} is more than {} ahead of the recent events ({}): evaluated, "
                 "not recorded in the aggregates' state (an outlier; see --max-skew)\n",
                 shown, number, TimeToString(t.i), DurationToString(a.store.max_skew_us),
                 TimeToString(session.outlier_reference()));
    }
    eval::WriteResultJson(*c.program, result, number, out);
    if (a.explain) {
      out.pop_back();  // reopen the object to add the explanation
      out += ",\"explain\":";
      eval::AppendExplainJson(session, event, result, options, out, a.explain_options);
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
  if (lines.failed()) {
    fmt::print(stderr, "vigil eval: reading \"{}\" failed after line {}: {}\n", shown, number,
               std::strerror(errno));
    status = kExitFailure;
  }
  if (in != stdin) std::fclose(in);
  Doing saving(fmt::format("saving the state \"{}\"", a.state));
  if (!a.state.empty() && !store->Save(a.state, &state_error)) {
    fmt::print(stderr, "vigil eval: cannot save the state: {}\n", state_error);
    status = kExitFailure;
  }
  fmt::print(stderr, "{} event{} evaluated, {} skipped", evaluated, evaluated == 1 ? "" : "s",
             skipped);
  if (late > 0) fmt::print(stderr, ", {} late (not recorded in the aggregates' state)", late);
  if (outliers > 0) {
    fmt::print(stderr, ", {} outlier{} (not recorded in the aggregates' state)", outliers,
               outliers == 1 ? "" : "s");
  }
  fmt::print(stderr, "\n");
  return status;
}

}  // namespace vigil::cli
