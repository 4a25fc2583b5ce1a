// What a new integrator relies on (issue 13): explaining
// never changes the aggregates' state, the self-test keeps its message, what
// a compilation may read and who may override what. Each test names the
// function or promise it covers.
#include <gtest/gtest.h>
#include <sodium.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "vigil/vigil.h"

namespace {

// Two payments of one card: `repeat_card` reviews the third in a day, and
// `seen` reports the count in its reason.
const char kVelocity[] = R"(ruleset t.velocity version "1.0.0"
schema p version 1 {
  ts: time
  card: string @key
  amount: decimal
}
uses schema p
rule repeat_card {
  when count(by: card, within: 24h) >= 3
  then score 10 decide review
}
rule seen {
  when count(by: card, within: 24h) >= 1
  then score 0 reason "{count(by: card, within: 24h)} payments"
}
)";

class Velocity : public ::testing::Test {
 protected:
  void SetUp() override {
    vigil_compiler* c = nullptr;
    ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
    ASSERT_EQ(vigil_compiler_add_source(c, "v.vgl", 5, kVelocity, sizeof(kVelocity) - 1), VIGIL_OK);
    ASSERT_EQ(vigil_compiler_build(c, &rs_), VIGIL_OK) << vigil_compiler_diag_render(c);
    vigil_compiler_free(c);
    ASSERT_EQ(vigil_session_new(rs_, nullptr, &s_), VIGIL_OK);
    ASSERT_EQ(vigil_result_new(&r_), VIGIL_OK);
    for (vigil_event*& e : e_) ASSERT_EQ(vigil_event_new(rs_, &e), VIGIL_OK);
    Set(e_[0], "2026-03-01T10:00:00Z");
    Set(e_[1], "2026-03-01T11:00:00Z");
    Set(e_[2], "2026-03-01T12:00:00Z");
  }
  void TearDown() override {
    for (vigil_event* e : e_) vigil_event_free(e);
    vigil_result_free(r_);
    vigil_session_free(s_);
    vigil_ruleset_release(rs_);
  }
  void Set(vigil_event* e, const std::string& ts) {
    std::string json = R"({"ts":")" + ts + R"(","card":"c1","amount":10.00})";
    ASSERT_EQ(vigil_event_set_json(e, json.data(), json.size()), VIGIL_OK);
  }
  // The reason of `seen` in r_: "N payments".
  std::string SeenReason() {
    for (size_t i = 0; i < vigil_result_fired_count(r_); ++i) {
      vigil_fired_info f{};
      f.struct_size = sizeof f;
      EXPECT_EQ(vigil_result_fired_get(r_, i, &f), VIGIL_OK);
      if (std::strstr(f.qualified_id, "/seen") != nullptr) return f.reason;
    }
    return "(seen did not fire)";
  }
  uint64_t Entries() {
    vigil_state* st = nullptr;
    EXPECT_EQ(vigil_session_get_state(s_, &st), VIGIL_OK);
    vigil_state_stats stats{};
    stats.struct_size = sizeof stats;
    EXPECT_EQ(vigil_state_get_stats(st, &stats), VIGIL_OK);
    vigil_state_release(st);
    return stats.entries;
  }
  std::string Explain(vigil_event* e) {
    const char* json = nullptr;
    size_t len = 0;
    EXPECT_EQ(vigil_session_explain(s_, e, r_, &json, &len), VIGIL_OK) << vigil_session_errmsg(s_);
    return json == nullptr ? "" : std::string(json, len);
  }
  vigil_ruleset* rs_ = nullptr;
  vigil_session* s_ = nullptr;
  vigil_result* r_ = nullptr;
  vigil_event* e_[3] = {};
};

// vigil_session_explain: "Explaining never changes the aggregates' state".
// The production bug: eval then explain recorded the payment twice, so the
// second payment counted 4 and was falsely reviewed.
TEST_F(Velocity, SessionExplainAfterEvalRecordsNothing_EvalExplainEvalGivesCount2) {
  ASSERT_EQ(vigil_session_eval(s_, e_[0], r_), VIGIL_OK);
  EXPECT_EQ(SeenReason(), "1 payments");
  std::string record = Explain(e_[0]);
  EXPECT_NE(record.find("\"format\":\"vigil.explain/2\""), std::string::npos);
  EXPECT_EQ(Entries(), 1u);
  EXPECT_EQ(SeenReason(), "1 payments");  // the result is the evaluation explained
  ASSERT_EQ(vigil_session_eval(s_, e_[1], r_), VIGIL_OK);
  EXPECT_EQ(SeenReason(), "2 payments");
  EXPECT_STREQ(vigil_result_decision(r_), "allow");
  EXPECT_EQ(Entries(), 2u);
}

