// The two evaluation strategies (plan/strategy.hpp) must give the same
// results, and the planner must choose ordered evaluation for a small rule
// set and the index for a large one.
#include <algorithm>
#include <limits>
#include <random>

#include "api/test_runner.hpp"
#include "test_util.hpp"

namespace vigil::testing {
namespace {

using plan::StrategyChoice;

Compilation CompileWith(const std::string& text, StrategyChoice strategy) {
  CompileOptions options;
  options.strategy = strategy;
  return CompileSources({SourceInput{"test.vgl", text}}, options);
}

const char* kCountries[] = {"PH", "NZ", "US", "TH", "GB", "VN"};
const char* kNames[] = {"SHOP ONE", "SQ *CAFE", "GAS", "", "shop", "SQ *SHOP TWO"};

// One random conjunct over Header()'s fields: the index's atoms (==, !=,
// in, not in, orders, on strings, ints and decimals) and what it leaves to
// the evaluator (field against field, string functions, `or`, `is
// missing`, negations, sets of the event).
std::string RandomConjunct(std::mt19937& rng) {
  auto country = [&] { return "\"" + std::string(kCountries[rng() % 6]) + "\""; };
  const char* orders[] = {"<", "<=", ">", ">=", "==", "!="};
  switch (rng() % 18) {
    case 0: return "country == " + country();
    case 1: return "card_country != " + country();
    case 2: return "country in {" + country() + ", " + country() + "}";
    case 3: return "card_country not in {" + country() + "}";
    case 4: return "amount " + std::string(orders[rng() % 6]) + " " + std::to_string(rng() % 60) + ".50";
    case 5: return "mcc " + std::string(orders[rng() % 6]) + " " + std::to_string(rng() % 8);
    case 6: return "mcc in {" + std::to_string(rng() % 8) + ", " + std::to_string(rng() % 8) + "}";
    case 7: return "country != card_country";
    case 8: return "contains(name, \"SHOP\")";
    case 9: return "starts_with(name, \"SQ *\")";
    case 10: return "(country == " + country() + " or mcc == " + std::to_string(rng() % 8) + ")";
    case 11: return "not (amount < " + std::to_string(rng() % 60) + ")";
    case 12: return rng() % 2 ? "country is missing" : "\"x\" in flags";
    case 13: return "count_ >= " + std::to_string(rng() % 5) + " and ok";
    // The ordered path's other inline tests (eval/ordered_rules.hpp), which
    // the session reorders like the rest after Session::kAdaptEvents events:
    // two string fields (kStrFields, negated or not), sets of more than four
    // values (kIntSet, kStrSet, negated or not) and aggregates against a
    // constant (kAggRange, of ints and of decimals).
    case 14: return rng() % 2 ? "country == card_country" : "not (card_country == country)";
    case 15: {
      const uint64_t from = rng() % 9;  // five to seven of mcc's nine values
      std::string set;
      for (uint64_t k = 0, n = 5 + rng() % 3; k < n; ++k) {
        set += (k ? ", " : "") + std::to_string((from + k) % 9);
      }
      return std::string(rng() % 2 ? "mcc in {" : "mcc not in {") + set + "}";
    }
    case 16: {
      const uint64_t skip = rng() % 6;  // five of the six countries
      std::string set;
      for (uint64_t k = 0; k < 6; ++k) {
        if (k != skip) set += (set.empty() ? "\"" : ", \"") + std::string(kCountries[k]) + "\"";
      }
      return rng() % 2 ? "card_country in {" + set + "}" : "not (country in {" + set + "})";
    }
    default:
      switch (rng() % 3) {
        case 0: return "count(by: card_id, within: 1h) >= " + std::to_string(1 + rng() % 6);
        case 1: return "sum(amount, by: card_id, within: 30m) " + std::string(orders[rng() % 6]) +
                       " " + std::to_string(rng() % 120) + ".50";
        default: return "not (count(by: card_id, within: 10m) < " + std::to_string(1 + rng() % 3) + ")";
      }
  }
}

// A random rule set of `rules` rules with scores, decisions, reasons that
// format values, tags and shadow rules.
std::string RandomRuleSet(std::mt19937& rng, int rules) {
  const char* decisions[] = {"allow", "review", "report", "block"};
  std::string text = Header();
  for (int r = 0; r < rules; ++r) {
    std::string cond;
    const int conjuncts = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < conjuncts; ++k) cond += (k ? " and " : "") + RandomConjunct(rng);
    text += "rule r" + std::to_string(r) + " {\n";
    if (rng() % 6 == 0) text += "  mode shadow\n";
    text += "  when " + cond + "\n  then score " +
            std::to_string(rng() % 50) + "\n       decide " + decisions[rng() % 4] +
            "\n       reason \"amount {amount} in {country}\"\n";
    if (rng() % 3 == 0) text += "       tag \"t" + std::to_string(rng() % 3) + "\"\n";
    text += "}\n";
  }
  return text;
}

// The `i`th event of a stream: 40 seconds apart, of four cards (so that the
// aggregates' windows hold a few events each), in random order of fields.
void RandomEvent(std::mt19937& rng, int i, eval::Event& e) {
  e.Reset();
  e.SetTime(static_cast<size_t>(e.schema().Find("ts")),
            *ParseTime("2026-03-01T00:00:00Z") + int64_t{i} * 40 * 1000000);
  if (rng() % 8) SetField(e, "card_id", "card" + std::to_string(rng() % 4));
  if (rng() % 6) SetField(e, "country", kCountries[rng() % 6]);
  if (rng() % 6) SetField(e, "card_country", kCountries[rng() % 6]);
  if (rng() % 6) SetField(e, "mcc", static_cast<int>(rng() % 9));
  if (rng() % 6) SetField(e, "amount", Dec{std::to_string(rng() % 62) + (rng() % 2 ? ".50" : ".00")});
  if (rng() % 6) SetField(e, "name", kNames[rng() % 6]);
  if (rng() % 6) SetField(e, "count_", static_cast<int>(rng() % 6));
  if (rng() % 6) SetField(e, "ok", rng() % 2 == 0);
  if (rng() % 2) SetField(e, "flags", std::vector<std::string>{rng() % 2 ? "x" : "y"});
}

// Everything a result says, as text, rule ids included.
std::string Describe(const eval::Program& p, const eval::Result& r) {
  std::string out = p.decisions[r.decision] + " " + std::to_string(r.score) + " fired:";
  for (const auto& f : r.fired) out += " " + p.rules[f.rule].id + "(" + std::string(r.reason(f)) + ")";
  out += " shadow:";
  for (const auto& f : r.shadow) out += " " + p.rules[f.rule].id + "(" + std::string(r.reason(f)) + ")";
  out += " tags:";
  for (const std::string* t : r.tags) out += " " + *t;
  return out;
}

// One rule set compiled with the index (a) and in order (b), each with its
// session, event and result: Evaluate runs the same random event through
// both, for the tests that compare the two strategies event by event.
struct BothWays {
  BothWays(const Compilation& indexed, const Compilation& ordered)
      : a(indexed.program),
        b(ordered.program),
        ea(indexed.program->schema),
        eb(ordered.program->schema) {}
  // RandomEvent number `i` from `seed` into both events, then both evaluated.
  void Evaluate(uint32_t seed, int i) {
    std::mt19937 event_rng(seed);
    RandomEvent(event_rng, i, ea);
    event_rng.seed(seed);
    RandomEvent(event_rng, i, eb);
    a.Evaluate(ea, ra);
    b.Evaluate(eb, rb);
  }
  eval::Session a, b;
  eval::Event ea, eb;
  eval::Result ra, rb;
};

TEST(Strategy, BothStrategiesGiveTheSameResultsOnRandomRuleSets) {
  size_t fired = 0, events = 0;
  int reordered[32] = {};  // tests of the reordered sessions, by kind (negation aside)
  for (int seed = 1; seed <= 12; ++seed) {
    std::mt19937 rng(static_cast<uint32_t>(seed));
    // Small and large sets, where the index has few or many rows.
    const int rules = seed % 3 == 0 ? 300 : 4 + static_cast<int>(rng() % 40);
    const std::string text = RandomRuleSet(rng, rules);
    Compilation indexed = CompileWith(text, StrategyChoice::kIndex);
    Compilation ordered = CompileWith(text, StrategyChoice::kOrdered);
    ASSERT_TRUE(indexed.ok()) << indexed.RenderDiagnostics();
    ASSERT_TRUE(ordered.ok()) << ordered.RenderDiagnostics();
    ASSERT_EQ(indexed.program->strategy, eval::EvalStrategy::kIndex);
    ASSERT_EQ(ordered.program->strategy, eval::EvalStrategy::kOrdered);
    EXPECT_GT(indexed.program->rule_index.indexed_rules(), 0u) << "seed " << seed;
    EXPECT_EQ(ordered.program->rule_index.indexed_fields(), 0u);
    BothWays both(indexed, ordered);
    eval::Session& b = both.b;
    const eval::Result& ra = both.ra;
    const eval::Result& rb = both.rb;
    for (int i = 0; i < 1500; ++i) {
      both.Evaluate(static_cast<uint32_t>(seed * 100000 + i), i);
      ASSERT_EQ(Describe(*indexed.program, ra), Describe(*ordered.program, rb))
          << "seed " << seed << " event " << i;
      // And each rule fires exactly when its whole condition is true.
      std::vector<bool> fires(indexed.program->rules.size(), false);
      for (const auto& f : ra.fired) fires[f.rule] = true;
      for (const auto& f : ra.shadow) fires[f.rule] = true;
      b.Begin(both.eb);
      for (uint32_t r = 0; r < ordered.program->rules.size(); ++r) {
        ASSERT_EQ(fires[r], b.EvalNode(ordered.program->rules[r].when).is_true())
            << "seed " << seed << " event " << i << " rule " << r;
      }
      fired += ra.fired.size() + ra.shadow.size();
      ++events;
    }
    // Most of the events above ran after the session reordered its tests
    // (Session::kAdaptEvents): count the kinds that went through that path.
    for (const eval::OrderedTest& t : b.ordered_tests()) ++reordered[t.kind & ~1];
  }
  EXPECT_EQ(events, 12u * 1500u);
  EXPECT_GT(fired, 3000u);  // the rule sets fire often enough to compare something
  static_assert(1500 > 2 * eval::Session::kAdaptEvents);
  using OT = eval::OrderedTest;
  for (OT::Kind kind : {OT::kAggRange, OT::kIntSet, OT::kStrSet, OT::kStrFields, OT::kIntRange,
                        OT::kStrEq, OT::kIntIn, OT::kStrIn, OT::kNode, OT::kStrEq2}) {
    EXPECT_GT(reordered[kind], 10) << "kind " << static_cast<int>(kind);
  }
  // Rules behind a gate (Session::GroupRules): GatedRulesGiveTheIndexsResults.
  EXPECT_GE(reordered[OT::kGate], 1);
}

// Gates at their edges (Session::GroupRules): a gate of several bitmap
// words whose values start below zero (mcc: -5 to 200, so 64 and 65 fall in
// the second word and 130 in the third), a gate at the top of int64
// (count_ > 2^63 - 8 and == 2^63 - 3: its unsigned span is 6), and a field
// whose rarely true tests are too far apart for a gate (amount: 3.50 and
// 100000.00, refused: its rules stay in front). Events hit every value at
// and around the gated ones, the int64 extremes and missing fields, and the
// ordered session must give the index's results on each, before and after
// it groups.
TEST(Strategy, GatesOfManyWordsNegativeValuesAndInt64ExtremesGiveTheIndexsResults) {
  std::string text = Header();
  const char* conds[] = {
      "mcc == -5 and amount >= 1.00",
      "mcc in {-3, 130} and amount >= 1.00",
      "mcc == 200 and count_ >= 0",
      "mcc in {64, 65} and amount < 40.00",
      "mcc == 63 and country == \"PH\"",
      "count_ > 9223372036854775800 and amount >= 1.00",
      "count_ == 9223372036854775805 and mcc >= 0",
      "amount == 3.50 and mcc >= 0",
      "amount == 100000.00 and count_ >= 0",
      "country == \"NZ\" and amount >= 30.00",
  };
  for (size_t r = 0; r < std::size(conds); ++r) {
    text += "rule g" + std::to_string(r) + " {\n  when " + conds[r] + "\n  then score " +
            std::to_string(r + 1) + "\n       decide review\n       reason \"g" + std::to_string(r) +
            " {mcc}\"\n}\n";
  }
  Compilation indexed = CompileWith(text, StrategyChoice::kIndex);
  Compilation ordered = CompileWith(text, StrategyChoice::kOrdered);
  ASSERT_TRUE(indexed.ok()) << indexed.RenderDiagnostics();
  ASSERT_TRUE(ordered.ok()) << ordered.RenderDiagnostics();
  const int64_t top = std::numeric_limits<int64_t>::max();
  const int64_t mccs[] = {-6, -5, -4, -3, 62, 63, 64, 65, 66, 129, 130, 131, 199, 200, 201};
  const int64_t counts[] = {top, top - 1, top - 2, top - 6, top - 7, top - 8,
                            std::numeric_limits<int64_t>::min(), -1, 0};
  eval::Session a(indexed.program), b(ordered.program);
  eval::Event ea(indexed.program->schema), eb(ordered.program->schema);
  eval::Result ra, rb;
  size_t fired = 0;
  std::mt19937 rng(77);
  for (int i = 0; i < 6000; ++i) {
    const uint32_t draw = rng();
    for (eval::Event* e : {&ea, &eb}) {
      e->Reset();
      e->SetTime(static_cast<size_t>(e->schema().Find("ts")),
                 *ParseTime("2026-03-01T00:00:00Z") + int64_t{i} * 1000000);
      // Mostly values no gate holds for (the tests must rarely hold for
      // the session to group them); one event in 16 a value at an edge.
      if (draw % 11 != 0) {
        SetField(*e, "mcc", draw % 16 == 1 ? mccs[(draw >> 8) % std::size(mccs)]
                                           : int64_t{300} + static_cast<int64_t>(draw % 1000));
      }
      if (draw % 13 != 0) {
        SetField(*e, "count_", draw % 16 == 2 ? counts[(draw >> 8) % std::size(counts)]
                                              : static_cast<int64_t>(draw % 50));
      }
      if (draw % 7 != 0) {
        const char* amounts[] = {"3.50", "100000.00", "1.00", "0.50", "39.99",
                                 "40.00", "55.00", "2.00", "7.25", "12.00"};
        SetField(*e, "amount", Dec{amounts[(draw >> 12) % std::size(amounts)]});
      }
      if (draw % 5 != 0) SetField(*e, "country", (draw >> 16) % 3 == 0 ? "PH" : "NZ");
    }
    a.Evaluate(ea, ra);
    b.Evaluate(eb, rb);
    ASSERT_EQ(Describe(*indexed.program, ra), Describe(*ordered.program, rb)) << "event " << i;
    fired += ra.fired.size();
  }
  EXPECT_GT(fired, 1000u);
  // The session grouped: two gates (mcc and count_), amount's rules not behind one.
  using OT = eval::OrderedTest;
  const std::vector<OT>& tests = b.ordered_tests();
  size_t gates = 0, words = 0;
  for (size_t k = 0; k < tests.size(); ++k) {
    if (tests[k].kind != OT::kGate) continue;
    ++gates;
    words += tests[k].span / 64 + 1;
  }
  EXPECT_EQ(gates, 2u);
  EXPECT_EQ(words, 4u + 1u);  // mcc: 206 values, four words; count_: one
}

// Rule sets most of whose rules start with an int field equal to or in a
// few values (mcc, count_), as r10's five rules on mcc: an ordered session
// moves them behind one gate a field after its kAdaptEvents events
// (Session::GroupRules), runs them after the others and fires every rule in
// rule order at the end. Scores at the int64 bounds make the saturating sum
// depend on that order, as tags' first occurrences and reasons do.
TEST(Strategy, GatedRulesGiveTheIndexsResults) {
  const char* decisions[] = {"allow", "review", "report", "block"};
  const char* scores[] = {"9223372036854775807", "-9223372036854775807", "5", "-3"};
  size_t fired = 0, gates = 0, behind = 0, out_of_run_order = 0, gated_sets = 0;
  int kinds[32] = {};  // of the sessions' tests after their kAdaptEvents events
  for (int seed = 1; seed <= 10; ++seed) {
    std::mt19937 rng(static_cast<uint32_t>(1000 + seed));
    std::string text = Header();
    const int rules = 6 + static_cast<int>(rng() % 30);
    for (int r = 0; r < rules; ++r) {
      std::string cond;
      const char* field = rng() % 3 ? "mcc" : "count_";
      switch (rng() % 4) {
        case 0:
        case 1: cond = std::string(field) + " == " + std::to_string(rng() % 7); break;
        case 2: cond = std::string(field) + " in {" + std::to_string(rng() % 7) + ", " +
                       std::to_string(rng() % 9) + "}"; break;
        default: cond = RandomConjunct(rng);
      }
      for (int k = 0, n = static_cast<int>(rng() % 3); k < n; ++k) {
        cond += " and " + RandomConjunct(rng);
      }
      // Strings equal to constants of each length RunOrdered has a path
      // for: two or three bytes (kStrEq2) and others (kStrEq).
      const char* equal[] = {"", "name == \"GAS\"", "name == \"SQ *CAFE\"", "name != \"shop\"",
                             "country == \"PH\"", "name == \"\""};
      if (const char* e = equal[rng() % 6]; *e != 0) cond += std::string(" and ") + e;
      text += "rule r" + std::to_string(r) + " {\n";
      if (rng() % 6 == 0) text += "  mode shadow\n";
      text += "  when " + cond + "\n  then score " + scores[rng() % 4] + "\n       decide " +
              decisions[rng() % 4] + "\n       reason \"r" + std::to_string(r) + " {mcc}\"\n";
      if (rng() % 2 == 0) text += "       tag \"t" + std::to_string(rng() % 4) + "\"\n";
      text += "}\n";
    }
    Compilation indexed = CompileWith(text, StrategyChoice::kIndex);
    Compilation ordered = CompileWith(text, StrategyChoice::kOrdered);
    ASSERT_TRUE(indexed.ok()) << indexed.RenderDiagnostics();
    ASSERT_TRUE(ordered.ok()) << ordered.RenderDiagnostics();
    BothWays both(indexed, ordered);
    const eval::Session& b = both.b;
    const eval::Result& ra = both.ra;
    const eval::Result& rb = both.rb;
    for (int i = 0; i < 1500; ++i) {
      both.Evaluate(static_cast<uint32_t>(seed * 7000 + i), i);
      ASSERT_EQ(Describe(*indexed.program, ra), Describe(*ordered.program, rb))
          << "seed " << seed << " event " << i << "\n" << text;
      fired += ra.fired.size() + ra.shadow.size();
      // A rule behind a gate and a later one in front of it both fired: the
      // run reached them in the other order.
      if (i >= static_cast<int>(eval::Session::kAdaptEvents)) {
        const std::vector<eval::OrderedTest>& t = b.ordered_tests();
        std::vector<size_t> at(ordered.program->rules.size(), 0);
        for (size_t k = 0; k < t.size(); ++k) {
          if (t[k].kind != eval::OrderedTest::kGate && t[k].kind != eval::OrderedTest::kEnd) {
            at[t[k].rule] = k;
          }
        }
        std::vector<uint32_t> all;
        for (const auto& f : ra.fired) all.push_back(f.rule);
        for (const auto& f : ra.shadow) all.push_back(f.rule);
        std::sort(all.begin(), all.end());
        for (size_t k = 1; k < all.size(); ++k) out_of_run_order += at[all[k]] < at[all[k - 1]];
      }
    }
    uint32_t behind_here = 0;
    bool gated = false;
    for (const eval::OrderedTest& t : b.ordered_tests()) {
      ++kinds[t.kind];
      if (t.kind == eval::OrderedTest::kGate) {
        gated = true;
        ++gates;
      } else if (gated && t.kind != eval::OrderedTest::kEnd) {
        ++behind_here;
      }
    }
    gated_sets += gated;
    behind += behind_here;
  }
  EXPECT_GT(fired, 3000u);
  // Whether a test holds on at most one counted event in eight depends on
  // the events (mcc's nine values and missing): most sets have a gate.
  EXPECT_GE(gated_sets, 7u);
  EXPECT_GE(gates, 9u);
  EXPECT_GT(behind, 100u);
  EXPECT_GT(out_of_run_order, 100u);
  EXPECT_GT(kinds[eval::OrderedTest::kStrEq], 10);
  EXPECT_GT(kinds[eval::OrderedTest::kStrEq2], 10);
}

// A test that holds on half the events costs its mispredicted branches
// besides its compare (Session::kMispredict): a string test that nearly
// always fails goes before it, though an integer compare is cheaper, as
// r10's `merchant_country in {"PH"}` before `amount > 50.00`.
TEST(Strategy, OrderedSessionsWeighATestsMispredictions) {
  Compilation c = CompileWith(
      Header() + "rule a { when amount > 50.00 and country == \"PH\" then score 1 }\n",
      StrategyChoice::kOrdered);
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  using OT = eval::OrderedTest;
  eval::Session s(c.program);
  ASSERT_EQ(s.ordered_tests()[0].kind, OT::kIntRange);  // the planner's order
  eval::Event e(c.program->schema);
  eval::Result r;
  for (uint32_t i = 0; i < 2 * eval::Session::kAdaptEvents; ++i) {
    e.Reset();
    SetField(e, "amount", Dec{i % 2 == 0 ? "100.00" : "1.00"});
    SetField(e, "country", i % 100 == 0 ? "PH" : "NZ");
    s.Evaluate(e, r);
    ASSERT_EQ(r.fired.size(), i % 100 == 0 ? 1u : 0u) << "event " << i;
  }
  const std::vector<OT>& t = s.ordered_tests();
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].kind, OT::kStrEq2);
  EXPECT_EQ(t[1].kind, OT::kIntRange);
  EXPECT_EQ(t[0].skip, 2 * OT::kStride);
}

