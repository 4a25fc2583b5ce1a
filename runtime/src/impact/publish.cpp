#include "impact/publish.hpp"

#include <fmt/format.h>

#include <cmath>
#include <set>

#include "impact/suppression.hpp"

namespace vigil::impact {

using json::Value;

namespace {

// Cells are registered first, suppressed once over every equation, then
// rendered: the JSON is built after Suppress from the cell indices kept here.
struct TableCells {
  std::vector<std::string> rows, columns;
  std::vector<std::vector<int>> cells;
  std::vector<int> row_totals, column_totals;
  int total = -1;
};

TableCells AddTable(CellSystem& s, const Table& t) {
  TableCells tc;
  std::set<std::string> cols;
  for (const auto& [p, row] : t) {
    tc.rows.push_back(p);
    for (const auto& [c, n] : row) cols.insert(c);
  }
  tc.columns.assign(cols.begin(), cols.end());
  std::vector<int64_t> col_sum(tc.columns.size(), 0);
  int64_t grand = 0;
  for (const auto& [p, row] : t) {
    std::vector<int> cells;
    int64_t sum = 0;
    for (size_t c = 0; c < tc.columns.size(); ++c) {
      auto it = row.find(tc.columns[c]);
      const int64_t n = it == row.end() ? 0 : it->second;
      cells.push_back(s.Add(n));
      sum += n;
      col_sum[c] += n;
    }
    grand += sum;
    const int total = s.Add(sum);
    s.AddEquation(total, cells);
    tc.cells.push_back(std::move(cells));
    tc.row_totals.push_back(total);
  }
  for (size_t c = 0; c < tc.columns.size(); ++c) {
    const int total = s.Add(col_sum[c]);
    std::vector<int> parts;
    for (const auto& row : tc.cells) parts.push_back(row[c]);
    s.AddEquation(total, parts);
    tc.column_totals.push_back(total);
  }
  tc.total = s.Add(grand);
  s.AddEquation(tc.total, tc.row_totals);
  s.AddEquation(tc.total, tc.column_totals);
  return tc;
}

Value CellValue(const CellSystem& s, int cell, int64_t k) {
  switch (s.state(cell)) {
    case CellState::kPublished:
      return Value::Int(s.value(cell));
    case CellState::kPrimary:
      return Value::String(fmt::format("<{}", k));
    case CellState::kComplementary:
      return Value::String("suppressed");
  }
  return Value::Null();
}

Value Fixed(double x) {
  return Value::Number(fmt::format("{:.3f}", std::round(x * 1000.0) / 1000.0));
}

Value TableJson(const CellSystem& s, const TableCells& t, int64_t k) {
  Value o = Value::Object();
  Value cols = Value::Array();
  for (const std::string& c : t.columns) cols.Push(Value::String(c));
  o.Set("columns", std::move(cols));
  Value rows = Value::Array();
  for (size_t r = 0; r < t.rows.size(); ++r) {
    Value row = Value::Object();
    row.Set("period", Value::String(t.rows[r]));
    Value cells = Value::Array();
    for (int c : t.cells[r]) cells.Push(CellValue(s, c, k));
    row.Set("cells", std::move(cells));
    row.Set("total", CellValue(s, t.row_totals[r], k));
    rows.Push(std::move(row));
  }
  o.Set("rows", std::move(rows));
  Value ct = Value::Array();
  for (int c : t.column_totals) ct.Push(CellValue(s, c, k));
  o.Set("column_totals", std::move(ct));
  o.Set("total", CellValue(s, t.total, k));
  return o;
}

// Time from one step to the next: cases counted per typology (cells, with
// their sum), median and p90 where the count is published.
struct TimingCells {
  std::vector<std::string> typologies;
  std::vector<int> cells;
  int total = -1;
};

TimingCells AddTiming(CellSystem& s, const Durations& d) {
  TimingCells t;
  int64_t all = 0;
  for (const auto& [typ, hist] : d) {
    int64_t n = 0;
    for (const auto& [h, c] : hist) n += c;
    t.typologies.push_back(typ);
    t.cells.push_back(s.Add(n));
    all += n;
  }
  t.total = s.Add(all);
  s.AddEquation(t.total, t.cells);
  return t;
}

void SetTimes(Value* o, const CellSystem& s, int cell, const std::map<int64_t, int64_t>& hist) {
  if (s.state(cell) == CellState::kPublished && s.value(cell) > 0) {
    auto [median, p90] = MedianP90Days(hist);
    o->Set("median_days", Fixed(median));
    o->Set("p90_days", Fixed(p90));
  } else {
    o->Set("median_days", Value::Null());
    o->Set("p90_days", Value::Null());
  }
}

Value TimingJson(const CellSystem& s, const TimingCells& t, const Durations& d, int64_t k) {
  Value o = Value::Object();
  o.Set("cases", CellValue(s, t.total, k));
  std::map<int64_t, int64_t> all;
  for (const auto& [typ, hist] : d) {
    for (const auto& [h, n] : hist) all[h] += n;
  }
  SetTimes(&o, s, t.total, all);
  Value by = Value::Array();
  for (size_t i = 0; i < t.typologies.size(); ++i) {
    Value x = Value::Object();
    x.Set("typology", Value::String(t.typologies[i]));
    x.Set("cases", CellValue(s, t.cells[i], k));
    SetTimes(&x, s, t.cells[i], d.at(t.typologies[i]));
    by.Push(std::move(x));
  }
  o.Set("by_typology", std::move(by));
  return o;
}

// Precision rows: confirmed and false-positive cells per period with their
// totals; a rule's row is the sum of its versions' rows.
struct PrecisionRow {
  std::vector<int> confirmed, false_positives;  // per period of `periods`
  int confirmed_total = -1, false_positives_total = -1;
};

PrecisionRow AddPrecisionRow(CellSystem& s, const std::vector<std::string>& periods,
                             const std::map<std::string, RuleCounts>& counts) {
  PrecisionRow r;
  int64_t ct = 0, ft = 0;
  for (const std::string& p : periods) {
    auto it = counts.find(p);
    const RuleCounts c = it == counts.end() ? RuleCounts{} : it->second;
    r.confirmed.push_back(s.Add(c.confirmed));
    r.false_positives.push_back(s.Add(c.false_positives));
    ct += c.confirmed;
    ft += c.false_positives;
  }
  r.confirmed_total = s.Add(ct);
  r.false_positives_total = s.Add(ft);
  s.AddEquation(r.confirmed_total, r.confirmed);
  s.AddEquation(r.false_positives_total, r.false_positives);
  return r;
}

std::optional<double> Precision(const CellSystem& s, int confirmed, int false_positives) {
  if (s.state(confirmed) != CellState::kPublished ||
      s.state(false_positives) != CellState::kPublished) {
    return std::nullopt;
  }
  const int64_t closed = s.value(confirmed) + s.value(false_positives);
  if (closed == 0) return std::nullopt;
  return static_cast<double>(s.value(confirmed)) / static_cast<double>(closed);
}

void PrecisionJson(Value* o, const CellSystem& s, const PrecisionRow& r,
                   const std::vector<std::string>& periods, int64_t k) {
  o->Set("confirmed", CellValue(s, r.confirmed_total, k));
  o->Set("false_positives", CellValue(s, r.false_positives_total, k));
  std::optional<double> p = Precision(s, r.confirmed_total, r.false_positives_total);
  o->Set("precision", p ? Fixed(*p) : Value::Null());
  Value ps = Value::Array();
  std::optional<double> previous;
  for (size_t i = 0; i < periods.size(); ++i) {
    Value x = Value::Object();
    x.Set("period", Value::String(periods[i]));
    x.Set("confirmed", CellValue(s, r.confirmed[i], k));
    x.Set("false_positives", CellValue(s, r.false_positives[i], k));
    std::optional<double> pi = Precision(s, r.confirmed[i], r.false_positives[i]);
    x.Set("precision", pi ? Fixed(*pi) : Value::Null());
    // The movement since the last period with a published precision.
    x.Set("change", pi && previous ? Fixed(*pi - *previous) : Value::Null());
    if (pi) previous = pi;
    ps.Push(std::move(x));
  }
  o->Set("periods", std::move(ps));
}

}  // namespace

Value Publish(const Exact& e, int64_t k, PublishStats* stats) {
  CellSystem s;
  std::map<std::string, TableCells> tables;
  for (const char* name : kTables) {
    auto it = e.tables.find(name);
    tables.emplace(name, AddTable(s, it == e.tables.end() ? Table{} : it->second));
  }
  const TimingCells a2r = AddTiming(s, e.alert_to_report);
  const TimingCells r2f = AddTiming(s, e.report_to_feedback);

  std::set<std::string> period_set;
  for (const auto& [rule, versions] : e.rules) {
    for (const auto& [v, periods] : versions) {
      for (const auto& [p, c] : periods) period_set.insert(p);
    }
  }
  const std::vector<std::string> periods(period_set.begin(), period_set.end());
  struct RuleRows {
    PrecisionRow rule;
    std::vector<std::pair<std::string, PrecisionRow>> versions;
  };
  std::vector<std::pair<std::string, RuleRows>> rules;
  for (const auto& [rule, versions] : e.rules) {
    RuleRows rr;
    std::map<std::string, RuleCounts> sum;
    for (const auto& [v, counts] : versions) {
      rr.versions.emplace_back(v, AddPrecisionRow(s, periods, counts));
      for (const auto& [p, c] : counts) {
        sum[p].confirmed += c.confirmed;
        sum[p].false_positives += c.false_positives;
      }
    }
    rr.rule = AddPrecisionRow(s, periods, sum);
    // The rule's cells are the sums of its versions' cells.
    for (size_t i = 0; i < periods.size(); ++i) {
      std::vector<int> c, f;
      for (const auto& [v, row] : rr.versions) {
        c.push_back(row.confirmed[i]);
        f.push_back(row.false_positives[i]);
      }
      s.AddEquation(rr.rule.confirmed[i], c);
      s.AddEquation(rr.rule.false_positives[i], f);
    }
    std::vector<int> ct, ft;
    for (const auto& [v, row] : rr.versions) {
      ct.push_back(row.confirmed_total);
      ft.push_back(row.false_positives_total);
    }
    s.AddEquation(rr.rule.confirmed_total, ct);
    s.AddEquation(rr.rule.false_positives_total, ft);
    rules.emplace_back(rule, std::move(rr));
  }

  stats->recoverable = s.Suppress(k);
  stats->primary = s.primary();
  stats->complementary = s.complementary();

  Value o = Value::Object();
  o.Set("format", Value::String(kPublishedFormat));
  // What the coalition measures itself by comes first.
  Value headline = Value::Object();
  headline.Set("cases_investigated", CellValue(s, tables.at("investigations").total, k));
  headline.Set("cases_prosecuted", CellValue(s, tables.at("prosecutions").total, k));
  headline.Set("convictions", CellValue(s, tables.at("convictions").total, k));
  headline.Set("children_safeguarded", CellValue(s, tables.at("children_safeguarded").total, k));
  headline.Set("reports_filed", CellValue(s, tables.at("reports_filed").total, k));
  headline.Set("referral_countries",
               Value::Int(static_cast<int64_t>(tables.at("referrals").columns.size())));
  o.Set("headline", std::move(headline));
  o.Set("period", Value::String(PeriodName(e.period)));
  o.Set("k", Value::Int(k));
  o.Set("members", Value::Int(e.members));
  Value tj = Value::Object();
  for (const char* name : kTables) tj.Set(name, TableJson(s, tables.at(name), k));
  o.Set("tables", std::move(tj));
  o.Set("time_to_report", TimingJson(s, a2r, e.alert_to_report, k));
  o.Set("report_to_feedback", TimingJson(s, r2f, e.report_to_feedback, k));
  Value rp = Value::Array();
  for (const auto& [rule, rr] : rules) {
    Value x = Value::Object();
    x.Set("rule", Value::String(rule));
    PrecisionJson(&x, s, rr.rule, periods, k);
    Value vs = Value::Array();
    for (const auto& [v, row] : rr.versions) {
      Value y = Value::Object();
      y.Set("version", Value::String(v));
      PrecisionJson(&y, s, row, periods, k);
      vs.Push(std::move(y));
    }
    x.Set("versions", std::move(vs));
    rp.Push(std::move(x));
  }
  o.Set("rule_precision", std::move(rp));
  Value sup = Value::Object();
  sup.Set("primary", Value::Int(stats->primary));
  sup.Set("complementary", Value::Int(stats->complementary));
  o.Set("suppression", std::move(sup));
  return o;
}

std::string WritePublished(const Value& v) {
  std::string out;
  json::WritePretty(v, out);
  out += '\n';
  return out;
}

}  // namespace vigil::impact
