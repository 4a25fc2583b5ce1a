// Baselines (docs/language.md, "Baselines"): windows that end before the
// event (offset:), windows without the current event (current: false),
// median, percentile and since_previous. Each is checked on hand-made cases
// at its boundaries, then against a brute-force computation written here
// independently of the store (sorting every window from a plain list of the
// recorded events) over random event streams, in the embedded store and in an
// external backend.
#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "base/time_util.hpp"
#include "state/external_backend.hpp"
#include "state/state_test_util.hpp"

namespace vigil::testing {
namespace {

constexpr int64_t kSec = 1000000;
constexpr int64_t kDay = 86400 * kSec;

// These streams jump months ahead: no bound on how far (docs/state.md, outliers).
std::shared_ptr<state::Backend> Unbounded() {
  state::StoreOptions options;
  options.max_skew_us = state::kNoSkewBound;
  return std::make_shared<state::Store>(options);
}

TEST(Baseline, OffsetWindowEndsBeforeTheEventAndIsOpenAtItsFarEnd) {
  // Days 31 to 90 before the event: (t - 90d, t - 30d].
  AggDriver d({"count(by: card, within: 60d, offset: 30d)"}, Unbounded());
  EXPECT_EQ(d.One({{"ts", Time{"2026-01-01T00:00:00Z"}}, {"card", "c"}}), "0");  // never itself
  EXPECT_EQ(d.One({{"ts", Time{"2026-01-31T00:00:00Z"}}, {"card", "c"}}), "1");  // 30d old: in
  EXPECT_EQ(d.One({{"ts", Time{"2026-01-31T00:00:00Z"}}, {"card", "c"}}), "1");  // not the other
  EXPECT_EQ(d.One({{"ts", Time{"2026-03-02T00:00:00Z"}}, {"card", "c"}}), "3");
  // 2026-04-01 is 90 days after 2026-01-01: that event is out; 2026-03-02,
  // exactly 30 days before, is in (the near end is closed).
  EXPECT_EQ(d.One({{"ts", Time{"2026-04-01T00:00:00Z"}}, {"card", "c"}}), "3");
  EXPECT_EQ(d.One({{"ts", Time{"2026-04-01T00:00:01Z"}}, {"card", "c"}}), "3");
  // (2026-01-31T00:00:01, 2026-04-01T00:00:01]: the two of 2026-01-31 are out
  // by a second; 2026-03-02 and the two of 2026-04-01 are in.
  EXPECT_EQ(d.One({{"ts", Time{"2026-05-01T00:00:01Z"}}, {"card", "c"}}), "3");
  EXPECT_EQ(d.One({{"ts", Time{"2026-05-31T00:00:02Z"}}, {"card", "c"}}), "3");  // the 04-01s and 05-01
}

TEST(Baseline, OffsetHistoryIsKeptForWithinPlusOffset) {
  // Retention must keep 90 days although no window is longer than 60.
  AggDriver d({"count(by: card, within: 60d, offset: 30d)", "count(by: card, within: 1d)"},
              Unbounded());
  d.Feed({{"ts", Time{"2026-01-01T00:00:00Z"}}, {"card", "c"}});
  for (int day = 1; day < 89; day += 10) {
    d.Feed({{"ts", Time{TimeToString(*ParseTime("2026-01-01T00:00:00Z") + day * kDay)}},
            {"card", "x"}});  // other keys move time on
  }
  auto v = d.Feed({{"ts", Time{"2026-03-31T00:00:00Z"}}, {"card", "c"}});  // 89 days later
  EXPECT_EQ(v[0], "1");
  EXPECT_EQ(v[1], "1");
}

TEST(Baseline, CurrentFalseLeavesOutOnlyTheEventItself) {
  AggDriver d({"count(by: card, within: 1h, current: false)",
               "avg(amount, by: card, within: 1h, current: false)",
               "count(by: card, within: 1h)"});
  auto v = d.Feed({{"ts", At("10:00:00")}, {"card", "c"}, {"amount", Dec{"10.00"}}});
  EXPECT_EQ(v, (std::vector<std::string>{"0", "(missing)", "1"}));
  // Another event at the same time is in; the current one is not.
  v = d.Feed({{"ts", At("10:00:00")}, {"card", "c"}, {"amount", Dec{"30.00"}}});
  EXPECT_EQ(v, (std::vector<std::string>{"1", "10.000000", "2"}));
  // A what-if (not recorded) leaves itself out as well.
  v = d.Feed({{"ts", At("10:10:00")}, {"card", "c"}, {"amount", Dec{"500.00"}}}, false);
  EXPECT_EQ(v, (std::vector<std::string>{"2", "20.000000", "3"}));
  v = d.Feed({{"ts", At("10:20:00")}, {"card", "c"}, {"amount", Dec{"90.00"}}});
  EXPECT_EQ(v, (std::vector<std::string>{"2", "20.000000", "3"}));
}

TEST(Baseline, MedianOfIntsDecimalsFloatsAndDurations) {
  AggDriver d({"median(n, by: card, within: 1d)", "median(amount, by: card, within: 1d)",
               "median(rate, by: card, within: 1d)", "median(wait, by: card, within: 1d)"});
  auto v = d.Feed({{"ts", At("10:00:00")}, {"card", "c"}, {"n", 7}, {"amount", Dec{"0.000001"}},
                   {"rate", 1.0}, {"wait", int64_t{0}}});
  // SetField sets `wait` through the int setter: a duration in microseconds.
  EXPECT_EQ(v[0], "7.000000");
  EXPECT_EQ(v[1], "0.000001");
  EXPECT_EQ(v[2], "1");
  EXPECT_EQ(v[3], "0s");
  v = d.Feed({{"ts", At("10:01:00")}, {"card", "c"}, {"n", 2}, {"amount", Dec{"0.000002"}},
              {"rate", 2.0}, {"wait", int64_t{3}}});
  EXPECT_EQ(v[0], "4.500000");  // the mean of the two middle values
  EXPECT_EQ(v[1], "0.000002");  // 0.0000015 rounded half-even
  EXPECT_EQ(v[2], "1.5");
  EXPECT_EQ(v[3], "1us");  // 1.5us truncated toward zero
  v = d.Feed({{"ts", At("10:02:00")}, {"card", "c"}, {"n", 100}});  // missing values skipped
  EXPECT_EQ(v[0], "7.000000");
  EXPECT_EQ(v[1], "0.000002");
}

TEST(Baseline, PercentileIsANearestRankValueOfTheWindow) {
  AggDriver d({"percentile(amount, 0, by: card, within: 1d)",
               "percentile(amount, 50, by: card, within: 1d)",
               "percentile(amount, 90, by: card, within: 1d)",
               "percentile(amount, 100, by: card, within: 1d)",
               "percentile(amount, 99.5, by: card, within: 1d, where: amount > 1.00)"});
  std::vector<std::string> v;
  const char* amounts[] = {"5.00", "1.00", "4.0", "2.00", "3.00", "10.00", "9.00",
                           "8.00", "7.00", "6.00"};
  for (int i = 0; i < 10; ++i) {
    v = d.Feed({{"ts", At(fmt::format("10:{:02}:00", i))}, {"card", "c"}, {"amount", Dec{amounts[i]}}});
  }
  // Ten values 1..10: rank ceil(P/100 * 10), rank 1 for P = 0.
  EXPECT_EQ(v, (std::vector<std::string>{"1.00", "5.00", "9.00", "10.00", "10.00"}));
  v = d.Feed({{"ts", At("10:30:00")}, {"card", "d"}, {"amount", Dec{"4.0"}}});
  EXPECT_EQ(v[2], "4.0");  // the value as it was written
}

TEST(Baseline, SincePreviousMeasuresBackToTheKeysLatestEarlierEvent) {
  AggDriver d({"since_previous(by: card, within: 1d)",
               "since_previous(by: card, within: 1d, where: amount > 100.00)"});
  auto v = d.Feed({{"ts", At("10:00:00")}, {"card", "c"}, {"amount", Dec{"500.00"}}});
  EXPECT_EQ(v, (std::vector<std::string>{"(missing)", "(missing)"}));
  v = d.Feed({{"ts", At("10:30:00")}, {"card", "c"}, {"amount", Dec{"5.00"}}});
  EXPECT_EQ(v, (std::vector<std::string>{"30m", "30m"}));
  v = d.Feed({{"ts", At("10:30:00")}, {"card", "c"}, {"amount", Dec{"5.00"}}});
  EXPECT_EQ(v, (std::vector<std::string>{"0s", "30m"}));
  v = d.Feed({{"ts", At("12:00:00")}, {"card", "c"}, {"amount", Dec{"5.00"}}}, false);
  EXPECT_EQ(v, (std::vector<std::string>{"90m", "2h"}));
  v = d.Feed({{"ts", Time{"2026-03-02T10:30:00Z"}}, {"card", "c"}});  // a day later: none left
  EXPECT_EQ(v, (std::vector<std::string>{"(missing)", "(missing)"}));
}

TEST(Baseline, ArgumentsAreChecked) {
  auto error = [](const std::string& agg) {
    Compilation c = CompileText(PayHeader() + "rule r { when " + agg + " is present then score 1 }\n");
    return c.ok() ? std::string("compiles") : c.RenderDiagnostics();
  };
  EXPECT_NE(error("count(by: card, within: 1d, offset: 0s)").find("E3012"), std::string::npos);
  EXPECT_NE(error("count(by: card, within: 1d, offset: -1d)").find("offset: takes a positive"),
            std::string::npos);
  EXPECT_NE(error("count(by: card, within: 1d, current: 1)").find("current: takes true or false"),
            std::string::npos);
  EXPECT_NE(error("percentile(amount, 101, by: card, within: 1d)").find("from 0 to 100"),
            std::string::npos);
  EXPECT_NE(error("percentile(amount, by: card, within: 1d)").find("needs a percentage"),
            std::string::npos);
  EXPECT_NE(error("percentile(amount, n, by: card, within: 1d)"), "compiles");  // not a constant
  EXPECT_NE(error("median(note, by: card, within: 1d)").find("cannot summarise a string"),
            std::string::npos);
  EXPECT_NE(error("since_previous(by: card, within: 1d, offset: 1d)").find("takes no 'offset:'"),
            std::string::npos);
  EXPECT_NE(error("since_previous(amount, by: card, within: 1d)").find("takes no value"),
            std::string::npos);
  EXPECT_NE(error("median(amount, by: card, within: 1d, after: 1d)").find("E2015"),
            std::string::npos);
  EXPECT_EQ(error("percentile(ts, 50, by: card, within: 1d, offset: 1h, current: false)"),
            "compiles");
}

TEST(Baseline, SignaturesOfOlderAggregatesAreUnchanged) {
  // State is kept across a reload only while the signature stays: the new
  // arguments must not change the signatures of aggregates written without them.
  Compilation c = CompileText(PayHeader() +
                              "rule r { when count(by: card, within: 1d) > 0 and "
                              "count(by: card, within: 1d, offset: 1d) > 0 then score 1 }\n");
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  ASSERT_EQ(c.program->aggregates.size(), 2u);
  EXPECT_EQ(c.program->aggregates[0].signature, "count|field:card|86400000000||");
  EXPECT_EQ(c.program->aggregates[1].signature,
            "count|field:card|86400000000|||offset:86400000000");
}

// ------------------------------------------------------------------ brute force

struct Ev {
  int64_t ts;
  std::string card;
  std::optional<int64_t> n;       // int
  std::optional<int64_t> units;   // decimal amount, units of 10^-6, 2 fractional digits
};

// Half-even division by two of a non-negative integer.
int64_t HalfEven2(__int128 x) {
  __int128 q = x / 2;
  if (x % 2 != 0 && q % 2 != 0) ++q;
  return static_cast<int64_t>(q);
}

std::string Units(int64_t u, int scale) {
  Decimal d{u, static_cast<uint8_t>(scale)};
  return DecimalToString(d);
}

// What each aggregate of kExprs must be for event `i` of `events`, every event
// recorded in order.
const std::vector<std::string> kExprs = {
    "count(by: card, within: 3d, offset: 2d)",
    "sum(n, by: card, within: 2d, current: false)",
    "median(n, by: card, within: 5d)",
    "median(amount, by: card, within: 4d, offset: 1d)",
    "percentile(amount, 90, by: card, within: 5d, current: false)",
    "percentile(n, 0, by: card, within: 2d, where: amount > 40.00)",
    "since_previous(by: card, within: 3d, where: n > 500)",
    "avg(n, by: card, within: 2d, offset: 12h)",
};

std::vector<std::string> Reference(const std::vector<Ev>& events, size_t i) {
  const Ev& cur = events[i];
  // The events recorded so far of the same key, the current one last.
  std::vector<const Ev*> mine;
  for (size_t k = 0; k <= i; ++k) {
    if (events[k].card == cur.card) mine.push_back(&events[k]);
  }
  auto window = [&](int64_t within, int64_t offset, bool with_current) {
    std::vector<const Ev*> out;
    for (size_t k = 0; k < mine.size(); ++k) {
      const bool is_current = k + 1 == mine.size();
      if (is_current && !with_current) continue;
      const int64_t top = cur.ts - offset;
      if (mine[k]->ts > top || mine[k]->ts <= top - within) continue;
      out.push_back(mine[k]);
    }
    return out;
  };
  std::vector<std::string> r;
  // count, 3d, offset 2d
  r.push_back(std::to_string(window(3 * kDay, 2 * kDay, false).size()));
  {  // sum(n), current: false
    int64_t s = 0;
    for (const Ev* e : window(2 * kDay, 0, false)) s += e->n.value_or(0);
    r.push_back(std::to_string(s));
  }
  {  // median(n): decimal
    std::vector<int64_t> v;
    for (const Ev* e : window(5 * kDay, 0, true)) {
      if (e->n) v.push_back(*e->n);
    }
    std::sort(v.begin(), v.end());
    if (v.empty()) {
      r.push_back("(missing)");
    } else {
      __int128 twice = v.size() % 2 ? 2 * static_cast<__int128>(v[v.size() / 2])
                                    : static_cast<__int128>(v[v.size() / 2 - 1]) + v[v.size() / 2];
      r.push_back(Units(static_cast<int64_t>(twice * 500000), 6));
    }
  }
  {  // median(amount), offset 1d
    std::vector<int64_t> v;
    for (const Ev* e : window(4 * kDay, kDay, false)) {
      if (e->units) v.push_back(*e->units);
    }
    std::sort(v.begin(), v.end());
    if (v.empty()) {
      r.push_back("(missing)");
    } else if (v.size() % 2) {
      r.push_back(Units(v[v.size() / 2], 6));
    } else {
      r.push_back(Units(HalfEven2(static_cast<__int128>(v[v.size() / 2 - 1]) + v[v.size() / 2]), 6));
    }
  }
  {  // percentile(amount, 90), current: false
    std::vector<int64_t> v;
    for (const Ev* e : window(5 * kDay, 0, false)) {
      if (e->units) v.push_back(*e->units);
    }
    std::sort(v.begin(), v.end());
    if (v.empty()) {
      r.push_back("(missing)");
    } else {
      size_t k = (90 * v.size() + 99) / 100;
      r.push_back(Units(v[std::max<size_t>(k, 1) - 1], 2));
    }
  }
  {  // percentile(n, 0) where amount > 40.00
    std::optional<int64_t> lowest;
    for (const Ev* e : window(2 * kDay, 0, true)) {
      if (e->n && e->units && *e->units > 40000000) lowest = std::min(lowest.value_or(INT64_MAX), *e->n);
    }
    r.push_back(lowest ? std::to_string(*lowest) : "(missing)");
  }
  {  // since_previous where n > 500
    std::optional<int64_t> latest;
    for (const Ev* e : window(3 * kDay, 0, false)) {
      if (e->n && *e->n > 500) latest = std::max(latest.value_or(INT64_MIN), e->ts);
    }
    r.push_back(latest ? DurationToString(cur.ts - *latest) : "(missing)");
  }
  {  // avg(n), offset 12h
    __int128 s = 0;
    int64_t c = 0;
    for (const Ev* e : window(2 * kDay, kDay / 2, false)) {
      if (e->n) {
        s += *e->n;
        ++c;
      }
    }
    if (c == 0) {
      r.push_back("(missing)");
    } else {
      // Exact mean, half-even at 6 places (values are non-negative).
      __int128 num = s * 1000000, q = num / c, rem = num % c;
      if (2 * rem > c || (2 * rem == c && q % 2 != 0)) ++q;
      r.push_back(Units(static_cast<int64_t>(q), 6));
    }
  }
  return r;
}

std::vector<Ev> RandomStream(uint32_t seed, size_t count) {
  std::mt19937_64 rng(seed);
  std::vector<Ev> events;
  int64_t ts = *ParseTime("2026-01-01T00:00:00Z");
  for (size_t i = 0; i < count; ++i) {
    // Often the same time (ties), sometimes days apart (windows empty out).
    const int step = static_cast<int>(rng() % 10);
    ts += step == 0 ? 0 : step < 8 ? static_cast<int64_t>(rng() % (6 * 3600)) * kSec
                                   : static_cast<int64_t>(rng() % 4) * kDay;
    Ev e;
    e.ts = ts;
    e.card = fmt::format("c{}", rng() % 3);
    if (rng() % 8 != 0) e.n = static_cast<int64_t>(rng() % 1000);
    if (rng() % 8 != 0) e.units = static_cast<int64_t>(rng() % 10000) * 10000;  // 0.00 .. 99.99
    events.push_back(std::move(e));
  }
  return events;
}

void CheckAgainstBruteForce(std::shared_ptr<state::Backend> backend, uint32_t seed) {
  AggDriver d(kExprs, std::move(backend));
  std::vector<Ev> events = RandomStream(seed, 600);
  for (size_t i = 0; i < events.size(); ++i) {
    const Ev& e = events[i];
    std::map<std::string, FieldValue> fields = {{"ts", Time{TimeToString(e.ts)}}, {"card", e.card}};
    if (e.n) fields["n"] = *e.n;
    if (e.units) fields["amount"] = Dec{Units(*e.units, 2)};
    std::vector<std::string> got = d.Feed(fields);
    std::vector<std::string> want = Reference(events, i);
    ASSERT_EQ(got.size(), want.size());
    for (size_t a = 0; a < want.size(); ++a) {
      ASSERT_EQ(got[a], want[a]) << "seed " << seed << ", event " << i << " at "
                                 << TimeToString(e.ts) << ": " << kExprs[a];
    }
  }
}

TEST(Baseline, EmbeddedStoreAgreesWithBruteForceOnRandomStreams) {
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    CheckAgainstBruteForce(nullptr, seed);
  }
}

// A plain external backend: a list of (time, entry) per group and key,
// returned newest first, so the engine must order them itself and find the
// current event's entry among entries of the same time.
state::ExternalFn ListBackend() {
  auto data = std::make_shared<std::map<std::string, std::vector<std::pair<int64_t, std::string>>>>();
  return [data](const state::ExternalRequest& req, state::ExternalReply& reply) {
    auto& list = (*data)[std::string(req.group) + "|" + std::string(req.key)];
    int64_t latest = INT64_MIN;
    for (const auto& [ts, entry] : list) latest = std::max(latest, ts);
    reply.late = latest != INT64_MIN && req.ts < latest - req.lateness_us;
    if (req.record && !reply.late) list.emplace_back(req.ts, std::string(req.entry));
    for (auto it = list.rbegin(); it != list.rend(); ++it) {
      if (it->first > req.from_us) reply.entries.push_back(*it);
    }
    return true;
  };
}

TEST(Baseline, ExternalBackendAgreesWithBruteForceOnRandomStreams) {
  for (uint32_t seed = 11; seed <= 14; ++seed) {
    auto backend = std::make_shared<state::ExternalBackend>(ListBackend(), 10 * 60 * kSec,
                                                            /*fail_closed=*/true);
    CheckAgainstBruteForce(backend, seed);
  }
}

TEST(Baseline, SnapshotKeepsTheBaselinesAcrossARestart) {
  std::vector<Ev> events = RandomStream(21, 300);
  auto feed = [&](AggDriver& d, size_t i) {
    const Ev& e = events[i];
    std::map<std::string, FieldValue> fields = {{"ts", Time{TimeToString(e.ts)}}, {"card", e.card}};
    if (e.n) fields["n"] = *e.n;
    if (e.units) fields["amount"] = Dec{Units(*e.units, 2)};
    return d.Feed(fields);
  };
  auto first = std::make_shared<state::Store>();
  AggDriver a(kExprs, first);
  for (size_t i = 0; i < 150; ++i) feed(a, i);
  std::string path = ::testing::TempDir() + "/baseline.snap";
  std::string error;
  ASSERT_TRUE(first->Save(path, &error)) << error;
  auto second = std::make_shared<state::Store>();
  AggDriver b(kExprs, second);
  ASSERT_TRUE(second->Load(path, &error)) << error;
  for (size_t i = 150; i < events.size(); ++i) {
    ASSERT_EQ(feed(b, i), Reference(events, i)) << "event " << i;
  }
}

}  // namespace
}  // namespace vigil::testing