// kStrEq2 (Session::ShortStrings): a string equal to a constant of two or
// three bytes, against strings that differ from it in each byte, are one
// byte shorter or longer, or empty; in a session that never reorders (one
// test a rule: made so at the start) and in one that does (after its
// kAdaptEvents events). Each rule fires exactly when its condition does.
TEST(Strategy, ShortStringsAgreeWithTheirNodes) {
  const char* names[] = {"ATM", "ATX", "XTM", "AXM", "AT", "ATMS", "A", "", "GAS", "GAX",
                         "GBS", "ZAS", "TA", "GA"};
  const char* countries[] = {"PH", "PX", "XH", "P", "PHL"};
  for (const bool adapts : {false, true}) {
    const std::string text =
        adapts ? "rule a { when name == \"ATM\" and mcc >= 0 then score 1 }\n"
                 "rule b { when name == \"AT\" and mcc >= 0 then score 2 }\n"
                 "rule c { when country == \"PH\" and name == \"GAS\" then score 4 }\n"
               : "rule a { when name == \"ATM\" then score 1 }\n"
                 "rule b { when name == \"AT\" then score 2 }\n"
                 "rule c { when country == \"PH\" then score 4 }\n";
    Compilation c = CompileWith(Header() + text, StrategyChoice::kOrdered);
    ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
    eval::Session s(c.program), nodes(c.program);
    eval::Event e(c.program->schema);
    eval::Result r;
    size_t fired = 0;
    for (uint32_t i = 0; i < 3 * eval::Session::kAdaptEvents; ++i) {
      e.Reset();
      SetField(e, "mcc", 1);
      if (i % 7 != 6) SetField(e, "name", names[i % 14]);
      if (i % 11 != 10) SetField(e, "country", countries[i % 5]);
      s.Evaluate(e, r);
      std::vector<bool> fires(3, false);
      for (const auto& f : r.fired) fires[f.rule] = true;
      nodes.Begin(e);
      for (uint32_t k = 0; k < 3; ++k) {
        ASSERT_EQ(fires[k], nodes.EvalNode(c.program->rules[k].when).is_true())
            << (adapts ? "reordered" : "single") << " event " << i << " rule " << k;
      }
      fired += r.fired.size();
    }
    EXPECT_GT(fired, 200u);
    size_t short_tests = 0;
    for (const eval::OrderedTest& t : s.ordered_tests()) {
      short_tests += t.kind == eval::OrderedTest::kStrEq2;
    }
    EXPECT_EQ(short_tests, adapts ? 4u : 3u);
  }
}

