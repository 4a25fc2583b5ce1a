// The promises of vigil.h, one test each: TEST(Promise, NAME) holds the
// promise tagged [p:NAME] in the header (dashes as underscores).
// tests/capi/promises_check.py checks that every tag has a test and that
// every test names a tag. Links only libvigil.so, as a host does.
#include <fcntl.h>
#include <malloc.h>
#include <sodium.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "vigil/vigil.h"

namespace {

const char kRules[] = R"(ruleset p.test version "1.4.0"
schema s version 1 {
  ts: time
  id: string
  card: string @key @pii
  amount: decimal
  rate: float
  flags: set<string>
}
uses schema s
list WATCH: set<string> external
rule big {
  title "big"
  severity high
  tags "t:big"
  when amount > 10.00
  then score 10 decide review reason "{amount} by {card}"
}
rule burst {
  title "burst"
  severity low
  when count(by: card, within: 1h) >= 2
  then score 5 reason "{count(by: card, within: 1h)} in 1h"
}
rule watched {
  severity low
  when id in WATCH
  then score 1 tag "watched"
}
rule not_watched {
  title "not watched"
  severity low
  when id not in WATCH
  then score 1
}
rule vpn {
  title "vpn"
  severity medium
  mode shadow
  when "VPN" in flags
  then score 7 decide block
}
)";

vigil_ruleset* Build(const std::string& text, const char* name = "p.vgl",
                     vigil_compiler** keep = nullptr) {
  vigil_compiler* c = nullptr;
  EXPECT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  EXPECT_EQ(vigil_compiler_add_source(c, name, std::strlen(name), text.data(), text.size()),
            VIGIL_OK);
  vigil_ruleset* rs = nullptr;
  vigil_compiler_build(c, &rs);
  if (keep != nullptr) {
    *keep = c;
  } else {
    vigil_compiler_free(c);
  }
  return rs;
}

// A rule set, a session, an event and a result; freed at the end.
struct Host {
  vigil_ruleset* rs = nullptr;
  vigil_session* s = nullptr;
  vigil_event* e = nullptr;
  vigil_result* r = nullptr;
  explicit Host(const std::string& text = kRules, const vigil_session_options* options = nullptr) {
    rs = Build(text);
    EXPECT_NE(rs, nullptr);
    EXPECT_EQ(vigil_session_new(rs, options, &s), VIGIL_OK);
    EXPECT_EQ(vigil_event_new(rs, &e), VIGIL_OK);
    EXPECT_EQ(vigil_result_new(&r), VIGIL_OK);
  }
  ~Host() {
    vigil_result_free(r);
    vigil_event_free(e);
    vigil_session_free(s);
    vigil_ruleset_release(rs);
  }
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;
  uint32_t Slot(const char* name) const {
    return static_cast<uint32_t>(vigil_ruleset_field_slot(rs, name, std::strlen(name)));
  }
  vigil_status Json(const char* json) { return vigil_event_set_json(e, json, std::strlen(json)); }
  vigil_status Eval(const char* json) {
    EXPECT_EQ(Json(json), VIGIL_OK) << vigil_event_errmsg(e);
    return vigil_session_eval(s, e, r);
  }
  // The reason of fired rule `id` in the last result ("-" when it did not fire).
  std::string Reason(const char* id) const { return Field(id, &vigil_fired_info::reason); }
  std::string Field(const char* id, const char* vigil_fired_info::*member) const {
    size_t n = vigil_result_fired_count(r) + vigil_result_shadow_count(r);
    for (size_t i = 0; i < n; ++i) {
      vigil_fired_info f{};
      f.struct_size = sizeof f;
      if (vigil_result_fired_get(r, i, &f) != VIGIL_OK) return "error";
      if (std::strcmp(std::strrchr(f.qualified_id, '/') + 1, id) == 0) {
        return f.*member == nullptr ? "NULL" : f.*member;
      }
    }
    return "-";
  }
};

std::string DiagCode(vigil_compiler* c, size_t i) {
  vigil_diag_info d{};
  d.struct_size = sizeof d;
  if (vigil_compiler_diag_get(c, i, &d) != VIGIL_OK) return "none";
  return d.code_name;
}

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/vigil_promise_" + std::to_string(::getpid()) + "_" + name;
}

// A rule pack image written by hand from the documented format (docs/sharing.md).
std::string Pack(const std::string& version, const std::string& rules) {
  const std::string manifest = R"({"name": "p.pack", "version": ")" + version +
                               R"(", "marking": "GREEN", "files": ["r.vgl"]})";
  std::string image = "vigil-pack 1\n";
  for (const auto& [path, body] : {std::pair<std::string, std::string>{"pack.json", manifest},
                                   {"r.vgl", rules}}) {
    image += "file " + path + " " + std::to_string(body.size()) + "\n" + body + "\n";
  }
  unsigned char digest[32];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(image.data()), image.size());
  char hex[65];
  for (int i = 0; i < 32; ++i) std::snprintf(hex + 2 * i, 3, "%02x", digest[i]);
  return image + "sha256 " + std::string(hex, 64) + "\n";
}

const char kPackRules[] = "ruleset p.pack version \"1.0.0\"\nschema s version 1 {\n  a: int\n}\n"
                          "uses schema s\nrule r { when a > 1 then score 1 }\n";

vigil_status BuildPack(const std::string& image, vigil_compiler** c, vigil_ruleset** rs) {
  EXPECT_EQ(vigil_compiler_new(nullptr, c), VIGIL_OK);
  EXPECT_EQ(vigil_compiler_add_source(*c, "p.vgp", 5, image.data(), image.size()), VIGIL_OK);
  return vigil_compiler_build(*c, rs);
}

// ---------------------------------------------------------------- errors and memory

TEST(Promise, errmsg_last_failure) {
  Host h;
  EXPECT_EQ(vigil_event_set_int(h.e, h.Slot("amount"), 1), VIGIL_ERR_TYPE);
  EXPECT_STREQ(vigil_event_errmsg(h.e), "field 'amount' is decimal, not int");
  EXPECT_EQ(vigil_event_set_string(h.e, 99, "x", 1), VIGIL_ERR_INVALID_ARG);
  EXPECT_NE(std::strstr(vigil_event_errmsg(h.e), "slot 99"), nullptr);
  EXPECT_EQ(vigil_session_eval(h.s, nullptr, h.r), VIGIL_ERR_MISUSE);
  EXPECT_NE(std::strstr(vigil_session_errmsg(h.s), "invalid event"), nullptr);
}

TEST(Promise, errmsg_valid_until_next_call) {
  Host h;
  vigil_event* other = nullptr;
  ASSERT_EQ(vigil_event_new(h.rs, &other), VIGIL_OK);
  EXPECT_EQ(vigil_event_set_int(h.e, h.Slot("amount"), 1), VIGIL_ERR_TYPE);
  const char* message = vigil_event_errmsg(h.e);
  // Calls on other handles leave it alone (ASan would see a freed buffer).
  EXPECT_EQ(vigil_event_set_int(other, h.Slot("id"), 1), VIGIL_ERR_TYPE);
  EXPECT_EQ(vigil_session_eval(h.s, other, h.r), VIGIL_OK);
  EXPECT_STREQ(message, "field 'amount' is decimal, not int");
  vigil_event_free(other);
}

// Runs `body` with standard output and error going to a file; returns what was written.
template <typename Body>
std::string Captured(Body body) {
  const std::string path = TempPath("captured");
  std::fflush(stdout);
  std::fflush(stderr);
  int saved_out = ::dup(1), saved_err = ::dup(2);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::dup2(fd, 1);
  ::dup2(fd, 2);
  body();
  std::fflush(stdout);
  std::fflush(stderr);
  ::dup2(saved_out, 1);
  ::dup2(saved_err, 2);
  ::close(fd);
  ::close(saved_out);
  ::close(saved_err);
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::remove(path.c_str());
  return text;
}

TEST(Promise, nothing_printed) {
  std::string printed = Captured([] {
    vigil_compiler* c = nullptr;
    vigil_compiler_new(nullptr, &c);
    vigil_compiler_add_source(c, "bad.vgl", 7, "rule r { when x > then }", 24);
    vigil_ruleset* rs = nullptr;
    vigil_compiler_build(c, &rs);
    vigil_compiler_diag_render(c);
    vigil_compiler_free(c);
    Host h;
    h.Eval(R"({"amount":50,"card":"c","ts":"2026-01-01T00:00:00Z"})");
    const char* json;
    vigil_session_explain(h.s, h.e, h.r, &json, nullptr);
    h.Json("{not json");
    vigil_state* st = nullptr;
    vigil_session_get_state(h.s, &st);
    vigil_state_load(st, "/nonexistent/x.snap");
    vigil_state_release(st);
  });
  EXPECT_EQ(printed, "");
}

TEST(Promise, no_exceptions) {
  // An exception crossing the boundary would reach this catch.
  try {
    vigil_compiler* c = nullptr;
    vigil_compiler_new(nullptr, &c);
    std::string huge(9u << 20, '#');
    vigil_compiler_add_source(c, "big.vgl", 7, huge.data(), huge.size());
    vigil_compiler_add_source(c, "x.vgl", 5, "\xff", 1);
    vigil_ruleset* rs = nullptr;
    vigil_compiler_build(c, &rs);
    vigil_compiler_build(c, &rs);
    vigil_compiler_free(c);
    Host h;
    h.Json(std::string(1u << 20, '[').c_str());
    vigil_event_set_decimal(h.e, h.Slot("amount"), huge.data(), huge.size());
    vigil_state_options so = VIGIL_STATE_OPTIONS_INIT;
    so.shards = 1u << 30;
    vigil_state* st = nullptr;
    vigil_state_new(&so, &st);
    const char* v = "x";
    size_t len = 1;
    vigil_ruleset_set_list(h.rs, "WATCH", 5, &v, &len, 1);
  } catch (...) {
    FAIL() << "an exception crossed the C ABI";
  }
}

TEST(Promise, misuse_returns_error) {
  Host h;
  vigil_compile_options short_options = {4, 0, 0, 0};
  vigil_compiler* c = nullptr;
  EXPECT_EQ(vigil_compiler_new(&short_options, &c), VIGIL_ERR_MISUSE);
  EXPECT_EQ(vigil_compiler_build(nullptr, nullptr), VIGIL_ERR_MISUSE);
  EXPECT_EQ(vigil_session_eval(nullptr, h.e, h.r), VIGIL_ERR_MISUSE);
  EXPECT_EQ(vigil_session_eval(h.s, h.e, nullptr), VIGIL_ERR_MISUSE);
  EXPECT_EQ(vigil_event_set_int(h.e, 1000, 1), VIGIL_ERR_INVALID_ARG);  // wrong slot
  EXPECT_EQ(vigil_event_set_int(h.e, h.Slot("id"), 1), VIGIL_ERR_TYPE);  // wrong type
  vigil_fired_info f{};
  f.struct_size = 4;
  EXPECT_EQ(vigil_result_fired_get(h.r, 0, &f), VIGIL_ERR_MISUSE);  // short struct
  const char* json = nullptr;
  EXPECT_EQ(vigil_result_json(h.r, &json, nullptr), VIGIL_ERR_MISUSE);  // before any eval
  vigil_ruleset* other = Build(kRules);
  vigil_event* foreign = nullptr;
  ASSERT_EQ(vigil_event_new(other, &foreign), VIGIL_OK);
  EXPECT_EQ(vigil_session_eval(h.s, foreign, h.r), VIGIL_ERR_MISUSE);  // another rule set
  vigil_event_free(foreign);
  vigil_ruleset_release(other);
}

