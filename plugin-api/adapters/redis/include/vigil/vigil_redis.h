/* vigil_redis: a state backend (vigil.h, "external state backends") that keeps the
 * velocity state in Redis, so that several nodes of a platform share one state.
 *
 * Each aggregate group and key is one sorted set, "<prefix>:2:<group>:<hex key>",
 * scored by event time; one Lua script per event and group checks for a duplicate,
 * applies a reversal, appends, trims and reads it atomically, so nodes see the events
 * in one order and each event counts once (the backend sets VIGIL_BACKEND_EXACTLY_ONCE:
 * docs/language.md, "Duplicates and reversals"). Keys expire when idle for longer than
 * their longest window plus the lateness (wall-clock TTL). vigil 1.0 wrote
 * "<prefix>:<group>:<hex key>" keys without the marks: they are not read, and expire.
 *
 * Three ways to reach Redis (vigil_redis_options.mode, docs/deployment.md):
 *   VIGIL_REDIS_STANDALONE  one primary at host:port;
 *   VIGIL_REDIS_CLUSTER     a Redis Cluster: the slot map is read from any of the seed
 *                           `nodes`, each command goes to the primary serving its key's
 *                           slot (one connection per primary), MOVED and ASK redirections
 *                           are followed, and the slot map is read again after a
 *                           redirection or a failed node (failover);
 *   VIGIL_REDIS_SENTINEL    the primary that the sentinels (`nodes`) monitor under
 *                           `master_name`, checked with ROLE, and looked up again after a
 *                           failure or a READONLY answer (failover).
 * The keys of one group and key value share a hash tag, so the script runs on one node.
 *
 * Consistency: every node must use the same rule set version (the group id changes
 * with the aggregates' definitions). Redis replication is asynchronous: on a failover,
 * the last writes acknowledged by the old primary may be lost (docs/deployment.md
 * says how large that window was in our tests). Persistence is Redis's own (RDB/AOF).
 * Key names contain the key fields (card numbers, accounts) hex-encoded: protect the
 * Redis instance as you protect those fields (ACLs, TLS tunnel, no shared tenants).
 *
 * Slow or down Redis: every connect and command waits at most `timeout_ms`, and one
 * evaluation's call at most twice that, redirections included; after a failure a
 * node is not tried again for `retry_ms` (and the slot map or the primary is looked up
 * at most once per `retry_ms`), failing fast meanwhile. A command whose reply was lost
 * is never sent again (it may have run): the event's evaluation fails instead. What a
 * failure means for an evaluation is the state's policy: VIGIL_BACKEND_FAIL_CLOSED
 * makes vigil_session_eval return VIGIL_ERR_STATE; without it the evaluation goes on
 * with the aggregates missing (rules that need them do not fire) and
 * vigil_result_state_error() is 1.
 *
 * Thread-safe: one connection per server per vigil_redis, used by one thread at a time
 * (calls from several threads queue). Open one per worker thread for parallel nodes. */
#ifndef VIGIL_REDIS_H
#define VIGIL_REDIS_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vigil_redis vigil_redis;

typedef struct vigil_redis_options {
  uint32_t struct_size;
  int32_t port;          /* default 6379 when 0 */
  const char* host;      /* default "127.0.0.1" when NULL */
  const char* prefix;    /* key prefix, default "vigil" when NULL */
  int32_t timeout_ms;    /* connect and command timeout, default 50 when 0 */
  int32_t retry_ms;      /* no reconnection attempt for this long after a failure, default 1000 */
  /* Since vigil 1.1 (read only when struct_size covers them; zero for the defaults). */
  int32_t mode;            /* VIGIL_REDIS_STANDALONE (default), _CLUSTER or _SENTINEL */
  const char* nodes;       /* "host:port,host:port,...": the cluster's seed nodes, or the
                              sentinels; default host:port */
  const char* master_name; /* Sentinel: the name the sentinels monitor the primary under */
} vigil_redis_options;

#define VIGIL_REDIS_STANDALONE 0
#define VIGIL_REDIS_CLUSTER 1
#define VIGIL_REDIS_SENTINEL 2

/* What the adapter did so far (counters since vigil_redis_open). */
typedef struct vigil_redis_stats {
  uint32_t struct_size;     /* set by the caller */
  uint32_t primaries;       /* primaries known: the cluster's, or 1 */
  uint64_t commands;        /* state scripts sent (a redirected one counts again) */
  uint64_t failures;        /* calls that failed (the evaluation got a state error) */
  uint64_t moved;           /* MOVED redirections followed */
  uint64_t ask;             /* ASK redirections followed */
  uint64_t tryagain;        /* TRYAGAIN answers waited out (a slot migrating) */
  uint64_t refreshes;       /* slot maps read, or primaries looked up from the sentinels */
  uint64_t primary_changes; /* lookups that found another primary (failovers, migrations) */
  uint64_t script_loads;    /* SCRIPT LOAD sent (first use of a node, NOSCRIPT) */
} vigil_redis_stats;

/* Opens a connection (cluster: reads the slot map from a seed; Sentinel: finds the
 * primary). On failure returns VIGIL_ERR_IO, or VIGIL_ERR_MISUSE for bad options, and
 * writes a message to errbuf (may be NULL). */
VIGIL_API vigil_status vigil_redis_open(const vigil_redis_options* options, vigil_redis** out,
                                        char* errbuf, size_t errlen);
/* Closes the connection; every state made from it must be released first. */
VIGIL_API void vigil_redis_close(vigil_redis* redis);
/* Fills `backend` for vigil_state_new_external. flags: VIGIL_BACKEND_*. */
VIGIL_API vigil_status vigil_redis_backend(vigil_redis* redis, uint32_t flags,
                                           vigil_backend* backend);
/* Fills *stats (set stats->struct_size first). */
VIGIL_API vigil_status vigil_redis_get_stats(vigil_redis* redis, vigil_redis_stats* stats);

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_REDIS_H */
