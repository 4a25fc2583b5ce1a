// Several nodes, one velocity state: two engines, each with its own Redis
// connection, evaluate alternate events of one stream and must give exactly
// the results of one engine with the embedded store. Then Redis goes down or
// stops answering: fail-open and fail-closed, and never a hang.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "vigil/vigil.h"
#include "vigil/vigil_redis.h"

namespace {

using Clock = std::chrono::steady_clock;

const char kRules[] = R"(ruleset redis.test version "1.0.0"
schema pay version 1 {
  ts: time
  card: string @key
  merchant: string @key
  amount: decimal
}
uses schema pay
rule burst {
  when count(by: card, within: 1h) >= 4
  then decide review reason "{count(by: card, within: 1h)} in 1h"
}
rule spend {
  when sum(amount, by: card, within: 6h, where: amount < 100.00) > 300.00
  then decide review reason "small spend {sum(amount, by: card, within: 6h, where: amount < 100.00)}"
}
rule spread {
  when distinct(merchant, by: card, within: 6h) >= 3
   and max(amount, by: (card, merchant), within: 30m) > 50.00
  then decide report reason "{distinct(merchant, by: card, within: 6h)} merchants"
}
)";

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// A redis-server of our own on loopback, without persistence.
class RedisServer {
 public:
  // A port found free may be taken before the server binds it (other tests
  // start servers too): the server then exits at once, and another port is
  // tried, as tests/redis/redis_servers.py does.
  bool Start(const std::vector<std::string>& extra = {}) {
    for (int attempt = 0; attempt < 5; ++attempt) {
      if (StartOnce(extra)) return true;
      Stop();
    }
    return false;
  }
  bool StartOnce(const std::vector<std::string>& extra) {
    port_ = FreePort();
    std::string port = std::to_string(port_);
    std::vector<std::string> args = {"redis-server", "--port",       port,   "--bind",
                                     "127.0.0.1",    "--save",       "",     "--appendonly",
                                     "no",           "--loglevel",   "warning"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    // The server must never outlive the test (a crashed test would leave it
    // holding ctest's output pipe): it dies with its parent, and writes to
    // /dev/null rather than to the test's output.
    pid_ = ::fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::dup2(null, 2);
      ::execvp("redis-server", argv.data());
      ::_exit(127);
    }
    for (int i = 0; i < 100; ++i) {  // up to 5 s to come up
      vigil_redis* r = Open(200);
      if (r != nullptr) {
        vigil_redis_close(r);
        return true;
      }
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {  // exited: its port was taken
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  void Stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  ~RedisServer() { Stop(); }
  vigil_redis* Open(int timeout_ms, int retry_ms = 0) const {
    vigil_redis_options o{};
    o.struct_size = sizeof(o);
    o.port = port_;
    o.prefix = "vigiltest";
    o.timeout_ms = timeout_ms;
    o.retry_ms = retry_ms > 0 ? retry_ms : 1;
    vigil_redis* r = nullptr;
    char err[256];
    return vigil_redis_open(&o, &r, err, sizeof(err)) == VIGIL_OK ? r : nullptr;
  }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

vigil_ruleset* Compile() {
  vigil_compiler* c = nullptr;
  vigil_compiler_new(nullptr, &c);
  vigil_compiler_add_source(c, "redis.vgl", 9, kRules, sizeof(kRules) - 1);
  vigil_ruleset* rs = nullptr;
  if (vigil_compiler_build(c, &rs) != VIGIL_OK) {
    ADD_FAILURE() << vigil_compiler_diag_render(c);
  }
  vigil_compiler_free(c);
  return rs;
}

std::string NthEvent(int i) {
  // 12 cards, 7 merchants, a few minutes apart; amounts from 5 to 150.
  char ts[64];
  long minutes = static_cast<long>(i) * 7 % 100000;
  std::snprintf(ts, sizeof(ts), "2026-03-%02ldT%02ld:%02ld:%02dZ", 1 + minutes / 1440,
                minutes / 60 % 24, minutes % 60, i % 60);
  return std::string("{\"ts\":\"") + ts + "\",\"card\":\"c" + std::to_string(i % 12) +
         "\",\"merchant\":\"m" + std::to_string(i * 5 % 7) + "\",\"amount\":" +
         std::to_string(5 + i * 37 % 146) + ".50}";
}

struct Node {
  vigil_session* session = nullptr;
  vigil_event* event = nullptr;
  vigil_result* result = nullptr;
  vigil_state* state = nullptr;
  vigil_redis* redis = nullptr;

  Node(vigil_ruleset* rs, vigil_state* s, vigil_redis* r) : state(s), redis(r) {
    EXPECT_EQ(vigil_session_new(rs, nullptr, &session), VIGIL_OK);
    EXPECT_EQ(vigil_event_new(rs, &event), VIGIL_OK);
    EXPECT_EQ(vigil_result_new(&result), VIGIL_OK);
    if (state != nullptr) {
      EXPECT_EQ(vigil_session_set_state(session, state), VIGIL_OK);
    }
  }
  ~Node() {
    vigil_session_free(session);
    vigil_event_free(event);
    vigil_result_free(result);
    vigil_state_release(state);
    vigil_redis_close(redis);
  }
  vigil_status Eval(const std::string& json) {
    EXPECT_EQ(vigil_event_set_json(event, json.data(), json.size()), VIGIL_OK);
    return vigil_session_eval(session, event, result);
  }
  std::string Json() {
    const char* j = nullptr;
    size_t n = 0;
    vigil_result_json(result, &j, &n);
    return std::string(j, n);
  }
};

vigil_state* External(vigil_redis* r, uint32_t flags) {
  vigil_backend b;
  EXPECT_EQ(vigil_redis_backend(r, flags, &b), VIGIL_OK);
  vigil_state* s = nullptr;
  EXPECT_EQ(vigil_state_new_external(&b, 0, &s), VIGIL_OK);
  return s;
}

// Evaluates events 0..count-1 on the embedded node and, alternately, on the
// Redis-backed nodes a and b: each result must be the embedded one's. Stops at
// the first difference; returns how many rules fired in all.
int AlternateAndCompare(Node& embedded, Node& a, Node& b, int count) {
  int fired = 0;
  for (int i = 0; i < count; ++i) {
    std::string e = NthEvent(i);
    EXPECT_EQ(embedded.Eval(e), VIGIL_OK);
    Node& node = i % 2 == 0 ? a : b;
    EXPECT_EQ(node.Eval(e), VIGIL_OK) << vigil_session_errmsg(node.session);
    EXPECT_EQ(node.Json(), embedded.Json()) << "event " << i << ": " << e;
    if (::testing::Test::HasFailure()) return fired;
    fired += static_cast<int>(vigil_result_fired_count(embedded.result));
  }
  return fired;
}

class Redis : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!server_.Start()) GTEST_FAIL() << "cannot start redis-server (apt-get install redis-server)";
    rs_ = Compile();
    ASSERT_NE(rs_, nullptr);
  }
  void TearDown() override { vigil_ruleset_release(rs_); }
  RedisServer server_;
  vigil_ruleset* rs_ = nullptr;
};

TEST_F(Redis, TwoNodesAgreeWithOneEmbeddedEngine) {
  vigil_state_options so = VIGIL_STATE_OPTIONS_INIT;
  so.lateness_us = 0;
  vigil_state* embedded_state = nullptr;
  ASSERT_EQ(vigil_state_new(&so, &embedded_state), VIGIL_OK);
  Node embedded(rs_, embedded_state, nullptr);
  vigil_redis* r1 = server_.Open(1000);
  vigil_redis* r2 = server_.Open(1000);
  ASSERT_NE(r1, nullptr);
  ASSERT_NE(r2, nullptr);
  Node a(rs_, External(r1, VIGIL_BACKEND_FAIL_CLOSED), r1);
  Node b(rs_, External(r2, VIGIL_BACKEND_FAIL_CLOSED), r2);
  int fired = AlternateAndCompare(embedded, a, b, 3000);
  ASSERT_FALSE(HasFailure());
  EXPECT_GT(fired, 100);  // the rules do fire: the comparison is not of empty results
  // A late event (lateness 0) is reported alike.
  std::string late = "{\"ts\":\"2026-03-01T00:00:00Z\",\"card\":\"c1\",\"merchant\":\"m1\",\"amount\":1}";
  ASSERT_EQ(embedded.Eval(late), VIGIL_OK);
  ASSERT_EQ(a.Eval(late), VIGIL_OK);
  EXPECT_EQ(vigil_result_late(a.result), 1);
  EXPECT_EQ(a.Json(), embedded.Json());
  // The snapshot calls belong to the embedded store only.
  EXPECT_EQ(vigil_state_save(a.state, "/tmp/x.snap"), VIGIL_ERR_MISUSE);
}

// Card "z", one payment a minute.
std::string Minute(int i) {
  char json[160];
  std::snprintf(json, sizeof(json),
                R"({"ts":"2026-04-01T10:%02d:00Z","card":"z","merchant":"m","amount":10})", i);
  return json;
}

TEST_F(Redis, DownRedisFailsOpenOrClosedWithinTheTimeout) {
  vigil_redis* r1 = server_.Open(100, 200);
  vigil_redis* r2 = server_.Open(100, 200);
  ASSERT_NE(r1, nullptr);
  ASSERT_NE(r2, nullptr);
  Node open(rs_, External(r1, 0), r1);
  Node closed(rs_, External(r2, VIGIL_BACKEND_FAIL_CLOSED), r2);
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(open.Eval(Minute(i)), VIGIL_OK);  // burst fires at the 4th
    ASSERT_EQ(closed.Eval(Minute(i)), VIGIL_OK);
  }
  EXPECT_EQ(vigil_result_fired_count(open.result), 1u);
  server_.Stop();
  for (int i = 4; i < 8; ++i) {
    auto t0 = Clock::now();
    ASSERT_EQ(open.Eval(Minute(i)), VIGIL_OK);
    EXPECT_EQ(vigil_result_state_error(open.result), 1);
    EXPECT_EQ(vigil_result_fired_count(open.result), 0u);  // aggregates missing: no firing
    EXPECT_NE(open.Json().find("\"state_error\":true"), std::string::npos);
    EXPECT_EQ(closed.Eval(Minute(i)), VIGIL_ERR_STATE);
    EXPECT_NE(std::string(vigil_session_errmsg(closed.session)).find("redis 127.0.0.1"),
              std::string::npos)
        << vigil_session_errmsg(closed.session);
    // Bounded by the timeouts, far below anything that looks like a hang.
    EXPECT_LT(Clock::now() - t0, std::chrono::seconds(5));
  }
}

