/* vigil_redis: a state backend (vigil.h, "external state backends") that keeps the
 * velocity state in Redis, so that several nodes of a platform share one state.
 *
 * Each aggregate group and key is one sorted set, "<prefix>:<group>:<hex key>",
 * scored by event time; one Lua script per event appends, trims and reads it
 * atomically, so nodes see the events in one order. Keys expire when idle for longer
 * than their longest window plus the lateness (wall-clock TTL).
 *
 * Consistency: every node must use the same rule set version (the group id changes
 * with the aggregates' definitions), Redis must be one primary (replicas lag; Redis
 * Cluster works as each key is one slot) and persistence is Redis's own (RDB/AOF).
 * Key names contain the key fields (card numbers, accounts) hex-encoded: protect the
 * Redis instance as you protect those fields (ACLs, TLS tunnel, no shared tenants).
 *
 * Slow or down Redis: every command has `timeout_ms`; after a failure the adapter
 * does not try to reconnect for `retry_ms`, failing fast meanwhile. What a failure
 * means for an evaluation is the state's policy: VIGIL_BACKEND_FAIL_CLOSED makes
 * vigil_session_eval return VIGIL_ERR_STATE; without it the evaluation goes on with
 * the aggregates missing (rules that need them do not fire) and
 * vigil_result_state_error() is 1.
 *
 * Thread-safe: one connection per vigil_redis, used by one thread at a time (calls
 * from several threads queue). Open one per worker thread for parallel nodes. */
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
} vigil_redis_options;

/* Opens a connection. On failure returns VIGIL_ERR_IO and writes a message to errbuf
 * (may be NULL). */
VIGIL_API vigil_status vigil_redis_open(const vigil_redis_options* options, vigil_redis** out,
                                        char* errbuf, size_t errlen);
/* Closes the connection; every state made from it must be released first. */
VIGIL_API void vigil_redis_close(vigil_redis* redis);
/* Fills `backend` for vigil_state_new_external. flags: VIGIL_BACKEND_*. */
VIGIL_API vigil_status vigil_redis_backend(vigil_redis* redis, uint32_t flags,
                                           vigil_backend* backend);

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_REDIS_H */