// vigil_session_explain: "the record describes that evaluation, with the
// aggregate values it computed": the count shown is the one decided on.
TEST_F(Velocity, SessionExplainReusesTheLastEvaluationsAggregateValues) {
  ASSERT_EQ(vigil_session_eval(s_, e_[0], r_), VIGIL_OK);
  ASSERT_EQ(vigil_session_eval(s_, e_[1], r_), VIGIL_OK);
  std::string record = Explain(e_[1]);
  EXPECT_NE(record.find("\"expr\":\"count(by: card, within: 24h)\",\"value\":\"2\""),
            std::string::npos)
      << record;
  record = Explain(e_[1]);  // twice: still nothing recorded
  EXPECT_NE(record.find("\"value\":\"2\""), std::string::npos) << record;
  EXPECT_EQ(Entries(), 2u);
}

// vigil_session_explain: "otherwise ... evaluated into result as a what-if":
// an event never evaluated, or changed since, is counted but not recorded.
TEST_F(Velocity, SessionExplainOfAnotherOrChangedEventIsAWhatIf) {
  ASSERT_EQ(vigil_session_eval(s_, e_[0], r_), VIGIL_OK);
  ASSERT_EQ(vigil_session_eval(s_, e_[1], r_), VIGIL_OK);
  std::string record = Explain(e_[2]);  // not evaluated yet: what-if, counts 3
  EXPECT_NE(record.find("\"expr\":\"count(by: card, within: 24h)\",\"value\":\"3\""),
            std::string::npos)
      << record;
  EXPECT_STREQ(vigil_result_decision(r_), "review");  // the what-if's result
  EXPECT_EQ(Entries(), 2u);
  // Changed after its evaluation: the record cannot be of the old values.
  ASSERT_EQ(vigil_session_eval(s_, e_[2], r_), VIGIL_OK);
  EXPECT_EQ(Entries(), 3u);
  Set(e_[2], "2026-03-01T12:30:00Z");
  record = Explain(e_[2]);
  EXPECT_NE(record.find("\"value\":\"4\""), std::string::npos) << record;
  EXPECT_EQ(Entries(), 3u);
  // vigil_session_record in between: the session's values are the recorded event's.
  int32_t late = 9;
  ASSERT_EQ(vigil_session_eval(s_, e_[0], r_), VIGIL_OK);  // records the first payment again
  ASSERT_EQ(vigil_session_record(s_, e_[1], &late), VIGIL_OK);
  const uint64_t before = Entries();
  Explain(e_[0]);
  EXPECT_EQ(Entries(), before);
}

// vigil_session_eval_batch then explain of its last event: reused, not recorded.
TEST_F(Velocity, SessionExplainAfterBatchRecordsNothing) {
  vigil_result* r2 = nullptr;
  ASSERT_EQ(vigil_result_new(&r2), VIGIL_OK);
  const vigil_event* events[2] = {e_[0], e_[1]};
  vigil_result* results[2] = {r2, r_};
  ASSERT_EQ(vigil_session_eval_batch(s_, events, results, 2, nullptr), VIGIL_OK);
  Explain(e_[1]);
  EXPECT_EQ(Entries(), 2u);
  EXPECT_EQ(SeenReason(), "2 payments");
  vigil_result_free(r2);
}