TEST(Promise, inputs_utf8) {
  Host h;
  const char* bad = "a\xff";
  vigil_compiler* c = nullptr;
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  EXPECT_EQ(vigil_compiler_add_source(c, bad, 2, "x", 1), VIGIL_ERR_INVALID_ARG);
  EXPECT_EQ(vigil_compiler_add_file(c, bad, 2), VIGIL_ERR_INVALID_ARG);
  EXPECT_EQ(vigil_compiler_set_hmac_key(c, bad, 2, "k", 1), VIGIL_ERR_INVALID_ARG);
  EXPECT_EQ(vigil_compiler_pack_policy(c, 0, bad, 2), VIGIL_ERR_INVALID_ARG);
  vigil_compiler_free(c);
  EXPECT_EQ(vigil_event_set_string(h.e, h.Slot("id"), bad, 2), VIGIL_ERR_INVALID_ARG);
  EXPECT_EQ(vigil_event_set_decimal(h.e, h.Slot("amount"), bad, 2), VIGIL_ERR_INVALID_ARG);
  size_t len = 2;
  EXPECT_EQ(vigil_event_set_string_set(h.e, h.Slot("flags"), &bad, &len, 1), VIGIL_ERR_INVALID_ARG);
  EXPECT_EQ(vigil_ruleset_set_list(h.rs, "WATCH", 5, &bad, &len, 1), VIGIL_ERR_INVALID_ARG);
  EXPECT_EQ(vigil_ruleset_set_list(h.rs, bad, 2, &bad, &len, 0), VIGIL_ERR_INVALID_ARG);
}

TEST(Promise, inputs_copied) {
  // Every buffer is overwritten right after the call that took it.
  std::string text = kRules, name = "copied.vgl";
  vigil_compiler* c = nullptr;
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_source(c, name.data(), name.size(), text.data(), text.size()), VIGIL_OK);
  std::fill(text.begin(), text.end(), '#');
  std::fill(name.begin(), name.end(), 'x');
  vigil_ruleset* rs = nullptr;
  ASSERT_EQ(vigil_compiler_build(c, &rs), VIGIL_OK) << vigil_compiler_diag_render(c);
  vigil_compiler_free(c);
  vigil_session* s = nullptr;
  vigil_event* e = nullptr;
  vigil_result* r = nullptr;
  ASSERT_EQ(vigil_session_new(rs, nullptr, &s), VIGIL_OK);
  ASSERT_EQ(vigil_event_new(rs, &e), VIGIL_OK);
  ASSERT_EQ(vigil_result_new(&r), VIGIL_OK);
  std::string id = "e1", amount = "20.10", watch = "e1";
  ASSERT_EQ(vigil_event_set_string(e, 1, id.data(), id.size()), VIGIL_OK);
  ASSERT_EQ(vigil_event_set_decimal(e, 3, amount.data(), amount.size()), VIGIL_OK);
  const char* values[] = {watch.data()};
  size_t lens[] = {watch.size()};
  ASSERT_EQ(vigil_ruleset_set_list(rs, "WATCH", 5, values, lens, 1), VIGIL_OK);
  id = "zz";
  amount = "99999";
  watch = "zz";
  ASSERT_EQ(vigil_session_eval(s, e, r), VIGIL_OK);
  EXPECT_EQ(vigil_result_score(r), 11);  // big (20.10 > 10) and watched (e1)
  vigil_result_free(r);
  vigil_event_free(e);
  vigil_session_free(s);
  vigil_ruleset_release(rs);
}

TEST(Promise, returned_strings_borrowed) {
  Host h;
  const char* name = vigil_ruleset_name(h.rs);
  ASSERT_EQ(h.Eval(R"({"amount":50})"), VIGIL_OK);
  const char* decision = vigil_result_decision(h.r);
  vigil_result* other = nullptr;
  ASSERT_EQ(vigil_result_new(&other), VIGIL_OK);
  // Calls that change other handles leave them valid.
  ASSERT_EQ(h.Json(R"({"amount":1})"), VIGIL_OK);
  ASSERT_EQ(vigil_session_eval(h.s, h.e, other), VIGIL_OK);
  EXPECT_STREQ(decision, "review");
  EXPECT_STREQ(vigil_result_decision(other), "allow");
  EXPECT_STREQ(name, "p.test");
  vigil_result_free(other);
}

TEST(Promise, free_null) {
  vigil_compiler_free(nullptr);
  vigil_ruleset_release(nullptr);
  vigil_session_free(nullptr);
  vigil_event_free(nullptr);
  vigil_result_free(nullptr);
  vigil_state_release(nullptr);
  SUCCEED();
}

TEST(Promise, out_null_on_failure) {
  auto* junk = reinterpret_cast<void*>(0x1);
  vigil_compiler* c = static_cast<vigil_compiler*>(junk);
  vigil_compile_options short_options = {4, 0, 0, 0};
  EXPECT_EQ(vigil_compiler_new(&short_options, &c), VIGIL_ERR_MISUSE);
  EXPECT_EQ(c, nullptr);
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_source(c, "b.vgl", 5, "rule", 4), VIGIL_OK);
  vigil_ruleset* rs = static_cast<vigil_ruleset*>(junk);
  EXPECT_EQ(vigil_compiler_build(c, &rs), VIGIL_ERR_COMPILE);
  EXPECT_EQ(rs, nullptr);
  vigil_compiler_free(c);
  vigil_event* e = static_cast<vigil_event*>(junk);
  EXPECT_EQ(vigil_event_new(nullptr, &e), VIGIL_ERR_MISUSE);
  EXPECT_EQ(e, nullptr);
  vigil_session* s = static_cast<vigil_session*>(junk);
  EXPECT_EQ(vigil_session_new(nullptr, nullptr, &s), VIGIL_ERR_MISUSE);
  EXPECT_EQ(s, nullptr);
  vigil_state* st = static_cast<vigil_state*>(junk);
  vigil_state_options so = VIGIL_STATE_OPTIONS_INIT;
  so.struct_size = 4;
  EXPECT_EQ(vigil_state_new(&so, &st), VIGIL_ERR_MISUSE);
  EXPECT_EQ(st, nullptr);
  st = static_cast<vigil_state*>(junk);
  EXPECT_EQ(vigil_state_new_external(nullptr, -1, &st), VIGIL_ERR_MISUSE);
  EXPECT_EQ(st, nullptr);
  st = static_cast<vigil_state*>(junk);
  EXPECT_EQ(vigil_session_get_state(nullptr, &st), VIGIL_ERR_MISUSE);
  EXPECT_EQ(st, nullptr);
  vigil_result* r = nullptr;
  ASSERT_EQ(vigil_result_new(&r), VIGIL_OK);
  const char* json = "junk";
  size_t len = 7;
  EXPECT_EQ(vigil_result_json(r, &json, &len), VIGIL_ERR_MISUSE);
  EXPECT_EQ(json, nullptr);
  EXPECT_EQ(len, 0u);
  json = "junk";
  len = 7;
  EXPECT_EQ(vigil_session_explain(nullptr, nullptr, r, &json, &len), VIGIL_ERR_MISUSE);
  EXPECT_EQ(json, nullptr);
  EXPECT_EQ(len, 0u);
  int32_t late = 7;
  EXPECT_EQ(vigil_session_record(nullptr, nullptr, &late), VIGIL_ERR_MISUSE);
  EXPECT_EQ(late, 0);
  vigil_result_free(r);
}

TEST(Promise, status_str_static) {
  std::map<std::string, int> seen;
  for (vigil_status st = VIGIL_OK; st <= VIGIL_ERR_STATE; ++st) {
    const char* text = vigil_status_str(st);
    ASSERT_NE(text, nullptr);
    EXPECT_EQ(seen[text]++, 0) << "two statuses share the text " << text;
    EXPECT_EQ(vigil_status_str(st), text);  // the same static string every time
  }
  EXPECT_STREQ(vigil_status_str(-1), "unknown status");
  EXPECT_STREQ(vigil_status_str(12345), "unknown status");
}

// ---------------------------------------------------------------- the compiler

TEST(Promise, max_errors) {
  std::string text = "ruleset m version \"1.0.0\"\nschema s version 1 { a: int }\nuses schema s\n";
  for (int i = 0; i < 30; ++i) text += "rule r" + std::to_string(i) + " { when nope > 1 then score 1 }\n";
  auto errors = [&](uint32_t max_errors) {
    vigil_compile_options o = VIGIL_COMPILE_OPTIONS_INIT;
    o.max_errors = max_errors;
    vigil_compiler* c = nullptr;
    EXPECT_EQ(vigil_compiler_new(&o, &c), VIGIL_OK);
    vigil_compiler_add_source(c, "m.vgl", 5, text.data(), text.size());
    vigil_ruleset* rs = nullptr;
    EXPECT_EQ(vigil_compiler_build(c, &rs), VIGIL_ERR_COMPILE);
    size_t e2001 = 0;
    for (size_t i = 0; i < vigil_compiler_diag_count(c); ++i) e2001 += DiagCode(c, i) == "E2001";
    vigil_compiler_free(c);
    return e2001;
  };
  EXPECT_EQ(errors(3), 3u);
  EXPECT_EQ(errors(0), 20u);  // the default
}

TEST(Promise, allow_files) {
  const std::string path = TempPath("imported.vgl");
  std::ofstream(path) << "const A = 1\n";
  // The importing source sits in the same directory: a compilation reads only
  // inside its rule files' tree (E2023), which is not what this promise is about.
  const std::string name = TempPath("f.vgl");
  const std::string text = "ruleset f version \"1.0.0\"\nimport \"" + path + "\"\n";
  for (uint32_t flags : {0u, VIGIL_COMPILE_ALLOW_FILES}) {
    vigil_compile_options o = VIGIL_COMPILE_OPTIONS_INIT;
    o.flags = flags;
    vigil_compiler* c = nullptr;
    ASSERT_EQ(vigil_compiler_new(&o, &c), VIGIL_OK);
    EXPECT_EQ(vigil_compiler_add_file(c, path.data(), path.size()),
              flags != 0 ? VIGIL_OK : VIGIL_ERR_MISUSE);
    ASSERT_EQ(vigil_compiler_add_source(c, name.data(), name.size(), text.data(), text.size()), VIGIL_OK);
    vigil_ruleset* rs = nullptr;
    vigil_status st = vigil_compiler_build(c, &rs);
    if (flags != 0) {
      EXPECT_EQ(st, VIGIL_OK) << vigil_compiler_diag_render(c);
    } else {
      EXPECT_EQ(st, VIGIL_ERR_COMPILE);
      EXPECT_EQ(DiagCode(c, 0), "E2009");
    }
    vigil_ruleset_release(rs);
    vigil_compiler_free(c);
  }
  std::remove(path.c_str());
}