TEST_F(Redis, ARedisThatNeverAnswersTimesOut) {
  // A socket that accepts connections and never replies.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 16), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  vigil_redis_options o{};
  o.struct_size = sizeof(o);
  o.port = ntohs(addr.sin_port);
  o.timeout_ms = 100;
  vigil_redis* r = nullptr;
  char err[256];
  ASSERT_EQ(vigil_redis_open(&o, &r, err, sizeof(err)), VIGIL_OK) << err;
  Node node(rs_, External(r, VIGIL_BACKEND_FAIL_CLOSED), r);
  auto t0 = Clock::now();
  EXPECT_EQ(node.Eval(NthEvent(0)), VIGIL_ERR_STATE);
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(5));
  // Then it fails fast (no reconnection before retry_ms).
  t0 = Clock::now();
  EXPECT_EQ(node.Eval(NthEvent(1)), VIGIL_ERR_STATE);
  EXPECT_LT(Clock::now() - t0, std::chrono::milliseconds(100));
  ::close(fd);
}

TEST(RedisOpen, BadOptionsAndUnreachableServersAreErrors) {
  vigil_redis* r = nullptr;
  EXPECT_EQ(vigil_redis_open(nullptr, nullptr, nullptr, 0), VIGIL_ERR_MISUSE);
  vigil_redis_options o{};
  o.struct_size = 3;
  EXPECT_EQ(vigil_redis_open(&o, &r, nullptr, 0), VIGIL_ERR_MISUSE);
  o.struct_size = sizeof(o);
  o.port = FreePort();  // nothing listens there
  o.timeout_ms = 100;
  char err[256] = "";
  EXPECT_EQ(vigil_redis_open(&o, &r, err, sizeof(err)), VIGIL_ERR_IO);
  EXPECT_NE(std::string(err).find("127.0.0.1"), std::string::npos) << err;
  EXPECT_EQ(r, nullptr);
  EXPECT_EQ(vigil_redis_backend(nullptr, 0, nullptr), VIGIL_ERR_MISUSE);
  vigil_backend bad{};
  vigil_state* s = nullptr;
  EXPECT_EQ(vigil_state_new_external(&bad, 0, &s), VIGIL_ERR_MISUSE);
}