TEST(Strategy, ExamplePackTestsPassUnderEitherStrategy) {
  const std::vector<std::string> files{"rules/coalition/schema.vgl", "rules/coalition/rules.vgl",
                                       "rules/coalition/tests.vgl"};
  std::vector<TestReport> reports;
  for (StrategyChoice s : {StrategyChoice::kIndex, StrategyChoice::kOrdered}) {
    CompileOptions options;
    options.strategy = s;
    Compilation c = CompileFiles(files, options);
    ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
    EXPECT_EQ(c.program->strategy, s == StrategyChoice::kIndex ? eval::EvalStrategy::kIndex
                                                               : eval::EvalStrategy::kOrdered);
    reports.push_back(RunTests(c, {}));
  }
  ASSERT_GT(reports[0].tests.size(), 5u);
  EXPECT_EQ(reports[0].failed(), 0u);
  EXPECT_EQ(reports[1].failed(), 0u);
  EXPECT_EQ(reports[0].passed(), reports[1].passed());
  EXPECT_EQ(reports[0].never_fired, reports[1].never_fired);
}

// Rules in the shape of the benchmark generator's (../shared/bench/gen.py):
// three or four conjuncts on amount, countries, channel, mcc, descriptor.
std::string GeneratedStyleRules(int rules) {
  std::mt19937 rng(5);
  const char* channels[] = {"ecom", "pos", "atm"};
  std::string text = Header();
  for (int r = 0; r < rules; ++r) {
    std::string c = "amount >= " + std::to_string(1 + rng() % 200) + ".00";
    c += " and card_country in {" + std::string("\"") + kCountries[rng() % 6] + "\"}";
    c += " and mcc in {" + std::to_string(4000 + rng() % 2000) + "}";
    if (rng() % 2) c += " and country != card_country";
    if (rng() % 3 == 0) c += " and name == \"" + std::string(channels[rng() % 3]) + "\"";
    text += "rule r" + std::to_string(r) + " { when " + c + " then score 10 }\n";
  }
  return text;
}