TEST(Promise, options_null) {
  vigil_compiler* c = nullptr;
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  vigil_compiler_free(c);
  // Session defaults: PII masked. State defaults: 10 minutes of lateness.
  Host h;
  ASSERT_EQ(h.Eval(R"({"amount":50,"card":"4111"})"), VIGIL_OK);
  EXPECT_EQ(h.Reason("big"), "50 by ****");
  vigil_state* st = nullptr;
  ASSERT_EQ(vigil_state_new(nullptr, &st), VIGIL_OK);
  ASSERT_EQ(vigil_session_set_state(h.s, st), VIGIL_OK);
  ASSERT_EQ(h.Eval(R"({"ts":"2026-01-01T00:20:00Z","card":"c"})"), VIGIL_OK);
  ASSERT_EQ(h.Eval(R"({"ts":"2026-01-01T00:11:00Z","card":"c"})"), VIGIL_OK);
  EXPECT_EQ(vigil_result_late(h.r), 0);  // 9 minutes behind
  ASSERT_EQ(h.Eval(R"({"ts":"2026-01-01T00:09:00Z","card":"c"})"), VIGIL_OK);
  EXPECT_EQ(vigil_result_late(h.r), 1);  // 11 minutes behind
  vigil_state_release(st);
}

TEST(Promise, add_file_read_at_build) {
  const std::string path = TempPath("later.vgl");
  std::remove(path.c_str());
  vigil_compiler* c = nullptr;
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_file(c, path.data(), path.size()), VIGIL_OK);  // not there yet
  std::ofstream(path) << kRules;
  vigil_ruleset* rs = nullptr;
  EXPECT_EQ(vigil_compiler_build(c, &rs), VIGIL_OK) << vigil_compiler_diag_render(c);
  EXPECT_STREQ(vigil_ruleset_name(rs), "p.test");
  vigil_ruleset_release(rs);
  vigil_compiler_free(c);
  std::remove(path.c_str());
}

TEST(Promise, source_name) {
  vigil_compiler* c = nullptr;
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  const char main_text[] = "ruleset n version \"1.0.0\"\nimport \"lib.vgl\"\nconst B = A\nconst S = {B, \"x\"}\n";
  ASSERT_EQ(vigil_compiler_add_source(c, "dir/main.vgl", 12, main_text, sizeof main_text - 1), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_source(c, "dir/lib.vgl", 11, "const A = 1\n", 12), VIGIL_OK);
  vigil_ruleset* rs = nullptr;
  EXPECT_EQ(vigil_compiler_build(c, &rs), VIGIL_ERR_COMPILE);
  vigil_diag_info d{};
  d.struct_size = sizeof d;
  ASSERT_EQ(vigil_compiler_diag_get(c, 0, &d), VIGIL_OK);
  EXPECT_STREQ(d.file, "dir/main.vgl");  // the name is the path in diagnostics
  EXPECT_EQ(d.line, 4u);
  EXPECT_STREQ(d.code_name, "E3006");  // an int (A, from lib.vgl beside it) and a string
  EXPECT_EQ(vigil_compiler_diag_count(c), 1u);
  vigil_compiler_free(c);
}

TEST(Promise, source_vgp) {
  vigil_compiler* c = nullptr;
  vigil_ruleset* rs = nullptr;
  ASSERT_EQ(BuildPack(Pack("1.0.0", kPackRules), &c, &rs), VIGIL_OK) << vigil_compiler_diag_render(c);
  EXPECT_STREQ(vigil_ruleset_name(rs), "p.pack");
  vigil_ruleset_release(rs);
  vigil_compiler_free(c);
  // Verified as a pack file is: a changed byte is refused.
  std::string tampered = Pack("1.0.0", kPackRules);
  tampered[tampered.find("score 1")] = 'S';
  EXPECT_EQ(BuildPack(tampered, &c, &rs), VIGIL_ERR_COMPILE);
  EXPECT_EQ(DiagCode(c, 0), "E2017");
  vigil_compiler_free(c);
}

const char kHmacDigest[] = "1647d69235eb3301dedcda5b17f2338d3f9d41f01727423d9d68ca9926112360";

std::string KeyedRules() {
  return std::string("ruleset k version \"1.0.0\"\nschema s version 1 {\n  pan: string\n}\n"
                     "uses schema s\nlist L: hashed(normalize: \"digits\", key: \"member\") set = {\"") +
         kHmacDigest + "\"}\nrule r { when pan in L then score 1 }\n";
}

TEST(Promise, hmac_key_copied) {
  const std::string text = KeyedRules();
  vigil_compiler* c = nullptr;
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  char key[] = "k3y";
  ASSERT_EQ(vigil_compiler_set_hmac_key(c, "member", 6, key, 3), VIGIL_OK);
  std::memset(key, 'x', 3);  // the library kept its own copy
  ASSERT_EQ(vigil_compiler_add_source(c, "k.vgl", 5, text.data(), text.size()), VIGIL_OK);
  vigil_ruleset* rs = nullptr;
  ASSERT_EQ(vigil_compiler_build(c, &rs), VIGIL_OK);
  vigil_compiler_free(c);
  vigil_session* s = nullptr;
  vigil_event* e = nullptr;
  vigil_result* r = nullptr;
  ASSERT_EQ(vigil_session_new(rs, nullptr, &s), VIGIL_OK);
  ASSERT_EQ(vigil_event_new(rs, &e), VIGIL_OK);
  ASSERT_EQ(vigil_result_new(&r), VIGIL_OK);
  ASSERT_EQ(vigil_event_set_string(e, 0, "4111 1111 1111 1111", 19), VIGIL_OK);
  ASSERT_EQ(vigil_session_eval(s, e, r), VIGIL_OK);
  EXPECT_EQ(vigil_result_fired_count(r), 1u);
  vigil_result_free(r);
  vigil_event_free(e);
  vigil_session_free(s);
  vigil_ruleset_release(rs);
}

TEST(Promise, hmac_key_missing) {
  const std::string text = KeyedRules();
  vigil_compiler* c = nullptr;
  vigil_ruleset* rs = Build(text, "k.vgl", &c);
  EXPECT_EQ(rs, nullptr);
  EXPECT_EQ(DiagCode(c, 0), "E2001");
  vigil_compiler_free(c);
}

TEST(Promise, pack_refused) {
  std::string truncated = Pack("1.0.0", kPackRules);
  truncated.resize(truncated.size() / 2);
  vigil_compiler* c = nullptr;
  vigil_ruleset* rs = nullptr;
  EXPECT_EQ(BuildPack(truncated, &c, &rs), VIGIL_ERR_COMPILE);
  EXPECT_EQ(DiagCode(c, 0), "E2017");
  EXPECT_EQ(rs, nullptr);
  vigil_compiler_free(c);
}

TEST(Promise, pack_default_policy) {
  // Unsigned and intact: accepted without any policy call.
  vigil_compiler* c = nullptr;
  vigil_ruleset* rs = nullptr;
  EXPECT_EQ(BuildPack(Pack("1.0.0", kPackRules), &c, &rs), VIGIL_OK);
  vigil_ruleset_release(rs);
  vigil_compiler_free(c);
}

TEST(Promise, pack_refused_keeps_ruleset) {
  Host running;
  std::string tampered = Pack("1.0.0", kPackRules);
  tampered[tampered.find("score 1")] = 'S';
  vigil_compiler* c = nullptr;
  vigil_ruleset* rs = reinterpret_cast<vigil_ruleset*>(0x1);
  EXPECT_EQ(BuildPack(tampered, &c, &rs), VIGIL_ERR_COMPILE);
  EXPECT_EQ(rs, nullptr);
  vigil_compiler_free(c);
  ASSERT_EQ(running.Eval(R"({"amount":50})"), VIGIL_OK);  // what ran before still runs
  EXPECT_STREQ(vigil_result_decision(running.r), "review");
}

TEST(Promise, trust_implies_signed) {
  ASSERT_GE(sodium_init(), 0);
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk, sk);
  const std::string image = Pack("1.0.0", kPackRules);
  vigil_compiler* c = nullptr;
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_pack_key(c, pk, sizeof pk, 0), VIGIL_OK);  // no flag set
  ASSERT_EQ(vigil_compiler_add_source(c, "p.vgp", 5, image.data(), image.size()), VIGIL_OK);
  vigil_ruleset* rs = nullptr;
  EXPECT_EQ(vigil_compiler_build(c, &rs), VIGIL_ERR_COMPILE);
  EXPECT_NE(std::string(vigil_compiler_diag_render(c)).find("not signed"), std::string::npos);
  vigil_compiler_free(c);
}

TEST(Promise, pack_min_version) {
  for (const char* min : {"1.0.0", "1.0.1"}) {
    const std::string image = Pack("1.0.0", kPackRules);
    vigil_compiler* c = nullptr;
    ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
    ASSERT_EQ(vigil_compiler_pack_policy(c, 0, min, 5), VIGIL_OK);
    ASSERT_EQ(vigil_compiler_add_source(c, "p.vgp", 5, image.data(), image.size()), VIGIL_OK);
    vigil_ruleset* rs = nullptr;
    EXPECT_EQ(vigil_compiler_build(c, &rs), std::strcmp(min, "1.0.0") == 0 ? VIGIL_OK : VIGIL_ERR_COMPILE)
        << min;
    vigil_ruleset_release(rs);
    vigil_compiler_free(c);
  }
}

TEST(Promise, host_schema) {
  const char host[] = "schema s version 1 {\n  id: string\n}\n";
  vigil_compiler* c = nullptr;
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_set_host_schema(c, "host.vgl", 8, host, sizeof host - 1), VIGIL_OK);
  ASSERT_EQ(vigil_compiler_add_source(c, "p.vgl", 5, kRules, sizeof kRules - 1), VIGIL_OK);
  vigil_ruleset* rs = nullptr;
  EXPECT_EQ(vigil_compiler_build(c, &rs), VIGIL_ERR_COMPILE);
  EXPECT_EQ(DiagCode(c, 0), "E2019");
  EXPECT_NE(std::string(vigil_compiler_diag_render(c)).find("amount"), std::string::npos);
  vigil_compiler_free(c);
}

TEST(Promise, selftest_counts) {
  const std::string text = std::string(kRules) +
                           "test \"fires\" {\n  event { amount: 50.00 }\n  expect fires big\n}\n"
                           "test \"does not\" {\n  event { amount: 1.00 }\n  expect fires big\n}\n";
  vigil_compiler* c = nullptr;
  vigil_ruleset* rs = Build(text, "t.vgl", &c);
  ASSERT_NE(rs, nullptr);
  uint32_t passed = 9, failed = 9;
  // A failed test is VIGIL_ERR_TEST (ABI 1.2); the counts are written all the same.
  ASSERT_EQ(vigil_compiler_selftest(c, &passed, &failed), VIGIL_ERR_TEST);
  EXPECT_EQ(passed, 1u);
  EXPECT_EQ(failed, 1u);
  vigil_ruleset_release(rs);
  vigil_compiler_free(c);
}

