// vigil eval --rules FILES... --events FILE.jsonl: one JSON result per event.
#include <fmt/format.h>

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>

#include "cli.hpp"
#include "eval/event_json.hpp"
#include "eval/explain.hpp"
#include "eval/result_json.hpp"
#include "base/time_util.hpp"
#include "eval/session.hpp"
#include "state/store.hpp"
#include "stream/eval_stream.hpp"

namespace vigil::cli {

namespace {

// What is written per event (--output).
enum class Output { kAll, kAlerts, kDecisions };

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
  unsigned threads = 0;            // 0: every core
  Output output = Output::kAll;
};

// One result per event, as `vigil eval` writes it, on the stream's threads
// (stream/eval_stream.hpp): formatted into the chunk's buffer, written in
// input order by one stream thread at a time (Deliver); `late` and
// `outliers` are read once the stream has returned.
class EvalOutput : public stream::Handler {
 public:
  EvalOutput(const eval::Program& program, const EvalArgs& args, const std::string& shown)
      : program_(program), args_(args), shown_(shown), options_{args.allow_pii, args.record}, lines_(program) {}

  bool needs_session() const override { return args_.explain; }

  void Format(const stream::Evaluated& e, stream::ChunkOutput& out) override {
    const eval::Result& result = *e.results[0];
    if (result.late) ++out.counts[0];
    if (result.outlier) [[unlikely]] {
      ++out.counts[1];
      WarnOutlier(e, out);
    }
    switch (args_.output) {
      case Output::kAlerts:
        if (result.fired.empty() && result.shadow.empty()) return;
        break;
      case Output::kDecisions:
        lines_.WriteDecision(result, e.line, out.text);
        return;
      case Output::kAll:
        break;
    }
    if (!args_.explain) {
      lines_.WriteResult(result, e.line, out.text);
      return;
    }
    WriteExplained(e, out);
  }

  bool Failed(uint64_t line, const std::string& error, stream::ChunkOutput& out) override {
    if (error.empty()) {
      fmt::format_to(std::back_inserter(out.messages), "{}:{}: line is longer than {} bytes\n",
                     shown_, line, LineReader::kMaxLine);
    } else {
      fmt::format_to(std::back_inserter(out.messages), "{}:{}: {}\n", shown_, line, error);
    }
    return args_.fail_fast;
  }

  void Deliver(stream::ChunkOutput& out) override {
    if (!out.messages.empty()) {
      std::fflush(stdout);  // results before the messages of later lines, as one thread wrote them
      std::fwrite(out.messages.data(), 1, out.messages.size(), stderr);
    }
    std::fwrite(out.text.data(), 1, out.text.size(), stdout);
    late += out.counts[0];
    outliers += out.counts[1];
  }

  uint64_t late = 0;
  uint64_t outliers = 0;

 private:
  // Out of Format, which runs for every line: what they hold (fmt's calls)
  // made Format save registers and set up a frame for the quiet line too.
  [[gnu::noinline]] void WarnOutlier(const stream::Evaluated& e, stream::ChunkOutput& out) const {
    const eval::Value t = e.events[0]->at(static_cast<size_t>(program_.schema.time_slot));
    fmt::format_to(std::back_inserter(out.messages),
                   "{}:{}: time {} is more than {} ahead of the recent events ({}): evaluated, "
                   "not recorded in the aggregates' state (an outlier; see --max-skew)\n",
                   shown_, e.line, TimeToString(t.i), DurationToString(args_.store.max_skew_us),
                   TimeToString(e.outlier_reference));
  }

  [[gnu::noinline]] void WriteExplained(const stream::Evaluated& e, stream::ChunkOutput& out) const {
    const eval::Result& result = *e.results[0];
    eval::WriteResultJson(program_, result, e.line, out.text);
    out.text.pop_back();  // reopen the object to add the explanation
    out.text += ",\"explain\":";
    eval::AppendExplainJson(*e.sessions[0], *e.events[0], result, options_, out.text,
                            args_.explain_options);
    out.text += "}\n";
  }

  const eval::Program& program_;
  const EvalArgs& args_;
  const std::string& shown_;
  const eval::EvalOptions options_;
  const eval::ResultLineWriter lines_;  // the result lines, their fixed parts put together once
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
        arg == "--max-skew" || arg == "--threads" || arg == "--output") {
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
    } else if (arg == "--threads") {
      if (i + 1 >= args.size()) return Usage(self, "--threads needs a number of threads");
      if (!ParseThreads(args[++i], &a.threads, &problem)) return Usage(self, problem);
    } else if (arg == "--output") {
      if (i + 1 >= args.size()) return Usage(self, "--output needs all, alerts or decisions");
      const std::string& v = args[++i];
      if (v == "all") {
        a.output = Output::kAll;
      } else if (v == "alerts") {
        a.output = Output::kAlerts;
      } else if (v == "decisions") {
        a.output = Output::kDecisions;
      } else {
        return Usage(self, fmt::format("--output takes all, alerts or decisions, not '{}'", v));
      }
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
  EvalOutput output(*c.program, a, shown);
  stream::Side side{c.program, store, eval::EvalOptions{a.allow_pii, a.record}};
  ByteReader bytes(in);
  uint64_t number = 0;
  stream::StreamOptions stream_options;
  stream_options.threads = a.threads;
  stream_options.lines_read = &number;
  stream_options.max_line = LineReader::kMaxLine;
  Doing reading(fmt::format("reading \"{}\"", shown), &number);
  const stream::StreamTotals totals =
      bytes.Run(std::span<const stream::Side>(&side, 1), output, stream_options);
  std::fflush(stdout);
  const uint64_t evaluated = totals.evaluated;
  const uint64_t skipped = totals.failed;
  const uint64_t late = output.late;
  const uint64_t outliers = output.outliers;
  int status = totals.stopped ? kExitFailure : kExitOk;
  if (bytes.failed()) {
    fmt::print(stderr, "vigil eval: reading \"{}\" failed after line {}: {}\n", shown, number,
               std::strerror(bytes.error()));
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
