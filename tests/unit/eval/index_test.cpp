// The rule prefilter must never change results: for random events over the
// generated-style rule shapes, every rule fires exactly when its condition,
// evaluated on its own without the index, is true.
#include <algorithm>
#include <random>

#include "eval/evaluator.hpp"
#include "test_util.hpp"

namespace vigil::testing {
namespace {

// These tests are about the index, so they force it: the planner would
// evaluate rule sets this small in order (plan/strategy.hpp).
Compilation CompileIndexed(const std::string& text) {
  CompileOptions options;
  options.strategy = plan::StrategyChoice::kIndex;
  return CompileSources({SourceInput{"test.vgl", text}}, options);
}

bool FiresIndexed(const std::string& cond, const std::map<std::string, FieldValue>& fields) {
  Compilation c = CompileIndexed(Header() + "\nrule r { when " + cond + " then score 1 }\n");
  if (!c.ok()) {
    ADD_FAILURE() << "compile failed for `" << cond << "`:\n" << c.RenderDiagnostics();
    return false;
  }
  EXPECT_EQ(c.program->strategy, eval::EvalStrategy::kIndex);
  return !Evaluate(c, fields).fired.empty();
}

TEST(RuleIndex, SkipsOnlyRulesThatCannotFire) {
  std::string rules = Header();
  const char* countries[] = {"PH", "NZ", "US", "TH", "GB"};
  std::mt19937 rng(7);
  for (int r = 0; r < 60; ++r) {
    std::string cond;
    switch (r % 6) {
      case 0: cond = "country == \"" + std::string(countries[rng() % 5]) + "\" and amount > 10"; break;
      case 1: cond = "mcc in {5967, 4816, " + std::to_string(rng() % 10) + "} and country != card_country"; break;
      case 2: cond = "card_country in {\"PH\", \"TH\"} or mcc == 1"; break;
      case 3: cond = "not (country == \"PH\") and mcc == " + std::to_string(rng() % 4); break;
      case 4: cond = "amount >= " + std::to_string(rng() % 50) + " and (country == \"NZ\" or country is missing)"; break;
      default: cond = "mcc == " + std::to_string(rng() % 4) + " and country in {\"US\", \"GB\"}"; break;
    }
    rules += "rule r" + std::to_string(r) + " { when " + cond + " then score 1 }\n";
  }
  Compilation c = CompileIndexed(rules);
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  EXPECT_GT(c.program->rule_index.indexed_rules(), 20u);
  eval::Session session(c.program);
  eval::Event event(c.program->schema);
  eval::Result result;
  int fired_total = 0;
  for (int i = 0; i < 3000; ++i) {
    event.Reset();
    if (rng() % 5) SetField(event, "country", countries[rng() % 5]);
    if (rng() % 5) SetField(event, "card_country", countries[rng() % 5]);
    if (rng() % 5) SetField(event, "mcc", static_cast<int>(rng() % 6 == 0 ? 5967 : rng() % 10));
    if (rng() % 5) SetField(event, "amount", Dec{std::to_string(rng() % 60) + ".50"});
    session.Evaluate(event, result);
    std::vector<bool> fired(c.program->rules.size(), false);
    for (const auto& f : result.fired) fired[f.rule] = true;
    session.Begin(event);
    for (uint32_t r = 0; r < c.program->rules.size(); ++r) {
      bool expected = session.EvalNode(c.program->rules[r].when).is_true();
      ASSERT_EQ(fired[r], expected) << "event " << i << " rule " << c.program->rules[r].id;
      fired_total += expected;
    }
  }
  EXPECT_GT(fired_total, 1000);
}

// Numeric atoms split a field into classes at their constants: the values
// at, just below and just above each constant, and the int64 extremes.
TEST(RuleIndex, NumericBoundariesAreExact) {
  const int64_t values[] = {INT64_MIN, -1, 0, 4, 5, 6, 9, 10, 11, INT64_MAX};
  const char* conds[] = {"mcc >= 5", "mcc > 5", "mcc < 10 and mcc >= 5", "mcc <= 5", "mcc == 10",
                         "mcc != 10", "mcc in {0, 5, 11}", "mcc not in {0, 5, 11}",
                         "not (mcc < 5) and mcc != 9"};
  for (const char* cond : conds) {
    for (int64_t v : values) {
      bool want = false;
      std::string c = cond;
      if (c == "mcc >= 5") want = v >= 5;
      if (c == "mcc > 5") want = v > 5;
      if (c == "mcc < 10 and mcc >= 5") want = v < 10 && v >= 5;
      if (c == "mcc <= 5") want = v <= 5;
      if (c == "mcc == 10") want = v == 10;
      if (c == "mcc != 10") want = v != 10;
      if (c == "mcc in {0, 5, 11}") want = v == 0 || v == 5 || v == 11;
      if (c == "mcc not in {0, 5, 11}") want = !(v == 0 || v == 5 || v == 11);
      if (c == "not (mcc < 5) and mcc != 9") want = v >= 5 && v != 9;
      EXPECT_EQ(FiresIndexed(cond, {{"mcc", v}}), want) << cond << " with mcc = " << v;
    }
    // An atom on a missing field is unknown, negated or not.
    EXPECT_FALSE(FiresIndexed(cond, {})) << cond << " with mcc missing";
  }
}

TEST(RuleIndex, DecidedAtomsLeaveTheResidual) {
  Compilation c = CompileIndexed(Header() +
                              "rule a { when country == \"PH\" and amount >= 10.00 then score 1 }\n"
                              "rule b { when country != card_country and mcc in {1, 2} then score 1 }\n"
                              "rule c { when contains(name, \"x\") or mcc == 3 then score 1 }\n");
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  const eval::Program& p = *c.program;
  EXPECT_EQ(p.rule_index.indexed_rules(), 2u);
  EXPECT_EQ(p.rule_index.indexed_fields(), 3u);  // country, amount, mcc
  EXPECT_EQ(p.residuals[0].count, 0u);  // both atoms decided by the index
  EXPECT_EQ(p.residuals[1].count, 1u);  // country != card_country is left
  EXPECT_EQ(p.residuals[2].count, 1u);  // an `or` is evaluated whole
  EXPECT_TRUE(FiresIndexed("country == \"PH\" and amount >= 10.00",
                    {{"country", std::string("PH")}, {"amount", Dec{"10.00"}}}));
  EXPECT_FALSE(FiresIndexed("country == \"PH\" and amount >= 10.00",
                     {{"country", std::string("PH")}, {"amount", Dec{"9.99"}}}));
}

// Candidates against the plain lookups (CandidatesReference) and against
// every rule's condition evaluated alone, on random rule sets of 1 to 3+
// words and random events: a candidate dropped by a wrong class (a string
// hashed to the wrong slot, a binary search one point off, a missing value
// taken for a present one) fails here, and so does one kept by mistake.
TEST(RuleIndex, CandidatesAreThoseOfThePlainLookups) {
  // Constants that differ in one byte at each place, in length only, and
  // ones longer than 8 bytes (which make their field's table the StrSet).
  const std::vector<std::string> shorts = {"",         "P",        "PH",       "HP",  "PHL",
                                           "PHX",      "ABCD",     "ABCE",     "BBCD", "ABCDE",
                                           "ABCDEFG",  "ABCDEFGH", "ABCDEFGX", "XBCDEFGH",
                                           "ABCDXFGH", "AB",       "A"};
  const std::vector<std::string> longs = {"ABCDEFGHI", "ABCDEFGHX", "a longer name", "ABCDEFGH"};
  const std::vector<int64_t> ints = {-9223372036854775807, -5, -1, 0, 1, 2, 3, 7, 10, 5967,
                                     9223372036854775807};
  auto quoted = [](const std::string& v) { return "\"" + v + "\""; };
  size_t short_fields = 0, string_fields = 0, number_fields = 0;
  for (uint32_t seed = 1; seed <= 12; ++seed) {
    std::mt19937 rng(seed);
    auto pick = [&](const auto& pool) { return pool[rng() % pool.size()]; };
    // name's constants are long in odd seeds, so both kinds of string table are made.
    const std::vector<std::string>& name_pool = seed % 2 ? longs : shorts;
    const int rules = seed % 3 == 0 ? 1 + static_cast<int>(rng() % 64)
                      : seed % 3 == 1 ? 65 + static_cast<int>(rng() % 64)
                                      : 129 + static_cast<int>(rng() % 200);
    std::string text = Header();
    for (int r = 0; r < rules; ++r) {
      std::vector<std::string> conj;
      // Selective atoms on most rules, so that their fields are indexed
      // (a field that excludes few rules is not: RuleIndex::kMaxDensity).
      if (rng() % 4) conj.push_back("name == " + quoted(pick(name_pool)));
      if (rng() % 4) conj.push_back("country in {" + quoted(pick(shorts)) + ", " + quoted(pick(shorts)) + "}");
      if (rng() % 3) conj.push_back("mcc == " + std::to_string(pick(ints)));
      const int n = static_cast<int>(rng() % 3) + (conj.empty() ? 1 : 0);
      for (int k = 0; k < n; ++k) {
        const char* str_fields[] = {"country", "card_country", "name"};
        const std::string f = str_fields[rng() % 3];
        const auto& pool = f == "name" ? name_pool : shorts;
        const char* cmps[] = {"==", "!=", "<", "<=", ">", ">="};
        switch (rng() % 9) {
          case 0: conj.push_back(f + (rng() % 2 ? " == " : " != ") + quoted(pick(pool))); break;
          case 1: {
            std::string set = quoted(pick(pool));
            for (int i = static_cast<int>(rng() % 4); i > 0; --i) set += ", " + quoted(pick(pool));
            conj.push_back(f + (rng() % 2 ? " in {" : " not in {") + set + "}");
            break;
          }
          case 2: conj.push_back("not (" + f + " == " + quoted(pick(pool)) + ")"); break;
          case 3:
            conj.push_back(std::string(rng() % 2 ? "mcc " : "count_ ") + cmps[rng() % 6] + " " +
                           std::to_string(pick(ints)));
            break;
          case 4: {
            std::string set = std::to_string(pick(ints));
            for (int i = static_cast<int>(rng() % 4); i > 0; --i) set += ", " + std::to_string(pick(ints));
            conj.push_back(std::string("mcc") + (rng() % 2 ? " in {" : " not in {") + set + "}");
            break;
          }
          case 5:
            conj.push_back(std::string("amount ") + cmps[rng() % 6] + " " +
                           std::to_string(rng() % 20) + "." + std::to_string(rng() % 10) + "0");
            break;
          case 6: conj.push_back("country != card_country"); break;  // no atom: a residual
          case 7: conj.push_back("(mcc == 1 or country == \"PH\")"); break;
          default: conj.push_back("contains(name, \"B\")"); break;
        }
      }
      std::string cond = conj[0];
      for (size_t k = 1; k < conj.size(); ++k) cond += " and " + conj[k];
      text += "rule r" + std::to_string(r) + " { when " + cond + " then score 1 }\n";
    }
    Compilation c = CompileIndexed(text);
    ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
    const eval::Program& p = *c.program;
    const eval::RuleIndex& index = p.rule_index;
    ASSERT_EQ(index.words(), (p.rules.size() + 63) / 64);
    short_fields += index.short_string_fields();
    for (const auto& shape : index.field_shapes()) {
      string_fields += shape.is_string;
      number_fields += !shape.is_string;
    }
    eval::Session session(c.program);
    eval::Event event(p.schema);
    eval::Result result;
    std::vector<uint64_t> got(index.words()), want(index.words());
    std::vector<std::string> event_strings = shorts;
    event_strings.insert(event_strings.end(), longs.begin(), longs.end());
    for (const char* s : {"PHIL", "ABCDEFGHIJ", "ABC", "Q", "ZZZZZZZZ", "BCDEFGH", "ABCDEFGHI\xc3\xa9"}) {
      event_strings.push_back(s);
    }
    for (int i = 0; i < 1500; ++i) {
      event.Reset();
      for (const char* f : {"country", "card_country", "name"}) {
        if (rng() % 6) SetField(event, f, pick(event_strings));
      }
      for (const char* f : {"mcc", "count_"}) {
        if (rng() % 6 == 0) continue;
        // A constant or a neighbour of one; the neighbour past INT64_MIN or
        // INT64_MAX is the constant itself (no signed overflow).
        auto near = [&](int64_t k) {
          const int step = static_cast<int>(rng() % 3) - 1;
          if ((step < 0 && k == INT64_MIN) || (step > 0 && k == INT64_MAX)) return k;
          return k + step;
        };
        const int64_t v = rng() % 4 == 0 ? static_cast<int64_t>(rng() % 100) - 50
                          : rng() % 10 == 0 ? (rng() % 2 ? INT64_MIN : INT64_MAX)
                                            : near(pick(ints));
        SetField(event, f, v);
      }
      if (rng() % 6) {
        SetField(event, "amount", Dec{std::to_string(rng() % 21) + "." + std::to_string(rng() % 100)});
      }
      index.Candidates(event.values(), got.data());
      index.CandidatesReference(event.values(), want.data());
      ASSERT_EQ(got, want) << "seed " << seed << " event " << i;
      session.Evaluate(event, result);
      std::vector<bool> fired(p.rules.size(), false);
      for (const auto& f : result.fired) fired[f.rule] = true;
      session.Begin(event);
      for (uint32_t r = 0; r < p.rules.size(); ++r) {
        const bool holds = session.EvalNode(p.rules[r].when).is_true();
        const bool candidate = (got[r / 64] >> (r % 64)) & 1;
        ASSERT_TRUE(candidate || !holds) << "seed " << seed << " event " << i << " rule r" << r;
        ASSERT_EQ(fired[r], holds) << "seed " << seed << " event " << i << " rule r" << r;
      }
    }
  }
  // Every kind of lookup was exercised: numbers, strings by the short table
  // and strings by the StrSet (name with its long constants).
  EXPECT_GT(number_fields, 0u);
  EXPECT_GT(short_fields, 0u);
  EXPECT_GT(string_fields, short_fields);
}

// A number field of many points: every step of the search is taken (up to
// 2^11 table entries at 1,000 points), at each point, either side of it and
// past both ends.
// A number field whose points lie close together is looked up in a class
// table over their range (RuleIndex::kSmallRange), clamped at both ends;
// the classes must be the search's at every value of the range, one past
// each end, far outside and at the int64 extremes, and missing. Points next
// to INT64_MIN or INT64_MAX, or too far apart, keep the search.
TEST(RuleIndex, SmallRangeClassesAreThoseOfTheSearch) {
  struct Case {
    int64_t first;
    int64_t step;  // between points (random, at most this)
    int points;
    bool small;    // whether the table is expected
  };
  const Case cases[] = {
      {0, 1, 1, true},        {5, 1, 6, true},          {-40, 7, 12, true},
      {4511, 200, 22, true},  {1, 50, 10, true},        {-9, 3, 300, true},
      {0, 5000, 3, false},    {INT64_MIN, 1, 3, false}, {INT64_MAX - 3, 1, 3, false},
      {INT64_MIN + 1, 2, 4, true}, {INT64_MAX - 9, 2, 4, true},
  };
  for (const Case& k : cases) {
    std::mt19937 rng(static_cast<uint32_t>(k.points * 31 + k.step));
    std::vector<int64_t> values;
    int64_t v = k.first;
    for (int r = 0; r < k.points; ++r) {
      values.push_back(v);
      if (k.step > 0 && r + 1 < k.points) {
        v += 1 + static_cast<int64_t>(rng() % static_cast<uint32_t>(k.step));
      }
    }
    if (k.first == INT64_MAX - 3) values = {INT64_MAX - 3, INT64_MAX - 1, INT64_MAX};
    std::string text = Header();
    for (size_t r = 0; r < values.size(); ++r) {
      const char* cmps[] = {"==", "<", ">=", "!=", ">", "<="};
      text += "rule r" + std::to_string(r) + " { when count_ " + cmps[r % 6] + " " +
              std::to_string(values[r]) + " and mcc == " + std::to_string(r % 3) +
              " then score 1 }\n";
    }
    Compilation c = CompileIndexed(text);
    ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
    const eval::Program& p = *c.program;
    // mcc (0, 1, 2) always gets a table; count_ when its points allow.
    EXPECT_EQ(p.rule_index.small_range_fields(), k.small ? 2u : 1u) << k.first << " " << k.points;
    eval::Event event(p.schema);
    std::vector<uint64_t> got(p.rule_index.words()), want(p.rule_index.words());
    std::vector<int64_t> probes = {INT64_MIN, INT64_MIN + 1, INT64_MAX, INT64_MAX - 1, 0, -1};
    const int64_t lo = values.front(), hi = values.back();
    for (int64_t d = -3; d <= 3; ++d) {
      if (d < 0 ? lo >= INT64_MIN - d : lo <= INT64_MAX - d) probes.push_back(lo + d);
      if (d < 0 ? hi >= INT64_MIN - d : hi <= INT64_MAX - d) probes.push_back(hi + d);
    }
    if (k.small) {
      for (int64_t x = lo; x != hi; ++x) probes.push_back(x);
    }
    for (int64_t x : probes) {
      for (int mcc = -1; mcc < 4; ++mcc) {
        event.Reset();
        SetField(event, "count_", x);
        SetField(event, "mcc", mcc);
        p.rule_index.Candidates(event.values(), got.data());
        p.rule_index.CandidatesReference(event.values(), want.data());
        ASSERT_EQ(got, want) << "count_ " << x << ", mcc " << mcc;
      }
    }
    event.Reset();  // both missing
    p.rule_index.Candidates(event.values(), got.data());
    p.rule_index.CandidatesReference(event.values(), want.data());
    ASSERT_EQ(got, want) << "missing";
  }
}

TEST(RuleIndex, NumberClassesOfManyPoints) {
  for (int points : {1, 2, 3, 7, 8, 9, 63, 64, 65, 200, 1000}) {
    std::mt19937 rng(static_cast<uint32_t>(points));
    std::string text = Header();
    std::vector<int64_t> values;
    for (int r = 0; r < points; ++r) {
      const int64_t v = static_cast<int64_t>(rng() % 5000) * 3 - 7000;
      values.push_back(v);
      const char* cmps[] = {"==", "<", ">=", "!="};
      text += "rule r" + std::to_string(r) + " { when count_ " + cmps[r % 4] + " " +
              std::to_string(v) + " and mcc == " + std::to_string(r % 3) + " then score 1 }\n";
    }
    Compilation c = CompileIndexed(text);
    ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
    const eval::Program& p = *c.program;
    std::vector<int64_t> distinct = values;
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    bool indexed = false;  // count_ is, with all its points
    for (const auto& shape : p.rule_index.field_shapes()) {
      indexed = indexed || (!shape.is_string && shape.constants == distinct.size());
    }
    ASSERT_TRUE(indexed || distinct.size() == 3) << points << " points";
    eval::Event event(p.schema);
    std::vector<uint64_t> got(p.rule_index.words()), want(p.rule_index.words());
    std::vector<int64_t> probes = {INT64_MIN, INT64_MAX, -8000, 9000};
    for (int64_t v : values) {
      for (int64_t d = -1; d <= 1; ++d) probes.push_back(v + d);
    }
    for (int64_t v : probes) {
      for (int mcc = 0; mcc < 3; ++mcc) {
        event.Reset();
        SetField(event, "count_", v);
        SetField(event, "mcc", mcc);
        p.rule_index.Candidates(event.values(), got.data());
        p.rule_index.CandidatesReference(event.values(), want.data());
        ASSERT_EQ(got, want) << points << " points, count_ " << v << ", mcc " << mcc;
      }
    }
    event.Reset();  // count_ missing
    p.rule_index.Candidates(event.values(), got.data());
    p.rule_index.CandidatesReference(event.values(), want.data());
    ASSERT_EQ(got, want) << points << " points, count_ missing";
  }
}

}  // namespace
}  // namespace vigil::testing