TEST(Promise, compile_error_diagnostics) {
  vigil_compiler* c = nullptr;
  EXPECT_EQ(Build("ruleset x version \"1.0.0\"\nconst A = = 1\n", "x.vgl", &c), nullptr);
  ASSERT_EQ(vigil_compiler_diag_count(c), 1u);
  vigil_diag_info d{};
  d.struct_size = sizeof d;
  ASSERT_EQ(vigil_compiler_diag_get(c, 0, &d), VIGIL_OK);
  EXPECT_EQ(d.severity, VIGIL_SEVERITY_ERROR);
  EXPECT_EQ(d.code, 1003u);
  EXPECT_STREQ(d.file, "x.vgl");
  EXPECT_EQ(d.line, 2u);
  EXPECT_EQ(d.column, 11u);
  vigil_compiler_free(c);
}

TEST(Promise, build_once) {
  vigil_compiler* c = nullptr;
  vigil_ruleset* rs = Build(kRules, "p.vgl", &c);
  ASSERT_NE(rs, nullptr);
  vigil_ruleset* again = nullptr;
  EXPECT_EQ(vigil_compiler_build(c, &again), VIGIL_ERR_MISUSE);
  EXPECT_EQ(vigil_compiler_add_source(c, "x", 1, "y", 1), VIGIL_ERR_MISUSE);
  EXPECT_EQ(vigil_compiler_add_file(c, "x", 1), VIGIL_ERR_MISUSE);
  EXPECT_EQ(vigil_compiler_set_hmac_key(c, "k", 1, "v", 1), VIGIL_ERR_MISUSE);
  EXPECT_EQ(vigil_compiler_set_host_schema(c, "h", 1, "x", 1), VIGIL_ERR_MISUSE);
  EXPECT_EQ(vigil_compiler_pack_policy(c, 0, nullptr, 0), VIGIL_ERR_MISUSE);
  vigil_ruleset_release(rs);
  vigil_compiler_free(c);
}

TEST(Promise, diag_position) {
  // A file that cannot be read has no position in it.
  vigil_compiler* c = nullptr;
  ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  const std::string path = TempPath("missing.vgl");
  ASSERT_EQ(vigil_compiler_add_file(c, path.data(), path.size()), VIGIL_OK);
  vigil_ruleset* rs = nullptr;
  EXPECT_EQ(vigil_compiler_build(c, &rs), VIGIL_ERR_COMPILE);
  vigil_diag_info d{};
  d.struct_size = sizeof d;
  ASSERT_EQ(vigil_compiler_diag_get(c, 0, &d), VIGIL_OK);
  EXPECT_EQ(d.line, 0u);
  EXPECT_EQ(d.column, 0u);
  vigil_compiler_free(c);
}

TEST(Promise, diag_borrowed) {
  vigil_compiler* c = nullptr;
  EXPECT_EQ(Build("ruleset x version \"1.0.0\"\nconst A = = 1\n", "x.vgl", &c), nullptr);
  vigil_diag_info d{};
  d.struct_size = sizeof d;
  ASSERT_EQ(vigil_compiler_diag_get(c, 0, &d), VIGIL_OK);
  // Other calls on the compiler leave them valid until it is freed.
  vigil_diag_info again{};
  again.struct_size = sizeof again;
  ASSERT_EQ(vigil_compiler_diag_get(c, 0, &again), VIGIL_OK);
  vigil_compiler_diag_render(c);
  EXPECT_STREQ(d.file, "x.vgl");
  EXPECT_STREQ(d.code_name, "E1003");
  EXPECT_NE(std::strstr(d.message, "'='"), nullptr) << d.message;
  vigil_compiler_free(c);
}

TEST(Promise, struct_size_checked) {
  Host h;
  ASSERT_EQ(h.Eval(R"({"amount":50})"), VIGIL_OK);
  vigil_rule_info ri{};
  ri.struct_size = sizeof ri - 1;
  EXPECT_EQ(vigil_ruleset_rule_get(h.rs, 0, &ri), VIGIL_ERR_MISUSE);
  vigil_field_info fi{};
  fi.struct_size = sizeof fi - 1;
  EXPECT_EQ(vigil_ruleset_field_get(h.rs, 0, &fi), VIGIL_ERR_MISUSE);
  vigil_fired_info f{};
  f.struct_size = sizeof f - 1;
  EXPECT_EQ(vigil_result_fired_get(h.r, 0, &f), VIGIL_ERR_MISUSE);
  vigil_session_options so = VIGIL_SESSION_OPTIONS_INIT;
  so.struct_size = 4;
  vigil_session* s = nullptr;
  EXPECT_EQ(vigil_session_new(h.rs, &so, &s), VIGIL_ERR_MISUSE);
  vigil_state* st = nullptr;
  ASSERT_EQ(vigil_session_get_state(h.s, &st), VIGIL_OK);
  vigil_state_stats stats{};
  stats.struct_size = 8;
  EXPECT_EQ(vigil_state_get_stats(st, &stats), VIGIL_ERR_MISUSE);
  vigil_state_release(st);
  vigil_compiler* c = nullptr;
  EXPECT_EQ(Build("rule", "x.vgl", &c), nullptr);
  vigil_diag_info d{};
  d.struct_size = 8;
  EXPECT_EQ(vigil_compiler_diag_get(c, 0, &d), VIGIL_ERR_MISUSE);
  vigil_compiler_free(c);
}

TEST(Promise, diag_render) {
  vigil_compiler* c = nullptr;
  EXPECT_EQ(Build("ruleset x version \"1.0.0\"\nconst A = = 1\n", "x.vgl", &c), nullptr);
  const char* text = vigil_compiler_diag_render(c);
  EXPECT_NE(std::strstr(text, "x.vgl:2:11: error[E1003]"), nullptr) << text;
  EXPECT_NE(std::strstr(text, "^"), nullptr);
  const std::string first = text;
  vigil_diag_info d{};
  d.struct_size = sizeof d;
  ASSERT_EQ(vigil_compiler_diag_get(c, 0, &d), VIGIL_OK);  // not a call that renders
  EXPECT_EQ(std::string(text), first);
  EXPECT_EQ(std::string(vigil_compiler_diag_render(c)), first);  // the next render: same text
  vigil_compiler_free(c);
}

// ---------------------------------------------------------------- rule sets

// Bytes the allocator holds; 0 when a sanitizer's allocator replaces glibc's
// (then the leak checker is what sees a rule set that is never freed).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kHeapMeasured = false;
size_t HeapInUse() { return 0; }
#else
constexpr bool kHeapMeasured = true;
size_t HeapInUse() { return mallinfo2().uordblks; }
#endif

// A rule set holding a large list (megabytes), so that freeing it shows in
// the heap; a small one where the heap is not measured.
std::string BigRules() {
  std::string text = "ruleset big.list version \"1.0.0\"\nschema s version 1 {\n  id: string\n}\n"
                     "uses schema s\nconst L = {";
  const std::string padding(100, 'p');
  for (int i = 0; i < (kHeapMeasured ? 20000 : 100); ++i) {
    text += (i ? ",\"" : "\"") + std::to_string(i) + padding + "\"";
  }
  return text + "}\nrule r { when id in L then score 1 }\n";
}

TEST(Promise, build_new_ruleset) {
  const std::string text = BigRules();
  size_t before = HeapInUse();
  vigil_ruleset* rs = Build(text);
  ASSERT_NE(rs, nullptr);
  EXPECT_EQ(vigil_ruleset_rule_count(rs), 1u);
  size_t built = HeapInUse();
  vigil_ruleset_release(rs);  // its one reference: freed
  if (before != 0) {
    EXPECT_LT(HeapInUse(), built - (built - before) / 2);
  }
}

TEST(Promise, ruleset_freed_by_last_user) {
  const std::string text = BigRules();
  size_t before = HeapInUse();
  vigil_ruleset* rs = Build(text);
  vigil_session* s = nullptr;
  ASSERT_EQ(vigil_session_new(rs, nullptr, &s), VIGIL_OK);
  size_t held = HeapInUse();
  vigil_ruleset_release(rs);  // the publisher lets go: the session still holds it
  if (before != 0) {
    EXPECT_GT(HeapInUse(), held - (held - before) / 2);
  }
  vigil_session_free(s);  // the last user: freed
  if (before != 0) {
    EXPECT_LT(HeapInUse(), held - (held - before) / 2);
  }
}

TEST(Promise, rebind_releases_old) {
  const std::string text = BigRules();
  size_t before = HeapInUse();
  vigil_ruleset* big = Build(text);
  vigil_ruleset* small = Build(kRules);
  vigil_session* s = nullptr;
  ASSERT_EQ(vigil_session_new(big, nullptr, &s), VIGIL_OK);
  vigil_ruleset_release(big);
  size_t held = HeapInUse();
  ASSERT_EQ(vigil_session_rebind(s, small), VIGIL_OK);  // the session's reference to big goes
  if (before != 0) {
    EXPECT_LT(HeapInUse(), held - (held - before) / 2);
  }
  vigil_session_free(s);
  vigil_ruleset_release(small);
}

TEST(Promise, session_keeps_ruleset) {
  vigil_ruleset* rs = Build(kRules);
  vigil_session* s = nullptr;
  vigil_event* e = nullptr;
  vigil_result* r = nullptr;
  ASSERT_EQ(vigil_session_new(rs, nullptr, &s), VIGIL_OK);
  ASSERT_EQ(vigil_event_new(rs, &e), VIGIL_OK);
  ASSERT_EQ(vigil_result_new(&r), VIGIL_OK);
  vigil_ruleset_release(rs);
  ASSERT_EQ(vigil_event_set_json(e, "{\"amount\":50}", 13), VIGIL_OK);
  ASSERT_EQ(vigil_session_eval(s, e, r), VIGIL_OK);
  vigil_fired_info f{};
  f.struct_size = sizeof f;
  ASSERT_EQ(vigil_result_fired_get(r, 0, &f), VIGIL_OK);
  EXPECT_STREQ(f.qualified_id, "p.test/big");
  vigil_event_free(e);
  vigil_result_free(r);
  vigil_session_free(s);
}

TEST(Promise, event_keeps_ruleset) {
  vigil_ruleset* rs = Build(kRules);
  vigil_event* e = nullptr;
  ASSERT_EQ(vigil_event_new(rs, &e), VIGIL_OK);
  vigil_session* s = nullptr;
  ASSERT_EQ(vigil_session_new(rs, nullptr, &s), VIGIL_OK);
  vigil_ruleset_release(rs);
  vigil_session_free(s);  // only the event holds the rule set now
  EXPECT_EQ(vigil_event_set_int(e, 3, 1), VIGIL_ERR_TYPE);
  EXPECT_STREQ(vigil_event_errmsg(e), "field 'amount' is decimal, not int");
  EXPECT_EQ(vigil_event_set_json(e, "{\"amount\":5}", 12), VIGIL_OK);
  vigil_event_free(e);
}

TEST(Promise, ruleset_refcount) {
  vigil_ruleset* rs = Build(kRules);
  EXPECT_EQ(vigil_ruleset_retain(rs), rs);
  vigil_ruleset_release(rs);  // one reference left
  EXPECT_STREQ(vigil_ruleset_name(rs), "p.test");
  vigil_ruleset_release(rs);  // zero: freed (the leak checker sees nothing left)
}

