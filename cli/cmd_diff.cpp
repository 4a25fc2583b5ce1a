// vigil diff OLD NEW --events FILE: a backtest of a new rule-set version (or
// an override) over a corpus, before adopting it.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>
#include <memory>

#include "base/json_writer.hpp"
#include "cli.hpp"
#include "eval/event_json.hpp"
#include "eval/session.hpp"
#include "stream/eval_stream.hpp"

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
  std::vector<uint32_t> to_common;  // rule index → index into the union of both sides' rule ids
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

// Each evaluated event as the stream's threads see it (stream/eval_stream.hpp):
// its fired rules on both sides as sorted common indexes and its decisions,
// packed into the chunk's records; the event's id is kept only when
// something changed (examples are taken only from changed events). The
// counting is done in input order as chunks are delivered, so the report
// does not depend on the number of threads.
class DiffHandler : public stream::Handler {
 public:
  DiffHandler(const Side& olds, const Side& news, size_t rules, const std::string& events)
      : olds_(olds), news_(news), rules_(rules), events_(events) {}

  void Format(const stream::Evaluated& e, stream::ChunkOutput& out) override {
    std::vector<uint32_t>& d = out.data;
    const size_t head = d.size();
    d.resize(head + kHeader);
    const uint32_t n0 = Fired(olds_, *e.results[0], d);
    const uint32_t n1 = Fired(news_, *e.results[1], d);
    const uint32_t* old_fired = d.data() + head + kHeader;
    const uint32_t* new_fired = old_fired + n0;
    const std::string& d0 = olds_.program->decisions[e.results[0]->decision];
    const std::string& d1 = news_.program->decisions[e.results[1]->decision];
    const bool changed = d0 != d1 || n0 != n1 || !std::equal(old_fired, old_fired + n0, new_fired);
    uint32_t* h = d.data() + head;
    h[0] = static_cast<uint32_t>(e.line);
    h[1] = static_cast<uint32_t>(e.line >> 32);
    h[2] = n0;
    h[3] = n1;
    h[4] = e.results[0]->decision;
    h[5] = e.results[1]->decision;
    h[6] = static_cast<uint32_t>(out.text.size());
    if (changed) out.text += e.results[1]->event_id;
    h[7] = static_cast<uint32_t>(out.text.size()) - h[6];
  }

  bool Failed(uint64_t line, const std::string& error, stream::ChunkOutput& out) override {
    fmt::format_to(std::back_inserter(out.messages), "{}:{}: {}\n", events_, line,
                   error.empty() ? "line too long" : error);
    return false;
  }

  void Deliver(stream::ChunkOutput& out) override {
    if (!out.messages.empty()) std::fwrite(out.messages.data(), 1, out.messages.size(), stderr);
    const std::vector<uint32_t>& d = out.data;
    for (size_t at = 0; at < d.size();) {
      const uint32_t* h = d.data() + at;
      const uint64_t line = h[0] | (static_cast<uint64_t>(h[1]) << 32);
      const uint32_t n0 = h[2], n1 = h[3];
      const uint32_t* old_fired = h + kHeader;
      const uint32_t* new_fired = old_fired + n0;
      const std::string_view given(out.text.data() + h[6], h[7]);
      at += kHeader + n0 + n1;
      auto id = [&] {
        return given.empty() ? fmt::format("line {}", line) : std::string(given);
      };
      for (uint32_t k = 0; k < n0; ++k) ++rules_[old_fired[k]].old_fired;
      for (uint32_t k = 0; k < n1; ++k) ++rules_[new_fired[k]].new_fired;
      bool changed = false;
      for (uint32_t k = 0; k < n1; ++k) {
        if (std::binary_search(old_fired, old_fired + n0, new_fired[k])) continue;
        rules_[new_fired[k]].newly.Add(id);
        changed = true;
      }
      for (uint32_t k = 0; k < n0; ++k) {
        if (std::binary_search(new_fired, new_fired + n1, old_fired[k])) continue;
        rules_[old_fired[k]].no_longer.Add(id);
        changed = true;
      }
      firings_changed += changed;
      const std::string& d0 = olds_.program->decisions[h[4]];
      const std::string& d1 = news_.program->decisions[h[5]];
      if (d0 != d1) decisions[{d0, d1}].Add(id);
    }
  }

  const std::vector<RuleDiff>& rules() const { return rules_; }
  size_t firings_changed = 0;
  std::map<std::pair<std::string, std::string>, Examples> decisions;

 private:
  static constexpr size_t kHeader = 8;  // line (2 words), counts, decisions, id offset and size

  // Appends the side's fired rules as sorted common indexes; returns how many.
  static uint32_t Fired(const Side& s, const eval::Result& r, std::vector<uint32_t>& d) {
    const size_t begin = d.size();
    for (const auto& f : r.fired) d.push_back(s.to_common[f.rule]);
    std::sort(d.begin() + static_cast<std::ptrdiff_t>(begin), d.end());
    return static_cast<uint32_t>(d.size() - begin);
  }

  const Side& olds_;
  const Side& news_;
  std::vector<RuleDiff> rules_;
  const std::string& events_;
};

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
  unsigned threads = 0;  // 0: every core
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
    if (a == "--threads") {
      std::string twice = once.Take(a);
      if (!twice.empty()) return Usage(self, twice);
      if (i + 1 == args.size()) return Usage(self, "--threads needs a number of threads");
      if (!ParseThreads(args[++i], &threads, &problem)) return Usage(self, problem);
      continue;
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
  ByteReader reader(in);
  uint64_t number = 0;
  DiffHandler handler(olds, news, common.size(), events);
  const stream::Side sides[2] = {{olds.program, nullptr, {}}, {news.program, nullptr, {}}};
  stream::StreamOptions options;
  options.threads = threads;
  options.lines_read = &number;
  options.blank = " \t\r";
  options.max_line = LineReader::kMaxLine;
  Doing reading(fmt::format("reading \"{}\"", events), &number);
  const stream::StreamTotals totals = reader.Run(sides, handler, options);
  const size_t evaluated = totals.evaluated, skipped = totals.failed;
  const size_t firings_changed = handler.firings_changed;
  const std::vector<RuleDiff>& rules = handler.rules();
  const auto& decisions = handler.decisions;
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