TEST(Strategy, ChoosesOrderedForFewRulesAndTheIndexForMany) {
  for (int rules : {1, 10}) {
    Compilation c = CompileText(GeneratedStyleRules(rules));
    ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
    EXPECT_EQ(c.program->strategy, eval::EvalStrategy::kOrdered) << rules << " rules";
    EXPECT_LT(c.program->strategy_estimate.ordered, c.program->strategy_estimate.index);
    EXPECT_EQ(c.program->rule_index.indexed_fields(), 0u);
  }
  for (int rules : {100, 1000}) {
    Compilation c = CompileText(GeneratedStyleRules(rules));
    ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
    EXPECT_EQ(c.program->strategy, eval::EvalStrategy::kIndex) << rules << " rules";
    EXPECT_LT(c.program->strategy_estimate.index, c.program->strategy_estimate.ordered);
    EXPECT_GT(c.program->rule_index.indexed_rules(), 0u);
  }
  // Without the index (vigil check, the language server) rules are ordered.
  CompileOptions no_index;
  no_index.index_rules = false;
  Compilation c = CompileSources({SourceInput{"test.vgl", GeneratedStyleRules(1000)}}, no_index);
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  EXPECT_EQ(c.program->strategy, eval::EvalStrategy::kOrdered);
}

// Ordered evaluation tries the conjunct likeliest to be false for its cost
// first: of two integer comparisons the equality (rarely true) before the
// order comparison (true half the time), and the substring search last.
TEST(Strategy, OrderedConjunctsPutTheLikeliestToFailFirst) {
  Compilation c = CompileWith(Header() +
                                  "rule r { when contains(name, \"SHOP\") and amount >= 1.00 "
                                  "and mcc == 5 then score 1 }\n",
                              StrategyChoice::kOrdered);
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  const eval::Program& p = *c.program;
  ASSERT_EQ(p.residuals[0].count, 3u);
  const uint32_t* order = p.residual_nodes.data() + p.residuals[0].begin;
  EXPECT_EQ(p.node_text[order[0]], "mcc == 5");
  EXPECT_EQ(p.node_text[order[1]], "amount >= 1.00");
  EXPECT_EQ(p.node_text[order[2]], "contains(name, \"SHOP\")");
  // The first two are inline tests, the third a node.
  ASSERT_EQ(p.ordered.rules.size(), 1u);
  ASSERT_EQ(p.ordered.rules[0].count, 3u);
  EXPECT_EQ(p.ordered.tests[0].kind, eval::OrderedTest::kIntRange);
  EXPECT_EQ(p.ordered.tests[1].kind, eval::OrderedTest::kIntRange);
  EXPECT_EQ(p.ordered.tests[2].kind, eval::OrderedTest::kNode);
}