TEST(Promise, ruleset_refcount_threads) {
  vigil_ruleset* rs = Build(kRules);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([rs] {
      for (int i = 0; i < 20000; ++i) {
        vigil_ruleset* again = vigil_ruleset_retain(rs);
        vigil_ruleset_release(again);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_STREQ(vigil_ruleset_name(rs), "p.test");  // still exactly one reference
  vigil_ruleset_release(rs);
}

TEST(Promise, ruleset_strings_lifetime) {
  Host h;
  const char* name = vigil_ruleset_name(h.rs);
  const char* version = vigil_ruleset_version(h.rs);
  const char* digest = vigil_ruleset_digest(h.rs);
  vigil_rule_info ri{};
  ri.struct_size = sizeof ri;
  ASSERT_EQ(vigil_ruleset_rule_get(h.rs, 0, &ri), VIGIL_OK);
  for (int i = 0; i < 100; ++i) h.Eval(R"({"amount":50})");
  EXPECT_STREQ(name, "p.test");
  EXPECT_STREQ(version, "1.4.0");
  EXPECT_EQ(std::strlen(digest), 64u);
  EXPECT_STREQ(ri.qualified_id, "p.test/big");
  EXPECT_STREQ(ri.title, "big");
}

TEST(Promise, rule_title_empty) {
  Host h;
  vigil_rule_info ri{};
  ri.struct_size = sizeof ri;
  ASSERT_EQ(vigil_ruleset_rule_get(h.rs, 2, &ri), VIGIL_OK);
  EXPECT_STREQ(ri.id, "watched");
  EXPECT_STREQ(ri.title, "");
}

TEST(Promise, rule_tag_null) {
  Host h;
  EXPECT_STREQ(vigil_ruleset_rule_tag(h.rs, 0, 0), "t:big");
  EXPECT_EQ(vigil_ruleset_rule_tag(h.rs, 0, 1), nullptr);
  EXPECT_EQ(vigil_ruleset_rule_tag(h.rs, 99, 0), nullptr);
}

TEST(Promise, field_slot) {
  Host h;
  int32_t slot = vigil_ruleset_field_slot(h.rs, "amount", 6);
  ASSERT_GE(slot, 0);
  vigil_field_info f{};
  f.struct_size = sizeof f;
  ASSERT_EQ(vigil_ruleset_field_get(h.rs, static_cast<size_t>(slot), &f), VIGIL_OK);
  EXPECT_STREQ(f.name, "amount");
  EXPECT_EQ(vigil_ruleset_field_slot(h.rs, "nope", 4), -1);
  EXPECT_EQ(vigil_ruleset_field_slot(nullptr, "amount", 6), -1);
}

// ---------------------------------------------------------------- external lists

TEST(Promise, list_unknown_until_supplied) {
  Host h;
  ASSERT_EQ(h.Eval(R"({"id":"e1"})"), VIGIL_OK);
  EXPECT_EQ(h.Reason("watched"), "-");      // `in` is unknown...
  EXPECT_EQ(h.Reason("not_watched"), "-");  // ...and so is `not in`
  const char* v = "e1";
  size_t len = 2;
  ASSERT_EQ(vigil_ruleset_set_list(h.rs, "WATCH", 5, &v, &len, 1), VIGIL_OK);
  ASSERT_EQ(vigil_session_eval(h.s, h.e, h.r), VIGIL_OK);
  EXPECT_EQ(h.Reason("watched"), "");
}

TEST(Promise, set_list_bad_value) {
  const char* text = "ruleset n version \"1.0.0\"\nschema s version 1 {\n  x: int\n}\nuses schema s\n"
                     "list NUMS: set<int> external\nrule r { when x in NUMS then score 1 }\n";
  Host h(text);
  const char* good[] = {"1", "2"};
  size_t good_lens[] = {1, 1};
  ASSERT_EQ(vigil_ruleset_set_list(h.rs, "NUMS", 4, good, good_lens, 2), VIGIL_OK);
  const char* bad[] = {"3", "four"};
  size_t bad_lens[] = {1, 4};
  EXPECT_EQ(vigil_ruleset_set_list(h.rs, "NUMS", 4, bad, bad_lens, 2), VIGIL_ERR_INVALID_ARG);
  ASSERT_EQ(h.Eval(R"({"x":2})"), VIGIL_OK);
  EXPECT_EQ(vigil_result_fired_count(h.r), 1u);  // the old list
  ASSERT_EQ(h.Eval(R"({"x":3})"), VIGIL_OK);
  EXPECT_EQ(vigil_result_fired_count(h.r), 0u);  // nothing of the bad call
}

TEST(Promise, set_list_unknown) {
  Host h;
  const char* v = "x";
  size_t len = 1;
  EXPECT_EQ(vigil_ruleset_set_list(h.rs, "NOPE", 4, &v, &len, 1), VIGIL_ERR_RANGE);
  EXPECT_NE(std::strstr(vigil_ruleset_errmsg(), "NOPE"), nullptr);
}

TEST(Promise, recompiled_list_empty) {
  vigil_ruleset* first = Build(kRules);
  const char* v = "e1";
  size_t len = 2;
  ASSERT_EQ(vigil_ruleset_set_list(first, "WATCH", 5, &v, &len, 1), VIGIL_OK);
  vigil_ruleset_release(first);
  Host h;  // the same source compiled again
  ASSERT_EQ(h.Eval(R"({"id":"e1"})"), VIGIL_OK);
  EXPECT_EQ(h.Reason("watched"), "-");
}

TEST(Promise, set_list_atomic) {
  // Every event sees the whole old list or the whole new one, {a,b} or {c,d},
  // in all of its rules: "a" is watched or not watched, never both or neither.
  Host h;
  const char* first[] = {"a", "b"};
  const char* second[] = {"c", "d"};
  size_t lens[] = {1, 1};
  ASSERT_EQ(vigil_ruleset_set_list(h.rs, "WATCH", 5, first, lens, 2), VIGIL_OK);
  std::atomic<bool> done{false};
  std::atomic<int> mixed{0};
  std::thread evaluator([&] {
    vigil_session* s = nullptr;
    vigil_event* a = nullptr;
    vigil_result* r = nullptr;
    vigil_session_new(h.rs, nullptr, &s);
    vigil_event_new(h.rs, &a);
    vigil_result_new(&r);
    vigil_event_set_json(a, "{\"id\":\"a\"}", 10);
    while (!done.load()) {
      // Either list decides "a": exactly one of watched / not_watched fires.
      vigil_session_eval(s, a, r);
      if (vigil_result_fired_count(r) != 1) mixed.fetch_add(1);
    }
    vigil_result_free(r);
    vigil_event_free(a);
    vigil_session_free(s);
  });
  for (int i = 0; i < 2000; ++i) {
    ASSERT_EQ(vigil_ruleset_set_list(h.rs, "WATCH", 5, i % 2 ? first : second, lens, 2), VIGIL_OK);
  }
  done = true;
  evaluator.join();
  EXPECT_EQ(mixed.load(), 0);
}

TEST(Promise, ruleset_errmsg_thread) {
  Host h;
  const char* v = "x";
  size_t len = 1;
  EXPECT_EQ(vigil_ruleset_set_list(h.rs, "NOPE", 4, &v, &len, 1), VIGIL_ERR_RANGE);
  std::string other_thread;
  std::thread([&] { other_thread = vigil_ruleset_errmsg(); }).join();
  EXPECT_EQ(other_thread, "");  // that thread made no failed call
  EXPECT_NE(std::strstr(vigil_ruleset_errmsg(), "NOPE"), nullptr);
}

// ---------------------------------------------------------------- events

TEST(Promise, event_reset) {
  Host h;
  ASSERT_EQ(vigil_event_set_decimal(h.e, h.Slot("amount"), "50", 2), VIGIL_OK);
  ASSERT_EQ(vigil_event_reset(h.e), VIGIL_OK);
  ASSERT_EQ(vigil_session_eval(h.s, h.e, h.r), VIGIL_OK);
  EXPECT_EQ(h.Reason("big"), "-");  // amount is missing again
}

TEST(Promise, decimal_text) {
  Host h;
  ASSERT_EQ(vigil_event_set_decimal(h.e, h.Slot("amount"), "20.10", 5), VIGIL_OK);
  ASSERT_EQ(vigil_session_eval(h.s, h.e, h.r), VIGIL_OK);
  EXPECT_EQ(h.Reason("big"), "20.10 by ****");
  EXPECT_EQ(vigil_event_set_decimal(h.e, h.Slot("amount"), "0.1234567", 9), VIGIL_ERR_INVALID_ARG);
}

TEST(Promise, decimal_units) {
  Host h;
  ASSERT_EQ(vigil_event_set_decimal_units(h.e, h.Slot("amount"), 20100000, 2), VIGIL_OK);
  ASSERT_EQ(vigil_session_eval(h.s, h.e, h.r), VIGIL_OK);
  EXPECT_EQ(h.Reason("big"), "20.10 by ****");
  EXPECT_EQ(vigil_event_set_decimal_units(h.e, h.Slot("amount"), 1, 7), VIGIL_ERR_INVALID_ARG);
}

TEST(Promise, float_finite) {
  Host h;
  EXPECT_EQ(vigil_event_set_float(h.e, h.Slot("rate"), NAN), VIGIL_ERR_INVALID_ARG);
  EXPECT_EQ(vigil_event_set_float(h.e, h.Slot("rate"), -INFINITY), VIGIL_ERR_INVALID_ARG);
  EXPECT_EQ(vigil_event_set_float(h.e, h.Slot("rate"), 1e308), VIGIL_OK);
}

TEST(Promise, set_json_resets) {
  Host h;
  ASSERT_EQ(vigil_event_set_decimal(h.e, h.Slot("amount"), "50", 2), VIGIL_OK);
  ASSERT_EQ(h.Json(R"({"id":"x"})"), VIGIL_OK);
  ASSERT_EQ(vigil_session_eval(h.s, h.e, h.r), VIGIL_OK);
  EXPECT_EQ(h.Reason("big"), "-");  // amount, set before, is gone
  // A failed call resets too: nothing of an earlier event is evaluated.
  ASSERT_EQ(h.Json(R"({"amount":50})"), VIGIL_OK);
  EXPECT_EQ(h.Json(R"({"amount":"x"})"), VIGIL_ERR_INVALID_ARG);
  ASSERT_EQ(vigil_session_eval(h.s, h.e, h.r), VIGIL_OK);
  EXPECT_EQ(h.Reason("big"), "-");
}

TEST(Promise, set_json_null_missing) {
  Host h;
  ASSERT_EQ(h.Eval(R"({"amount":null,"card":"c","unknown_member":[1,{"a":2}]})"), VIGIL_OK);
  EXPECT_EQ(h.Reason("big"), "-");
}

TEST(Promise, set_json_names_field) {
  Host h;
  EXPECT_EQ(h.Json(R"({"id":"x","rate":"fast"})"), VIGIL_ERR_INVALID_ARG);
  EXPECT_NE(std::strstr(vigil_event_errmsg(h.e), "field 'rate'"), nullptr) << vigil_event_errmsg(h.e);
}

// ---------------------------------------------------------------- evaluation

TEST(Promise, allow_pii) {
  vigil_session_options o = VIGIL_SESSION_OPTIONS_INIT;
  o.flags = VIGIL_SESSION_ALLOW_PII;
  Host shown(kRules, &o), masked;
  ASSERT_EQ(shown.Eval(R"({"amount":50,"card":"4111"})"), VIGIL_OK);
  ASSERT_EQ(masked.Eval(R"({"amount":50,"card":"4111"})"), VIGIL_OK);
  EXPECT_EQ(shown.Reason("big"), "50 by 4111");
  EXPECT_EQ(masked.Reason("big"), "50 by ****");
}

TEST(Promise, batch_failed_index) {
  Host h;
  vigil_event* good = h.e;
  vigil_result* r2 = nullptr;
  ASSERT_EQ(vigil_result_new(&r2), VIGIL_OK);
  const vigil_event* events[] = {good, nullptr, good};
  vigil_result* results[] = {h.r, r2, h.r};
  size_t failed = 99;
  EXPECT_EQ(vigil_session_eval_batch(h.s, events, results, 3, &failed), VIGIL_ERR_MISUSE);
  EXPECT_EQ(failed, 1u);
  EXPECT_STREQ(vigil_result_decision(h.r), "allow");  // the first was evaluated
  EXPECT_EQ(vigil_result_decision(r2), nullptr);      // the failed one was not
  const vigil_event* ok[] = {good, good};
  EXPECT_EQ(vigil_session_eval_batch(h.s, ok, results, 2, nullptr), VIGIL_OK);  // may be NULL
  vigil_result_free(r2);
}

TEST(Promise, explain_borrowed) {
  Host h;
  ASSERT_EQ(h.Json(R"({"amount":50})"), VIGIL_OK);
  const char* json = nullptr;
  size_t len = 0;
  ASSERT_EQ(vigil_session_explain(h.s, h.e, h.r, &json, &len), VIGIL_OK);
  vigil_result* other = nullptr;
  ASSERT_EQ(vigil_result_new(&other), VIGIL_OK);
  ASSERT_EQ(vigil_session_eval(h.s, h.e, other), VIGIL_OK);  // another result: json stays
  EXPECT_EQ(std::strlen(json), len);
  EXPECT_NE(std::strstr(json, "\"format\":\"vigil.explain/2\""), nullptr);
  EXPECT_NE(std::strstr(json, "\"field\":\"amount\",\"value\":\"50\""), nullptr) << json;
  vigil_result_free(other);
}

const char kVelocity[] = R"(ruleset v version "1.0.0"
schema s version 1 {
  ts: time
  card: string @key
}
uses schema s
rule burst {
  when count(by: card, within: 1h) >= 1
  then score 1 reason "{count(by: card, within: 1h)}"
}
)";

TEST(Promise, no_record) {
  Host h(kVelocity);
  ASSERT_EQ(h.Json(R"({"ts":"2026-01-01T00:00:00Z","card":"c"})"), VIGIL_OK);
  ASSERT_EQ(vigil_session_eval_ex(h.s, h.e, h.r, VIGIL_EVAL_NO_RECORD), VIGIL_OK);
  EXPECT_EQ(h.Reason("burst"), "1");  // counted
  ASSERT_EQ(vigil_session_eval_ex(h.s, h.e, h.r, VIGIL_EVAL_NO_RECORD), VIGIL_OK);
  EXPECT_EQ(h.Reason("burst"), "1");  // but not kept
}

TEST(Promise, record) {
  Host h(kVelocity);
  ASSERT_EQ(h.Json(R"({"ts":"2026-01-01T00:00:00Z","card":"c"})"), VIGIL_OK);
  int32_t late = 9;
  ASSERT_EQ(vigil_session_record(h.s, h.e, &late), VIGIL_OK);
  EXPECT_EQ(vigil_result_decision(h.r), nullptr);  // nothing evaluated
  ASSERT_EQ(vigil_session_eval(h.s, h.e, h.r), VIGIL_OK);
  EXPECT_EQ(h.Reason("burst"), "2");
}

TEST(Promise, record_late) {
  vigil_state_options o = VIGIL_STATE_OPTIONS_INIT;
  o.lateness_us = 0;
  vigil_state* st = nullptr;
  ASSERT_EQ(vigil_state_new(&o, &st), VIGIL_OK);
  Host h(kVelocity);
  ASSERT_EQ(vigil_session_set_state(h.s, st), VIGIL_OK);
  int32_t late = 9;
  ASSERT_EQ(h.Json(R"({"ts":"2026-01-01T01:00:00Z","card":"c"})"), VIGIL_OK);
  ASSERT_EQ(vigil_session_record(h.s, h.e, &late), VIGIL_OK);
  EXPECT_EQ(late, 0);
  ASSERT_EQ(h.Json(R"({"ts":"2026-01-01T00:00:00Z","card":"c"})"), VIGIL_OK);
  ASSERT_EQ(vigil_session_record(h.s, h.e, &late), VIGIL_OK);
  EXPECT_EQ(late, 1);
  EXPECT_EQ(vigil_session_record(h.s, h.e, nullptr), VIGIL_OK);  // may be NULL
  vigil_state_release(st);
}

// ---------------------------------------------------------------- state

TEST(Promise, private_state) {
  Host a(kVelocity), b(kVelocity);
  ASSERT_EQ(a.Eval(R"({"ts":"2026-01-01T00:00:00Z","card":"c"})"), VIGIL_OK);
  ASSERT_EQ(b.Eval(R"({"ts":"2026-01-01T00:01:00Z","card":"c"})"), VIGIL_OK);
  EXPECT_EQ(b.Reason("burst"), "1");
}

TEST(Promise, set_state) {
  Host a(kVelocity);
  vigil_session* b = nullptr;
  ASSERT_EQ(vigil_session_new(a.rs, nullptr, &b), VIGIL_OK);
  vigil_state* st = nullptr;
  ASSERT_EQ(vigil_state_new(nullptr, &st), VIGIL_OK);
  ASSERT_EQ(vigil_session_set_state(a.s, st), VIGIL_OK);
  ASSERT_EQ(vigil_session_set_state(b, st), VIGIL_OK);
  vigil_state_release(st);  // the sessions keep it
  ASSERT_EQ(a.Eval(R"({"ts":"2026-01-01T00:00:00Z","card":"c"})"), VIGIL_OK);
  ASSERT_EQ(vigil_session_eval(b, a.e, a.r), VIGIL_OK);
  EXPECT_EQ(a.Reason("burst"), "2");
  vigil_session_free(b);
}

TEST(Promise, state_kept_by_sessions) {
  Host h(kVelocity);
  vigil_state* st = nullptr;
  ASSERT_EQ(vigil_state_new(nullptr, &st), VIGIL_OK);
  ASSERT_EQ(vigil_session_set_state(h.s, st), VIGIL_OK);
  ASSERT_EQ(h.Eval(R"({"ts":"2026-01-01T00:00:00Z","card":"c"})"), VIGIL_OK);
  vigil_state_release(st);
  ASSERT_EQ(h.Eval(R"({"ts":"2026-01-01T00:01:00Z","card":"c"})"), VIGIL_OK);
  EXPECT_EQ(h.Reason("burst"), "2");
}

TEST(Promise, get_state_new_ref) {
  Host h(kVelocity);
  ASSERT_EQ(h.Eval(R"({"ts":"2026-01-01T00:00:00Z","card":"c"})"), VIGIL_OK);
  vigil_state* st = nullptr;
  ASSERT_EQ(vigil_session_get_state(h.s, &st), VIGIL_OK);
  ASSERT_NE(st, nullptr);
  vigil_state_stats stats{};
  stats.struct_size = sizeof stats;
  ASSERT_EQ(vigil_state_get_stats(st, &stats), VIGIL_OK);
  EXPECT_EQ(stats.entries, 1u);
  vigil_state_release(st);  // the session's state lives on
  ASSERT_EQ(h.Eval(R"({"ts":"2026-01-01T00:01:00Z","card":"c"})"), VIGIL_OK);
  EXPECT_EQ(h.Reason("burst"), "2");
}

TEST(Promise, get_state_null) {
  Host h("ruleset n version \"1.0.0\"\nschema s version 1 {\n  a: int\n}\nuses schema s\n"
         "rule r { when a > 1 then score 1 }\n");
  vigil_state* st = reinterpret_cast<vigil_state*>(0x1);
  ASSERT_EQ(vigil_session_get_state(h.s, &st), VIGIL_OK);
  EXPECT_EQ(st, nullptr);
}

TEST(Promise, shared_state_serial) {
  Host h(kVelocity);
  vigil_state* st = nullptr;
  ASSERT_EQ(vigil_session_get_state(h.s, &st), VIGIL_OK);
  constexpr int kThreads = 4, kEvents = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      vigil_session* s = nullptr;
      vigil_event* e = nullptr;
      vigil_result* r = nullptr;
      vigil_session_new(h.rs, nullptr, &s);
      vigil_session_set_state(s, st);
      vigil_event_new(h.rs, &e);
      vigil_result_new(&r);
      for (int i = 0; i < kEvents; ++i) {
        std::string json = "{\"ts\":" + std::to_string(1767225600000000LL + t * kEvents + i) +
                           ",\"card\":\"c" + std::to_string(i % 3) + "\"}";
        vigil_event_set_json(e, json.data(), json.size());
        vigil_session_eval(s, e, r);
      }
      vigil_result_free(r);
      vigil_event_free(e);
      vigil_session_free(s);
    });
  }
  for (auto& t : threads) t.join();
  vigil_state_stats stats{};
  stats.struct_size = sizeof stats;
  ASSERT_EQ(vigil_state_get_stats(st, &stats), VIGIL_OK);
  EXPECT_EQ(stats.entries + stats.late_events, static_cast<uint64_t>(kThreads * kEvents));
  EXPECT_EQ(stats.keys, 3u);
  vigil_state_release(st);
}

