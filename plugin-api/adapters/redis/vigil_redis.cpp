// The Redis state backend: one Lua script per event and aggregate group does
// the whole contract of vigil.h (late check, append, trim, read) atomically.
// Written against the public C ABI only.
#include "vigil/vigil_redis.h"

#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <memory>
#include <random>
#include <string>

namespace {

// KEYS[1] the key's sorted set. ARGV: ts, record, lateness, keep, from,
// member, ttl_ms. Returns {late, member, member, ...} (members after `from`).
const char kScript[] = R"(
local ts = tonumber(ARGV[1])
local late = 0
local latest = ts
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if #last > 0 then
  local l = tonumber(last[2])
  if ts < l - tonumber(ARGV[3]) then late = 1 end
  if l > latest then latest = l end
end
if ARGV[2] == '1' and late == 0 then redis.call('ZADD', KEYS[1], ts, ARGV[6]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', latest - tonumber(ARGV[4]))
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[7]) end
local r = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[5], '+inf')
table.insert(r, 1, late)
return r
)";

// Members are: event time (8 bytes), node id (8), counter (8), entry. The
// time is read back from the member, not from the (double) score; the node
// id and counter make equal entries of different events distinct.
constexpr size_t kMemberHeader = 24;

using Clock = std::chrono::steady_clock;

}  // namespace

struct vigil_redis {
  std::mutex mu;
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string prefix = "vigil";
  int timeout_ms = 50;
  int retry_ms = 1000;
  redisContext* ctx = nullptr;
  Clock::time_point retry_after{};
  uint64_t node = 0;
  uint64_t counter = 0;
  std::string last_error;

  ~vigil_redis() {
    if (ctx != nullptr) redisFree(ctx);
  }

  bool Connect() {
    if (ctx != nullptr) return true;
    if (Clock::now() < retry_after) {
      last_error = "redis " + host + ":" + std::to_string(port) +
                   " is unavailable (waiting before reconnecting): " + last_error;
      return false;
    }
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    ctx = redisConnectWithTimeout(host.c_str(), port, tv);
    if (ctx == nullptr || ctx->err != 0) {
      Fail(ctx != nullptr ? ctx->errstr : "cannot allocate a redis context");
      return false;
    }
    redisSetTimeout(ctx, tv);
    return true;
  }

  void Fail(const std::string& why) {
    last_error = "redis " + host + ":" + std::to_string(port) + ": " + why;
    if (ctx != nullptr) redisFree(ctx);
    ctx = nullptr;
    retry_after = Clock::now() + std::chrono::milliseconds(retry_ms);
  }
};