// The ordered tests of all rules are one run ending in kEnd: each knows its
// rule and how many of the rule's tests follow it (a failed test skips
// them), a negated range is the complementary range, and a rule's tests
// fire it only when they all hold, whichever fails.
TEST(Strategy, OrderedTestsAreOneRunThatSkipsTheRestOfARule) {
  Compilation c = CompileWith(Header() +
                                  "rule a { when mcc != 5 and country == \"PH\" then score 1 }\n"
                                  "rule b { when mcc == 7 then score 2 }\n"
                                  "rule c { when mcc >= 0 and mcc < 10 and country != \"PH\" "
                                  "then score 4 }\n",
                              StrategyChoice::kOrdered);
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  const eval::OrderedRules& o = c.program->ordered;
  ASSERT_EQ(o.rules.size(), 3u);
  ASSERT_EQ(o.tests.size(), 2u + 1u + 3u + 1u);
  EXPECT_EQ(o.tests.back().kind, eval::OrderedTest::kEnd);
  const uint32_t want_rule[] = {0, 0, 1, 2, 2, 2};
  const uint32_t want_rest[] = {1, 0, 0, 2, 1, 0};
  for (size_t i = 0; i + 1 < o.tests.size(); ++i) {
    EXPECT_EQ(o.tests[i].rule, want_rule[i]) << i;
    // The tests of its rule after it, and the test after them.
    EXPECT_EQ(o.tests[i].skip, (want_rest[i] + 1) * sizeof(eval::OrderedTest)) << i;
  }
  for (const eval::OrderedTest& t : o.tests) {
    if (t.kind == eval::OrderedTest::kIntRange && t.lo == 6) {  // mcc != 5: [6, 4] wrapping
      EXPECT_EQ(t.span, UINT64_MAX - 1);
    }
    EXPECT_NE(t.kind, eval::OrderedTest::kIntOutside);
  }
  eval::Session s(c.program);
  eval::Event e(c.program->schema);
  eval::Result r;
  auto score = [&](int64_t mcc, const char* country) {
    e.Reset();
    SetField(e, "mcc", mcc);
    if (country != nullptr) SetField(e, "country", country);
    s.Evaluate(e, r);
    return r.score;
  };
  EXPECT_EQ(score(5, "PH"), 0);
  EXPECT_EQ(score(6, "PH"), 1);
  EXPECT_EQ(score(7, "PH"), 1 + 2);
  EXPECT_EQ(score(7, "VN"), 2 + 4);
  EXPECT_EQ(score(7, nullptr), 2);   // a missing field fails `==` and `!=` alike
  EXPECT_EQ(score(10, "VN"), 0);
  EXPECT_EQ(score(-1, "VN"), 0);
  EXPECT_EQ(score(0, "VN"), 4);
}

