// A host that keeps its velocity state in Redis (libvigil_redis.so), as each
// stateless node of a bank's platform would: run several of these on the same
// Redis (standalone, Sentinel or Cluster) and they share one state.
//
//   vigil_redis_host --rules FILE... (--redis HOST:PORT | --cluster HOST:PORT[,...]
//                    | --sentinel NAME@HOST:PORT[,...] | --embedded) [--events FILE.jsonl]
//                    [--fail-closed] [--timeout-ms N] [--retry-ms N] [--prefix P]
//                    [--lateness-ms N] [--trace] [--stats]
//
// One line out per event in: the result's JSON, or {"error":...} when the
// event is refused (fail-closed and Redis failed) or malformed. Without
// --events it reads standard input and flushes each line, so a driver can
// feed it one event at a time. --trace wraps each line with the event's
// number, status, wall-clock time, latency and the count of primary changes
// the adapter has seen; --stats prints the adapter's
// counters on standard error at the end. --embedded keeps the state in the
// process instead (the reference the tests compare Redis with). Uses only
// vigil.h and vigil_redis.h.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "vigil/vigil.h"
#include "vigil/vigil_redis.h"

namespace {

constexpr int32_t kEmbedded = 100;  // not a vigil_redis mode: no Redis at all

int Usage(const char* why) {
  std::fprintf(stderr,
               "vigil_redis_host: %s\nusage: vigil_redis_host --rules FILE... (--redis HOST:PORT "
               "| --cluster HOST:PORT[,...] | --sentinel NAME@HOST:PORT[,...] | --embedded) "
               "[--events FILE] "
               "[--fail-closed] [--timeout-ms N] [--retry-ms N] [--prefix P] [--lateness-ms N] "
               "[--trace] [--stats]\n",
               why);
  return 2;
}

// JSON string contents (messages only hold printable ASCII and UTF-8).
std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
      continue;
    }
    out += c;
  }
  return out;
}

