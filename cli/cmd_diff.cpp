// vigil diff OLD NEW --events FILE: a backtest of a new rule-set version (or
// an override) over a corpus, before adopting it.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>

#include "base/json_writer.hpp"
#include "cli.hpp"
#include "eval/event_json.hpp"
#include "eval/session.hpp"

namespace vigil::cli {

namespace {

namespace fs = std::filesystem;

constexpr size_t kExamples = 3;

// A side of the comparison: rule files, a directory of rule files (as
// `vigil test DIR` finds them), or a pack, plus the files added with
// --old-with / --new-with (overrides).
bool Expand(const std::string& path, const std::vector<std::string>& with,
            std::vector<std::string>* files) {
  std::string error;
  if (!ExpandRulePaths({path}, files, &error)) {
    fmt::print(stderr, "vigil diff: {}\n", error);
    return false;
  }
  files->insert(files->end(), with.begin(), with.end());
  return true;
}

struct Examples {
  size_t count = 0;
  std::vector<std::string> ids;
  template <typename Id>
  void Add(const Id& id) {  // id() names the event; called only for kept examples
    ++count;
    if (ids.size() < kExamples) ids.push_back(id());
  }
};

struct RuleDiff {
  size_t old_fired = 0;
  size_t new_fired = 0;
  Examples newly;       // fired by NEW, not by OLD
  Examples no_longer;   // fired by OLD, not by NEW
};

struct Side {
  std::shared_ptr<const eval::Program> program;
  std::unique_ptr<eval::Session> session;
  std::unique_ptr<eval::Event> event;
  eval::EventJsonReader reader;
  eval::Result result;
  std::vector<uint32_t> to_common;  // rule index → index into the union of both sides' rule ids
  std::vector<uint32_t> fired;      // this event's fired rules, as common indexes, sorted
};

bool Open(const std::string& path, const std::vector<std::string>& with, const char* which,
          Side& side) {
  std::vector<std::string> files;
  if (!Expand(path, with, &files)) return false;
  Compilation c = CompileAndReport(files, which);
  if (!c.ok()) {
    fmt::print(stderr, "vigil diff: the {} rules do not compile\n", which);
    return false;
  }
  side.program = c.program;
  side.session = std::make_unique<eval::Session>(side.program);
  side.event = std::make_unique<eval::Event>(side.program->schema);
  return true;
}

// Rules are compared by qualified id: each side's rule indexes are mapped
// once to indexes into the sorted union of both sides' ids.
std::vector<std::string> CommonIds(Side& a, Side& b) {
  std::vector<std::string> ids;
  for (const Side* s : {&a, &b}) {
    for (const auto& r : s->program->rules) ids.push_back(r.qualified_id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (Side* s : {&a, &b}) {
    for (const auto& r : s->program->rules) {
      s->to_common.push_back(static_cast<uint32_t>(
          std::lower_bound(ids.begin(), ids.end(), r.qualified_id) - ids.begin()));
    }
  }
  return ids;
}

void CollectFired(Side& s) {
  s.fired.clear();
  for (const auto& f : s.result.fired) s.fired.push_back(s.to_common[f.rule]);
  std::sort(s.fired.begin(), s.fired.end());
}

std::string ExampleList(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

void AppendIds(const std::vector<std::string>& ids, std::string& out) {
  out += '[';
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(ids[i], out);
  }
  out += ']';
}

}  // namespace

int RunDiff(const std::vector<std::string>& args) {
  const Command& self = *FindCommand("diff");
  std::vector<std::string> positional, old_with, new_with;
  std::vector<std::string> lists;  // NAME=FILE: external lists, for each side that has NAME
  std::string events;
  bool json = false;
  OnceOptions once;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string problem;
    if (int taken = TakeCompileFlag(args, i, &problem); taken != 0) {
      if (taken < 0) return Usage(self, problem);
      continue;
    }
    if ((a == "--events" || a == "--old-with" || a == "--new-with" || a == "--list") &&
        i + 1 == args.size()) {
      return Usage(self, fmt::format("{} needs a value", a));
    }
    if (a == "--events" || a == "--list") {
      std::string twice = a == "--events"
                              ? once.Take(a)
                              : once.Take(a, args[i + 1].substr(0, args[i + 1].find('=')));
      if (!twice.empty()) return Usage(self, twice);
    }
    if (a == "--events") {
      events = args[++i];
    } else if (a == "--old-with") {
      old_with.push_back(args[++i]);
    } else if (a == "--new-with") {
      new_with.push_back(args[++i]);
    } else if (a == "--list") {
      if (args[i + 1].find('=') == std::string::npos) return Usage(self, "--list needs NAME=FILE");
      lists.push_back(args[++i]);
    } else if (a == "--json") {
      json = true;
    } else if (a.starts_with("-")) {
      return Usage(self, fmt::format("unknown option '{}'", a));
    } else {
      positional.push_back(a);
    }
  }
  if (positional.size() != 2) return Usage(self, "give OLD and NEW");
  if (events.empty()) return Usage(self, "--events FILE.jsonl is required");
  Side olds, news;
  if (!Open(positional[0], old_with, "OLD", olds) || !Open(positional[1], new_with, "NEW", news)) {
    return kExitUsage;
  }
  const std::vector<std::string> common = CommonIds(olds, news);
  for (const std::string& spec : lists) {
    const std::string name = spec.substr(0, spec.find('='));
    bool used = false;
    for (const Side* side : {&olds, &news}) {
      if (eval::FindExternalList(side->program->external_lists, name) == nullptr) continue;
      std::string error;
      if (!SupplyExternalList(*side->program, spec, &error)) {
        fmt::print(stderr, "vigil diff: --list {}: {}\n", spec, error);
        return kExitUsage;
      }
      used = true;
    }
    if (!used) {
      fmt::print(stderr, "vigil diff: --list {}: neither side has an external list '{}'\n", spec, name);
      return kExitUsage;
    }
  }
  std::error_code dir_error;
  if (events != "-" && std::filesystem::is_directory(events, dir_error)) {
    fmt::print(stderr, "vigil diff: cannot read \"{}\": it is a directory (give a JSON Lines file)\n",
               events);
    return kExitUsage;
  }
  std::FILE* in = events == "-" ? stdin : std::fopen(events.c_str(), "rb");
  if (in == nullptr) {
    fmt::print(stderr, "vigil diff: cannot read \"{}\"\n", events);
    return kExitUsage;
  }
  LineReader reader(in);
  std::string line, error;
  bool too_long = false;
  uint64_t number = 0;
  size_t evaluated = 0, skipped = 0, firings_changed = 0;
  Doing reading(fmt::format("reading \"{}\"", events), &number);
  std::vector<RuleDiff> rules(common.size());
  std::map<std::pair<std::string, std::string>, Examples> decisions;
  while (reader.Next(line, &too_long)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (too_long || !olds.reader.Read(line, *olds.event, &error) ||
        !news.reader.Read(line, *news.event, &error)) {
      fmt::print(stderr, "{}:{}: {}\n", events, number, too_long ? "line too long" : error);
      ++skipped;
      continue;
    }
    ++evaluated;
    auto id = [&] {
      std::string_view given = news.reader.last_id();
      return given.empty() ? fmt::format("line {}", number) : std::string(given);
    };
    olds.session->Evaluate(*olds.event, olds.result);
    news.session->Evaluate(*news.event, news.result);
    CollectFired(olds);
    CollectFired(news);
    for (uint32_t r : olds.fired) ++rules[r].old_fired;
    for (uint32_t r : news.fired) ++rules[r].new_fired;
    bool changed = false;
    for (uint32_t r : news.fired) {
      if (std::binary_search(olds.fired.begin(), olds.fired.end(), r)) continue;
      rules[r].newly.Add(id);
      changed = true;
    }
    for (uint32_t r : olds.fired) {
      if (std::binary_search(news.fired.begin(), news.fired.end(), r)) continue;
      rules[r].no_longer.Add(id);
      changed = true;
    }
    firings_changed += changed;
    const std::string& d0 = olds.program->decisions[olds.result.decision];
    const std::string& d1 = news.program->decisions[news.result.decision];
    if (d0 != d1) decisions[{d0, d1}].Add(id);
  }
  if (in != stdin) std::fclose(in);
  if (reader.failed()) {
    fmt::print(stderr, "vigil diff: reading \"{}\" failed after line {}\n", events, number);
    return kExitUsage;
  }
  size_t decisions_changed = 0;
  for (const auto& [k, ex] : decisions) decisions_changed += ex.count;

  if (json) {
    std::string out = fmt::format("{{\"events\":{},\"skipped\":{},\"decisions_changed\":{},"
                                  "\"firings_changed\":{},\"decision_changes\":[",
                                  evaluated, skipped, decisions_changed, firings_changed);
    bool first = true;
    for (const auto& [k, ex] : decisions) {
      out += first ? "{\"from\":" : ",{\"from\":";
      first = false;
      AppendJsonString(k.first, out);
      out += ",\"to\":";
      AppendJsonString(k.second, out);
      out += fmt::format(",\"count\":{},\"examples\":", ex.count);
      AppendIds(ex.ids, out);
      out += '}';
    }
    out += "],\"rules\":[";
    first = true;
    for (size_t k = 0; k < rules.size(); ++k) {
      const RuleDiff& d = rules[k];
      const std::string& rule = common[k];
      if (d.newly.count == 0 && d.no_longer.count == 0) continue;
      out += first ? "{\"rule\":" : ",{\"rule\":";
      first = false;
      AppendJsonString(rule, out);
      out += fmt::format(",\"old_fired\":{},\"new_fired\":{},\"newly_fired\":{},\"no_longer_fired\":{}",
                         d.old_fired, d.new_fired, d.newly.count, d.no_longer.count);
      out += ",\"newly_fired_examples\":";
      AppendIds(d.newly.ids, out);
      out += ",\"no_longer_fired_examples\":";
      AppendIds(d.no_longer.ids, out);
      out += '}';
    }
    out += "]}\n";
    fmt::print("{}", out);
  } else {
    fmt::print("{} events: decisions changed on {}, firings changed on {}{}\n", evaluated,
               decisions_changed, firings_changed,
               skipped ? fmt::format(" ({} lines skipped)", skipped) : "");
    if (!decisions.empty()) fmt::print("\ndecisions (old -> new):\n");
    for (const auto& [k, ex] : decisions) {
      fmt::print("  {} -> {}: {} events (e.g. {})\n", k.first, k.second, ex.count,
                 ExampleList(ex.ids));
    }
    bool header = false;
    for (size_t k = 0; k < rules.size(); ++k) {
      const RuleDiff& d = rules[k];
      const std::string& rule = common[k];
      if (d.newly.count == 0 && d.no_longer.count == 0) continue;
      if (!header) fmt::print("\nrules (fired in old -> new):\n");
      header = true;
      fmt::print("  {}: {} -> {}", rule, d.old_fired, d.new_fired);
      if (d.newly.count) fmt::print(", newly fired {} (e.g. {})", d.newly.count, ExampleList(d.newly.ids));
      if (d.no_longer.count) {
        fmt::print(", no longer fired {} (e.g. {})", d.no_longer.count, ExampleList(d.no_longer.ids));
      }
      fmt::print("\n");
    }
  }
  if (evaluated == 0) return kExitUsage;
  return decisions_changed == 0 && firings_changed == 0 ? kExitOk : kExitFailure;
}

}  // namespace vigil::cli
