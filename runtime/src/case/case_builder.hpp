// Groups alerts into cases as they stream in (docs/case.md): per subject, an
// alert joins the open case when it comes within the case window of that
// case's latest alert, and opens a new case otherwise. Cases that the
// stream has moved more than a window past are closed and handed to the
// sink at once, so memory holds only the open cases.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "case/case.hpp"

namespace vigil::cases {

struct BuildOptions {
  int64_t window_us = 30LL * 24 * 3600 * 1000000;  // --case-window
  // Cases whose decision ranks below this are not handed to the sink;
  // empty: the second lowest decision of the rule sets' order.
  std::string min_decision;
  std::string amount_member = "amount";      // in each transaction's data
  std::string currency_member = "currency";
};

// One alert as read from a result and its event.
struct AlertInput {
  Subject subject;
  Alert alert;                          // time_us set
  Transaction transaction;              // the alert's event
  std::vector<RulesetRef> rulesets;     // from the evidence
  std::vector<std::string> decisions;   // from the evidence, lowest first
  std::string event_where;              // where the event was read ("events.jsonl:40")
};

class CaseBuilder {
 public:
  // Receives each finished case; returns false (with a message) to stop.
  using Sink = std::function<bool(Case&& c, std::string* error)>;

  CaseBuilder(BuildOptions options, Sink sink);

  // Adds an alert in stream order. `where` ("results.jsonl:12") starts
  // error messages about it.
  bool Add(AlertInput in, const std::string& where, std::string* error);
  // Closes every open case (end of input).
  bool Finish(std::string* error);

  size_t open_cases() const { return open_.size(); }
  size_t most_open_cases() const { return most_open_; }
  uint64_t cases_written() const { return written_; }
  uint64_t cases_below_threshold() const { return below_; }
  uint64_t alerts_written() const { return alerts_written_; }

 private:
  struct Open {
    Case c;
    int64_t last_us = 0;
  };
  bool Close(const std::string& subject_key, std::string* error);
  bool CloseBefore(int64_t watermark_us, std::string* error);
  bool Emit(Case&& c, std::string* error);

  BuildOptions options_;
  Sink sink_;
  std::map<std::string, Open> open_;                    // by subject field + value
  std::set<std::pair<int64_t, std::string>> by_last_;  // (latest alert, subject key)
  int64_t watermark_us_ = INT64_MIN;                    // the latest alert time seen
  uint64_t written_ = 0;
  uint64_t below_ = 0;
  uint64_t alerts_written_ = 0;
  size_t most_open_ = 0;
};

// Fills what a case sums up from its alerts and transactions: time order,
// opened/last_alert, decision, rule sets, totals, typologies, rules. Used by
// CaseBuilder; exposed for tests.
bool FinishCase(Case& c, const BuildOptions& options, std::string* error);

}  // namespace vigil::cases
