#include "eval/explain.hpp"

#include <fmt/format.h>

#include <map>
#include <set>

#include "base/json_writer.hpp"

namespace vigil::eval {

namespace {

class Explainer {
 public:
  Explainer(Session& session, const Event& event, const EvalOptions& options, std::string& out)
      : s_(session), p_(session.program()), event_(event), options_(options), out_(out) {}

  void Rule(uint32_t r, bool fired) {
    const RuleInfo& rule = p_.rules[r];
    fields_.clear();
    lets_.clear();
    aggs_.clear();
    out_ += "{\"rule\":";
    AppendJsonString(rule.qualified_id, out_);
    fmt::format_to(std::back_inserter(out_), ",\"fired\":{},\"shadow\":{},\"condition\":",
                   fired ? "true" : "false", rule.shadow ? "true" : "false");
    Node(rule.when, 0);
    out_ += ",\"reads\":{\"fields\":{";
    bool first = true;
    for (uint32_t slot : fields_) {
      if (!first) out_ += ',';
      first = false;
      const FieldInfo& f = p_.schema.fields[slot];
      AppendJsonString(f.name, out_);
      out_ += ':';
      AppendValue(event_.at(slot), f.type, f.pii);
    }
    out_ += "},\"lets\":{";
    first = true;
    for (uint32_t let : lets_) {
      if (!first) out_ += ',';
      first = false;
      AppendJsonString(p_.let_names[let], out_);
      out_ += ':';
      Value v = s_.EvalNode(p_.lets[let]);
      AppendValue(v, p_.let_types[let], false);
    }
    // The aggregate values the condition depends on, directly or through
    // lets: the counts and sums an analyst checks first.
    out_ += "},\"aggregates\":{";
    first = true;
    for (uint32_t a : aggs_) {
      if (!first) out_ += ',';
      first = false;
      AppendJsonString(p_.aggregates[a].text, out_);
      out_ += ':';
      AppendValue(s_.aggregate_values()[a], p_.aggregates[a].type, false);
    }
    out_ += "}}}";
  }

 private:
  void AppendValue(const Value& v, Type type, bool pii) {
    if (!v.present) {
      out_ += "\"missing\"";
      return;
    }
    if (pii && !options_.allow_pii) {
      out_ += "\"****\"";
      return;
    }
    if (!type.is_set && type.kind == Kind::kBool) {
      out_ += v.b ? "true" : "false";
      return;
    }
    text_.clear();
    FormatValue(v, type, text_);
    AppendJsonString(text_, out_);
  }

  void Node(uint32_t index, int depth) {
    const plan::Node& n = p_.nodes[index];
    Value v = s_.EvalNode(index);
    out_ += "{\"expr\":";
    AppendJsonString(p_.node_text[index], out_);
    out_ += ",\"value\":";
    bool pii = n.op == plan::OpCode::kField && p_.schema.fields[n.c].pii;
    AppendValue(v, p_.node_types[index], pii);
    switch (n.op) {
      case plan::OpCode::kField:
        fields_.insert(n.c);
        break;
      case plan::OpCode::kCmpStrFields:
        fields_.insert(n.a);
        fields_.insert(n.b);
        break;
      case plan::OpCode::kCmpI64Field:
      case plan::OpCode::kCmpStrField:
      case plan::OpCode::kInSetI64Field:
      case plan::OpCode::kInSetStrField:
        fields_.insert(n.a);
        break;
      default:
        break;
    }
    if (n.op == plan::OpCode::kLet) {
      lets_.insert(n.c);
      CollectAggregates(p_.lets[n.c]);
    }
    if (n.op == plan::OpCode::kAggregate) aggs_.insert(n.c);
    std::vector<uint32_t> kids = Children(n);
    // Conversions and constants add nothing an analyst needs to see.
    if (!kids.empty() && depth < 64) {
      out_ += ",\"children\":[";
      for (size_t i = 0; i < kids.size(); ++i) {
        if (i > 0) out_ += ',';
        Node(kids[i], depth + 1);
      }
      out_ += ']';
    }
    out_ += '}';
  }

  // The aggregates an expression reads, through lets too (iterative).
  void CollectAggregates(uint32_t root) {
    std::vector<uint32_t> todo{root};
    std::set<uint32_t> seen;
    while (!todo.empty()) {
      uint32_t i = todo.back();
      todo.pop_back();
      if (!seen.insert(i).second) continue;
      const plan::Node& n = p_.nodes[i];
      if (n.op == plan::OpCode::kAggregate) aggs_.insert(n.c);
      if (n.op == plan::OpCode::kLet) todo.push_back(p_.lets[n.c]);
      int arity = plan::OperandCount(n.op);
      if (arity < 0) {
        for (uint32_t k = 0; k < n.b; ++k) todo.push_back(p_.child_lists[n.a + k]);
      } else {
        if (arity >= 1) todo.push_back(n.a);
        if (arity >= 2) todo.push_back(n.b);
      }
    }
  }

  std::vector<uint32_t> Children(const plan::Node& n) const {
    std::vector<uint32_t> kids;
    int arity = plan::OperandCount(n.op);
    if (arity < 0) {
      for (uint32_t i = 0; i < n.b; ++i) kids.push_back(p_.child_lists[n.a + i]);
    } else {
      if (arity >= 1) kids.push_back(n.a);
      if (arity >= 2) kids.push_back(n.b);
    }
    std::vector<uint32_t> shown;
    for (uint32_t k : kids) {
      plan::OpCode op = p_.nodes[k].op;
      if (op == plan::OpCode::kConst) continue;
      if (op == plan::OpCode::kIntToDec || op == plan::OpCode::kIntToF64 ||
          op == plan::OpCode::kDecToF64) {
        k = p_.nodes[k].a;
        if (p_.nodes[k].op == plan::OpCode::kConst) continue;
      }
      shown.push_back(k);
    }
    return shown;
  }

  Session& s_;
  const Program& p_;
  const Event& event_;
  const EvalOptions& options_;
  std::string& out_;
  std::string text_;
  std::set<uint32_t> fields_;
  std::set<uint32_t> lets_;
  std::set<uint32_t> aggs_;
};

}  // namespace

void AppendExplainJson(Session& session, const Event& event, const Result& result,
                       const EvalOptions& options, std::string& out) {
  const Program& p = session.program();
  session.Begin(event);
  out += "{\"format\":";
  AppendJsonString(kExplainFormat, out);
  out += ",\"rulesets\":[";
  for (size_t i = 0; i < p.rulesets.size(); ++i) {
    if (i > 0) out += ',';
    out += "{\"name\":";
    AppendJsonString(p.rulesets[i].name, out);
    out += ",\"version\":";
    AppendJsonString(p.rulesets[i].version, out);
    out += '}';
  }
  out += "],\"sources_digest\":";
  AppendJsonString(p.sources_digest, out);
  out += ",\"rules\":[";
  std::vector<bool> fired(p.rules.size(), false);
  for (const auto& f : result.fired) fired[f.rule] = true;
  for (const auto& f : result.shadow) fired[f.rule] = true;
  Explainer ex(session, event, options, out);
  for (uint32_t r = 0; r < p.rules.size(); ++r) {
    if (r > 0) out += ',';
    ex.Rule(r, fired[r]);
  }
  out += "]}";
}

}  // namespace vigil::eval