// vigil_compiler_selftest: "returns VIGIL_ERR_TEST ... the counts are still
// written, and vigil_compiler_errmsg names the first failed test". It used to
// return VIGIL_OK with failed = 1 and an empty message.
TEST(SelfTest, CompilerSelftestFailureKeepsItsMessageAndStatus) {
  const std::string text = std::string(kVelocity) + R"(
test "one payment is reviewed" {
  event { ts: 2026-03-01T10:00:00Z, card: "z", amount: 1.00 }
    expect decision review
}
test "one payment is allowed" {
  event { ts: 2026-03-01T10:00:00Z, card: "z", amount: 1.00 }
    expect decision allow
}
)";
  vigil_compiler* c = nullptr;
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_source(c, "v.vgl", 5, text.data(), text.size()), VIGIL_OK);
  vigil_ruleset* rs = nullptr;
  ASSERT_EQ(vigil_compiler_build(c, &rs), VIGIL_OK) << vigil_compiler_diag_render(c);
  uint32_t passed = 9, failed = 9;
  EXPECT_EQ(vigil_compiler_selftest(c, &passed, &failed), VIGIL_ERR_TEST);
  EXPECT_EQ(passed, 1u);
  EXPECT_EQ(failed, 1u);
  const std::string message = vigil_compiler_errmsg(c);
  EXPECT_NE(message.find("1 of 2 tests failed"), std::string::npos) << message;
  EXPECT_NE(message.find("\"one payment is reviewed\""), std::string::npos) << message;
  EXPECT_NE(message.find("v.vgl:"), std::string::npos) << message;
  EXPECT_STREQ(vigil_status_str(VIGIL_ERR_TEST), "a self-test failed");
  vigil_ruleset_release(rs);
  vigil_compiler_free(c);
}

// vigil_compiler_selftest: VIGIL_OK with the counts when every test passes,
// and an empty message.
TEST(SelfTest, CompilerSelftestPassingIsOk) {
  const std::string text = std::string(kVelocity) + R"(
test "one payment is allowed" {
  event { ts: 2026-03-01T10:00:00Z, card: "z", amount: 1.00 }
    expect decision allow, fires seen
}
)";
  vigil_compiler* c = nullptr;
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_source(c, "v.vgl", 5, text.data(), text.size()), VIGIL_OK);
  vigil_ruleset* rs = nullptr;
  ASSERT_EQ(vigil_compiler_build(c, &rs), VIGIL_OK) << vigil_compiler_diag_render(c);
  uint32_t passed = 9, failed = 9;
  EXPECT_EQ(vigil_compiler_selftest(c, &passed, &failed), VIGIL_OK);
  EXPECT_EQ(passed, 1u);
  EXPECT_EQ(failed, 0u);
  EXPECT_STREQ(vigil_compiler_errmsg(c), "");
  vigil_ruleset_release(rs);
  vigil_compiler_free(c);
}

// ---------------------------------------------------------------- sharing

// A pack image (the .vgp format) of `files`, unsigned.
std::string PackImage(const std::map<std::string, std::string>& files) {
  std::string image = "vigil-pack 1\n";
  for (const auto& [path, bytes] : files) {
    image += "file " + path + " " + std::to_string(bytes.size()) + "\n" + bytes + "\n";
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(image.data()), image.size());
  char hex[2 * sizeof(digest) + 1];
  sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
  return image + "sha256 " + hex + "\n";
}

const char kOwnerRules[] = R"(ruleset p.a version "1.0.0"
schema s version 1 {
  amount: decimal
}
uses schema s
param LIMIT: decimal = 100.00
rule big { when amount > LIMIT then score 10 decide block }
)";
const char kForeignRules[] = R"(ruleset p.b version "1.0.0"
uses schema s
override p.a { disable rule big }
)";

std::string OwnerPack() {
  return PackImage({{"pack.json", R"({"name": "p.a", "version": "1.0.0", "files": ["r.vgl"]})"},
                    {"r.vgl", kOwnerRules}});
}
std::string ForeignPack() {
  return PackImage({{"pack.json", R"({"name": "p.b", "version": "1.0.0", "files": ["r.vgl"]})"},
                    {"r.vgl", kForeignRules}});
}

uint32_t FirstCode(vigil_compiler* c) {
  vigil_diag_info d{};
  d.struct_size = sizeof d;
  return vigil_compiler_diag_get(c, 0, &d) == VIGIL_OK ? d.code : 0;
}

