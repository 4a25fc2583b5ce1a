#include "eval/explain.hpp"

#include <fmt/format.h>

#include <set>
#include <vector>

#include "base/json_writer.hpp"
#include "base/time_util.hpp"
#include "eval/result_json.hpp"

namespace vigil::eval {

namespace {

using plan::OpCode;

constexpr const char* kMasked = "****";
constexpr int kMaxDepth = 64;  // deeper sub-expressions are cut (conditions are shallow)

class Explainer {
 public:
  Explainer(Session& session, const Event& event, const EvalOptions& options, std::string& out)
      : s_(session),
        p_(session.program()),
        event_(event),
        options_(options),
        out_(out),
        taint_(p_.nodes.size(), kUnknown) {}

  void Rule(uint32_t r, bool fired) {
    const RuleInfo& rule = p_.rules[r];
    out_ += "{\"rule\":";
    AppendJsonString(rule.qualified_id, out_);
    fmt::format_to(std::back_inserter(out_), ",\"fired\":{},\"shadow\":{},\"condition\":",
                   fired ? "true" : "false", rule.shadow ? "true" : "false");
    Node(rule.when, 0);
    out_ += '}';
  }

  // Every let the explained conditions reach, each expanded once.
  void Lets() {
    out_ += "\"lets\":{";
    for (size_t i = 0; i < let_order_.size(); ++i) {  // grows while expanding
      const uint32_t let = let_order_[i];
      if (i > 0) out_ += ',';
      AppendJsonString(p_.let_names[let], out_);
      out_ += ":{\"value\":";
      AppendValue(s_.EvalNode(p_.lets[let]), p_.let_types[let], Tainted(p_.lets[let]));
      out_ += ",\"condition\":";
      Node(p_.lets[let], 0);
      out_ += '}';
    }
    out_ += '}';
  }

  void AppendValue(const Value& v, Type type, bool pii) {
    if (!v.present) {
      out_ += "\"missing\"";
      return;
    }
    if (!type.is_set && type.kind == Kind::kBool) {
      out_ += v.b ? "true" : "false";  // a truth value is not the person's data
      return;
    }
    if (pii && !options_.allow_pii) {
      out_ += '"';
      out_ += kMasked;
      out_ += '"';
      return;
    }
    text_.clear();
    FormatValue(v, type, text_);
    AppendJsonString(text_, out_);
  }

 private:
  enum Taint : uint8_t { kUnknown, kClean, kPii, kVisiting };

  // Whether a node's value is made from a @pii field: a field marked @pii,
  // an operation on one, a let that is, or a sum, average, minimum or
  // maximum of one (counts, and keys of `by:`, are not).
  bool Tainted(uint32_t index) {
    if (taint_[index] == kPii) return true;
    if (taint_[index] != kUnknown) return false;  // clean, or a cycle being visited
    taint_[index] = kVisiting;
    const plan::Node& n = p_.nodes[index];
    bool pii = false;
    switch (n.op) {
      case OpCode::kField:
        pii = p_.schema.fields[n.c].pii;
        break;
      case OpCode::kLet:
        pii = Tainted(p_.lets[n.c]);
        break;
      case OpCode::kAggregate: {
        const AggregateDef& def = p_.aggregates[n.c];
        pii = AggregateRevealsValue(def.kind) && def.value_node >= 0 &&
              Tainted(static_cast<uint32_t>(def.value_node));
        break;
      }
      case OpCode::kCmpI64Field: case OpCode::kCmpStrField: case OpCode::kInSetI64Field:
      case OpCode::kInSetStrField:
        pii = p_.schema.fields[n.a].pii;
        break;
      case OpCode::kCmpStrFields:
        pii = p_.schema.fields[n.a].pii || p_.schema.fields[n.b].pii;
        break;
      default:
        for (uint32_t k : Operands(n)) pii = Tainted(k) || pii;
    }
    taint_[index] = pii ? kPii : kClean;
    return pii;
  }

  // A node's operand nodes as planned (conversions included).
  std::vector<uint32_t> Operands(const plan::Node& n) const {
    std::vector<uint32_t> kids;
    int arity = plan::OperandCount(n.op);
    if (arity < 0) {
      for (uint32_t i = 0; i < n.b; ++i) kids.push_back(p_.child_lists[n.a + i]);
    } else {
      if (arity >= 1) kids.push_back(n.a);
      if (arity >= 2 && n.op != OpCode::kInExternalSet) kids.push_back(n.b);
    }
    return kids;
  }

