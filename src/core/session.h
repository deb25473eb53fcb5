/* Legacy-era sessions (one per initialize in stateful HTTP mode, one per
 * process on stdio) and the in-memory session table. A session holds only
 * what the protocol needs: negotiated version, client capabilities and
 * info, log level, resource subscriptions, application state, the
 * server->client requests awaiting answers and the calls in flight (for
 * notifications/cancelled). */
#ifndef MCP_CORE_SESSION_H
#define MCP_CORE_SESSION_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "core/version.h"
#include "store/store.h"

#define MCP_SESSION_ID_LEN 32   /* 128 bits as hex: visible ASCII only */

typedef struct pending_request pending_request;
typedef struct active_call active_call;
typedef struct mcp_session mcp_session;

struct mcp_session {
    char id[MCP_SESSION_ID_LEN + 1];
    atomic_int refs;
    pthread_mutex_t lock;
    mcp__revision version;
    int log_level;                 /* mcp_log_level, or -1 when the client never set one */
    atomic_bool initialized;       /* notifications/initialized seen (read by broadcasts) */
    atomic_bool closed;            /* deleted, expired or shut down */
    _Atomic uint64_t last_used_ms;
    cJSON *client_caps;            /* owned; {} when none */
    cJSON *client_info;            /* owned; may be NULL */
    cJSON *state;                  /* owned app state object, created on first use */
    cJSON *subscriptions;          /* owned array of subscribed resource URIs, or NULL */
    pending_request *pending;      /* server->client requests awaiting answers */
    int64_t next_out_id;
    active_call *active;           /* requests in flight */
    void *transport;               /* transport data (SSE streams), see hooks below */
    void (*transport_close)(mcp_session *s);   /* on close: end streams */
    void (*transport_free)(void *transport);   /* on last unref */
    mcp_session *hnext;            /* session table chain */
    mcp_store *store;              /* external store, or NULL (memory only) */
    char *subject;                 /* OAuth subject the session is bound to, or NULL */
    unsigned ttl_ms;               /* store TTL, refreshed on use */
    _Atomic uint64_t store_touched_ms; /* last TTL refresh sent to the store */
    uint64_t born_us;              /* initialize committed on this instance (otel.c); 0: elsewhere */
};

mcp_session *mcp__session_new(void);            /* refs = 1, fresh random id */
void mcp__session_ref(mcp_session *s);
void mcp__session_unref(mcp_session *s);
/* Mark closed, fail pending requests, cancel calls, end transport streams. */
void mcp__session_close(mcp_session *s);

/* Calls in flight, so notifications/cancelled can find them by id. */
void mcp__session_track_call(mcp_session *s, active_call *ac, const cJSON *id, atomic_bool *cancel_flag);
void mcp__session_untrack_call(mcp_session *s, active_call *ac);
bool mcp__session_cancel_call(mcp_session *s, const cJSON *id);

struct active_call {
    cJSON *id;
    atomic_bool *cancelled;
    active_call *next;
};

/* Server->client requests. mcp__session_request_begin registers the id and
 * returns the message to send; mcp__session_request_wait blocks for the answer
 * (the full response message, caller frees) or times out. */
cJSON *mcp__session_request_begin(mcp_session *s, const char *method, cJSON *params_take, pending_request **out);
int mcp__session_request_wait(mcp_session *s, pending_request *p, unsigned timeout_ms,
                         const atomic_bool *cancelled, cJSON **response_out);
/* A client response arrived: hand it to the waiting request. Returns NULL
 * when consumed, or gives the message back when nobody here waits for it. */
cJSON *mcp__session_resolve(mcp_session *s, cJSON *response);

/* Write the record (version, capabilities, info, log level, subscriptions) to the store. */
int mcp__session_save(mcp_session *s);

/* App state (string values by key). */
int mcp__session_state_get(mcp_session *s, const char *key, char **out);
int mcp__session_state_set(mcp_session *s, const char *key, const char *value);
int mcp__session_state_incr(mcp_session *s, const char *key, int64_t delta, int64_t *out);
/* The increment without waiting for a store: MCP_CALL_PENDING when the
 * store took the command (done(ctx, rc, value) follows on its thread), else
 * what mcp__session_state_incr returns, done not called. */
int mcp__session_state_incr_async(mcp_session *s, const char *key, int64_t delta,
                                  void (*done)(void *ctx, int rc, int64_t value), void *ctx, int64_t *out);

/* ---- the in-memory session table ---- */
typedef struct session_table session_table;

/* store may be NULL; ttl_ms is the store TTL (the idle expiry). */
session_table *mcp__session_table_new(unsigned max_sessions, mcp_store *store, unsigned ttl_ms);
void mcp__session_table_free(session_table *t);          /* closes every session */
/* Insert a validated session; -MCP_ELIMIT when the cap is reached. */
int mcp__session_table_insert(session_table *t, mcp_session *s);
/* Lookup by id with a new reference, touching last use (and the store
 * TTL). 0 and *out, -MCP_ENOTFOUND (unknown, ended, expired) or -MCP_EIO
 * (the store cannot be reached: answer 503, not 404). */
int mcp__session_table_lookup(session_table *t, const char *id, mcp_session **out);
mcp_session *mcp__session_table_get(session_table *t, const char *id);
/* Remove and close; -MCP_ENOTFOUND if unknown. */
int mcp__session_table_remove(session_table *t, const char *id);
/* Close sessions idle longer than idle_ms; returns how many. */
unsigned mcp__session_table_expire(session_table *t, uint64_t idle_ms);
unsigned mcp__session_table_count(session_table *t);
/* edge: at the cap, end the least recently used session that nothing holds
 * (no request, call or open stream: only the table's reference). 0 when one
 * was evicted (its client then gets 404), -MCP_ENOTFOUND when every session
 * is busy. With a store its record is deleted there too (best effort). */
int mcp__session_table_evict_lru(session_table *t);
/* Mark s in use now (an open stream); refreshes the store TTL at most
 * every third of it, so idle streams do not flood the store. */
void mcp__session_touch(mcp_session *s);

/* Where ended sessions that began here are measured
 * (mcp.server.session.duration); NULL: nowhere. */
struct mcp__otel;
void mcp__session_table_set_otel(session_table *t, struct mcp__otel *otel);

/* Close and remove every session (shutdown; the store keeps them). */
void mcp__session_table_close_all(session_table *t);

/* resources/subscribe (subscribe true) or unsubscribe of uri: the session's
 * list changes, and with a store the record is saved and other instances
 * are told ("sub" on the bus). 0, -MCP_ENOMEM or the store's -MCP_EIO. */
int mcp__session_subscription_change(mcp_session *s, const char *uri, bool subscribe);
/* Bus messages the table does not handle itself (today "upd") go to fn,
 * called with no lock held on the store's subscriber thread. NULL clears
 * it and waits for a delivery in progress. */
void mcp__session_table_set_bus_fn(session_table *t, store_message_fn fn, void *ctx);
/* The store's bus listener (store_ops.set_listener): another instance ended
 * a session ("del"), changed its subscriptions ("sub") or got a response
 * meant for us; other kinds go to the bus fn above. */
void mcp__session_table_on_message(void *table, const char *kind, const char *sid, const char *payload);
/* Publish on the store's bus (nothing without a store). */
int mcp__session_table_publish(session_table *t, const char *kind, const char *id, const char *payload);

/* True when the session subscribed to uri (resources/subscribe). */
bool mcp__session_subscribed(mcp_session *s, const char *uri);

#endif
