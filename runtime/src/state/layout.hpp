// What the state store keeps per key: the columns of each aggregate group.
// A layout is derived from a compiled program; the store migrates its data
// from one layout to the next on a hot reload, keeping every column whose
// aggregate signature is unchanged.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "eval/aggregate.hpp"
#include "eval/program.hpp"

namespace vigil::state {

struct Column {
  std::string signature;  // eval::AggregateDef::signature
  eval::AggKind kind = eval::AggKind::kCount;
  eval::CellKind cell = eval::CellKind::kNone;
  Kind value_kind = Kind::kError;  // the summarised value's type (avg needs it)
  int64_t within_us = 0;
  int32_t str_col = -1;   // index among the group's string columns, -1 if none
  // Baselines (docs/language.md): the window is (t - offset - within,
  // t - offset], without the current event when `exclude_current`;
  // percentile's P in units of 10^-6.
  int64_t offset_us = 0;
  bool exclude_current = false;
  int64_t percentile = 0;
  // How far back the column reads: within + offset (saturating).
  int64_t reach_us() const {
    int64_t r;
    return __builtin_add_overflow(within_us, offset_us, &r) ? INT64_MAX : r;
  }
};

struct GroupLayout {
  std::string signature;  // eval::AggGroup::signature
  std::vector<Column> columns;
  uint32_t str_cols = 0;
  int64_t longest_us = 0;  // the furthest reach (window plus offset): older entries can go
};

struct Layout {
  std::vector<GroupLayout> groups;

  static Layout FromProgram(const eval::Program& program);
  bool operator==(const Layout& other) const;

  // `base` extended with what `add` has and `base` lacks; nothing of `base`
  // is dropped or moved, so indexes into `base` stay valid. With
  // `merge_columns`, a group of `add` whose signature `base` has brings its
  // new columns into that group (the embedded store); without, a group is
  // added unless `base` has one with the same signature and the same columns
  // (external backends, whose entries are encoded per exact group).
  static Layout Union(const Layout& base, const Layout& add, bool merge_columns);
  // Each column of the layout, named as "group signature\ncolumn signature".
  std::vector<std::string> ColumnKeys() const;
};

// Where a program's aggregates live in a store's layout: program group →
// store group and program aggregate → column (-1: the store does not keep it,
// which happens only to a thread still running a rule set that a reload
// replaced).
struct Mapping {
  uint64_t version = 0;
  std::vector<int32_t> group;
  std::vector<int32_t> column;

  void Build(const eval::Program& program, const Layout& layout, uint64_t layout_version);
};

}  // namespace vigil::state