// VIGIL_COMPILE_ALLOW_PACK_OVERRIDES: without it a pack overrides only its
// own rule sets (E2021); with it, the override applies and W5008 says so.
TEST(Sharing, CompileAllowPackOverridesFlag) {
  const std::string a = OwnerPack(), b = ForeignPack();
  vigil_compiler* c = nullptr;
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_source(c, "a.vgp", 5, a.data(), a.size()), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_source(c, "b.vgp", 5, b.data(), b.size()), VIGIL_OK);
  vigil_ruleset* rs = nullptr;
  EXPECT_EQ(vigil_compiler_build(c, &rs), VIGIL_ERR_COMPILE);
  EXPECT_EQ(FirstCode(c), 2021u);
  vigil_compiler_free(c);

  vigil_compile_options options = VIGIL_COMPILE_OPTIONS_INIT;
  options.flags |= VIGIL_COMPILE_ALLOW_PACK_OVERRIDES;
  ASSERT_EQ(vigil_compiler_new(&options, &c), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_source(c, "a.vgp", 5, a.data(), a.size()), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_source(c, "b.vgp", 5, b.data(), b.size()), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_build(c, &rs), VIGIL_OK) << vigil_compiler_diag_render(c);
  EXPECT_EQ(FirstCode(c), 5008u);
  EXPECT_EQ(vigil_ruleset_rule_count(rs), 0u);  // big is disabled
  ASSERT_EQ(vigil_ruleset_override_count(rs), 1u);
  vigil_override_info o{};
  o.struct_size = sizeof o;
  ASSERT_EQ(vigil_ruleset_override_get(rs, 0, &o), VIGIL_OK);
  EXPECT_EQ(o.kind, VIGIL_OVERRIDE_DISABLE);
  EXPECT_STREQ(o.file, "b.vgp/r.vgl");
  EXPECT_EQ(o.line, 3u);
  EXPECT_STREQ(o.pack, "b.vgp");
  EXPECT_STREQ(o.ruleset, "p.a");
  EXPECT_STREQ(o.target, "big");
  EXPECT_STREQ(o.value, "");
  vigil_ruleset_release(rs);
  vigil_compiler_free(c);
}

// vigil_ruleset_override_count / vigil_ruleset_override_get: every override
// applied, with its origin; misuse and range are refused.
TEST(Sharing, RulesetOverrideEnumeration) {
  const std::string a = OwnerPack();
  const char member[] = "override p.a {\n  set LIMIT = 120.00\n  severity big high\n}\n";
  vigil_compiler* c = nullptr;
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_source(c, "a.vgp", 5, a.data(), a.size()), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_source(c, "member.vgl", 10, member, sizeof(member) - 1), VIGIL_OK);
  vigil_ruleset* rs = nullptr;
  ASSERT_EQ(vigil_compiler_build(c, &rs), VIGIL_OK) << vigil_compiler_diag_render(c);
  ASSERT_EQ(vigil_ruleset_override_count(rs), 2u);
  vigil_override_info o{};
  o.struct_size = sizeof o;
  ASSERT_EQ(vigil_ruleset_override_get(rs, 0, &o), VIGIL_OK);
  EXPECT_EQ(o.kind, VIGIL_OVERRIDE_SET_PARAM);
  EXPECT_STREQ(o.file, "member.vgl");
  EXPECT_EQ(o.line, 2u);
  EXPECT_EQ(o.column, 3u);
  EXPECT_STREQ(o.pack, "");
  EXPECT_STREQ(o.target, "LIMIT");
  EXPECT_STREQ(o.value, "120.00");
  ASSERT_EQ(vigil_ruleset_override_get(rs, 1, &o), VIGIL_OK);
  EXPECT_EQ(o.kind, VIGIL_OVERRIDE_SEVERITY);
  EXPECT_STREQ(o.value, "high");
  EXPECT_EQ(vigil_ruleset_override_get(rs, 2, &o), VIGIL_ERR_RANGE);
  o.struct_size = 8;
  EXPECT_EQ(vigil_ruleset_override_get(rs, 0, &o), VIGIL_ERR_MISUSE);
  EXPECT_EQ(vigil_ruleset_override_get(rs, 0, nullptr), VIGIL_ERR_MISUSE);
  EXPECT_EQ(vigil_ruleset_override_count(nullptr), 0u);
  vigil_ruleset_release(rs);
  vigil_compiler_free(c);
}

// A directory with a rule file, a list beside it and a list outside its tree.
class Files : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "capi_integrator_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ + "/rules");
    std::filesystem::create_directories(dir_ + "/shared");
    std::ofstream(dir_ + "/shared/watch.txt") << "PH\n";
    std::ofstream(dir_ + "/rules/r.vgl")
        << "ruleset t.files version \"1.0.0\"\nschema s version 1 {\n  c: string\n}\n"
           "uses schema s\nlist W: set<string> from \"../shared/watch.txt\"\n"
           "rule r { when c in W then score 1 }\n";
    std::ofstream(dir_ + "/tuning.vgl") << "override t.files { severity r high }\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  vigil_status Build(vigil_compiler* c) {
    vigil_ruleset* rs = nullptr;
    vigil_status st = vigil_compiler_build(c, &rs);
    vigil_ruleset_release(rs);
    return st;
  }
  std::string dir_;
};

