// An external state backend written by a host, through the C ABI only
// (vigil.h, "external state backends"): an in-memory one that follows the
// contract, with and without VIGIL_BACKEND_EXACTLY_ONCE (duplicates and
// reversals, ABI 1.3), against the embedded store.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "vigil/vigil.h"

namespace {

const char kRules[] = R"(ruleset capi.backend version "1.0.0"
schema pay version 1 {
  event_id: string @id
  ts: time @time
  kind: string
  card: string @key
  ref: string
)" R"(  amount: decimal
}
uses schema pay
reversal ref when kind == "REVERSAL"
rule many {
  when count(by: card, within: 1h) >= 3
  then decide review reason "{count(by: card, within: 1h)} payments, {sum(amount, by: card, within: 1h)}"
}
)";

// The contract of vigil.h, in memory: per group and key, entries in arrival
// order with their id, reference and whether a reversal took them back.
class MemoryBackend {
 public:
  struct Entry {
    int64_t ts;
    std::string data;
    uint64_t id, ref;
    bool reversed;
  };
  std::map<std::string, std::vector<Entry>> keys;
  std::vector<vigil_backend_request> seen;  // what the engine asked (pointers not kept)

  static vigil_status Apply(void* user, const vigil_backend_request* req,
                            vigil_backend_reply* reply) {
    auto* self = static_cast<MemoryBackend*>(user);
    self->seen.push_back(*req);
    std::string k = std::string(req->group) + "/" +
                    std::string(static_cast<const char*>(req->key), req->key_len);
    std::vector<Entry>& entries = self->keys[k];
    int64_t latest = INT64_MIN;  // the latest entry's time
    for (const Entry& e : entries) latest = std::max(latest, e.ts);
    const bool late = !entries.empty() && req->ts_us < latest - req->lateness_us;
    bool duplicate = false;
    if (req->event_id != 0) {
      for (const Entry& e : entries) {
        duplicate = duplicate || (e.ts == req->ts_us && e.id == req->event_id) ||
                    (req->reversal && e.reversed && e.ref == req->event_id);
      }
    }
    bool reversed = false;
    if (req->reversal && req->record && !duplicate) {
      for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
        if (!it->reversed && it->ref == req->reference) {
          it->reversed = true;
          it->ref = req->event_id;
          reversed = true;
          break;
        }
      }
    }
    if (req->record && !late && !duplicate && !req->reversal) {
      entries.push_back(Entry{req->ts_us,
                              std::string(static_cast<const char*>(req->entry), req->entry_len),
                              req->event_id, req->reference, false});
      latest = std::max(latest, req->ts_us);
    }
    std::vector<Entry> kept;
    for (const Entry& e : entries) {
      if (latest == INT64_MIN || e.ts > latest - req->keep_us) kept.push_back(e);
    }
    entries = kept;
    for (const Entry& e : entries) {
      if (e.ts > req->from_us && !e.reversed) {
        vigil_backend_reply_add(reply, e.ts, e.data.data(), e.data.size());
      }
    }
    vigil_backend_reply_set_late(reply, late ? 1 : 0);
    vigil_backend_reply_set_duplicate(reply, duplicate ? 1 : 0);
    vigil_backend_reply_set_reversed(reply, reversed ? 1 : 0);
    return VIGIL_OK;
  }
};

struct Host {
  vigil_session* session = nullptr;
  vigil_event* event = nullptr;
  vigil_result* result = nullptr;
  explicit Host(vigil_ruleset* rs, vigil_state* state) {
    EXPECT_EQ(vigil_session_new(rs, nullptr, &session), VIGIL_OK);
    EXPECT_EQ(vigil_session_set_state(session, state), VIGIL_OK);
    EXPECT_EQ(vigil_event_new(rs, &event), VIGIL_OK);
    EXPECT_EQ(vigil_result_new(&result), VIGIL_OK);
    vigil_state_release(state);
  }
  ~Host() {
    vigil_result_free(result);
    vigil_event_free(event);
    vigil_session_free(session);
  }
  std::string Eval(const std::string& json) {
    EXPECT_EQ(vigil_event_set_json(event, json.data(), json.size()), VIGIL_OK);
    EXPECT_EQ(vigil_session_eval(session, event, result), VIGIL_OK);
    const char* out = nullptr;
    size_t len = 0;
    vigil_result_json(result, &out, &len);
    return std::string(out, len);
  }
};

std::string Pay(const std::string& id, const std::string& hms, const std::string& kind = "PAY",
                const std::string& ref = "") {
  return R"({"event_id":")" + id + R"(","ts":"2026-03-01T)" + hms + R"(Z","kind":")" + kind +
         R"(","card":"c1","ref":")" + (ref.empty() ? "ref-" + id : ref) + R"(","amount":10})";
}

std::vector<std::string> Stream() {
  return {Pay("p1", "10:00:00"), Pay("p2", "10:01:00"),
          Pay("p2", "10:01:00"),                           // redelivered
          Pay("r1", "10:02:00", "REVERSAL", "ref-p1"),     // takes p1 back
          Pay("r1", "10:02:00", "REVERSAL", "ref-p1"),     // redelivered
          Pay("r9", "10:03:00", "REVERSAL", "ref-p9"),     // nothing to take back
          Pay("p3", "10:04:00"), Pay("p4", "10:05:00")};
}

