#include "impact/html.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

namespace vigil::impact {

using json::Value;

namespace {

constexpr const char* kColors[] = {"#1b6ca8", "#d1495b", "#edae49", "#00798c",
                                   "#6a4c93", "#3d9970", "#8d6e63", "#5c6bc0",
                                   "#e07a5f", "#222222"};

std::string Esc(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// A published cell as text ("<10", "suppressed", "42", "0.733").
std::string Text(const Value* v) {
  if (v == nullptr || v->is_null()) return "–";
  return v->text();
}

std::optional<double> Number(const Value* v) {
  if (v == nullptr || !v->is_number()) return std::nullopt;
  return std::strtod(v->text().c_str(), nullptr);
}

const Value& Member(const Value& o, std::string_view name) {
  static const Value kNull;
  const Value* v = o.Find(name);
  return v == nullptr ? kNull : *v;
}

// One series of a chart: a name and a value (or a hidden one) per x label.
struct Series {
  std::string name;
  std::vector<const Value*> values;
};

// A line chart over periods; hidden values break the line.
std::string LineChart(const std::string& id, const std::string& title,
                      const std::vector<std::string>& xs, const std::vector<Series>& series,
                      std::optional<double> fixed_max, const std::string& unit) {
  const int w = 900, h = 300, left = 60, right = 150, top = 30, bottom = 40;
  double max = fixed_max.value_or(0);
  if (!fixed_max) {
    for (const Series& s : series) {
      for (const Value* v : s.values) max = std::max(max, Number(v).value_or(0));
    }
    if (max <= 0) max = 1;
  }
  const double pw = w - left - right, ph = h - top - bottom;
  auto x = [&](size_t i) {
    return left + (xs.size() <= 1 ? pw / 2 : pw * static_cast<double>(i) / (xs.size() - 1));
  };
  auto y = [&](double v) { return top + ph - ph * v / max; };
  std::string s = fmt::format(
      "<figure id=\"{0}\"><figcaption>{1}</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
      "width=\"{2}\" height=\"{3}\" viewBox=\"0 0 {2} {3}\" role=\"img\" "
      "aria-labelledby=\"{0}-t\"><title id=\"{0}-t\">{1}</title>\n",
      id, Esc(title), w, h);
  s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#888\"/>"
                   "<line x1=\"{0}\" y1=\"{2}\" x2=\"{3}\" y2=\"{2}\" stroke=\"#888\"/>\n",
                   left, top, top + ph, left + pw);
  for (int t = 0; t <= 4; ++t) {
    const double v = max * t / 4;
    s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" font-size=\"11\" text-anchor=\"end\">{}</text>\n",
                     left - 6, y(v) + 4, unit == "ratio" ? fmt::format("{:.2f}", v)
                                                         : fmt::format("{:.0f}", v));
  }
  for (size_t i = 0; i < xs.size(); ++i) {
    s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>\n",
                     x(i), h - bottom + 16, Esc(xs[i]));
  }
  for (size_t k = 0; k < series.size(); ++k) {
    const char* color = kColors[k % std::size(kColors)];
    std::string path;
    for (size_t i = 0; i < series[k].values.size(); ++i) {
      std::optional<double> v = Number(series[k].values[i]);
      if (!v) {
        path += " ";  // a hidden value: the line breaks
        continue;
      }
      path += fmt::format("{}{:.1f},{:.1f}", path.empty() || path.back() == ' ' ? "M" : " L", x(i),
                          y(*v));
      s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"><title>{} {}: "
                       "{}</title></circle>\n",
                       x(i), y(*v), color, Esc(series[k].name), Esc(xs[i]),
                       Text(series[k].values[i]));
    }
    // Each "M…" run is drawn on its own.
    size_t start = 0;
    while ((start = path.find('M', start)) != std::string::npos) {
      size_t end = path.find('M', start + 1);
      std::string run = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
      while (!run.empty() && run.back() == ' ') run.pop_back();
      s += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n", run,
                       color);
      start = end == std::string::npos ? path.size() : end;
    }
    s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/>"
                     "<text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>\n",
                     left + pw + 12, top + 16 * k, color, left + pw + 26, top + 16 * k + 9,
                     Esc(series[k].name.substr(0, 22)));
  }
  s += "</svg>\n";
  // The numbers, as a table (hidden cells as published).
  s += "<table><thead><tr><th></th>";
  for (const std::string& p : xs) s += fmt::format("<th>{}</th>", Esc(p));
  s += "</tr></thead><tbody>\n";
  for (const Series& se : series) {
    s += fmt::format("<tr><th>{}</th>", Esc(se.name));
    for (const Value* v : se.values) s += fmt::format("<td>{}</td>", Esc(Text(v)));
    s += "</tr>\n";
  }
  s += "</tbody></table></figure>\n";
  return s;
}

// A horizontal bar chart: one bar per label, its value written beside it.
std::string BarChart(const std::string& id, const std::string& title,
                     const std::vector<std::pair<std::string, const Value*>>& bars,
                     const std::string& unit) {
  const int w = 900, row = 26, left = 160, top = 10;
  const int h = top * 2 + row * static_cast<int>(std::max<size_t>(bars.size(), 1));
  double max = 0;
  for (const auto& [label, v] : bars) max = std::max(max, Number(v).value_or(0));
  if (max <= 0) max = 1;
  std::string s = fmt::format(
      "<figure id=\"{0}\"><figcaption>{1}</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
      "width=\"{2}\" height=\"{3}\" viewBox=\"0 0 {2} {3}\" role=\"img\" "
      "aria-labelledby=\"{0}-t\"><title id=\"{0}-t\">{1}</title>\n",
      id, Esc(title), w, h);
  for (size_t i = 0; i < bars.size(); ++i) {
    const auto& [label, v] = bars[i];
    const int yy = top + row * static_cast<int>(i);
    std::optional<double> n = Number(v);
    const double bw = n ? (w - left - 120) * *n / max : 0;
    s += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{}</text>",
                     left - 8, yy + 16, Esc(label));
    s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"18\" fill=\"{}\"/>", left,
                     yy + 3, bw, kColors[i % std::size(kColors)]);
    s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" font-size=\"12\">{}{}</text>\n", left + bw + 6,
                     yy + 16, Esc(Text(v)), n ? " " + unit : "");
  }
  s += "</svg></figure>\n";
  return s;
}

}  // namespace