// vigil_compiler_add_file: imports and lists only inside the rule file's
// tree (E2023); vigil_compiler_allow_dir widens it.
TEST_F(Files, CompilerAllowDirWidensWhereListsAreRead) {
  const std::string rules = dir_ + "/rules/r.vgl", shared = dir_ + "/shared";
  vigil_compiler* c = nullptr;
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_file(c, rules.data(), rules.size()), VIGIL_OK);
  EXPECT_EQ(Build(c), VIGIL_ERR_COMPILE);
  EXPECT_EQ(FirstCode(c), 2023u);
  vigil_compiler_free(c);
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_file(c, rules.data(), rules.size()), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_allow_dir(c, shared.data(), shared.size()), VIGIL_OK);
  EXPECT_EQ(vigil_compiler_allow_dir(c, "", 0), VIGIL_ERR_INVALID_ARG);
  EXPECT_EQ(Build(c), VIGIL_OK) << vigil_compiler_diag_render(c);
  EXPECT_EQ(vigil_compiler_allow_dir(c, shared.data(), shared.size()), VIGIL_ERR_MISUSE);  // built
  vigil_compiler_free(c);
}

// VIGIL_PACK_SIGNED_ONLY: plain files are refused (E2020) unless added with
// vigil_compiler_add_local_file / vigil_compiler_add_local_source.
TEST_F(Files, PackSignedOnlyRefusesPlainFilesButNotTheHostsOwn) {
  const std::string tuning = dir_ + "/tuning.vgl", shared = dir_ + "/shared";
  const std::string rules = dir_ + "/rules/r.vgl";
  vigil_compiler* c = nullptr;
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_pack_policy(c, VIGIL_PACK_SIGNED_ONLY, nullptr, 0), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_file(c, rules.data(), rules.size()), VIGIL_OK);
  EXPECT_EQ(Build(c), VIGIL_ERR_COMPILE);
  EXPECT_EQ(FirstCode(c), 2020u);
  vigil_compiler_free(c);
  // The host's own files and sources load under the same policy.
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_pack_policy(c, VIGIL_PACK_SIGNED_ONLY, nullptr, 0), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_allow_dir(c, shared.data(), shared.size()), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_local_file(c, rules.data(), rules.size()), VIGIL_OK);
  const char extra[] = "override t.files { mode r shadow }\n";
  ASSERT_EQ(vigil_compiler_add_local_source(c, "extra.vgl", 9, extra, sizeof(extra) - 1), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_local_file(c, tuning.data(), tuning.size()), VIGIL_OK);
  vigil_ruleset* rs = nullptr;
  ASSERT_EQ(vigil_compiler_build(c, &rs), VIGIL_OK) << vigil_compiler_diag_render(c);
  EXPECT_EQ(vigil_ruleset_override_count(rs), 2u);
  vigil_ruleset_release(rs);
  vigil_compiler_free(c);
  // A plain source that is not the host's is refused too.
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_pack_policy(c, VIGIL_PACK_SIGNED_ONLY, nullptr, 0), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_source(c, "extra.vgl", 9, extra, sizeof(extra) - 1), VIGIL_OK);
  EXPECT_EQ(Build(c), VIGIL_ERR_COMPILE);
  EXPECT_EQ(FirstCode(c), 2020u);
  EXPECT_EQ(vigil_compiler_pack_policy(c, 4u, nullptr, 0), VIGIL_ERR_MISUSE);  // built already
  vigil_compiler_free(c);
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  EXPECT_EQ(vigil_compiler_pack_policy(c, 4u, nullptr, 0), VIGIL_ERR_INVALID_ARG);  // unknown flag
  EXPECT_EQ(vigil_compiler_add_local_file(c, nullptr, 3), VIGIL_ERR_MISUSE);
  EXPECT_EQ(vigil_compiler_add_local_source(c, "", 0, "x", 1), VIGIL_ERR_INVALID_ARG);
  vigil_compiler_free(c);
}