TEST(Promise, rebind_keeps_state) {
  Host h(kVelocity);
  ASSERT_EQ(h.Eval(R"({"ts":"2026-01-01T00:00:00Z","card":"c"})"), VIGIL_OK);
  vigil_ruleset* next = Build(std::string(kVelocity) + "rule extra { when card == \"x\" then score 9 }\n");
  ASSERT_EQ(vigil_session_rebind(h.s, next), VIGIL_OK);
  vigil_event* e = nullptr;
  ASSERT_EQ(vigil_event_new(next, &e), VIGIL_OK);
  const char* json = R"({"ts":"2026-01-01T00:01:00Z","card":"c"})";
  ASSERT_EQ(vigil_event_set_json(e, json, std::strlen(json)), VIGIL_OK);
  ASSERT_EQ(vigil_session_eval(h.s, e, h.r), VIGIL_OK);
  EXPECT_EQ(h.Reason("burst"), "2");
  vigil_event_free(e);
  vigil_ruleset_release(next);
}

TEST(Promise, reload_matches_definitions) {
  Host h(kVelocity);
  ASSERT_EQ(h.Eval(R"({"ts":"2026-01-01T00:00:00Z","card":"c"})"), VIGIL_OK);
  // The same count over another window is another aggregate: it starts empty.
  std::string changed = kVelocity;
  for (size_t at; (at = changed.find("within: 1h")) != std::string::npos;) changed.replace(at, 10, "within: 2h");
  vigil_ruleset* next = Build(changed);
  ASSERT_EQ(vigil_session_rebind(h.s, next), VIGIL_OK);
  vigil_event* e = nullptr;
  ASSERT_EQ(vigil_event_new(next, &e), VIGIL_OK);
  const char* json = R"({"ts":"2026-01-01T00:01:00Z","card":"c"})";
  ASSERT_EQ(vigil_event_set_json(e, json, std::strlen(json)), VIGIL_OK);
  ASSERT_EQ(vigil_session_eval(h.s, e, h.r), VIGIL_OK);
  EXPECT_EQ(h.Reason("burst"), "1");
  // Back to the first definition: its history was kept or dropped, never mixed
  // with the other window's events.
  vigil_event_free(e);
  vigil_ruleset_release(next);
}