vigil_ruleset* Compile() {
  vigil_compiler* c = nullptr;
  EXPECT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
  EXPECT_EQ(vigil_compiler_add_source(c, "b.vgl", 5, kRules, std::strlen(kRules)), VIGIL_OK);
  vigil_ruleset* rs = nullptr;
  if (vigil_compiler_build(c, &rs) != VIGIL_OK) ADD_FAILURE() << vigil_compiler_diag_render(c);
  vigil_compiler_free(c);
  return rs;
}

vigil_state* External(MemoryBackend* memory, uint32_t flags) {
  vigil_backend b;
  std::memset(&b, 0, sizeof(b));
  b.struct_size = sizeof(b);
  b.flags = flags;
  b.apply = MemoryBackend::Apply;
  b.user = memory;
  vigil_state* s = nullptr;
  EXPECT_EQ(vigil_state_new_external(&b, -1, &s), VIGIL_OK);
  return s;
}

TEST(CApiBackend, AnExactlyOnceBackendAgreesWithTheEmbeddedStore) {
  vigil_ruleset* rs = Compile();
  ASSERT_NE(rs, nullptr);
  vigil_state* embedded_state = nullptr;
  ASSERT_EQ(vigil_state_new(nullptr, &embedded_state), VIGIL_OK);
  Host embedded(rs, embedded_state);
  MemoryBackend memory;
  Host host(rs, External(&memory, VIGIL_BACKEND_EXACTLY_ONCE));
  std::vector<std::string> got;
  for (const std::string& e : Stream()) {
    const std::string want = embedded.Eval(e);
    got.push_back(host.Eval(e));
    EXPECT_EQ(got.back(), want) << e;
  }
  EXPECT_NE(got[2].find(R"("duplicate":true)"), std::string::npos) << got[2];
  EXPECT_NE(got[3].find(R"("reversal":"applied")"), std::string::npos) << got[3];
  EXPECT_NE(got[4].find(R"("duplicate":true)"), std::string::npos) << got[4];
  EXPECT_NE(got[5].find(R"("reversal":"unknown")"), std::string::npos) << got[5];
  // p2, p3 and p4 count; p1 was taken back: "3 payments, 30".
  EXPECT_NE(got[7].find("3 payments, 30"), std::string::npos) << got[7];
  EXPECT_EQ(vigil_result_reversal(host.result), 0);
  EXPECT_EQ(vigil_result_duplicate(host.result), 0);
  // The engine handed over ids (different per event, equal per redelivery)
  // and references; the reversal's reference is its original's.
  ASSERT_EQ(memory.seen.size(), 8u);
  EXPECT_NE(memory.seen[0].event_id, 0u);
  EXPECT_NE(memory.seen[0].event_id, memory.seen[1].event_id);
  EXPECT_EQ(memory.seen[1].event_id, memory.seen[2].event_id);
  EXPECT_EQ(memory.seen[3].reference, memory.seen[0].reference);
  EXPECT_EQ(memory.seen[3].reversal, 1u);
  EXPECT_EQ(memory.seen[0].reversal, 0u);
  EXPECT_EQ(memory.seen[0].struct_size, sizeof(vigil_backend_request));
  vigil_ruleset_release(rs);
}

TEST(CApiBackend, ABackendWithoutExactlyOnceCountsRedeliveriesAndTakesNothingBack) {
  vigil_ruleset* rs = Compile();
  ASSERT_NE(rs, nullptr);
  MemoryBackend memory;
  Host host(rs, External(&memory, 0));
  std::vector<std::string> got;
  for (const std::string& e : Stream()) got.push_back(host.Eval(e));
  // No ids were handed over, and no reversal was asked to be recorded.
  for (const vigil_backend_request& r : memory.seen) {
    EXPECT_EQ(r.event_id, 0u);
    EXPECT_EQ(r.reference, 0u);
    EXPECT_EQ(r.reversal, 0u);
  }
  EXPECT_EQ(memory.seen[3].record, 0u);
  EXPECT_EQ(got[2].find("duplicate"), std::string::npos) << got[2];
  EXPECT_NE(got[3].find(R"("reversal":"unknown")"), std::string::npos) << got[3];
  // p1, p2 twice, p3, p4: the redelivery counted, nothing taken back.
  EXPECT_NE(got[7].find("5 payments, 50"), std::string::npos) << got[7];
  vigil_ruleset_release(rs);
}

TEST(CApiBackend, ReplySettersRefuseNull) {
  EXPECT_EQ(vigil_backend_reply_set_duplicate(nullptr, 1), VIGIL_ERR_MISUSE);
  EXPECT_EQ(vigil_backend_reply_set_reversed(nullptr, 1), VIGIL_ERR_MISUSE);
  EXPECT_EQ(vigil_result_duplicate(nullptr), 0);
  EXPECT_EQ(vigil_result_reversal(nullptr), 0);
}

}  // namespace