// vigil_compiler_pack_key: accepts what `vigil pack keygen` writes (64 hex
// digits and a newline) as well as the 32 raw bytes.
TEST(Sharing, CompilerPackKeyAcceptsKeygenHex) {
  ASSERT_GE(sodium_init(), 0);
  unsigned char pk[32], sk[64];
  crypto_sign_keypair(pk, sk);
  char hex[65];
  sodium_bin2hex(hex, sizeof(hex), pk, sizeof(pk));
  const std::string file = std::string(hex) + "\n";
  vigil_compiler* c = nullptr;
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  EXPECT_EQ(vigil_compiler_pack_key(c, pk, 32, 0), VIGIL_OK);
  EXPECT_EQ(vigil_compiler_pack_key(c, hex, 64, 0), VIGIL_OK);
  EXPECT_EQ(vigil_compiler_pack_key(c, file.data(), file.size(), 1), VIGIL_OK);
  EXPECT_EQ(vigil_compiler_pack_key(c, "zz", 2, 0), VIGIL_ERR_INVALID_ARG);
  std::string bad(64, 'g');
  EXPECT_EQ(vigil_compiler_pack_key(c, bad.data(), bad.size(), 0), VIGIL_ERR_INVALID_ARG);
  EXPECT_NE(std::strstr(vigil_compiler_errmsg(c), "64 hex digits"), nullptr);
  vigil_compiler_free(c);
}

// A pack signed with that key, trusted through its hex form, loads; one
// signed by another key does not.
TEST(Sharing, CompilerPackKeyHexTrustsThePacksSigner) {
  ASSERT_GE(sodium_init(), 0);
  unsigned char pk[32], sk[64];
  crypto_sign_keypair(pk, sk);
  std::string image = OwnerPack();
  const std::string hash = image.substr(image.rfind("sha256 ") + 7, 64);
  const std::string message = "vigil-pack-signature-v1\n" + hash;
  unsigned char sig[64];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), sk);
  char pk_hex[65], sig_hex[129];
  sodium_bin2hex(pk_hex, sizeof(pk_hex), pk, sizeof(pk));
  sodium_bin2hex(sig_hex, sizeof(sig_hex), sig, sizeof(sig));
  image += std::string("signature ") + pk_hex + " " + sig_hex + "\n";
  vigil_compiler* c = nullptr;
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_pack_key(c, pk_hex, 64, 0), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_source(c, "a.vgp", 5, image.data(), image.size()), VIGIL_OK);
  vigil_ruleset* rs = nullptr;
  EXPECT_EQ(vigil_compiler_build(c, &rs), VIGIL_OK) << vigil_compiler_diag_render(c);
  vigil_ruleset_release(rs);
  vigil_compiler_free(c);
}

// vigil_compiler_pack_policy: min_version compares in semver order, so a
// prerelease of the minimum is older than it.
TEST(Sharing, CompilerPackPolicyMinVersionOrdersPrereleasesFirst) {
  const std::string image = PackImage(
      {{"pack.json", R"({"name": "p.rc", "version": "1.2.0-rc.1", "files": ["r.vgl"]})"},
       {"r.vgl", "ruleset p.rc version \"1.2.0-rc.1\"\n"}});
  for (const char* min : {"1.2.0", "1.2.0-rc.1"}) {
    vigil_compiler* c = nullptr;
    ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
    ASSERT_EQ(vigil_compiler_pack_policy(c, 0, min, std::strlen(min)), VIGIL_OK);
    ASSERT_EQ(vigil_compiler_add_source(c, "rc.vgp", 6, image.data(), image.size()), VIGIL_OK);
    vigil_ruleset* rs = nullptr;
    const vigil_status want = std::string(min) == "1.2.0" ? VIGIL_ERR_COMPILE : VIGIL_OK;
    EXPECT_EQ(vigil_compiler_build(c, &rs), want) << min;
    vigil_ruleset_release(rs);
    vigil_compiler_free(c);
  }
}