TEST(Promise, lateness) {
  vigil_state_options o = VIGIL_STATE_OPTIONS_INIT;
  o.lateness_us = 1000000;  // 1 s
  vigil_state* st = nullptr;
  ASSERT_EQ(vigil_state_new(&o, &st), VIGIL_OK);
  Host h(kVelocity);
  ASSERT_EQ(vigil_session_set_state(h.s, st), VIGIL_OK);
  ASSERT_EQ(h.Eval(R"({"ts":"2026-01-01T00:00:10Z","card":"c"})"), VIGIL_OK);
  ASSERT_EQ(h.Eval(R"({"ts":"2026-01-01T00:00:09.500Z","card":"c"})"), VIGIL_OK);
  EXPECT_EQ(vigil_result_late(h.r), 0);
  ASSERT_EQ(h.Eval(R"({"ts":"2026-01-01T00:00:08Z","card":"c"})"), VIGIL_OK);
  EXPECT_EQ(vigil_result_late(h.r), 1);
  vigil_state_release(st);
}

TEST(Promise, result_late) {
  vigil_state_options o = VIGIL_STATE_OPTIONS_INIT;
  o.lateness_us = 0;
  vigil_state* st = nullptr;
  ASSERT_EQ(vigil_state_new(&o, &st), VIGIL_OK);
  Host h(kVelocity);
  ASSERT_EQ(vigil_session_set_state(h.s, st), VIGIL_OK);
  ASSERT_EQ(h.Eval(R"({"ts":"2026-01-01T00:00:00Z","card":"c"})"), VIGIL_OK);
  ASSERT_EQ(h.Eval(R"({"ts":"2026-01-01T00:10:00Z","card":"c"})"), VIGIL_OK);
  EXPECT_EQ(vigil_result_late(h.r), 0);
  ASSERT_EQ(h.Eval(R"({"ts":"2026-01-01T00:05:00Z","card":"c"})"), VIGIL_OK);
  EXPECT_EQ(vigil_result_late(h.r), 1);
  EXPECT_EQ(h.Reason("burst"), "2");  // over the state there was (00:00), plus itself
  vigil_state_release(st);
}

TEST(Promise, stats) {
  Host h(kVelocity);
  ASSERT_EQ(h.Eval(R"({"ts":"2026-01-01T00:00:00Z","card":"a"})"), VIGIL_OK);
  ASSERT_EQ(h.Eval(R"({"ts":"2026-01-01T00:00:01Z","card":"b"})"), VIGIL_OK);
  vigil_state* st = nullptr;
  ASSERT_EQ(vigil_session_get_state(h.s, &st), VIGIL_OK);
  vigil_state_stats stats;
  std::memset(&stats, 0xff, sizeof stats);
  stats.struct_size = sizeof stats;
  ASSERT_EQ(vigil_state_get_stats(st, &stats), VIGIL_OK);
  EXPECT_EQ(stats.keys, 2u);
  EXPECT_EQ(stats.entries, 2u);
  EXPECT_GT(stats.bytes, 0u);
  EXPECT_EQ(stats.late_events, 0u);
  EXPECT_EQ(stats.dropped_keys, 0u);
  vigil_state_release(st);
}

// ---------------------------------------------------------------- snapshots

TEST(Promise, save_atomic) {
  // Killing a save at any point: tests/state/kill_test.py. Here: what is at
  // PATH.tmp beforehand is never written through.
  Host h(kVelocity);
  ASSERT_EQ(h.Eval(R"({"ts":"2026-01-01T00:00:00Z","card":"c"})"), VIGIL_OK);
  vigil_state* st = nullptr;
  ASSERT_EQ(vigil_session_get_state(h.s, &st), VIGIL_OK);
  const std::string path = TempPath("atomic.snap"), victim = TempPath("victim.txt");
  std::ofstream(victim) << "untouched";
  std::remove((path + ".tmp").c_str());
  ASSERT_EQ(::symlink(victim.c_str(), (path + ".tmp").c_str()), 0);
  ASSERT_EQ(vigil_state_save(st, path.c_str()), VIGIL_OK) << vigil_state_errmsg();
  std::ifstream in(victim);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "untouched");
  EXPECT_NE(::access((path + ".tmp").c_str(), F_OK), 0);
  ASSERT_EQ(vigil_state_load(st, path.c_str()), VIGIL_OK);
  vigil_state_release(st);
  std::remove(path.c_str());
  std::remove(victim.c_str());
}

TEST(Promise, load_all_or_nothing) {
  Host h(kVelocity);
  ASSERT_EQ(h.Eval(R"({"ts":"2026-01-01T00:00:00Z","card":"c"})"), VIGIL_OK);
  vigil_state* st = nullptr;
  ASSERT_EQ(vigil_session_get_state(h.s, &st), VIGIL_OK);
  const std::string path = TempPath("damaged.snap");
  ASSERT_EQ(vigil_state_save(st, path.c_str()), VIGIL_OK);
  // The snapshot with one more event, then its last byte changed.
  ASSERT_EQ(h.Eval(R"({"ts":"2026-01-01T00:01:00Z","card":"c"})"), VIGIL_OK);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  bytes.back() ^= 1;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  EXPECT_EQ(vigil_state_load(st, path.c_str()), VIGIL_ERR_IO);
  ASSERT_EQ(h.Eval(R"({"ts":"2026-01-01T00:02:00Z","card":"c"})"), VIGIL_OK);
  EXPECT_EQ(h.Reason("burst"), "3");  // the state is as it was
  vigil_state_release(st);
  std::remove(path.c_str());
}

TEST(Promise, snapshot_while_evaluating) {
  Host h(kVelocity);
  vigil_state* st = nullptr;
  ASSERT_EQ(vigil_session_get_state(h.s, &st), VIGIL_OK);
  const std::string path = TempPath("busy.snap");
  std::atomic<bool> done{false};
  std::thread evaluator([&] {
    vigil_session* s = nullptr;
    vigil_event* e = nullptr;
    vigil_result* r = nullptr;
    vigil_session_new(h.rs, nullptr, &s);
    vigil_session_set_state(s, st);
    vigil_event_new(h.rs, &e);
    vigil_result_new(&r);
    for (int64_t i = 0; !done.load(); ++i) {
      std::string json = "{\"ts\":" + std::to_string(1767225600000000LL + i) + ",\"card\":\"c" +
                         std::to_string(i % 50) + "\"}";
      vigil_event_set_json(e, json.data(), json.size());
      vigil_session_eval(s, e, r);
    }
    vigil_result_free(r);
    vigil_event_free(e);
    vigil_session_free(s);
  });
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(vigil_state_save(st, path.c_str()), VIGIL_OK) << vigil_state_errmsg();
    EXPECT_EQ(vigil_state_load(st, path.c_str()), VIGIL_OK) << vigil_state_errmsg();
  }
  done = true;
  evaluator.join();
  vigil_state_release(st);
  std::remove(path.c_str());
}

TEST(Promise, state_errmsg_thread) {
  vigil_state* st = nullptr;
  ASSERT_EQ(vigil_state_new(nullptr, &st), VIGIL_OK);
  EXPECT_EQ(vigil_state_load(st, "/nonexistent/one.snap"), VIGIL_ERR_IO);
  std::string there;
  std::thread([&] {
    EXPECT_EQ(vigil_state_load(st, "/nonexistent/two.snap"), VIGIL_ERR_IO);
    there = vigil_state_errmsg();
  }).join();
  EXPECT_NE(there.find("two.snap"), std::string::npos);
  EXPECT_NE(std::string(vigil_state_errmsg()).find("one.snap"), std::string::npos);
  vigil_state_release(st);
}

// ---------------------------------------------------------------- external backends

// An in-memory backend that follows vigil.h's four steps.
struct MemoryBackend {
  std::mutex mu;
  std::map<std::string, std::vector<std::pair<int64_t, std::string>>> keys;
  static vigil_status Apply(void* user, const vigil_backend_request* req, vigil_backend_reply* reply) {
    auto* self = static_cast<MemoryBackend*>(user);
    std::lock_guard<std::mutex> lock(self->mu);
    auto& entries = self->keys[std::string(req->group) + "/" +
                               std::string(static_cast<const char*>(req->key), req->key_len)];
    int64_t latest = INT64_MIN;
    for (const auto& en : entries) latest = std::max(latest, en.first);
    bool late = latest != INT64_MIN && req->ts_us < latest - req->lateness_us;
    if (req->record && !late) {
      entries.emplace_back(req->ts_us, std::string(static_cast<const char*>(req->entry), req->entry_len));
      std::stable_sort(entries.begin(), entries.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
    }
    int64_t horizon = std::max(latest, req->ts_us) - req->keep_us;
    std::erase_if(entries, [&](const auto& en) { return en.first <= horizon; });
    for (const auto& en : entries) {
      if (en.first > req->from_us) {
        // A copy on the stack, overwritten once handed over.
        std::string copy = en.second;
        vigil_backend_reply_add(reply, en.first, copy.data(), copy.size());
        std::fill(copy.begin(), copy.end(), '\xAA');
      }
    }
    if (late) vigil_backend_reply_set_late(reply, 1);
    return VIGIL_OK;
  }
};

const char kManyAggregates[] = R"(ruleset m version "1.0.0"
schema s version 1 {
  ts: time
  card: string @key
  amount: decimal
  merchant: string
}
uses schema s
rule r {
  when count(by: card, within: 1h) >= 1
  then score 1 reason "{count(by: card, within: 1h)} {sum(amount, by: card, within: 1h)} {distinct(merchant, by: card, within: 1d)} {max(amount, by: card, within: 30m)}"
}
)";

std::vector<std::string> Reasons(vigil_state* state) {
  Host h(kManyAggregates);
  if (state != nullptr) {
    EXPECT_EQ(vigil_session_set_state(h.s, state), VIGIL_OK);
  }
  std::vector<std::string> out;
  const int64_t minutes[] = {0, 5, 3, 40, 90, 91, 200, 1500, 1499, 1600};
  for (int i = 0; i < 10; ++i) {
    std::string json = "{\"ts\":" + std::to_string(1767225600000000LL + minutes[i] * 60000000LL) +
                       ",\"card\":\"c" + std::to_string(i % 2) + "\",\"amount\":" +
                       std::to_string(i * 3 + 1) + ".5,\"merchant\":\"m" + std::to_string(i % 3) + "\"}";
    EXPECT_EQ(h.Eval(json.c_str()), VIGIL_OK);
    out.push_back(h.Reason("r") + (vigil_result_late(h.r) ? " late" : ""));
  }
  return out;
}