TEST(RedisOpen, ClusterAndSentinelOptionsAreChecked) {
  vigil_redis* r = nullptr;
  char err[256] = "";
  vigil_redis_options o{};
  o.struct_size = sizeof(o);
  o.timeout_ms = 100;
  o.mode = 7;
  EXPECT_EQ(vigil_redis_open(&o, &r, err, sizeof(err)), VIGIL_ERR_MISUSE);
  EXPECT_STREQ(err,
               "vigil_redis_options.unknown mode 7 (expected VIGIL_REDIS_STANDALONE, _CLUSTER or "
               "_SENTINEL)");
  o.mode = VIGIL_REDIS_SENTINEL;
  o.nodes = "127.0.0.1:1";
  EXPECT_EQ(vigil_redis_open(&o, &r, err, sizeof(err)), VIGIL_ERR_MISUSE);
  EXPECT_NE(std::string(err).find("master_name"), std::string::npos) << err;
  o.mode = VIGIL_REDIS_CLUSTER;
  o.nodes = "127.0.0.1:1,nothing";
  EXPECT_EQ(vigil_redis_open(&o, &r, err, sizeof(err)), VIGIL_ERR_MISUSE);
  EXPECT_STREQ(err, "vigil_redis_options.nodes: 'nothing' is not a node address (expected "
                    "host:port)");
  o.mode = VIGIL_REDIS_STANDALONE;
  o.nodes = "127.0.0.1:1,127.0.0.1:2";
  EXPECT_EQ(vigil_redis_open(&o, &r, err, sizeof(err)), VIGIL_ERR_MISUSE);
  o.nodes = nullptr;
  o.prefix = "bank{a}";
  EXPECT_EQ(vigil_redis_open(&o, &r, err, sizeof(err)), VIGIL_ERR_MISUSE);
  EXPECT_NE(std::string(err).find("hash tags"), std::string::npos) << err;
  // Cluster seeds that do not answer: an I/O error naming them.
  o.prefix = nullptr;
  o.mode = VIGIL_REDIS_CLUSTER;
  std::string seeds = "127.0.0.1:" + std::to_string(FreePort());
  o.nodes = seeds.c_str();
  EXPECT_EQ(vigil_redis_open(&o, &r, err, sizeof(err)), VIGIL_ERR_IO);
  EXPECT_NE(std::string(err).find("no Redis Cluster node gave the slot map: redis " + seeds),
            std::string::npos)
      << err;
  EXPECT_EQ(r, nullptr);
}

