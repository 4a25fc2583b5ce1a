// vigil explain --rules FILES... --event JSON: for one event, every rule's
// condition as a tree with the value of each sub-expression, so an analyst
// sees why a rule fired or did not. The tree is the explanation record
// (docs/explain.md) drawn as text; --json prints the record itself.
#include <fmt/format.h>
#include <simdjson.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

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

// One line per node: the value, then the source text (first line only,
// whitespace collapsed), indented under its parent.
void Draw(simdjson::dom::element node, const std::string& indent, bool last, bool root,
          std::string& out) {
  std::string_view expr;
  if (node["expr"].get(expr) != simdjson::SUCCESS) expr = "?";
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
  simdjson::dom::array kids;
  if (node["children"].get(kids) != simdjson::SUCCESS) return;
  const std::string next = root ? "" : indent + (last ? "   " : "│  ");
  size_t n = kids.size(), i = 0;
  for (simdjson::dom::element k : kids) Draw(k, next, ++i == n, false, out);
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
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
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
    std::FILE* in = std::fopen(history.c_str(), "rb");
    if (in == nullptr) {
      fmt::print(stderr, "vigil explain: cannot read \"{}\": {}\n", history, std::strerror(errno));
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
    return kExitFailure;
  }
  eval::EvalOptions options;
  options.allow_pii = allow_pii;
  options.record = false;
  session.Evaluate(event, result, options);
  std::string record;
  eval::AppendExplainJson(session, event, result, options, record);
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
  for (simdjson::dom::element rule : doc["rules"]) {
    bool fired = rule["fired"].get_bool().value_unsafe();
    bool shadow = rule["shadow"].get_bool().value_unsafe();
    if (only_fired && !fired) continue;
    std::string_view id = rule["rule"].get_string().value_unsafe();
    out += fmt::format("{} {}{}\n", fired ? "FIRED  " : "not    ", id, shadow ? " (shadow)" : "");
    simdjson::dom::element cond;
    if (rule["condition"].get(cond) == simdjson::SUCCESS) Draw(cond, "", true, true, out);
    simdjson::dom::object fields;
    if (rule["reads"]["fields"].get(fields) == simdjson::SUCCESS && fields.size() > 0) {
      std::string reads;
      for (auto [name, value] : fields) {
        reads += fmt::format("{}{} = {}", reads.empty() ? "" : ", ", name, ValueText(value));
      }
      out += fmt::format("    reads: {}\n", reads);
    }
    out += '\n';
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

}  // namespace vigil::cli
