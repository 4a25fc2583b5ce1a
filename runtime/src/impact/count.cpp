// CountImpact: case files and outcomes into exact counts (docs/impact.md,
// "Metrics").
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <set>
#include <unordered_map>

#include "base/json_members.hpp"
#include "base/json_value.hpp"
#include "base/time_util.hpp"
#include "case/case_json.hpp"
#include "impact/impact.hpp"
#include "referral/countries.hpp"

namespace vigil::impact {

namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
constexpr int64_t kHourUs = int64_t{3600} * 1000000;
constexpr size_t kMaxOutcomeLine = size_t{1} << 20;

enum Kind : uint8_t {
  kReportFiled,
  kConfirmed,
  kFalsePositive,
  kMerchantTerminated,
  kReferred,
  kInvestigationOpened,
  kCharges,
  kConviction,
  kChildSafeguarded,
  kKinds
};
constexpr const char* kKindNames[kKinds] = {
    "report_filed", "confirmed", "false_positive", "merchant_terminated", "referred",
    "investigation_opened", "charges", "conviction", "child_safeguarded"};

struct CaseInfo {
  int64_t opened = 0;
  uint32_t typology = 0;
  uint32_t file = 0;
  std::vector<uint32_t> rules;  // indices into rule_versions
  int64_t first[kKinds];
  uint32_t first_line[kKinds];
  CaseInfo() {
    std::fill(std::begin(first), std::end(first), kNever);
    std::fill(std::begin(first_line), std::end(first_line), 0);
  }
};

// Days since 1970-01-01 → year, month, day (proleptic Gregorian).
void CivilFromDays(int64_t z, int* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = static_cast<int>(yoe + era * 400 + (*m <= 2 ? 1 : 0));
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// "YYYY-MM-DD" as midnight UTC, or an RFC 3339 time.
std::optional<int64_t> ParseDate(const std::string& text) {
  if (text.size() == 10) return ParseTime(text + "T00:00:00Z");
  return ParseTime(text);
}

}  // namespace

const char* PeriodName(Period p) { return p == Period::kWeek ? "week" : "month"; }

std::string PeriodOf(Period p, int64_t time_us) {
  const int64_t days = FloorDiv(time_us, int64_t{86400} * 1000000);
  int y, m, d;
  if (p == Period::kMonth) {
    CivilFromDays(days, &y, &m, &d);
    return fmt::format("{:04}-{:02}", y, m);
  }
  // ISO 8601 week: the week (Monday first) of the year holding its Thursday.
  const int64_t weekday = FloorDiv(days + 3, 1) - FloorDiv(days + 3, 7) * 7;  // 0 = Monday
  const int64_t thursday = days - weekday + 3;
  CivilFromDays(thursday, &y, &m, &d);
  // Day of the year of that Thursday.
  int64_t jan1 = thursday;
  {
    int yy, mm, dd;
    CivilFromDays(jan1, &yy, &mm, &dd);
    // Step back to January 1st of y: days since it is the day of the year.
    static const int kCum[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    jan1 = thursday - (kCum[mm - 1] + (leap && mm > 2 ? 1 : 0) + dd - 1);
  }
  const int64_t week = (thursday - jan1) / 7 + 1;
  return fmt::format("{:04}-W{:02}", y, week);
}

std::pair<double, double> MedianP90Days(const std::map<int64_t, int64_t>& hours) {
  int64_t n = 0;
  for (const auto& [h, c] : hours) n += c;
  if (n == 0) return {0, 0};
  // Nearest rank: the ceil(q * n)-th smallest value.
  auto rank = [&](int64_t r) {
    int64_t seen = 0;
    for (const auto& [h, c] : hours) {
      seen += c;
      if (seen >= r) return static_cast<double>(h) / 24.0;
    }
    return static_cast<double>(hours.rbegin()->first) / 24.0;
  };
  return {rank((n + 1) / 2), rank((9 * n + 9) / 10)};
}

bool CountImpact(const std::vector<std::string>& case_files, const std::string& outcomes_path,
                 Period period, Exact* out, std::string* error) {
  Exact e;
  e.period = period;
  for (const char* t : kTables) e.tables[t];
  std::vector<std::string> typologies;
  std::unordered_map<std::string, uint32_t> typology_index;
  std::vector<std::pair<std::string, std::string>> rule_versions;
  std::map<std::pair<std::string, std::string>, uint32_t> rule_index;
  std::unordered_map<std::string, CaseInfo> cases;
  std::unordered_map<std::string, std::string> subjects;  // case id → subject value (merchants)

  for (uint32_t i = 0; i < case_files.size(); ++i) {
    cases::Case c;
    if (!cases::ReadCaseFile(case_files[i], &c, error)) return false;
    auto [it, fresh] = cases.try_emplace(c.case_id);
    if (!fresh) {
      *error = fmt::format("{}: duplicate case id '{}' (also in {})", case_files[i], c.case_id,
                           case_files[it->second.file]);
      return false;
    }
    CaseInfo& info = it->second;
    info.file = i;
    info.opened = c.alerts.empty() ? *ParseTime(c.opened) : c.alerts.front().time_us;
    const std::string typ = c.typologies.empty() ? "none"
                            : c.typologies.size() == 1 ? c.typologies.front()
                                                       : "multiple";
    auto [ti, tfresh] = typology_index.try_emplace(typ, typologies.size());
    if (tfresh) typologies.push_back(typ);
    info.typology = ti->second;
    for (const cases::RuleSummary& r : c.rules) {
      auto [ri, rfresh] = rule_index.try_emplace({r.rule, r.version}, rule_versions.size());
      if (rfresh) rule_versions.push_back({r.rule, r.version});
      info.rules.push_back(ri->second);
    }
    ++e.tables["cases"][PeriodOf(period, info.opened)][typ];
    for (const cases::Alert& a : c.alerts) ++e.tables["alerts"][PeriodOf(period, a.time_us)][typ];
    subjects.emplace(c.case_id, c.subject.value);
  }

  std::FILE* f = std::fopen(outcomes_path.c_str(), "rb");
  if (f == nullptr) {
    *error = fmt::format("{}: cannot be read", outcomes_path);
    return false;
  }
  std::map<std::string, std::pair<int64_t, uint32_t>> merchants;  // key → first date, typology
  std::set<std::tuple<std::string, std::string>> referred;        // case, country
  std::string line;
  uint32_t line_no = 0;
  char* buf = nullptr;
  size_t cap = 0;
  ssize_t n;
  bool ok = true;
  while (ok && (n = getline(&buf, &cap, f)) >= 0) {
    ++line_no;
    line.assign(buf, static_cast<size_t>(n));
    if (line.find_first_not_of(" \t\r\n") == std::string::npos) continue;
    const std::string where = fmt::format("{}:{}", outcomes_path, line_no);
    if (line.size() > kMaxOutcomeLine) {
      *error = fmt::format("{}: line is longer than {} bytes", where, kMaxOutcomeLine);
      ok = false;
      break;
    }
    json::Value v;
    json::ParseError perr;
    if (!json::Parse(line, &v, &perr)) {
      *error = fmt::format("{}:{}: {}", where, perr.column, perr.message);
      ok = false;
      break;
    }
    if (!v.is_object()) {
      *error = fmt::format("{}: expected a JSON object, found {}", where, json::TypeName(v.type()));
      ok = false;
      break;
    }
    std::string why, case_id, kind_text, date_text, reference, country, merchant;
    int64_t children = 1;
    json::Members m(v, "", &why, kOutcomesFormat);
    auto read = [&]() -> bool {
      if (!m.String("case_id", &case_id) || !m.String("outcome", &kind_text) ||
          !m.String("date", &date_text) || !m.OptionalString("reference", &reference) ||
          !m.OptionalString("country", &country) || !m.OptionalString("merchant", &merchant) ||
          !m.OptionalInt("children", &children, 1)) {
        return false;
      }
      return m.Done();
    };
    if (!read()) {
      *error = fmt::format("{}: {}", where, why);
      ok = false;
      break;
    }
    if (children > kMaxChildren) {
      *error = fmt::format("{}: member 'children': expected a whole number from 1 to {}, found {}",
                           where, kMaxChildren, children);
      ok = false;
      break;
    }
    const auto* kind_it = std::find_if(std::begin(kKindNames), std::end(kKindNames),
                                       [&](const char* k) { return kind_text == k; });
    if (kind_it == std::end(kKindNames)) {
      *error = fmt::format("{}: member 'outcome': unknown outcome \"{}\" (expected one of {})",
                           where, kind_text,
                           "report_filed, confirmed, false_positive, merchant_terminated, "
                           "referred, investigation_opened, charges, conviction, "
                           "child_safeguarded");
      ok = false;
      break;
    }
    const Kind kind = static_cast<Kind>(kind_it - std::begin(kKindNames));
    const std::optional<int64_t> date = ParseDate(date_text);
    if (!date) {
      *error = fmt::format("{}: member 'date': expected a date (YYYY-MM-DD) or an RFC 3339 time, "
                           "found \"{}\"", where, date_text);
      ok = false;
      break;
    }
    auto it = cases.find(case_id);
    if (it == cases.end()) {
      *error = fmt::format("{}: member 'case_id': no case '{}' among the --cases files", where,
                           case_id);
      ok = false;
      break;
    }
    if (kind == kReportFiled && reference.empty()) {
      *error = fmt::format("{}: member 'reference': missing (a report_filed outcome names the "
                           "report's reference)", where);
      ok = false;
      break;
    }
    if (kind == kReferred && referral::FindCountry(country) == nullptr) {
      *error = fmt::format("{}: member 'country': {} (a referred outcome names the ISO 3166-1 "
                           "alpha-2 country it went to)", where,
                           country.empty() ? std::string("missing")
                                           : fmt::format("'{}' is not a country code", country));
      ok = false;
      break;
    }
    if (!country.empty() && kind != kReferred) {
      *error = fmt::format("{}: member 'country': only a referred outcome has one", where);
      ok = false;
      break;
    }
    CaseInfo& c = it->second;
    if ((kind == kConfirmed && c.first[kFalsePositive] != kNever) ||
        (kind == kFalsePositive && c.first[kConfirmed] != kNever)) {
      const Kind other = kind == kConfirmed ? kFalsePositive : kConfirmed;
      *error = fmt::format("{}: case '{}' is {} here but {} at line {}", where, case_id,
                           kKindNames[kind], kKindNames[other], c.first_line[other]);
      ok = false;
      break;
    }
    if (*date < c.first[kind]) {
      c.first[kind] = *date;
      c.first_line[kind] = line_no;
    }
    const std::string& typ = typologies[c.typology];
    if (kind == kChildSafeguarded) e.tables["children_safeguarded"][PeriodOf(period, *date)][typ] += children;
    if (kind == kReferred) {
      if (referred.insert({case_id, country}).second) {
        ++e.tables["referrals"][PeriodOf(period, *date)][country];
      }
    }
    if (kind == kMerchantTerminated) {
      const std::string key = merchant.empty() ? subjects[case_id] : merchant;
      auto [mi, mfresh] = merchants.try_emplace(key, *date, c.typology);
      if (!mfresh && *date < mi->second.first) mi->second = {*date, c.typology};
    }
  }
  std::free(buf);
  std::fclose(f);
  if (!ok) return false;

  for (const auto& [key, first] : merchants) {
    ++e.tables["merchants_terminated"][PeriodOf(period, first.first)][typologies[first.second]];
  }
  for (const auto& [id, c] : cases) {
    const std::string& typ = typologies[c.typology];
    auto count = [&](const char* table, int64_t when) {
      if (when != kNever) ++e.tables[table][PeriodOf(period, when)][typ];
    };
    count("reports_filed", c.first[kReportFiled]);
    count("confirmed", c.first[kConfirmed]);
    count("false_positives", c.first[kFalsePositive]);
    count("investigations", c.first[kInvestigationOpened]);
    count("prosecutions", std::min(c.first[kCharges], c.first[kConviction]));
    count("convictions", c.first[kConviction]);
    if (c.first[kReportFiled] != kNever) {
      ++e.alert_to_report[typ][std::max<int64_t>(0, (c.first[kReportFiled] - c.opened) / kHourUs)];
    }
    const int64_t sent = std::min(c.first[kReportFiled], c.first[kReferred]);
    const int64_t feedback = std::min({c.first[kInvestigationOpened], c.first[kCharges],
                                       c.first[kConviction], c.first[kChildSafeguarded]});
    if (sent != kNever && feedback != kNever) {
      ++e.report_to_feedback[typ][std::max<int64_t>(0, (feedback - sent) / kHourUs)];
    }
    const int64_t closed = std::min(c.first[kConfirmed], c.first[kFalsePositive]);
    if (closed != kNever) {
      const std::string p = PeriodOf(period, closed);
      for (uint32_t r : c.rules) {
        RuleCounts& rc = e.rules[rule_versions[r].first][rule_versions[r].second][p];
        if (c.first[kConfirmed] != kNever) {
          ++rc.confirmed;
        } else {
          ++rc.false_positives;
        }
      }
    }
  }
  *out = std::move(e);
  return true;
}

}  // namespace vigil::impact