TEST_F(Redis, AHostBuiltForVersion10OptionsStillOpens) {
  // vigil 1.0's options ended at retry_ms: struct_size then says so, and the
  // fields after it are not read.
  vigil_redis_options o;
  std::memset(&o, 0xab, sizeof(o));  // what a 1.0 host never wrote
  o.struct_size = static_cast<uint32_t>(offsetof(vigil_redis_options, mode));
  o.port = server_.port();
  o.host = "127.0.0.1";
  o.prefix = nullptr;
  o.timeout_ms = 1000;
  o.retry_ms = 0;
  vigil_redis* r = nullptr;
  char err[256] = "";
  ASSERT_EQ(vigil_redis_open(&o, &r, err, sizeof(err)), VIGIL_OK) << err;
  Node node(rs_, External(r, VIGIL_BACKEND_FAIL_CLOSED), r);
  EXPECT_EQ(node.Eval(NthEvent(0)), VIGIL_OK) << vigil_session_errmsg(node.session);
}

TEST_F(Redis, AClusterNodeWithoutSlotsIsAnError) {
  // A cluster-enabled server opened in standalone mode by mistake, before
  // its cluster was made: its answer is the evaluation's error.
  RedisServer node;
  const std::string conf = "/tmp/vigil-redis-test-nodes-" + std::to_string(::getpid()) + ".conf";
  // The cluster bus port is given: by default it is the port + 10000, which
  // does not exist for ports above 55535 (a fifth of the ephemeral range),
  // and the server then refuses to start.
  ASSERT_TRUE(node.Start({"--cluster-enabled", "yes", "--cluster-port", std::to_string(FreePort()),
                          "--cluster-config-file", conf}));
  ::unlink(conf.c_str());
  vigil_redis* r = node.Open(1000);
  ASSERT_NE(r, nullptr);
  Node host(rs_, External(r, VIGIL_BACKEND_FAIL_CLOSED), r);
  EXPECT_EQ(host.Eval(NthEvent(0)), VIGIL_ERR_STATE);
  EXPECT_NE(std::string(vigil_session_errmsg(host.session)).find("CLUSTERDOWN"),
            std::string::npos)
      << vigil_session_errmsg(host.session);
  node.Stop();
  ::unlink(conf.c_str());
}

