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
  bool Start() {
    port_ = FreePort();
    std::string port = std::to_string(port_);
    std::vector<std::string> args = {"redis-server", "--port",       port,   "--bind",
                                     "127.0.0.1",    "--save",       "",     "--appendonly",
                                     "no",           "--loglevel",   "warning"};
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
  int fired = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string e = NthEvent(i);
    ASSERT_EQ(embedded.Eval(e), VIGIL_OK);
    Node& node = i % 2 == 0 ? a : b;
    ASSERT_EQ(node.Eval(e), VIGIL_OK) << vigil_session_errmsg(node.session);
    ASSERT_EQ(node.Json(), embedded.Json()) << "event " << i << ": " << e;
    fired += static_cast<int>(vigil_result_fired_count(embedded.result));
  }
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

}  // namespace