TEST(Promise, backend_agrees_with_embedded) {
  MemoryBackend memory;
  vigil_backend b{sizeof(vigil_backend), 0, &MemoryBackend::Apply, &memory};
  vigil_state* st = nullptr;
  ASSERT_EQ(vigil_state_new_external(&b, 0, &st), VIGIL_OK);
  vigil_state_options o = VIGIL_STATE_OPTIONS_INIT;
  o.lateness_us = 0;
  vigil_state* embedded = nullptr;
  ASSERT_EQ(vigil_state_new(&o, &embedded), VIGIL_OK);
  EXPECT_EQ(Reasons(st), Reasons(embedded));
  vigil_state_release(st);
  vigil_state_release(embedded);
}

TEST(Promise, reply_add_copies) {
  // MemoryBackend hands over a copy it overwrites at once; the windows are right.
  MemoryBackend memory;
  vigil_backend b{sizeof(vigil_backend), 0, &MemoryBackend::Apply, &memory};
  vigil_state* st = nullptr;
  ASSERT_EQ(vigil_state_new_external(&b, -1, &st), VIGIL_OK);
  Host h(kManyAggregates);
  ASSERT_EQ(vigil_session_set_state(h.s, st), VIGIL_OK);
  ASSERT_EQ(h.Eval(R"({"ts":"2026-01-01T00:00:00Z","card":"c","amount":2.5,"merchant":"a"})"), VIGIL_OK);
  ASSERT_EQ(h.Eval(R"({"ts":"2026-01-01T00:01:00Z","card":"c","amount":4.5,"merchant":"b"})"), VIGIL_OK);
  EXPECT_EQ(h.Reason("r"), "2 7.0 2 4.5");
  vigil_state_release(st);
}

vigil_status Failing(void*, const vigil_backend_request*, vigil_backend_reply* reply) {
  vigil_backend_reply_set_error(reply, "store unreachable");
  return VIGIL_ERR_STATE;
}

TEST(Promise, backend_fail_closed) {
  vigil_backend b{sizeof(vigil_backend), VIGIL_BACKEND_FAIL_CLOSED, &Failing, nullptr};
  vigil_state* st = nullptr;
  ASSERT_EQ(vigil_state_new_external(&b, -1, &st), VIGIL_OK);
  Host h(kVelocity);
  ASSERT_EQ(vigil_session_set_state(h.s, st), VIGIL_OK);
  EXPECT_EQ(h.Eval(R"({"ts":"2026-01-01T00:00:00Z","card":"c"})"), VIGIL_ERR_STATE);
  EXPECT_NE(std::strstr(vigil_session_errmsg(h.s), "store unreachable"), nullptr);
  vigil_state_release(st);
}

TEST(Promise, backend_fail_open) {
  vigil_backend b{sizeof(vigil_backend), 0, &Failing, nullptr};
  vigil_state* st = nullptr;
  ASSERT_EQ(vigil_state_new_external(&b, -1, &st), VIGIL_OK);
  Host h(kVelocity);
  ASSERT_EQ(vigil_session_set_state(h.s, st), VIGIL_OK);
  ASSERT_EQ(h.Eval(R"({"ts":"2026-01-01T00:00:00Z","card":"c"})"), VIGIL_OK);
  EXPECT_EQ(vigil_result_state_error(h.r), 1);
  EXPECT_EQ(h.Reason("burst"), "-");  // its aggregate is missing: the rule does not fire
  vigil_state_release(st);
}

TEST(Promise, backend_copied) {
  MemoryBackend memory;
  auto* b = new vigil_backend{sizeof(vigil_backend), 0, &MemoryBackend::Apply, &memory};
  vigil_state* st = nullptr;
  ASSERT_EQ(vigil_state_new_external(b, -1, &st), VIGIL_OK);
  b->apply = &Failing;  // changed, then freed: the state kept its own copy
  delete b;
  Host h(kVelocity);
  ASSERT_EQ(vigil_session_set_state(h.s, st), VIGIL_OK);
  ASSERT_EQ(h.Eval(R"({"ts":"2026-01-01T00:00:00Z","card":"c"})"), VIGIL_OK);
  EXPECT_EQ(vigil_result_state_error(h.r), 0);
  EXPECT_EQ(h.Reason("burst"), "1");
  vigil_state_release(st);
}

TEST(Promise, external_no_snapshots) {
  MemoryBackend memory;
  vigil_backend b{sizeof(vigil_backend), 0, &MemoryBackend::Apply, &memory};
  vigil_state* st = nullptr;
  ASSERT_EQ(vigil_state_new_external(&b, -1, &st), VIGIL_OK);
  EXPECT_EQ(vigil_state_save(st, TempPath("ext.snap").c_str()), VIGIL_ERR_MISUSE);
  EXPECT_EQ(vigil_state_load(st, TempPath("ext.snap").c_str()), VIGIL_ERR_MISUSE);
  vigil_state_release(st);
}

// ---------------------------------------------------------------- results

TEST(Promise, decision_before_eval) {
  vigil_result* r = nullptr;
  ASSERT_EQ(vigil_result_new(&r), VIGIL_OK);
  EXPECT_EQ(vigil_result_decision(r), nullptr);
  vigil_result_free(r);
}

TEST(Promise, fired_reason_empty) {
  Host h;
  const char* v = "e1";
  size_t len = 2;
  ASSERT_EQ(vigil_ruleset_set_list(h.rs, "WATCH", 5, &v, &len, 1), VIGIL_OK);
  ASSERT_EQ(h.Eval(R"({"id":"e1"})"), VIGIL_OK);
  EXPECT_EQ(h.Reason("watched"), "");
}

TEST(Promise, fired_decision_null) {
  Host h;
  const char* v = "e1";
  size_t len = 2;
  ASSERT_EQ(vigil_ruleset_set_list(h.rs, "WATCH", 5, &v, &len, 1), VIGIL_OK);
  ASSERT_EQ(h.Eval(R"({"id":"e1","amount":50})"), VIGIL_OK);
  EXPECT_EQ(h.Field("watched", &vigil_fired_info::decision), "NULL");
  EXPECT_EQ(h.Field("big", &vigil_fired_info::decision), "review");
}

TEST(Promise, fired_then_shadow) {
  Host h;
  const char* v = "e1";
  size_t len = 2;
  ASSERT_EQ(vigil_ruleset_set_list(h.rs, "WATCH", 5, &v, &len, 1), VIGIL_OK);
  ASSERT_EQ(h.Eval(R"({"id":"e1","amount":50,"flags":["VPN"]})"), VIGIL_OK);
  ASSERT_EQ(vigil_result_fired_count(h.r), 2u);
  ASSERT_EQ(vigil_result_shadow_count(h.r), 1u);
  const char* expected[] = {"p.test/big", "p.test/watched", "p.test/vpn"};
  for (size_t i = 0; i < 3; ++i) {
    vigil_fired_info f{};
    f.struct_size = sizeof f;
    ASSERT_EQ(vigil_result_fired_get(h.r, i, &f), VIGIL_OK);
    EXPECT_STREQ(f.qualified_id, expected[i]);
    EXPECT_EQ(f.shadow, i == 2 ? 1 : 0);
  }
}

TEST(Promise, result_json) {
  Host h;
  ASSERT_EQ(h.Eval(R"({"amount":50,"flags":["VPN"]})"), VIGIL_OK);
  const char* json = nullptr;
  size_t len = 0;
  ASSERT_EQ(vigil_result_json(h.r, &json, &len), VIGIL_OK);
  EXPECT_EQ(std::strlen(json), len);
  // The members and layout of a `vigil eval` line (tests/cli checks the CLI's).
  const char* expected =
      R"j("decision":"review","score":10,"fired":[{"rule":"p.test/big","version":"1.4.0","severity":"high","reason":"50 by ****","tags":["t:big"]}],"shadow":[{"rule":"p.test/vpn")j";
  EXPECT_NE(std::strstr(json, expected), nullptr) << json;
}

}  // namespace

// Dates (ABI 1.4, docs/language.md "Dates").
const char kDateRules[] = R"(ruleset p.date version "1.0.0"
schema s version 1 {
  ts: time
  opened: time
}
uses schema s
rule new_account {
  severity low
  when days_between(opened, ts) <= 30
  then score 1 reason "{days_between(opened, ts)} days since {opened}"
}
)";

TEST(Promise, date_midnight_utc) {
  Host h(kDateRules);
  ASSERT_EQ(vigil_event_set_date(h.e, h.Slot("opened"), 2024, 11, 2), VIGIL_OK)
      << vigil_event_errmsg(h.e);
  const char* json = R"({"ts":"2024-11-03T00:00:00Z","opened":"2024-11-02"})";
  ASSERT_EQ(vigil_event_set_json(h.e, json, std::strlen(json)), VIGIL_OK);
  ASSERT_EQ(vigil_session_eval(h.s, h.e, h.r), VIGIL_OK);
  const std::string from_json = h.Reason("new_account");
  ASSERT_EQ(vigil_event_reset(h.e), VIGIL_OK);
  ASSERT_EQ(vigil_event_set_date(h.e, h.Slot("opened"), 2024, 11, 2), VIGIL_OK);
  // 2024-11-03T00:00:00Z in microseconds.
  ASSERT_EQ(vigil_event_set_time(h.e, h.Slot("ts"), 1730592000000000LL), VIGIL_OK);
  ASSERT_EQ(vigil_session_eval(h.s, h.e, h.r), VIGIL_OK);
  EXPECT_EQ(h.Reason("new_account"), "1 days since 2024-11-02T00:00:00Z");
  EXPECT_EQ(from_json, "1 days since 2024-11-02T00:00:00Z");
}

TEST(Promise, date_invalid_refused) {
  Host h(kDateRules);
  ASSERT_EQ(vigil_event_set_date(h.e, h.Slot("opened"), 2024, 1, 31), VIGIL_OK);
  EXPECT_EQ(vigil_event_set_date(h.e, h.Slot("opened"), 2024, 2, 30), VIGIL_ERR_INVALID_ARG);
  EXPECT_STREQ(vigil_event_errmsg(h.e), "field 'opened': day 30 does not exist (2024-02 has 29 days)");
  EXPECT_EQ(vigil_event_set_date(h.e, h.Slot("opened"), 2024, 13, 1), VIGIL_ERR_INVALID_ARG);
  EXPECT_STREQ(vigil_event_errmsg(h.e), "field 'opened': month 13 does not exist");
  EXPECT_EQ(vigil_event_set_date(h.e, h.Slot("opened"), 0, 1, 1), VIGIL_ERR_INVALID_ARG);
  EXPECT_EQ(vigil_event_set_date(h.e, h.Slot("opened"), 10000, 1, 1), VIGIL_ERR_INVALID_ARG);
  EXPECT_EQ(vigil_event_set_date(h.e, h.Slot("ts") + 5, 2024, 1, 1), VIGIL_ERR_INVALID_ARG);
  // The field keeps the last good value.
  ASSERT_EQ(vigil_event_set_time(h.e, h.Slot("ts"), 1706659200000000LL), VIGIL_OK);  // 2024-01-31
  ASSERT_EQ(vigil_session_eval(h.s, h.e, h.r), VIGIL_OK);
  EXPECT_EQ(h.Reason("new_account"), "0 days since 2024-01-31T00:00:00Z");
}