std::string RenderHtml(const Value& doc) {
  std::string body;
  const Value& headline = Member(doc, "headline");
  body += "<section class=\"headline\">\n";
  const std::pair<const char*, const char*> cards[] = {
      {"cases_investigated", "Cases investigated"},
      {"cases_prosecuted", "Cases prosecuted"},
      {"convictions", "Convictions"},
      {"children_safeguarded", "Children safeguarded"},
      {"reports_filed", "Reports filed"},
      {"referral_countries", "Countries referred to"}};
  for (const auto& [key, label] : cards) {
    body += fmt::format("<div class=\"card\" id=\"h-{}\"><b>{}</b><span>{}</span></div>\n", key,
                        Esc(Text(headline.Find(key))), label);
  }
  body += "</section>\n";

  // Trends per typology: cases, and reports filed.
  for (const auto& [table, title] : {std::pair<const char*, const char*>{"cases", "Cases per typology"},
                                     {"reports_filed", "Reports filed per typology"},
                                     {"investigations", "Investigations per typology"}}) {
    const Value& t = Member(Member(doc, "tables"), table);
    std::vector<std::string> periods;
    for (const Value& r : Member(t, "rows").items()) periods.push_back(Text(r.Find("period")));
    std::vector<Series> series;
    const auto& cols = Member(t, "columns").items();
    for (size_t c = 0; c < cols.size(); ++c) {
      Series s{cols[c].text(), {}};
      for (const Value& r : Member(t, "rows").items()) {
        const auto& cells = Member(r, "cells").items();
        s.values.push_back(c < cells.size() ? &cells[c] : nullptr);
      }
      series.push_back(std::move(s));
    }
    body += LineChart(fmt::format("chart-{}", table), title, periods, series, std::nullopt, "count");
  }

  // Time to report, per typology.
  for (const auto& [key, title] :
       {std::pair<const char*, const char*>{"time_to_report", "Median days from first alert to report"},
        {"report_to_feedback", "Median days from report to law-enforcement feedback"}}) {
    const Value& t = Member(doc, key);
    std::vector<std::pair<std::string, const Value*>> bars;
    bars.push_back({"all typologies", t.Find("median_days")});
    for (const Value& x : Member(t, "by_typology").items()) {
      bars.push_back({Text(x.Find("typology")), x.Find("median_days")});
    }
    body += BarChart(fmt::format("chart-{}", key), title, bars, "days");
  }

  // Rule precision over the periods: the rules with the most closed cases.
  const auto& rules = Member(doc, "rule_precision").items();
  std::vector<const Value*> ranked;
  for (const Value& r : rules) ranked.push_back(&r);
  auto closed = [](const Value* r) {
    return Number(r->Find("confirmed")).value_or(0) + Number(r->Find("false_positives")).value_or(0);
  };
  std::stable_sort(ranked.begin(), ranked.end(),
                   [&](const Value* a, const Value* b) { return closed(a) > closed(b); });
  if (ranked.size() > 8) ranked.resize(8);
  std::vector<std::string> periods;
  if (!ranked.empty()) {
    for (const Value& p : Member(*ranked.front(), "periods").items()) {
      periods.push_back(Text(p.Find("period")));
    }
  }
  std::vector<Series> series;
  for (const Value* r : ranked) {
    Series s{Text(r->Find("rule")), {}};
    const size_t slash = s.name.find('/');
    if (slash != std::string::npos) s.name = s.name.substr(slash + 1);
    for (const Value& p : Member(*r, "periods").items()) s.values.push_back(p.Find("precision"));
    series.push_back(std::move(s));
  }
  body += LineChart("chart-precision", "Rule precision (confirmed / closed) per period", periods,
                    series, 1.0, "ratio");

  const Value& sup = Member(doc, "suppression");
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'\">\n<title>Coalition impact</title>\n<style>\n"
      "body{{font-family:sans-serif;margin:24px;color:#222;max-width:1100px}}\n"
      ".headline{{display:flex;flex-wrap:wrap;gap:12px}}\n"
      ".card{{border:1px solid #ccc;border-radius:6px;padding:10px 16px;min-width:140px}}\n"
      ".card b{{display:block;font-size:28px}}\nfigure{{margin:28px 0}}\n"
      "figcaption{{font-weight:bold;margin-bottom:6px}}\n"
      "table{{border-collapse:collapse;font-size:12px;margin-top:6px}}\n"
      "td,th{{border:1px solid #ddd;padding:2px 6px;text-align:right}}\n</style></head>\n"
      "<body>\n<h1>Coalition impact</h1>\n<p>Per {}, {} member(s). Counts below {} are shown as "
      "&lt;{}; {} further cells are suppressed so that none can be recovered from the totals "
      "(docs/impact.md).</p>\n{}</body></html>\n",
      Esc(Text(doc.Find("period"))), Esc(Text(doc.Find("members"))), Esc(Text(doc.Find("k"))),
      Esc(Text(doc.Find("k"))), Esc(Text(sup.Find("complementary"))), body);
}

}  // namespace vigil::impact