  // The operands an analyst sees: numeric conversions are skipped (their
  // operand is shown instead); fused predicates show the field and the
  // constant they were made from.
  std::vector<uint32_t> Children(uint32_t index) const {
    const plan::Node& n = p_.nodes[index];
    std::vector<uint32_t> kids;
    const auto& fused = p_.fused_operands[index];
    if (fused[0] != Program::kNoNode) {
      kids.push_back(fused[0]);
      if (fused[1] != Program::kNoNode) kids.push_back(fused[1]);
      return kids;
    }
    if (n.op == OpCode::kInHashedSet) return kids;  // the looked-up value stays hidden
    if (n.op == OpCode::kInExternalSet && p_.external_lists[n.c].hashed) return kids;
    for (uint32_t k : Operands(n)) {
      OpCode op = p_.nodes[k].op;
      if (op == OpCode::kIntToDec || op == OpCode::kIntToF64 || op == OpCode::kDecToF64) {
        k = p_.nodes[k].a;
      }
      kids.push_back(k);
    }
    return kids;
  }

  // The operator of and/or, comparisons, arithmetic and `x in FIELD`,
  // whose text is their operands' joined by it; null for other nodes.
  static const char* Operator(const plan::Node& n) {
    switch (n.op) {
      case OpCode::kAnd: return "and";
      case OpCode::kOr: return "or";
      case OpCode::kInEventSet: return "in";
      case OpCode::kCmpI64: case OpCode::kCmpDec: case OpCode::kCmpF64: case OpCode::kCmpStr:
      case OpCode::kCmpBool: case OpCode::kCmpI64Field: case OpCode::kCmpStrField:
      case OpCode::kCmpStrFields:
        switch (n.cmp) {
          case plan::CmpOp::kEq: return "==";
          case plan::CmpOp::kNe: return "!=";
          case plan::CmpOp::kLt: return "<";
          case plan::CmpOp::kLe: return "<=";
          case plan::CmpOp::kGt: return ">";
          case plan::CmpOp::kGe: return ">=";
        }
        return nullptr;
      case OpCode::kAddI64: case OpCode::kAddDec: case OpCode::kAddF64: return "+";
      case OpCode::kSubI64: case OpCode::kSubDec: case OpCode::kSubF64: return "-";
      case OpCode::kMulI64: case OpCode::kMulDec: case OpCode::kMulF64: return "*";
      case OpCode::kDivI64: case OpCode::kDivDec: case OpCode::kDivF64: return "/";
      case OpCode::kModI64: case OpCode::kModDec: case OpCode::kModF64: return "%";
      default: return nullptr;
    }
  }

  static const char* KindOf(OpCode op) {
    switch (op) {
      case OpCode::kConst: return "const";
      case OpCode::kField: return "field";
      case OpCode::kLet: return "let";
      case OpCode::kAggregate: return "aggregate";
      case OpCode::kInSetI64: case OpCode::kInSetStr: case OpCode::kInSetI64Field:
      case OpCode::kInSetStrField: case OpCode::kInHashedSet: case OpCode::kInExternalSet:
        return "list";
      default: return "op";
    }
  }

  void AppendSet(const SetInfo& info, const char* kind) {
    out_ += ",\"list\":{\"name\":";
    if (info.name.empty()) {
      out_ += "null";
    } else {
      AppendJsonString(info.name, out_);
    }
    fmt::format_to(std::back_inserter(out_), ",\"kind\":\"{}\",\"size\":{},\"digest\":\"{}\"}}",
                   kind, info.size, info.digest);
  }

  void AppendExternal(uint32_t list) {
    const ExternalList& x = p_.external_lists[list];
    const ExternalSet* contents = s_.ExternalContents(list);
    out_ += ",\"list\":{\"name\":";
    AppendJsonString(x.name, out_);
    fmt::format_to(std::back_inserter(out_), ",\"kind\":\"{}\"",
                   x.hashed ? "external hashed" : "external");
    if (contents == nullptr) {
      out_ += ",\"supplied\":false}";
      return;
    }
    fmt::format_to(std::back_inserter(out_), ",\"size\":{},\"digest\":\"{}\"}}", contents->size,
                   contents->digest);
  }

