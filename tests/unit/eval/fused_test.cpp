// The evaluator's fused predicates (eval/evaluator.hpp, Evaluator::Fused):
// string equality by SameBytes' fixed loads instead of memcmp, integer sets
// as bitmaps, and an aggregate's `where:` tested inline by the session
// (Evaluator::Test). Each rule here is checked against std::string and
// std::set on every event: strings of every length from 0 to 20 bytes that
// differ from the constant in one byte at each place, in length only, or not
// at all, fields missing now and then.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace vigil::testing {
namespace {

constexpr int kLongest = 20;

std::string Letters(std::mt19937& rng, size_t n) {
  std::string s(n, 'a');
  for (char& c : s) c = static_cast<char>('a' + rng() % 26);
  return s;
}

TEST(FusedPredicates, StringComparesAndSetsGiveWhatStdGives) {
  std::mt19937 rng(2029);
  std::vector<std::string> constants;
  for (int len = 0; len <= kLongest; ++len) constants.push_back(Letters(rng, static_cast<size_t>(len)));
  const std::set<int64_t> mccs = {4816, 4829, 5094, 5816, 5818, 5944, 5967, 5968, 6051, 7273, 7995};
  std::string text = R"(ruleset t.fused version "1.0.0"
schema pay version 1 {
  id: string @id
  ts: time @time
  card: string @key
  name: string
  other: string
  mcc: int
}
uses schema pay
rule eq { when name == other then score 1 }
rule ne { when name != other then score 1 }
rule mcc_where { when count(by: card, within: 1h, where: mcc in {4816, 4829, 5094, 5816, 5818, 5944, 5967, 5968, 6051, 7273, 7995}) >= 1 then score 1 }
rule mcc_not_where { when count(by: card, within: 1h, where: mcc not in {4816, 4829, 5094, 5816, 5818, 5944, 5967, 5968, 6051, 7273, 7995}) >= 1 then score 1 }
)";
  for (int len = 0; len <= kLongest; ++len) {
    text += "rule w" + std::to_string(len) + " { when count(by: card, within: 1h, where: name == \"" +
            constants[len] + "\") >= 1 then score 1 }\n";
    text += "rule n" + std::to_string(len) + " { when count(by: card, within: 1h, where: name != \"" +
            constants[len] + "\") >= 1 then score 1 }\n";
  }
  Compilation c = CompileText(text);
  ASSERT_TRUE(c.ok()) << c.RenderDiagnostics();
  eval::Session session(c.program);
  const eval::Schema& schema = c.program->schema;

  // Variants of a constant: itself, one byte changed at each place, one
  // byte shorter, one longer, and a random string of another length.
  auto variants = [&](const std::string& s) {
    std::vector<std::string> out = {s};
    for (size_t k = 0; k < s.size(); ++k) {
      std::string t = s;
      t[k] = static_cast<char>(t[k] == 'z' ? 'a' : t[k] + 1);
      out.push_back(t);
    }
    if (!s.empty()) out.push_back(s.substr(0, s.size() - 1));
    out.push_back(s + static_cast<char>('a' + rng() % 26));
    out.push_back(Letters(rng, rng() % (kLongest + 2)));
    return out;
  };

  int64_t ts = 1'700'000'000'000'000;
  int n = 0;
  int fired_eq = 0, fired_w = 0, fired_mcc = 0;
  eval::Result result;
  for (int len = 0; len <= kLongest; ++len) {
    for (const std::string& name : variants(constants[len])) {
      for (int rep = 0; rep < 4; ++rep) {
        eval::Event event(schema);
        const std::string id = "e" + std::to_string(n);
        event.SetString(static_cast<size_t>(schema.Find("id")), id);
        event.SetTime(static_cast<size_t>(schema.Find("ts")), ts += 1'000'000);
        event.SetString(static_cast<size_t>(schema.Find("card")), "c" + std::to_string(n));  // a window of its own
        ++n;
        // `other`: name itself, a variant of it, or missing; name missing now and then.
        const bool has_name = rng() % 8 != 0;
        const bool has_other = rng() % 8 != 0;
        std::vector<std::string> others = variants(name);
        const std::string other = rep == 0 ? name : others[rng() % others.size()];
        if (has_name) event.SetString(static_cast<size_t>(schema.Find("name")), name);
        if (has_other) event.SetString(static_cast<size_t>(schema.Find("other")), other);
        // mcc near the set's members, at its ends, past them and far away.
        const int64_t mcc_choices[] = {4816, 4815, 7995, 7996, 5967, 5969, 0, -4816, INT64_MIN, INT64_MAX,
                                       static_cast<int64_t>(4816 + rng() % 3200)};
        const int64_t mcc = mcc_choices[rng() % std::size(mcc_choices)];
        const bool has_mcc = rng() % 8 != 0;
        if (has_mcc) event.SetInt(static_cast<size_t>(schema.Find("mcc")), mcc);

        session.Evaluate(event, result);
        std::set<std::string> fired;
        for (const auto& f : result.fired) fired.insert(c.program->rules[f.rule].id);
        const bool both = has_name && has_other;
        ASSERT_EQ(fired.count("eq") > 0, both && name == other) << "`" << name << "` `" << other << "`";
        ASSERT_EQ(fired.count("ne") > 0, both && name != other) << "`" << name << "` `" << other << "`";
        ASSERT_EQ(fired.count("mcc_where") > 0, has_mcc && mccs.count(mcc) > 0) << mcc;
        ASSERT_EQ(fired.count("mcc_not_where") > 0, has_mcc && mccs.count(mcc) == 0) << mcc;
        for (int l = 0; l <= kLongest; ++l) {
          ASSERT_EQ(fired.count("w" + std::to_string(l)) > 0, has_name && name == constants[l])
              << "`" << name << "` against `" << constants[l] << "`";
          ASSERT_EQ(fired.count("n" + std::to_string(l)) > 0, has_name && name != constants[l])
              << "`" << name << "` against `" << constants[l] << "`";
        }
        fired_eq += fired.count("eq") > 0;
        fired_w += fired.count("w" + std::to_string(len)) > 0;
        fired_mcc += fired.count("mcc_where") > 0;
      }
    }
  }
  // Both outcomes seen for each kind of rule.
  EXPECT_GT(fired_eq, 100);
  EXPECT_LT(fired_eq, n - 100);
  EXPECT_GT(fired_w, 20);
  EXPECT_GT(fired_mcc, 100);
}

}  // namespace
}  // namespace vigil::testing
