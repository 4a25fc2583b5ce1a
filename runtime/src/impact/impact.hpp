// Impact metrics (docs/impact.md). A member counts what its cases led to
// from its case files and an outcomes file, into exact counts
// (`vigil.impact-exact/1`: no subject identifier, but small counts; handed
// only to the coalition's aggregator), and publishes them with small cells
// suppressed (`vigil.impact/1`, publish.hpp). The aggregator merges exact
// files and publishes the coalition's totals the same way, so suppression is
// applied once, to the totals, and stays sound.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace vigil::impact {

inline constexpr const char* kExactFormat = "vigil.impact-exact/1";
inline constexpr const char* kOutcomesFormat = "vigil.outcomes/1";

enum class Period : uint8_t { kMonth, kWeek };
const char* PeriodName(Period p);
// "2026-03" (month) or "2026-W10" (ISO week) of a time in microseconds.
std::string PeriodOf(Period p, int64_t time_us);

// The counted tables, each period → column → count. The columns are
// typologies, except for "referrals" (countries).
inline constexpr const char* kTables[] = {
    "investigations", "prosecutions", "convictions", "children_safeguarded", "alerts",
    "cases",          "reports_filed", "confirmed",  "false_positives",      "merchants_terminated",
    "referrals"};

// No count of real cases comes near these; larger ones (from a broken or
// hostile file) are refused so that no total, sum or percentile rank
// computed from the counts can overflow.
inline constexpr int64_t kMaxCountSum = 1000000000000000;  // every count of a file added up
inline constexpr int64_t kMaxMembers = 1000000;
inline constexpr int64_t kMaxChildren = 1000000;            // on one outcomes line

using Table = std::map<std::string, std::map<std::string, int64_t>>;
// typology → whole hours → cases.
using Durations = std::map<std::string, std::map<int64_t, int64_t>>;

struct RuleCounts {
  int64_t confirmed = 0;
  int64_t false_positives = 0;
};

struct Exact {
  Period period = Period::kMonth;
  int64_t members = 1;
  std::map<std::string, Table> tables;  // every name of kTables
  Durations alert_to_report;            // first alert → first report filed
  Durations report_to_feedback;         // first report or referral → first feedback
  // rule → version → period → counts (cases closed as confirmed or false
  // positive in that period on which that rule version fired).
  std::map<std::string, std::map<std::string, std::map<std::string, RuleCounts>>> rules;
};

// Reads every case file and the outcomes (JSON Lines) into exact counts.
// Errors name the file and line, or the file and member.
bool CountImpact(const std::vector<std::string>& case_files, const std::string& outcomes_path,
                 Period period, Exact* out, std::string* error);

std::string WriteExact(const Exact& e);
bool ReadExact(std::string_view text, const std::string& name, Exact* out, std::string* error);
// Adds `b` into `a`; both must count by the same period, and the sum of
// their counts and members must stay within kMaxCountSum and kMaxMembers.
bool MergeExact(Exact* a, const Exact& b, std::string* error);

// Median and 90th percentile (nearest rank) of a histogram of hours, in days.
std::pair<double, double> MedianP90Days(const std::map<int64_t, int64_t>& hours);

}  // namespace vigil::impact