  void AppendAggregate(uint32_t a) {
    const AggregateDef& def = p_.aggregates[a];
    const AggGroup& group = p_.agg_groups[def.group];
    out_ += ",\"aggregate\":{\"function\":\"";
    out_ += AggKindName(def.kind);
    out_ += "\",\"by\":[";
    for (size_t i = 0; i < group.key_slots.size(); ++i) {
      if (i > 0) out_ += ',';
      AppendJsonString(p_.schema.fields[group.key_slots[i]].name, out_);
    }
    out_ += "],\"key\":{";
    for (size_t i = 0; i < group.key_slots.size(); ++i) {
      if (i > 0) out_ += ',';
      const FieldInfo& f = p_.schema.fields[group.key_slots[i]];
      AppendJsonString(f.name, out_);
      out_ += ':';
      AppendValue(event_.at(group.key_slots[i]), f.type, f.pii);
    }
    out_ += "},\"within\":\"";
    out_ += DurationToString(def.within_us);
    out_ += '"';
    // Baselines (docs/language.md): only when given, so older records read
    // the same.
    if (def.offset_us > 0) {
      out_ += ",\"offset\":\"";
      out_ += DurationToString(def.offset_us);
      out_ += '"';
    }
    if (def.exclude_current) out_ += ",\"current\":false";
    if (def.value_node >= 0) {
      out_ += ",\"of\":";
      AppendJsonString(p_.node_text[static_cast<uint32_t>(def.value_node)], out_);
    }
    fmt::format_to(std::back_inserter(out_), ",\"events\":{}}}", s_.aggregate_events()[a]);
  }

  void Node(uint32_t index, int depth) {
    const plan::Node& n = p_.nodes[index];
    Value v = s_.EvalNode(index);
    out_ += "{\"kind\":\"";
    out_ += KindOf(n.op);
    out_ += '"';
    if (const char* op = Operator(n)) {
      out_ += ",\"op\":\"";
      out_ += op;
      out_ += '"';
    } else if (n.op == OpCode::kField) {
      out_ += ",\"field\":";
      AppendJsonString(p_.schema.fields[n.c].name, out_);
    } else if (n.op == OpCode::kLet) {
      out_ += ",\"let\":";
      AppendJsonString(p_.let_names[n.c], out_);
      if (let_seen_.insert(n.c).second) let_order_.push_back(n.c);
    }
    value_.clear();
    std::swap(value_, out_);  // the value, written aside to compare it with the text
    AppendValue(v, p_.node_types[index], Tainted(index));
    std::swap(value_, out_);
    // The source text, where the other members do not already say it all:
    // not for fields, lets, list lookups and operators (their operands are
    // there), nor for a literal constant (its value is its text).
    const std::string& text = p_.node_text[index];
    const bool literal = n.op == OpCode::kConst &&
                         (value_ == text || (value_.size() == text.size() + 2 &&
                                             value_.compare(1, text.size(), text) == 0));
    switch (n.op) {
      case OpCode::kField: case OpCode::kLet: case OpCode::kInSetI64: case OpCode::kInSetStr:
      case OpCode::kInSetI64Field: case OpCode::kInSetStrField: case OpCode::kInHashedSet:
      case OpCode::kInExternalSet:
        break;
      default:
        if (Operator(n) == nullptr && !literal) {
          out_ += ",\"expr\":";
          AppendJsonString(text, out_);
        }
    }
    out_ += ",\"value\":";
    out_ += value_;
    switch (n.op) {
      case OpCode::kAggregate:
        AppendAggregate(n.c);
        break;
      case OpCode::kInSetI64: case OpCode::kInSetI64Field:
        AppendSet(p_.int_set_info[n.c], "set");
        break;
      case OpCode::kInSetStr: case OpCode::kInSetStrField:
        AppendSet(p_.str_set_info[n.c], "set");
        break;
      case OpCode::kInHashedSet:
        AppendSet(p_.hashed_set_info[n.c], "hashed");
        out_ += ",\"operand\":";
        AppendJsonString(p_.node_text[n.a], out_);
        break;
      case OpCode::kInExternalSet:
        AppendExternal(n.c);
        if (p_.external_lists[n.c].hashed) {
          out_ += ",\"operand\":";
          AppendJsonString(p_.node_text[n.a], out_);
        }
        break;
      default:
        break;
    }
    std::vector<uint32_t> kids = Children(index);
    if (!kids.empty()) {
      if (depth >= kMaxDepth) {
        out_ += ",\"truncated\":true}";
        return;
      }
      out_ += ",\"children\":[";
      for (size_t i = 0; i < kids.size(); ++i) {
        if (i > 0) out_ += ',';
        Node(kids[i], depth + 1);
      }
      out_ += ']';
    }
    out_ += '}';
  }

