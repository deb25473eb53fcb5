/* The store interface the session layer uses when sessions must outlive
 * (or be shared beyond) one process. Every call but state_incr_async is
 * synchronous and bounded by the backend's timeouts; failures return
 * -MCP_EIO so the transport can answer 503 instead of hanging. Keys of one
 * session share a hash tag. */
#ifndef MCP_STORE_STORE_H
#define MCP_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <mcp/store.h>

#include "base/util.h"

typedef struct session_record {
    char *version;       /* negotiated protocol version */
    char *client_caps;   /* JSON text */
    char *client_info;   /* JSON text or NULL */
    int log_level;       /* -1 unset */
    char *subject;       /* OAuth subject or NULL */
    char *subscriptions; /* JSON array of subscribed resource URIs, or NULL (none; old records) */
} session_record;

void mcp__session_record_clear(session_record *r);

/* Messages other instances publish: a session ended ("del"), a client's
 * answer to a server->client request arrived at the wrong instance
 * ("resp"), a session's resource subscriptions changed ("sub", payload the
 * JSON array), or a resource was updated ("upd": session_id is the
 * publishing instance's id, payload the URI). */
typedef void (*store_message_fn)(void *ctx, const char *kind, const char *session_id, const char *payload);

typedef struct store_ops {
    int (*session_save)(mcp_store *st, const char *sid, const session_record *r, unsigned ttl_ms);
    int (*session_load)(mcp_store *st, const char *sid, session_record *out, unsigned ttl_ms); /* -MCP_ENOTFOUND */
    int (*session_touch)(mcp_store *st, const char *sid, unsigned ttl_ms);                     /* -MCP_ENOTFOUND */
    /* A request on a session this instance holds: confirm it still exists
     * and refresh its TTL, or skip the round trip when *checked_ms (the
     * last confirmation, which this updates) lets the backend vouch for
     * it. -MCP_ENOTFOUND when it is gone. Optional: NULL means
     * session_touch on every lookup. */
    int (*session_check)(mcp_store *st, const char *sid, unsigned ttl_ms, _Atomic uint64_t *checked_ms);
    int (*session_delete)(mcp_store *st, const char *sid);
    int (*state_get)(mcp_store *st, const char *sid, const char *key, char **out);
    int (*state_set)(mcp_store *st, const char *sid, const char *key, const char *value);
    int (*state_incr)(mcp_store *st, const char *sid, const char *key, int64_t delta, int64_t *out);
    /* state_incr without waiting: 0 when the command is on its way and
     * done(ctx, rc, value) will follow exactly once on the store's own
     * thread; < 0 when it was not taken (done not called: the caller falls
     * back to state_incr). ttl_ms: the session's idle TTL. Optional. */
    int (*state_incr_async)(mcp_store *st, const char *sid, const char *key, int64_t delta, unsigned ttl_ms,
                            void (*done)(void *ctx, int rc, int64_t value), void *ctx);
    int (*stream_next)(mcp_store *st, const char *sid, unsigned *no);
    int (*event_append)(mcp_store *st, const char *sid, unsigned no, uint64_t seq, const char *frame,
                        size_t len, unsigned retention, unsigned ttl_ms);
    int (*event_replay)(mcp_store *st, const char *sid, unsigned no, uint64_t after, strbuf *out);
    int (*publish)(mcp_store *st, const char *kind, const char *sid, const char *payload);
    void (*set_listener)(mcp_store *st, store_message_fn fn, void *ctx);
    bool (*probe)(mcp_store *st);                /* reachable right now (for /healthz) */
    void (*free)(mcp_store *st);
    /* Rate limits (core/limit.c): refill principal's shared bucket and take
     * one token, atomically for every instance. 0 with *retry_ms = 0 (taken)
     * or the ms until a token is there; -MCP_EIO when the store cannot
     * decide (the caller falls back to its local bucket). NULL: unsupported. */
    int (*limit_take)(mcp_store *st, const char *principal, double rate, unsigned burst, uint64_t *retry_ms);
} store_ops;

struct task_store;
struct mcp_store {
    const store_ops *ops;
    /* Tasks: the task-record store on the same backend, or NULL (set by
     * redis.c to redis_tasks.c's opener). */
    struct task_store *(*tasks_open)(mcp_store *st);
};

#endif