const char kReversalRules[] = R"(ruleset redis.reversal version "1.0.0"
schema pay version 1 {
  event_id: string @id
  ts: time @time
  kind: string
  card: string @key
  merchant: string @key
  ref: string
  amount: decimal
}
uses schema pay
reversal ref when kind == "REVERSAL"
rule burst {
  when count(by: card, within: 1h) >= 3
  then decide review reason "{count(by: card, within: 1h)} in 1h, {sum(amount, by: card, within: 1h)}"
}
rule spread {
  when distinct(merchant, by: card, within: 6h) >= 2
   and max(amount, by: (card, merchant), within: 30m) > 50.00
  then decide report reason "{distinct(merchant, by: card, within: 6h)} merchants"
}
)";

// Payments p<i>, some delivered twice, some reversed (r<i>), some reversals
// delivered twice, some reversals of payments never made.
std::vector<std::string> ReversalStream(int n) {
  std::vector<std::string> out;
  std::vector<std::string> payments;
  auto payment = [](int i) {
    char json[256];
    std::snprintf(json, sizeof(json),
                  R"({"event_id":"p%d","ts":"2026-03-01T%02d:%02d:%02dZ","kind":"PAY","card":"c%d","merchant":"m%d","ref":"ref%d","amount":%d.25})",
                  i, i / 360 % 24, i / 6 % 60, i * 10 % 60, i % 5, i * 7 % 3, i, 5 + i * 37 % 90);
    return std::string(json);
  };
  auto reversal = [](int i, int of, int minute_of_day) {
    char json[256];
    std::snprintf(json, sizeof(json),
                  R"({"event_id":"r%d","ts":"2026-03-01T%02d:%02d:05Z","kind":"REVERSAL","card":"c%d","merchant":"m%d","ref":"ref%d","amount":1})",
                  i, minute_of_day / 60 % 24, minute_of_day % 60, of % 5, of * 7 % 3, of);
    return std::string(json);
  };
  for (int i = 0; i < n; ++i) {
    out.push_back(payment(i));
    payments.push_back(out.back());
    const int minute = i / 6;
    if (i % 7 == 3) out.push_back(payments[static_cast<size_t>(i - 2)]);  // redelivered
    if (i % 5 == 4) {
      out.push_back(reversal(i, i - 3, minute));  // reverses p(i-3)
      if (i % 15 == 14) out.push_back(out.back());  // the reversal redelivered
    }
    if (i % 23 == 11) out.push_back(reversal(i + 100000, i + 500, minute));  // unknown
  }
  return out;
}