// The inline tests decide exactly as the nodes they replace, at the
// boundaries of each comparison, at the int64 extremes and for a missing
// field, negated or not.
TEST(Strategy, InlineTestsMatchTheirNodesAtTheBoundaries) {
  const int64_t values[] = {INT64_MIN, INT64_MIN + 1, -1, 0, 4, 5, 6, INT64_MAX - 1, INT64_MAX};
  const std::vector<std::string> conds = {
      "mcc == 5", "mcc != 5", "mcc < 5", "mcc <= 5", "mcc > 5", "mcc >= 5", "mcc in {5}",
      "not (mcc in {5})", "not (mcc < 5)", "mcc < -9223372036854775807 - 1",
      "mcc > 9223372036854775807", "mcc >= 9223372036854775807", "mcc <= -9223372036854775807 - 1",
      "country == \"PH\"", "country != \"PH\"", "country in {\"PH\"}", "not (country == \"PH\")",
      "country == \"\"",
      // Negated ranges are the complementary range, wrapping round the
      // extremes; one of every value cannot be complemented (kIntOutside).
      "mcc != 9223372036854775807", "mcc != -9223372036854775807 - 1", "not (mcc > 5)",
      "not (mcc <= 9223372036854775807)", "not (mcc >= -9223372036854775807 - 1)",
      "not (mcc >= 9223372036854775807)", "mcc in {4, 6}", "not (mcc in {4, 6})",
      "country in {\"PH\", \"P\"}", "not (country in {\"PH\", \"P\"})",
      // Sets of more than four values: their own test (kIntSet, kStrSet),
      // a bitmap or a hash table, negated or not.
      "mcc in {-1, 0, 4, 5, 6}", "not (mcc in {-1, 0, 4, 5, 6})", "mcc not in {-1, 0, 4, 5, 6}",
      "mcc in {-9223372036854775807, 0, 5, 9223372036854775806, 9223372036854775807}",
      "mcc not in {-9223372036854775807, 0, 5, 9223372036854775806, 9223372036854775807}",
      "country in {\"PH\", \"P\", \"NZ\", \"US\", \"\"}",
      "country not in {\"PH\", \"P\", \"NZ\", \"US\", \"\"}",
      "not (country in {\"PHL\", \"P\", \"NZ\", \"US\", \"GB\"})"};
  // Each shape above is an inline test of the ordered path (not a node).
  const std::vector<eval::OrderedTest::Kind> set_kinds = {
      eval::OrderedTest::kIntSet, eval::OrderedTest::kIntNotSet, eval::OrderedTest::kIntNotSet,
      eval::OrderedTest::kIntSet, eval::OrderedTest::kIntNotSet, eval::OrderedTest::kStrSet,
      eval::OrderedTest::kStrNotSet, eval::OrderedTest::kStrNotSet};
  for (size_t k = 0; k < set_kinds.size(); ++k) {
    const std::string& cond = conds[conds.size() - set_kinds.size() + k];
    Compilation c =
        CompileWith(Header() + "rule r { when " + cond + " then score 1 }\n", StrategyChoice::kOrdered);
    ASSERT_TRUE(c.ok()) << cond << "\n" << c.RenderDiagnostics();
    ASSERT_EQ(c.program->ordered.tests.size(), 2u) << cond;
    EXPECT_EQ(c.program->ordered.tests[0].kind, set_kinds[k]) << cond;
  }
  for (const std::string& cond : conds) {
    const std::string text = Header() + "rule r { when " + cond + " then score 1 }\n";
    Compilation ordered = CompileWith(text, StrategyChoice::kOrdered);
    Compilation indexed = CompileWith(text, StrategyChoice::kIndex);
    ASSERT_TRUE(ordered.ok()) << cond << "\n" << ordered.RenderDiagnostics();
    ASSERT_TRUE(indexed.ok()) << cond;
    eval::Session a(indexed.program), b(ordered.program);
    eval::Event ea(indexed.program->schema), eb(ordered.program->schema);
    eval::Result ra, rb;
    auto check = [&](const std::string& what) {
      a.Evaluate(ea, ra);
      b.Evaluate(eb, rb);
      b.Begin(eb);
      const bool want = b.EvalNode(ordered.program->rules[0].when).is_true();
      EXPECT_EQ(rb.fired.size(), want ? 1u : 0u) << cond << " with " << what;
      EXPECT_EQ(ra.fired.size(), rb.fired.size()) << cond << " with " << what;
    };
    ea.Reset();
    eb.Reset();
    check("nothing");
    for (int64_t v : values) {
      ea.Reset();
      eb.Reset();
      SetField(ea, "mcc", v);
      SetField(eb, "mcc", v);
      check("mcc = " + std::to_string(v));
    }
    for (const char* country : {"PH", "P", "PHL", "ph", ""}) {
      ea.Reset();
      eb.Reset();
      SetField(ea, "country", country);
      SetField(eb, "country", country);
      check(std::string("country = '") + country + "'");
    }
  }
}

}  // namespace
}  // namespace vigil::testing