int64_t NowUs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> rules;
  std::string events, nodes, master, prefix, host_port;
  int32_t mode = -1;
  int timeout_ms = 0, retry_ms = 0;
  int64_t lateness_us = -1;
  bool fail_closed = false, trace = false, stats = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--rules") {
      while (i + 1 < argc && std::strncmp(argv[i + 1], "--", 2) != 0) rules.push_back(argv[++i]);
    } else if (a == "--events" && (v = value())) {
      events = v;
    } else if (a == "--redis" && (v = value())) {
      mode = VIGIL_REDIS_STANDALONE;
      nodes = v;
    } else if (a == "--cluster" && (v = value())) {
      mode = VIGIL_REDIS_CLUSTER;
      nodes = v;
    } else if (a == "--sentinel" && (v = value())) {
      mode = VIGIL_REDIS_SENTINEL;
      const char* at = std::strchr(v, '@');
      if (at == nullptr) return Usage("--sentinel takes NAME@HOST:PORT[,...]");
      master.assign(v, at);
      nodes = at + 1;
    } else if (a == "--embedded") {
      mode = kEmbedded;
    } else if (a == "--timeout-ms" && (v = value())) {
      timeout_ms = std::atoi(v);
    } else if (a == "--retry-ms" && (v = value())) {
      retry_ms = std::atoi(v);
    } else if (a == "--lateness-ms" && (v = value())) {
      lateness_us = std::atoll(v) * 1000;
    } else if (a == "--prefix" && (v = value())) {
      prefix = v;
    } else if (a == "--fail-closed") {
      fail_closed = true;
    } else if (a == "--trace") {
      trace = true;
    } else if (a == "--stats") {
      stats = true;
    } else {
      return Usage(("unknown or incomplete option '" + a + "'").c_str());
    }
  }
  if (rules.empty()) return Usage("--rules is required");
  if (mode < 0) return Usage("one of --redis, --cluster, --sentinel or --embedded is required");

  vigil_compiler* c = nullptr;
  vigil_ruleset* rs = nullptr;
  if (vigil_compiler_new(nullptr, &c) != VIGIL_OK) return 1;
  for (const std::string& f : rules) vigil_compiler_add_file(c, f.c_str(), f.size());
  if (vigil_compiler_build(c, &rs) != VIGIL_OK) {
    std::fputs(vigil_compiler_diag_render(c), stderr);
    vigil_compiler_free(c);
    return 1;
  }
  vigil_compiler_free(c);

  vigil_redis* redis = nullptr;
  vigil_state* state = nullptr;
  if (mode == kEmbedded) {
    vigil_state_options so = VIGIL_STATE_OPTIONS_INIT;
    so.lateness_us = lateness_us;
    if (vigil_state_new(&so, &state) != VIGIL_OK) return 1;
  } else {
    vigil_redis_options o;
    std::memset(&o, 0, sizeof(o));
    o.struct_size = sizeof(o);
    o.mode = mode;
    o.nodes = nodes.c_str();
    o.master_name = master.empty() ? nullptr : master.c_str();
    o.prefix = prefix.empty() ? nullptr : prefix.c_str();
    o.timeout_ms = timeout_ms;
    o.retry_ms = retry_ms;
    char err[512];
    if (vigil_redis_open(&o, &redis, err, sizeof(err)) != VIGIL_OK) {
      std::fprintf(stderr, "vigil_redis_host: %s\n", err);
      vigil_ruleset_release(rs);
      return 1;
    }
    vigil_backend backend;
    vigil_redis_backend(redis, fail_closed ? VIGIL_BACKEND_FAIL_CLOSED : 0, &backend);
    if (vigil_state_new_external(&backend, lateness_us, &state) != VIGIL_OK) return 1;
  }
  vigil_session* session = nullptr;
  vigil_event* event = nullptr;
  vigil_result* result = nullptr;
  if (vigil_session_new(rs, nullptr, &session) != VIGIL_OK ||
      vigil_session_set_state(session, state) != VIGIL_OK ||
      vigil_event_new(rs, &event) != VIGIL_OK || vigil_result_new(&result) != VIGIL_OK) {
    std::fprintf(stderr, "vigil_redis_host: cannot set up the session\n");
    return 1;
  }

  std::ifstream file;
  if (!events.empty()) {
    file.open(events);
    if (!file) {
      std::fprintf(stderr, "vigil_redis_host: cannot open %s\n", events.c_str());
      return 1;
    }
  }
  std::istream& in = events.empty() ? std::cin : file;
  const bool flush_each = events.empty();
  long n = 0, fired = 0, state_errors = 0, refused = 0;
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    const auto t0 = std::chrono::steady_clock::now();
    const char* status = "ok";
    out.clear();
    if (vigil_event_set_json(event, line.data(), line.size()) != VIGIL_OK) {
      status = "bad_event";
      out = "{\"error\":\"event\",\"message\":\"" + Escape(vigil_event_errmsg(event)) + "\"}";
    } else {
      vigil_status s = vigil_session_eval(session, event, result);
      if (s == VIGIL_OK) {
        const char* json = nullptr;
        size_t len = 0;
        vigil_result_json(result, &json, &len);
        out.assign(json, len);
        fired += static_cast<long>(vigil_result_fired_count(result));
        if (vigil_result_state_error(result)) {
          status = "state_error";
          ++state_errors;
        }
      } else {
        status = s == VIGIL_ERR_STATE ? "refused" : "error";
        ++refused;
        out = "{\"error\":\"" + std::string(s == VIGIL_ERR_STATE ? "state" : "eval") +
              "\",\"message\":\"" + Escape(vigil_session_errmsg(session)) + "\"}";
      }
    }
    const auto t1 = std::chrono::steady_clock::now();
    if (trace) {
      const long lat =
          static_cast<long>(std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count());
      // How many times the adapter found another primary so far: which
      // server the event was evaluated on, for the failover tests.
      vigil_redis_stats st;
      std::memset(&st, 0, sizeof(st));
      st.struct_size = sizeof(st);
      if (redis != nullptr) vigil_redis_get_stats(redis, &st);
      std::printf("{\"i\":%ld,\"status\":\"%s\",\"wall_us\":%lld,\"lat_us\":%ld,\"pc\":%llu,"
                  "\"result\":%s}\n",
                  n, status, static_cast<long long>(NowUs(std::chrono::system_clock::now())), lat,
                  static_cast<unsigned long long>(st.primary_changes), out.c_str());
    } else {
      std::fwrite(out.data(), 1, out.size(), stdout);
      std::fputc('\n', stdout);
    }
    if (flush_each) std::fflush(stdout);
    ++n;
  }
  std::fflush(stdout);
  if (stats && redis != nullptr) {
    vigil_redis_stats st;
    std::memset(&st, 0, sizeof(st));
    st.struct_size = sizeof(st);
    vigil_redis_get_stats(redis, &st);
    std::fprintf(stderr,
                 "{\"events\":%ld,\"fired\":%ld,\"state_errors\":%ld,\"refused\":%ld,"
                 "\"primaries\":%u,\"commands\":%llu,\"failures\":%llu,\"moved\":%llu,"
                 "\"ask\":%llu,\"tryagain\":%llu,\"refreshes\":%llu,\"primary_changes\":%llu,"
                 "\"script_loads\":%llu}\n",
                 n, fired, state_errors, refused, st.primaries,
                 static_cast<unsigned long long>(st.commands),
                 static_cast<unsigned long long>(st.failures),
                 static_cast<unsigned long long>(st.moved),
                 static_cast<unsigned long long>(st.ask),
                 static_cast<unsigned long long>(st.tryagain),
                 static_cast<unsigned long long>(st.refreshes),
                 static_cast<unsigned long long>(st.primary_changes),
                 static_cast<unsigned long long>(st.script_loads));
  }
  vigil_result_free(result);
  vigil_event_free(event);
  vigil_session_free(session);
  vigil_state_release(state);
  vigil_redis_close(redis);
  vigil_ruleset_release(rs);
  return 0;
}