namespace {

vigil_status Apply(void* user, const vigil_backend_request* req, vigil_backend_reply* reply) {
  auto* r = static_cast<vigil_redis*>(user);
  std::lock_guard<std::mutex> lock(r->mu);
  auto fail = [&](const std::string& why) {
    if (!why.empty()) r->Fail(why);
    vigil_backend_reply_set_error(reply, r->last_error.c_str());
    return VIGIL_ERR_IO;
  };
  if (!r->Connect()) return fail("");

  static const char kHex[] = "0123456789abcdef";
  std::string key = r->prefix + ":" + req->group + ":";
  const auto* kb = static_cast<const unsigned char*>(req->key);
  for (size_t i = 0; i < req->key_len; ++i) {
    key += kHex[kb[i] >> 4];
    key += kHex[kb[i] & 15];
  }
  std::string member(kMemberHeader, '\0');
  uint64_t seq = ++r->counter;
  std::memcpy(&member[0], &req->ts_us, 8);
  std::memcpy(&member[8], &r->node, 8);
  std::memcpy(&member[16], &seq, 8);
  member.append(static_cast<const char*>(req->entry), req->entry_len);
  // Idle keys expire (wall clock) once every entry has left every window.
  const int64_t ttl_ms = req->keep_us / 1000 + 60000;
  const std::string args[] = {"EVAL",
                              kScript,
                              "1",
                              key,
                              std::to_string(req->ts_us),
                              req->record ? "1" : "0",
                              std::to_string(req->lateness_us),
                              std::to_string(req->keep_us),
                              std::to_string(req->from_us),
                              member,
                              std::to_string(ttl_ms)};
  const char* argv[11];
  size_t argvlen[11];
  for (int i = 0; i < 11; ++i) {
    argv[i] = args[i].data();
    argvlen[i] = args[i].size();
  }
  auto* rep = static_cast<redisReply*>(redisCommandArgv(r->ctx, 11, argv, argvlen));
  if (rep == nullptr) return fail(r->ctx->errstr[0] ? r->ctx->errstr : "no reply");
  struct Free {
    redisReply* p;
    ~Free() { freeReplyObject(p); }
  } guard{rep};
  if (rep->type == REDIS_REPLY_ERROR) {
    // A script error is the server's answer, not a broken connection.
    r->last_error = "redis: " + std::string(rep->str, rep->len);
    vigil_backend_reply_set_error(reply, r->last_error.c_str());
    return VIGIL_ERR_IO;
  }
  if (rep->type != REDIS_REPLY_ARRAY || rep->elements < 1 ||
      rep->element[0]->type != REDIS_REPLY_INTEGER) {
    return fail("unexpected reply to the state script");
  }
  vigil_backend_reply_set_late(reply, rep->element[0]->integer != 0 ? 1 : 0);
  for (size_t i = 1; i < rep->elements; ++i) {
    const redisReply* m = rep->element[i];
    if (m->type != REDIS_REPLY_STRING || m->len < kMemberHeader) {
      return fail("a member of " + key + " is not a vigil entry");
    }
    int64_t ts;
    std::memcpy(&ts, m->str, 8);
    vigil_backend_reply_add(reply, ts, m->str + kMemberHeader, m->len - kMemberHeader);
  }
  return VIGIL_OK;
}

void Message(char* buf, size_t len, const std::string& text) {
  if (buf == nullptr || len == 0) return;
  std::snprintf(buf, len, "%s", text.c_str());
}

}  // namespace

extern "C" {

vigil_status vigil_redis_open(const vigil_redis_options* options, vigil_redis** out, char* errbuf,
                              size_t errlen) {
  if (out == nullptr) return VIGIL_ERR_MISUSE;
  *out = nullptr;
  if (options != nullptr && options->struct_size < sizeof(vigil_redis_options)) {
    Message(errbuf, errlen, "vigil_redis_options.struct_size is too small");
    return VIGIL_ERR_MISUSE;
  }
  try {
    auto r = std::make_unique<vigil_redis>();
    if (options != nullptr) {
      if (options->host != nullptr) r->host = options->host;
      if (options->port > 0) r->port = options->port;
      if (options->prefix != nullptr) r->prefix = options->prefix;
      if (options->timeout_ms > 0) r->timeout_ms = options->timeout_ms;
      if (options->retry_ms > 0) r->retry_ms = options->retry_ms;
    }
    r->node = std::random_device{}() * 0x100000001ULL ^ static_cast<uint64_t>(
                                                            Clock::now().time_since_epoch().count());
    if (!r->Connect()) {
      Message(errbuf, errlen, r->last_error);
      return VIGIL_ERR_IO;
    }
    *out = r.release();
    return VIGIL_OK;
  } catch (...) {
    Message(errbuf, errlen, "out of memory");
    return VIGIL_ERR_NOMEM;
  }
}

void vigil_redis_close(vigil_redis* redis) { delete redis; }

vigil_status vigil_redis_backend(vigil_redis* redis, uint32_t flags, vigil_backend* backend) {
  if (redis == nullptr || backend == nullptr) return VIGIL_ERR_MISUSE;
  std::memset(backend, 0, sizeof(*backend));
  backend->struct_size = sizeof(*backend);
  backend->flags = flags;
  backend->apply = Apply;
  backend->user = redis;
  return VIGIL_OK;
}

}  // extern "C"
