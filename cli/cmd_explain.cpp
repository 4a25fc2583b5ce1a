// vigil explain --rules FILES... --event JSON: for one event, every rule's
// condition as a tree with the value of each sub-expression, so an analyst
// sees why a rule fired or did not. The tree is the explanation record
// (docs/explain.md) drawn as text; --json prints the record itself.
#include <fmt/format.h>
#include <simdjson.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "base/bom.hpp"
#include "cli.hpp"
#include "eval/event_json.hpp"
#include "eval/explain.hpp"
#include "eval/session.hpp"

namespace vigil::cli {

namespace {

std::string ValueText(simdjson::dom::element v) {
  if (v.is_bool()) return v.get_bool().value() ? "true" : "false";
  std::string_view s;
  if (v.get(s) == simdjson::SUCCESS) return std::string(s);
  return std::string(simdjson::minify(v));
}

std::string_view Member(simdjson::dom::element node, const char* name) {
  std::string_view v;
  return node[name].get(v) == simdjson::SUCCESS ? v : std::string_view();
}

// What a node is called in the tree: its source text, or what stands for it
// where the record leaves the text out: a field or let's name, `in LIST`,
// and/or, and for other operators their operands joined by the operator.
std::string Label(simdjson::dom::element node, int depth = 0) {
  for (const char* name : {"expr", "field", "let"}) {
    std::string_view v = Member(node, name);
    if (!v.empty()) return std::string(v);
  }
  simdjson::dom::element list;
  if (node["list"].get(list) == simdjson::SUCCESS) {
    std::string_view name = Member(list, "name");
    return fmt::format("in {}", name.empty() ? "{...}" : name);
  }
  std::string_view op = Member(node, "op");
  simdjson::dom::array kids;
  if (op == "and" || op == "or" || op.empty() || depth > 16 ||
      node["children"].get(kids) != simdjson::SUCCESS || kids.size() != 2) {
    return op.empty() ? std::string(Member(node, "value")) : std::string(op);
  }
  auto operand = [&](simdjson::dom::element k) {
    std::string text = Label(k, depth + 1);
    std::string_view kop = Member(k, "op");
    return kop.empty() ? text : "(" + text + ")";
  };
  return fmt::format("{} {} {}", operand(kids.at(0).value_unsafe()), op,
                     operand(kids.at(1).value_unsafe()));
}

// The fields a condition reads itself (not through lets), with their values.
void Reads(simdjson::dom::element node, std::string& out, int depth = 0) {
  std::string_view field = Member(node, "field");
  if (!field.empty()) {
    simdjson::dom::element value;
    std::string text = node["value"].get(value) == simdjson::SUCCESS ? ValueText(value) : "?";
    std::string item = fmt::format("{} = {}", field, text);
    if (out.find(item) == std::string::npos) out += (out.empty() ? "" : ", ") + item;
  }
  simdjson::dom::array kids;
  if (depth > 64 || node["children"].get(kids) != simdjson::SUCCESS) return;
  for (simdjson::dom::element k : kids) Reads(k, out, depth + 1);
}

// One line per node: the value, then the source text (first line only,
// whitespace collapsed), indented under its parent. A let is drawn with its
// expansion (the record's "lets") under it; constants are left out.
void Draw(simdjson::dom::element node, simdjson::dom::object lets, const std::string& indent,
          bool last, bool root, std::string& out, int depth = 0) {
  const std::string expr = Label(node);
  std::string text;
  bool space = false;
  for (char ch : expr) {
    bool ws = ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r';
    if (ws) {
      space = !text.empty();
      continue;
    }
    if (space) text += ' ';
    space = false;
    text += ch;
  }
  simdjson::dom::element value;
  const bool has_value = node["value"].get(value) == simdjson::SUCCESS;
  const std::string shown = has_value ? ValueText(value) : "?";
  const std::string branch = root ? "" : (last ? "└─ " : "├─ ");
  // Truth values lead the line; other values follow their expression.
  if (shown == "true" || shown == "false" || shown == "missing") {
    out += fmt::format("    {}{}{:<7} {}\n", indent, branch, shown, text);
  } else {
    out += fmt::format("    {}{}{:<7} {} = {}\n", indent, branch, "", text, shown);
  }
  const std::string next = root ? "" : indent + (last ? "   " : "│  ");
  std::vector<simdjson::dom::element> shown_kids;
  std::string_view let;
  simdjson::dom::element expansion;
  if (depth < 32 && node["let"].get(let) == simdjson::SUCCESS &&
      lets[let]["condition"].get(expansion) == simdjson::SUCCESS) {
    shown_kids.push_back(expansion);
  }
  simdjson::dom::array kids;
  if (node["children"].get(kids) == simdjson::SUCCESS) {
    for (simdjson::dom::element k : kids) {
      std::string_view kind;
      if (k["kind"].get(kind) == simdjson::SUCCESS && kind == "const") continue;
      shown_kids.push_back(k);
    }
  }
  for (size_t i = 0; i < shown_kids.size(); ++i) {
    Draw(shown_kids[i], lets, next, i + 1 == shown_kids.size(), false, out, depth + 1);
  }
}

// The event: inline JSON, or @FILE (one line's worth at most).
bool ReadText(const std::string& arg, std::string* text, std::string* error) {
  if (!arg.starts_with("@")) {
    *text = arg;
    return true;
  }
  return ReadInput(arg.substr(1), LineReader::kMaxLine, text, error);
}

}  // namespace

int RunExplain(const std::vector<std::string>& args) {
  const Command& self = *FindCommand("explain");
  std::vector<std::string> rules;
  std::string event_arg, history;
  bool json = false, allow_pii = false, only_fired = false;
  OnceOptions once;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string problem;
    if (int taken = TakeCompileFlag(args, i, &problem); taken != 0) {
      if (taken < 0) return Usage(self, problem);
      continue;
    }
    if (a == "--event" || a == "--history") {
      std::string twice = once.Take(a);
      if (!twice.empty()) return Usage(self, twice);
    }
    if (a == "--rules") {
      while (i + 1 < args.size() && !args[i + 1].starts_with("--")) rules.push_back(args[++i]);
    } else if (a == "--event") {
      if (i + 1 >= args.size()) return Usage(self, "--event needs a JSON object or @FILE");
      event_arg = args[++i];
    } else if (a == "--history") {
      if (i + 1 >= args.size()) return Usage(self, "--history needs a JSON Lines file");
      history = args[++i];
    } else if (a == "--json") {
      json = true;
    } else if (a == "--allow-pii") {
      allow_pii = true;
    } else if (a == "--fired") {
      only_fired = true;
    } else {
      return Usage(self, fmt::format("unexpected argument '{}'", a));
    }
  }
  if (rules.empty()) return Usage(self, "no rule files given (--rules FILES...)");
  if (event_arg.empty()) return Usage(self, "no event given (--event JSON or --event @FILE)");
  std::vector<std::string> rule_files;
  std::string expand_error;
  if (!ExpandRulePaths(rules, &rule_files, &expand_error)) {
    fmt::print(stderr, "vigil explain: {}\n", expand_error);
    return kExitUsage;
  }
  rules = std::move(rule_files);
  std::string event_text, read_error;
  if (!ReadText(event_arg, &event_text, &read_error)) {
    fmt::print(stderr, "vigil explain: cannot read \"{}\": {}\n", event_arg.substr(1), read_error);
    return kExitFailure;
  }
  while (!event_text.empty() && (event_text.back() == '\n' || event_text.back() == '\r')) {
    event_text.pop_back();
  }
  StripUtf8Bom(event_text);  // a text input of its own (base/bom.hpp)