vigil_ruleset* CompileText(const char* text) {
  vigil_compiler* c = nullptr;
  vigil_compiler_new(nullptr, &c);
  vigil_compiler_add_source(c, "reversal.vgl", 12, text, std::strlen(text));
  vigil_ruleset* rs = nullptr;
  if (vigil_compiler_build(c, &rs) != VIGIL_OK) ADD_FAILURE() << vigil_compiler_diag_render(c);
  vigil_compiler_free(c);
  return rs;
}

TEST_F(Redis, DuplicatesAndReversalsAgreeWithTheEmbeddedStore) {
  vigil_ruleset* rs = CompileText(kReversalRules);
  ASSERT_NE(rs, nullptr);
  vigil_state_options so = VIGIL_STATE_OPTIONS_INIT;
  vigil_state* embedded_state = nullptr;
  ASSERT_EQ(vigil_state_new(&so, &embedded_state), VIGIL_OK);
  Node embedded(rs, embedded_state, nullptr);
  vigil_redis* r1 = server_.Open(1000);
  vigil_redis* r2 = server_.Open(1000);
  ASSERT_NE(r1, nullptr);
  ASSERT_NE(r2, nullptr);
  Node a(rs, External(r1, VIGIL_BACKEND_FAIL_CLOSED), r1);
  Node b(rs, External(r2, VIGIL_BACKEND_FAIL_CLOSED), r2);
  int duplicates = 0, applied = 0, unknown = 0, fired = 0;
  const std::vector<std::string> events = ReversalStream(1500);
  for (size_t i = 0; i < events.size(); ++i) {
    ASSERT_EQ(embedded.Eval(events[i]), VIGIL_OK);
    Node& node = i % 2 == 0 ? a : b;
    ASSERT_EQ(node.Eval(events[i]), VIGIL_OK) << vigil_session_errmsg(node.session);
    ASSERT_EQ(node.Json(), embedded.Json()) << "event " << i << ": " << events[i];
    duplicates += vigil_result_duplicate(embedded.result);
    applied += vigil_result_reversal(embedded.result) == VIGIL_REVERSAL_APPLIED;
    unknown += vigil_result_reversal(embedded.result) == VIGIL_REVERSAL_UNKNOWN;
    fired += static_cast<int>(vigil_result_fired_count(embedded.result));
  }
  // Each case happened, so the agreement covers it.
  EXPECT_GT(duplicates, 200);
  EXPECT_GT(applied, 250);
  EXPECT_GT(unknown, 50);
  EXPECT_GT(fired, 300);
  vigil_ruleset_release(rs);
}

