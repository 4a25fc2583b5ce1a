#include "eval/fields_read.hpp"

namespace vigil::eval {

std::vector<bool> FieldsRead(const Program& p) {
  std::vector<bool> read(p.schema.fields.size(), false);
  std::vector<bool> seen(p.nodes.size(), false);
  std::vector<bool> agg_seen(p.aggregates.size(), false);
  std::vector<uint32_t> todo;
  auto visit = [&](int64_t node) {
    if (node >= 0 && !seen[static_cast<size_t>(node)]) {
      seen[static_cast<size_t>(node)] = true;
      todo.push_back(static_cast<uint32_t>(node));
    }
  };
  auto field = [&](uint32_t slot) {
    if (slot < read.size()) read[slot] = true;
  };
  for (const RuleInfo& rule : p.rules) {
    visit(rule.when);
    for (const ReasonPiece& piece : rule.reason) visit(piece.node);
  }
  while (!todo.empty()) {  // iterative: deep expressions cannot overflow the stack
    const plan::Node& n = p.nodes[todo.back()];
    todo.pop_back();
    switch (n.op) {
      case plan::OpCode::kField:
        field(n.c);
        break;
      case plan::OpCode::kCmpStrFields:
        field(n.a);
        field(n.b);
        break;
      case plan::OpCode::kCmpI64Field:
      case plan::OpCode::kCmpStrField:
      case plan::OpCode::kInSetI64Field:
      case plan::OpCode::kInSetStrField:
        field(n.a);
        break;
      case plan::OpCode::kLet:
        visit(p.lets[n.c]);
        break;
      case plan::OpCode::kAggregate:
        if (!agg_seen[n.c]) {
          agg_seen[n.c] = true;
          const AggregateDef& def = p.aggregates[n.c];
          visit(def.value_node);
          visit(def.where_node);
          for (uint32_t slot : p.agg_groups[def.group].key_slots) field(slot);
          if (p.schema.time_slot >= 0) field(static_cast<uint32_t>(p.schema.time_slot));
        }
        break;
      default: {
        const int arity = plan::OperandCount(n.op);
        if (arity < 0) {
          for (uint32_t i = 0; i < n.b; ++i) visit(p.child_lists[n.a + i]);
        } else {
          if (arity >= 1) visit(n.a);
          if (arity >= 2) visit(n.b);
        }
        break;
      }
    }
  }
  return read;
}

}  // namespace vigil::eval