// vigil_ruleset_field_slot: VIGIL_NO_SLOT (-1) for an unknown field; passed
// on unchecked, the setter's message says what happened.
TEST(Sharing, RulesetFieldSlotNoSlotIsExplained) {
  vigil_compiler* c = nullptr;
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_source(c, "v.vgl", 5, kVelocity, sizeof(kVelocity) - 1), VIGIL_OK);
  vigil_ruleset* rs = nullptr;
  ASSERT_EQ(vigil_compiler_build(c, &rs), VIGIL_OK);
  vigil_compiler_free(c);
  int32_t slot = vigil_ruleset_field_slot(rs, "amout", 5);
  EXPECT_EQ(slot, VIGIL_NO_SLOT);
  vigil_event* e = nullptr;
  ASSERT_EQ(vigil_event_new(rs, &e), VIGIL_OK);
  EXPECT_EQ(vigil_event_set_decimal(e, static_cast<uint32_t>(slot), "1.00", 4), VIGIL_ERR_INVALID_ARG);
  EXPECT_NE(std::strstr(vigil_event_errmsg(e), "slot -1 (VIGIL_NO_SLOT)"), nullptr)
      << vigil_event_errmsg(e);
  vigil_event_free(e);
  vigil_ruleset_release(rs);
}

// vigil_compiler_set_host_schema: "one E2019 diagnostic lists every missing
// field. Fields no rule reads are not required."
TEST(HostSchema, CompilerSetHostSchemaChecksOnlyWhatTheRulesRead) {
  const char rules[] = R"(ruleset t.host version "1.0.0"
schema p version 1 {
  ts: time
  card: string @key
  amount: decimal
  note: string
  spare: int
}
uses schema p
rule big { when amount > 10.00 then score 1 }
rule burst { when count(by: card, within: 1h) > 2 then score 1 reason "{note}" }
)";
  auto build = [&](const char* host, uint32_t* errors, std::string* text) {
    vigil_compiler* c = nullptr;
    EXPECT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
    EXPECT_EQ(vigil_compiler_set_host_schema(c, "host.vgl", 8, host, std::strlen(host)), VIGIL_OK);
    EXPECT_EQ(vigil_compiler_add_source(c, "r.vgl", 5, rules, sizeof(rules) - 1), VIGIL_OK);
    vigil_ruleset* rs = nullptr;
    vigil_status st = vigil_compiler_build(c, &rs);
    *errors = 0;
    for (size_t i = 0; i < vigil_compiler_diag_count(c); ++i) {
      vigil_diag_info d{};
      d.struct_size = sizeof d;
      vigil_compiler_diag_get(c, i, &d);
      if (d.severity == VIGIL_SEVERITY_ERROR) ++*errors;
    }
    *text = vigil_compiler_diag_render(c);
    vigil_ruleset_release(rs);
    vigil_compiler_free(c);
    return st;
  };
  uint32_t errors = 0;
  std::string text;
  // `spare` is read by no rule: the host need not have it.
  EXPECT_EQ(build("schema p version 1 {\n  ts: time\n  card: string\n  amount: decimal\n  note: "
                  "string\n}\n", &errors, &text),
            VIGIL_OK)
      << text;
  EXPECT_EQ(build("schema p version 1 {\n  amount: decimal\n}\n", &errors, &text), VIGIL_ERR_COMPILE);
  EXPECT_EQ(errors, 1u) << text;
  EXPECT_NE(text.find("the rules need 3 fields the host's schema 'p' does not have: 'ts: time', "
                      "'card: string', 'note: string'"),
            std::string::npos)
      << text;
}

// vigil_compiler_add_file: "Diagnostics never quote a file that is not one of
// these" (a rule, pack or list file by name): /etc/passwd is not opened.
TEST(Sharing, CompilerAddFileNeverQuotesAFileThatIsNotARuleFile) {
  vigil_compiler* c = nullptr;
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_file(c, "/etc/passwd", 11), VIGIL_OK);
  vigil_ruleset* rs = nullptr;
  EXPECT_EQ(vigil_compiler_build(c, &rs), VIGIL_ERR_COMPILE);
  EXPECT_EQ(FirstCode(c), 2025u);
  const std::string text = vigil_compiler_diag_render(c);
  EXPECT_EQ(text.find("root:"), std::string::npos) << text;
  vigil_compiler_free(c);
  // Nor through an import, wherever the host allows reading.
  const char rules[] = "ruleset t.x version \"1.0.0\"\nimport \"/etc/passwd\"\n";
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_allow_dir(c, "/", 1), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_source(c, "x.vgl", 5, rules, sizeof(rules) - 1), VIGIL_OK);
  EXPECT_EQ(vigil_compiler_build(c, &rs), VIGIL_ERR_COMPILE);
  EXPECT_EQ(FirstCode(c), 2025u);
  EXPECT_EQ(std::string(vigil_compiler_diag_render(c)).find("root:"), std::string::npos);
  vigil_compiler_free(c);
}

}  // namespace