TEST_F(Redis, AnEventThatIsNotRecordedMovesNothingOutOfTheWindows) {
  // A what-if, a reversal and a duplicate far ahead of a key's events are
  // not recorded: they must not make Redis trim what the embedded store
  // keeps (the window of a later event still sees the earlier ones).
  vigil_ruleset* rs = CompileText(kReversalRules);
  ASSERT_NE(rs, nullptr);
  vigil_state* embedded_state = nullptr;
  ASSERT_EQ(vigil_state_new(nullptr, &embedded_state), VIGIL_OK);
  Node embedded(rs, embedded_state, nullptr);
  vigil_redis* r = server_.Open(1000);
  ASSERT_NE(r, nullptr);
  Node node(rs, External(r, VIGIL_BACKEND_FAIL_CLOSED), r);
  auto event = [](const char* id, const char* hms, const char* kind, const char* ref) {
    char json[256];
    std::snprintf(json, sizeof(json),
                  R"({"event_id":"%s","ts":"2026-03-02T%sZ","kind":"%s","card":"k","merchant":"m","ref":"%s","amount":60})",
                  id, hms, kind, ref);
    return std::string(json);
  };
  struct Step {
    std::string json;
    uint32_t flags;
  };
  const std::vector<Step> steps = {
      {event("a", "10:00:00", "PAY", "ra"), 0},
      {event("b", "10:30:00", "PAY", "rb"), 0},
      {event("w", "17:00:00", "PAY", "rw"), VIGIL_EVAL_NO_RECORD},  // what-if, 7h ahead
      {event("c", "10:40:00", "PAY", "rc"), 0},
      {event("v", "18:00:00", "REVERSAL", "nothing"), 0},           // unknown, 8h ahead
      {event("d", "10:45:00", "PAY", "rd"), 0},
      {event("b", "10:30:00", "PAY", "rb"), 0},                      // duplicate
      {event("e", "10:50:00", "PAY", "re"), 0},
  };
  for (const Step& step : steps) {
    ASSERT_EQ(vigil_event_set_json(embedded.event, step.json.data(), step.json.size()), VIGIL_OK);
    ASSERT_EQ(vigil_event_set_json(node.event, step.json.data(), step.json.size()), VIGIL_OK);
    ASSERT_EQ(vigil_session_eval_ex(embedded.session, embedded.event, embedded.result, step.flags),
              VIGIL_OK);
    ASSERT_EQ(vigil_session_eval_ex(node.session, node.event, node.result, step.flags), VIGIL_OK)
        << vigil_session_errmsg(node.session);
    EXPECT_EQ(node.Json(), embedded.Json()) << step.json;
  }
  // The last one counts a, b, c, d and e.
  EXPECT_NE(embedded.Json().find("5 in 1h"), std::string::npos) << embedded.Json();
  vigil_ruleset_release(rs);
}

}  // namespace

// Baselines (docs/language.md, "Baselines") in Redis: the engine computes the
// windows from the entries the script returns, so windows with an offset,
// windows without the current event, medians, percentiles and the time since
// the previous event agree with the embedded store (the reasons print them).
const char kBaselineRules[] = R"(ruleset redis.baseline version "1.0.0"
schema pay version 1 {
  ts: time
  card: string @key
  merchant: string @key
  amount: decimal
}
uses schema pay
rule rise {
  when median(amount, by: card, within: 6h) >= median(amount, by: card, within: 12h, offset: 6h)
  then reason "{median(amount, by: card, within: 6h)} after {median(amount, by: card, within: 12h, offset: 6h)}"
}
rule spike {
  when amount > avg(amount, by: card, within: 12h, current: false)
  then reason "{amount} over {avg(amount, by: card, within: 12h, current: false)}, p90 {percentile(amount, 90, by: card, within: 12h)}"
}
rule quick {
  when since_previous(by: card, within: 3h, where: amount > 20.00) < 90m
  then reason "{since_previous(by: card, within: 3h, where: amount > 20.00)} since the previous"
}
)";

TEST_F(Redis, BaselinesAgreeWithTheEmbeddedStore) {
  vigil_ruleset* rs = CompileText(kBaselineRules);
  ASSERT_NE(rs, nullptr);
  vigil_state_options so = VIGIL_STATE_OPTIONS_INIT;
  so.lateness_us = 0;
  vigil_state* embedded_state = nullptr;
  ASSERT_EQ(vigil_state_new(&so, &embedded_state), VIGIL_OK);
  Node embedded(rs, embedded_state, nullptr);
  vigil_redis* r1 = server_.Open(1000);
  vigil_redis* r2 = server_.Open(1000);
  ASSERT_NE(r1, nullptr);
  ASSERT_NE(r2, nullptr);
  Node a(rs, External(r1, VIGIL_BACKEND_FAIL_CLOSED), r1);
  Node b(rs, External(r2, VIGIL_BACKEND_FAIL_CLOSED), r2);
  int fired = AlternateAndCompare(embedded, a, b, 2000);
  ASSERT_FALSE(HasFailure());
  EXPECT_GT(fired, 100);
  vigil_ruleset_release(rs);
}