  Compilation c = CompileAndReport(rules);
  if (!c.ok()) {
    fmt::print(stderr, "vigil explain: the rules do not compile\n");
    return kExitUsage;
  }
  eval::Session session(c.program);
  eval::Event event(c.program->schema);
  eval::Result result;
  eval::EventJsonReader reader;
  std::string error;
  if (!history.empty()) {  // earlier events, recorded for the aggregates
    std::error_code dir_error;
    const bool is_dir = std::filesystem::is_directory(history, dir_error);
    std::FILE* in = is_dir ? nullptr : std::fopen(history.c_str(), "rb");
    if (in == nullptr) {
      fmt::print(stderr, "vigil explain: cannot read \"{}\": {}\n", history,
                 is_dir ? "it is a directory" : std::strerror(errno));
      return kExitFailure;
    }
    LineReader lines(in);
    std::string line;
    size_t number = 0;
    bool too_long = false;
    while (lines.Next(line, &too_long)) {
      ++number;
      if (!too_long && line.find_first_not_of(" \t\r") == std::string::npos) continue;
      if (too_long) error = fmt::format("line is longer than {} bytes", LineReader::kMaxLine);
      if (too_long || !reader.Read(line, event, &error)) {
        fmt::print(stderr, "{}:{}: {}\n", history, number, error);
        std::fclose(in);
        return kExitFailure;
      }
      session.Record(event);
    }
    std::fclose(in);
  }
  if (!reader.Read(event_text, event, &error)) {
    fmt::print(stderr, "vigil explain: the event: {}\n", error);
    // `--event events.json` reads the name as JSON: say how to read a file.
    std::error_code ec;
    if (!event_arg.starts_with("@") && !event_arg.starts_with("{") &&
        std::filesystem::is_regular_file(event_arg, ec)) {
      fmt::print(stderr, "  = help: \"{}\" is a file; to read the event from it, write --event @{}\n",
                 event_arg, event_arg);
    }
    return kExitFailure;
  }
  eval::EvalOptions options;
  options.allow_pii = allow_pii;
  options.record = false;
  session.Evaluate(event, result, options);
  std::string record;
  eval::ExplainOptions explain;
  explain.fired_only = only_fired;
  eval::AppendExplainJson(session, event, result, options, record, explain);
  if (json) {
    fmt::print("{}\n", record);
    return kExitOk;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(record).get(doc) != simdjson::SUCCESS) {
    fmt::print(stderr, "vigil explain: internal error: unreadable explanation record\n");
    return kExitFailure;
  }
  const eval::Program& p = *c.program;
  std::string out = fmt::format("decision {}, score {}\n\n", p.decisions[result.decision],
                                result.score);
  simdjson::dom::object lets;
  if (doc["lets"].get(lets) != simdjson::SUCCESS) {
    fmt::print(stderr, "vigil explain: internal error: an explanation record without lets\n");
    return kExitFailure;
  }
  for (simdjson::dom::element rule : doc["rules"]) {
    bool fired = rule["fired"].get_bool().value_unsafe();
    bool shadow = rule["shadow"].get_bool().value_unsafe();
    if (only_fired && !fired) continue;
    std::string_view id = rule["rule"].get_string().value_unsafe();
    out += fmt::format("{} {}{}\n", fired ? "FIRED  " : "not    ", id, shadow ? " (shadow)" : "");
    simdjson::dom::element cond;
    if (rule["condition"].get(cond) == simdjson::SUCCESS) Draw(cond, lets, "", true, true, out);
    std::string reads;
    if (rule["condition"].get(cond) == simdjson::SUCCESS) Reads(cond, reads);
    if (!reads.empty()) out += fmt::format("    reads: {}\n", reads);
    out += '\n';
  }
  if (!p.aggregates.empty() && history.empty()) {
    out += "note: the aggregates above count this event alone; give the events before it with\n"
           "      --history FILE.jsonl to see the values production would compute\n";
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

}  // namespace vigil::cli
