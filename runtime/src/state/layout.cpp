#include "state/layout.hpp"

#include <algorithm>

namespace vigil::state {

Layout Layout::FromProgram(const eval::Program& program) {
  Layout layout;
  for (const eval::AggGroup& g : program.agg_groups) {
    GroupLayout gl;
    gl.signature = g.signature;
    for (uint32_t a : g.aggregates) {
      const eval::AggregateDef& def = program.aggregates[a];
      Column c;
      c.signature = def.signature;
      c.kind = def.kind;
      c.cell = eval::CellKindOf(def.kind, def.value_type);
      c.value_kind = def.value_type.kind;
      c.within_us = def.within_us;
      c.offset_us = def.offset_us;
      c.exclude_current = def.exclude_current;
      c.percentile = def.percentile;
      if (c.cell == eval::CellKind::kString) c.str_col = static_cast<int32_t>(gl.str_cols++);
      gl.longest_us = std::max(gl.longest_us, c.reach_us());
      gl.columns.push_back(std::move(c));
    }
    layout.groups.push_back(std::move(gl));
  }
  return layout;
}

bool Layout::operator==(const Layout& other) const {
  if (groups.size() != other.groups.size()) return false;
  for (size_t g = 0; g < groups.size(); ++g) {
    const GroupLayout& a = groups[g];
    const GroupLayout& b = other.groups[g];
    if (a.signature != b.signature || a.columns.size() != b.columns.size()) return false;
    for (size_t c = 0; c < a.columns.size(); ++c) {
      if (a.columns[c].signature != b.columns[c].signature) return false;
    }
  }
  return true;
}

namespace {

bool HasColumn(const GroupLayout& g, const std::string& signature) {
  for (const Column& c : g.columns) {
    if (c.signature == signature) return true;
  }
  return false;
}

bool SameColumns(const GroupLayout& a, const GroupLayout& b) {
  if (a.columns.size() != b.columns.size()) return false;
  for (size_t c = 0; c < a.columns.size(); ++c) {
    if (a.columns[c].signature != b.columns[c].signature) return false;
  }
  return true;
}

}  // namespace

Layout Layout::Union(const Layout& base, const Layout& add, bool merge_columns) {
  Layout out = base;
  for (const GroupLayout& ng : add.groups) {
    GroupLayout* into = nullptr;
    for (GroupLayout& g : out.groups) {
      if (g.signature != ng.signature) continue;
      if (merge_columns || SameColumns(g, ng)) into = &g;
    }
    if (into == nullptr) {
      out.groups.push_back(ng);
      continue;
    }
    if (!merge_columns) continue;  // the same exact group
    for (const Column& c : ng.columns) {
      if (HasColumn(*into, c.signature)) continue;
      Column copy = c;
      copy.str_col = c.str_col >= 0 ? static_cast<int32_t>(into->str_cols++) : -1;
      into->longest_us = std::max(into->longest_us, copy.reach_us());
      into->columns.push_back(std::move(copy));
    }
  }
  return out;
}

std::vector<std::string> Layout::ColumnKeys() const {
  std::vector<std::string> keys;
  for (const GroupLayout& g : groups) {
    for (const Column& c : g.columns) keys.push_back(g.signature + "\n" + c.signature);
  }
  return keys;
}

void Mapping::Build(const eval::Program& program, const Layout& layout, uint64_t layout_version) {
  version = layout_version;
  group.assign(program.agg_groups.size(), -1);
  column.assign(program.aggregates.size(), -1);
  // The store group with the program group's signature that holds most of its
  // aggregates (an external backend may hold several groups of one key).
  for (size_t g = 0; g < program.agg_groups.size(); ++g) {
    size_t best = 0;
    for (size_t sg = 0; sg < layout.groups.size(); ++sg) {
      if (layout.groups[sg].signature != program.agg_groups[g].signature) continue;
      size_t have = 0;
      for (uint32_t a : program.agg_groups[g].aggregates) {
        have += HasColumn(layout.groups[sg], program.aggregates[a].signature) ? 1 : 0;
      }
      if (group[g] < 0 || have > best) {
        group[g] = static_cast<int32_t>(sg);
        best = have;
      }
    }
  }
  for (size_t a = 0; a < program.aggregates.size(); ++a) {
    int32_t sg = group[program.aggregates[a].group];
    if (sg < 0) continue;
    const auto& cols = layout.groups[sg].columns;
    for (size_t c = 0; c < cols.size(); ++c) {
      if (cols[c].signature == program.aggregates[a].signature) {
        column[a] = static_cast<int32_t>(c);
      }
    }
  }
}

}  // namespace vigil::state