  Session& s_;
  const Program& p_;
  const Event& event_;
  const EvalOptions& options_;
  std::string& out_;
  std::string text_;
  std::string value_;  // a node's value, before it is written
  std::vector<uint8_t> taint_;
  std::set<uint32_t> let_seen_;
  std::vector<uint32_t> let_order_;  // lets to expand, in the order first met
};

void AppendStrings(const std::vector<std::string>& items, std::string& out) {
  out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(items[i], out);
  }
  out += ']';
}

}  // namespace

void AppendExplainJson(Session& session, const Event& event, const Result& result,
                       const EvalOptions& options, std::string& out,
                       const ExplainOptions& explain) {
  const Program& p = session.program();
  session.Begin(event);
  Explainer ex(session, event, options, out);
  out += "{\"format\":";
  AppendJsonString(kExplainFormat, out);
  out += explain.fired_only ? ",\"mode\":\"fired\"" : ",\"mode\":\"all\"";
  out += options.allow_pii ? ",\"pii\":\"shown\"" : ",\"pii\":\"masked\"";

  // The event: id, time, subject.
  out += ",\"event\":{\"id\":";
  if (result.event_id_member != nullptr) {
    AppendJsonString(result.event_id, out);
    out += ",\"id_field\":";
    AppendJsonString(result.event_id_member, out);
  } else {
    out += "null,\"id_field\":null";
  }
  out += ",\"time\":";
  const Value time = p.schema.time_slot >= 0 ? event.at(static_cast<size_t>(p.schema.time_slot))
                                             : Value::Missing();
  if (time.present) {
    AppendJsonString(TimeToString(time.i), out);
  } else {
    out += "null";
  }
  if (p.schema.subject_slot >= 0) {
    const FieldInfo& f = p.schema.fields[static_cast<size_t>(p.schema.subject_slot)];
    out += ",\"subject\":{\"field\":";
    AppendJsonString(f.name, out);
    out += ",\"value\":";
    ex.AppendValue(event.at(static_cast<size_t>(p.schema.subject_slot)), f.type, f.pii);
    out += '}';
  }
  out += '}';

  // What was decided.
  out += ",\"decision\":";
  AppendJsonString(p.decisions[result.decision], out);
  fmt::format_to(std::back_inserter(out), ",\"score\":{},\"fired\":[", result.score);
  for (size_t i = 0; i < result.fired.size(); ++i) {
    if (i > 0) out += ',';
    AppendFiredRuleJson(p, result, result.fired[i], false, true, out);
  }
  out += "],\"shadow\":[";
  for (size_t i = 0; i < result.shadow.size(); ++i) {
    if (i > 0) out += ',';
    AppendFiredRuleJson(p, result, result.shadow[i], true, true, out);
  }
  out += ']';

  // Which rules decided.
  out += ",\"rulesets\":[";
  for (size_t i = 0; i < p.rulesets.size(); ++i) {
    const RulesetInfo& rs = p.rulesets[i];
    if (i > 0) out += ',';
    out += "{\"name\":";
    AppendJsonString(rs.name, out);
    out += ",\"version\":";
    AppendJsonString(rs.version, out);
    out += ",\"sources_digest\":";
    AppendJsonString(rs.sources_digest, out);
    if (rs.pack) {
      out += ",\"pack\":{\"file\":";
      AppendJsonString(rs.pack->file, out);
      out += ",\"version\":";
      AppendJsonString(rs.pack->version, out);
      out += ",\"sha256\":";
      AppendJsonString(rs.pack->sha256, out);
      out += ",\"signers\":";
      AppendStrings(rs.pack->signers, out);
      out += '}';
    }
    out += '}';
  }
  out += "],\"sources_digest\":";
  AppendJsonString(p.sources_digest, out);
  out += ",\"decisions\":";
  AppendStrings(p.decisions, out);

  // Why.
  out += ",\"rules\":[";
  std::vector<bool> fired(p.rules.size(), false);
  for (const auto& f : result.fired) fired[f.rule] = true;
  for (const auto& f : result.shadow) fired[f.rule] = true;
  bool first = true;
  for (uint32_t r = 0; r < p.rules.size(); ++r) {
    if (explain.fired_only && !fired[r]) continue;
    if (!first) out += ',';
    first = false;
    ex.Rule(r, fired[r]);
  }
  out += "],";
  ex.Lets();
  out += '}';
}

}  // namespace vigil::eval