namespace vigil::testing {
namespace {

// A session reorders each rule's ordered tests once, after
// Session::kAdaptEvents events, by their failures counted on its own
// events: the planner's guesses (an equality fails more often than an order
// compare; a substring search is dear) are wrong for these events, where
// `amount >= 1.00` and `mcc >= 0` always hold. The rules fire exactly as
// their conditions say before, during and after, the shadow rule, the node
// test (unknown when name is missing) and the rule of one test included,
// and the Program's own tests keep the planner's order.
TEST(Strategy, OrderedSessionsPutTheTestsThatFailFirst) {
  const std::string text =
      "rule a { when amount >= 1.00 and country == \"PH\" then score 1 }\n"
      "rule b { mode shadow\n when contains(name, \"SHOP\") and mcc >= 0 then score 2 }\n"
      "rule c { when ok then score 4 }\n";
  Compilation c = CompileWith(Header() + text, StrategyChoice::kOrdered);
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  const eval::Program& p = *c.program;
  using OT = eval::OrderedTest;
  ASSERT_EQ(p.ordered.tests.size(), 6u);  // 2 + 2 + 1 and kEnd
  ASSERT_EQ(p.ordered.tests[0].kind, OT::kIntRange);  // the planner's order
  ASSERT_EQ(p.ordered.tests[1].kind, OT::kStrEq);
  ASSERT_EQ(p.ordered.tests[2].kind, OT::kIntRange);
  ASSERT_EQ(p.ordered.tests[3].kind, OT::kNode);
  const auto contains = static_cast<uint32_t>(p.ordered.tests[3].lo);
  EXPECT_EQ(p.ordered.tests[3].cost, 8 + 2 * plan::NodeCost(p, contains));  // a node's cost
  eval::Session s(c.program);
  EXPECT_EQ(s.ordered_tests()[0].kind, OT::kIntRange);
  eval::Event e(p.schema);
  eval::Result r;
  const char* names[] = {"SHOP A", "GAS", "B SHOP"};
  size_t fired_a = 0, fired_b = 0, fired_c = 0;
  for (uint32_t i = 0; i < 3 * eval::Session::kAdaptEvents; ++i) {
    e.Reset();
    SetField(e, "amount", Dec{"5.00"});
    SetField(e, "mcc", static_cast<int>(i % 7));
    const bool ph = i % 10 == 3;
    SetField(e, "country", ph ? "PH" : "NZ");
    const bool has_name = i % 4 != 0;
    if (has_name) SetField(e, "name", names[i % 3]);
    const bool shop = has_name && i % 3 != 1;
    SetField(e, "ok", i % 5 == 0);
    s.Evaluate(e, r);
    bool a = false, b = false, cc = false;
    for (const auto& f : r.fired) (f.rule == 0 ? a : cc) = true;
    for (const auto& f : r.shadow) b = b || f.rule == 1;
    ASSERT_EQ(a, ph) << "event " << i;
    ASSERT_EQ(b, shop) << "event " << i;
    ASSERT_EQ(cc, i % 5 == 0) << "event " << i;
    ASSERT_EQ(r.score, (ph ? 1 : 0) + (i % 5 == 0 ? 4 : 0)) << "event " << i;
    fired_a += a;
    fired_b += b;
    fired_c += cc;
  }
  EXPECT_GT(fired_a, 100u);
  EXPECT_GT(fired_b, 500u);
  EXPECT_GT(fired_c, 200u);
  // Reordered: each rule's failing test first, the skips recomputed for the
  // new positions, each test still of its own rule.
  const std::vector<OT>& t = s.ordered_tests();
  ASSERT_EQ(t.size(), 6u);
  EXPECT_EQ(t[0].kind, OT::kStrEq2);  // `country == "PH"`, two bytes (Session::ShortStrings)
  EXPECT_EQ(t[0].span, 2u);
  EXPECT_EQ(t[1].kind, OT::kIntRange);
  EXPECT_EQ(t[2].kind, OT::kNode);
  EXPECT_EQ(t[3].kind, OT::kIntRange);
  EXPECT_EQ(t[5].kind, OT::kEnd);
  const uint32_t rules[] = {0, 0, 1, 1, 2};
  const uint32_t skips[] = {2, 1, 2, 1, 1};
  for (size_t k = 0; k < 5; ++k) {
    EXPECT_EQ(t[k].rule, rules[k]) << k;
    EXPECT_EQ(t[k].skip, skips[k] * OT::kStride) << k;
  }
  // The program, shared by every session, is as planned.
  EXPECT_EQ(p.ordered.tests[0].kind, OT::kIntRange);
  EXPECT_EQ(p.ordered.tests[3].kind, OT::kNode);
}

}  // namespace
}  // namespace vigil::testing
