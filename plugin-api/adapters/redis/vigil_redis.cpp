// The Redis state backend: one Lua script per event and aggregate group does
// the whole contract of vigil.h (duplicates, reversals, late check, append,
// trim, read) atomically (state_script.hpp); router.hpp sends it to the right
// server. Written against the public C ABI only.
#include "vigil/vigil_redis.h"

#include <cstddef>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "router.hpp"
#include "state_script.hpp"

namespace {

using vigil::redis::Clock;

// Key names: "<prefix>:2:<group>:<hex key>". The 2 is the member layout
// (state_script.hpp); vigil 1.0's keys ("<prefix>:<group>:<hex key>") held
// another, and are left to expire.
constexpr char kLayout[] = ":2:";

// Mixes the node id and a counter into a member's unique part.
uint64_t Unique(uint64_t node, uint64_t counter) {
  uint64_t z = node + counter * 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// The options of vigil 1.0 end before `mode`.
constexpr size_t kOptionsV10 = offsetof(vigil_redis_options, mode);

void Message(char* buf, size_t len, const std::string& text) {
  if (buf == nullptr || len == 0) return;
  std::snprintf(buf, len, "%s", text.c_str());
}

}  // namespace

struct vigil_redis {
  std::mutex mu;
  std::string prefix = "vigil";
  std::unique_ptr<vigil::redis::Router> router;
  uint64_t node = 0;
  uint64_t counter = 0;
  std::vector<std::string> cmd;  // reused between calls
  std::string error;
};

namespace {

vigil_status Apply(void* user, const vigil_backend_request* req, vigil_backend_reply* reply) {
  auto* r = static_cast<vigil_redis*>(user);
  std::lock_guard<std::mutex> lock(r->mu);
  static const char kHex[] = "0123456789abcdef";
  std::string key = r->prefix + kLayout + req->group + ":";
  const auto* kb = static_cast<const unsigned char*>(req->key);
  for (size_t i = 0; i < req->key_len; ++i) {
    key += kHex[kb[i] >> 4];
    key += kHex[kb[i] & 15];
  }
  // Ids and reversals came with ABI 1.3's request.
  const bool marks = req->struct_size >= offsetof(vigil_backend_request, reversal) + 4;
  const uint64_t id = marks ? req->event_id : 0;
  const uint64_t ref = marks ? req->reference : 0;
  const bool reversal = marks && req->reversal != 0;
  // EVALSHA <SHA-1, filled in by the router> 1 KEY ARGV...
  std::vector<std::string>& cmd = r->cmd;
  if (cmd.empty()) cmd = {"EVALSHA", "", "1", "", "", "", "", "", "", "", "", "", "", ""};
  cmd[3] = key;
  cmd[4] = std::to_string(req->ts_us);
  cmd[5].assign(1, req->record ? '1' : '0');
  cmd[6] = std::to_string(req->lateness_us);
  cmd[7] = std::to_string(req->keep_us);
  cmd[8] = std::to_string(req->from_us);
  vigil::redis::BuildMember(req->ts_us, id, ref, Unique(r->node, ++r->counter),
                            std::string_view(static_cast<const char*>(req->entry), req->entry_len),
                            &cmd[9]);
  // Idle keys expire (wall clock) once every entry has left every window.
  cmd[10] = std::to_string(req->keep_us / 1000 + 60000);
  cmd[11] = vigil::redis::HashArg(id);
  cmd[12] = vigil::redis::HashArg(ref);
  cmd[13].assign(1, reversal ? '1' : '0');
  auto fail = [&](const std::string& why) {
    r->error = why;
    vigil_backend_reply_set_error(reply, r->error.c_str());
    return VIGIL_ERR_IO;
  };
  vigil::redis::Reply rep = r->router->Script(cmd, key, &r->error);
  if (rep == nullptr) return fail(r->error);
  if (rep->type == REDIS_REPLY_ERROR) {
    return fail("redis: " + std::string(rep->str, rep->len));  // the script's own error
  }
  if (rep->type != REDIS_REPLY_ARRAY || rep->elements < 3 ||
      rep->element[0]->type != REDIS_REPLY_INTEGER ||
      rep->element[1]->type != REDIS_REPLY_INTEGER ||
      rep->element[2]->type != REDIS_REPLY_INTEGER) {
    return fail("redis: unexpected reply to the state script");
  }
  vigil_backend_reply_set_late(reply, rep->element[0]->integer != 0 ? 1 : 0);
  vigil_backend_reply_set_duplicate(reply, rep->element[1]->integer != 0 ? 1 : 0);
  vigil_backend_reply_set_reversed(reply, rep->element[2]->integer != 0 ? 1 : 0);
  for (size_t i = 3; i < rep->elements; ++i) {
    const redisReply* m = rep->element[i];
    vigil::redis::Member member;
    if (m->type != REDIS_REPLY_STRING ||
        !vigil::redis::ParseMember(std::string_view(m->str, m->len), &member)) {
      return fail("redis: a member of " + key + " is not a vigil entry");
    }
    if (member.reversed) continue;  // taken back: in no window
    vigil_backend_reply_add(reply, member.ts, member.entry.data(), member.entry.size());
  }
  return VIGIL_OK;
}

// Reads the options into a router configuration; false with *why on misuse.
bool Configure(const vigil_redis_options* o, vigil_redis* r, vigil::redis::RouterConfig* config,
               std::string* why) {
  using vigil::redis::Mode;
  std::string host = "127.0.0.1";
  int port = 6379;
  const char* nodes = nullptr;
  int32_t mode = VIGIL_REDIS_STANDALONE;
  if (o != nullptr) {
    if (o->host != nullptr) host = o->host;
    if (o->port > 0) port = o->port;
    if (o->prefix != nullptr) r->prefix = o->prefix;
    if (o->timeout_ms > 0) config->timeouts.timeout_ms = o->timeout_ms;
    if (o->retry_ms > 0) config->timeouts.retry_ms = o->retry_ms;
    if (o->struct_size >= sizeof(vigil_redis_options)) {
      mode = o->mode;
      nodes = o->nodes;
      if (o->master_name != nullptr) config->master_name = o->master_name;
    }
  }
  if (r->prefix.find_first_of("{}") != std::string::npos) {
    *why = "the key prefix '" + r->prefix + "' contains '{' or '}' (Redis Cluster hash tags)";
    return false;
  }
  switch (mode) {
    case VIGIL_REDIS_STANDALONE: config->mode = Mode::kStandalone; break;
    case VIGIL_REDIS_CLUSTER: config->mode = Mode::kCluster; break;
    case VIGIL_REDIS_SENTINEL: config->mode = Mode::kSentinel; break;
    default:
      *why = "unknown mode " + std::to_string(mode) +
             " (expected VIGIL_REDIS_STANDALONE, _CLUSTER or _SENTINEL)";
      return false;
  }
  const std::string list = nodes != nullptr ? nodes : host + ":" + std::to_string(port);
  std::string bad;
  if (!vigil::redis::ParseAddressList(list, &config->nodes, &bad)) {
    *why = "nodes: " + bad;
    return false;
  }
  if (config->mode == Mode::kStandalone && config->nodes.size() != 1) {
    *why = "nodes: standalone mode takes one server, not " + std::to_string(config->nodes.size());
    return false;
  }
  if (config->mode == Mode::kSentinel && config->master_name.empty()) {
    *why = "master_name: Sentinel mode needs the name the sentinels monitor the primary under";
    return false;
  }
  return true;
}

}  // namespace

extern "C" {

vigil_status vigil_redis_open(const vigil_redis_options* options, vigil_redis** out, char* errbuf,
                              size_t errlen) {
  if (out == nullptr) return VIGIL_ERR_MISUSE;
  *out = nullptr;
  if (options != nullptr && options->struct_size < kOptionsV10) {
    Message(errbuf, errlen, "vigil_redis_options.struct_size is too small");
    return VIGIL_ERR_MISUSE;
  }
  try {
    auto r = std::make_unique<vigil_redis>();
    vigil::redis::RouterConfig config;
    std::string why;
    if (!Configure(options, r.get(), &config, &why)) {
      Message(errbuf, errlen, "vigil_redis_options." + why);
      return VIGIL_ERR_MISUSE;
    }
    r->node = std::random_device{}() * 0x100000001ULL ^
              static_cast<uint64_t>(Clock::now().time_since_epoch().count());
    r->router = std::make_unique<vigil::redis::Router>(std::move(config), vigil::redis::kStateScript);
    if (!r->router->Start(&why)) {
      Message(errbuf, errlen, why);
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
  backend->flags = flags | VIGIL_BACKEND_EXACTLY_ONCE;  // ids and reversals: state_script.hpp
  backend->apply = Apply;
  backend->user = redis;
  return VIGIL_OK;
}

vigil_status vigil_redis_get_stats(vigil_redis* redis, vigil_redis_stats* stats) {
  if (redis == nullptr || stats == nullptr || stats->struct_size < sizeof(vigil_redis_stats)) {
    return VIGIL_ERR_MISUSE;
  }
  std::lock_guard<std::mutex> lock(redis->mu);
  const vigil::redis::RouterStats& s = redis->router->stats();
  stats->primaries = redis->router->primaries();
  stats->commands = s.commands;
  stats->failures = s.failures;
  stats->moved = s.moved;
  stats->ask = s.ask;
  stats->tryagain = s.tryagain;
  stats->refreshes = s.refreshes;
  stats->primary_changes = s.primary_changes;
  stats->script_loads = s.script_loads;
  return VIGIL_OK;
}

}  // extern "C"
