/* Struct definitions of the Streamable HTTP transport (no functions):
 * the server, a connection's record, an SSE stream, a session's transport
 * data, one POST's exchange and one HTTP request. Lock order: active_lock,
 * then a post's lock, then live_lock, then a stream's lock. */
#ifndef MCP_TRANSPORT_HTTP_INTERNAL_H
#define MCP_TRANSPORT_HTTP_INTERNAL_H

#include <sys/socket.h>
#include <netinet/in.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>

#include <mcp/http.h>

#include "core/exchange.h"
#include "core/limit.h"
#include "core/session.h"
#include "base/util.h"
#include "transport/event_log.h"
#include "transport/body_buffer.h"
#include "transport/metrics.h"

typedef struct http_stream http_stream;
typedef struct post_exchange post_exchange;
typedef struct http_batch http_batch;

struct mcp_http_server {
    mcp_server *srv;
    mcp_http_options o;
    struct MHD_Daemon *daemon;
    session_table *sessions;
    char instance_id[33];          /* names this server on the store's bus ("upd" messages) */
    unsigned port;
    bool loopback;
    atomic_bool stopping;
    atomic_bool ready;             /* edge: /readyz; set once started, cleared when a drain begins */
    _Atomic uint64_t drain_started_ms; /* edge: mcp_http_begin_drain, 0 before */
    struct mcp__proxy_list *proxies;   /* edge: trusted_proxies (http_proxy.c), NULL: none */
    bool tls;                      /* edge: serving https (http_tls.c) */
    struct mcp__tls *tls_ctx;      /* edge: certificate generations, NULL without TLS */
    pthread_t housekeeper;
    bool housekeeper_running;      /* started: mcp_http_stop joins it */
    pthread_mutex_t hk_lock;
    pthread_cond_t hk_wake;
    pthread_mutex_t live_lock;     /* guards live_streams */
    http_stream *live_streams;     /* streams attached to a connection */
    /* POSTs still waiting for a handler that did not finish inline. Its own
     * lock, taken before a post's lock (answering a post takes the post's
     * lock, then live_lock): one lock for both lists made a cycle. */
    pthread_mutex_t active_lock;
    post_exchange *active_posts;
    atomic_uint inflight;
    atomic_ulong releases;         /* requests and connections ended (heap trim trigger) */
    http_metrics *metrics;
    struct mcp_auth *auth;         /* borrowed from the options; NULL: no authorization */
    atomic_int refs;               /* mcp_http_stop's + one per POST in flight */
    pthread_mutex_t conns_lock;
    struct conn_track *conns;      /* every open connection, for the header deadline */
    struct mcp__limiter *limiter;  /* rate limits (http_limit.c); NULL: off */
};

/* Per-connection record (libmicrohttpd socket context): when the request
 * head started to arrive, so a client trickling header bytes is cut off. */
typedef struct conn_track {
    int fd;
    mcp_http_server *hs;           /* edge: the server, for CORS on every response (http_cors.c) */
    _Atomic uint64_t waiting_since_ms; /* connection start, or the end of the last request */
    atomic_bool in_request;        /* the head arrived: the idle timeout governs */
    struct conn_track *prev, *next;
} conn_track;

/* One SSE response body in progress, for a POST or the standalone GET.
 * Bytes queue in out; the MHD reader drains them and parks (suspends) the
 * connection when empty. With a session, every event gets an id
 * "<stream>_<seq>" and is kept in a bounded log for Last-Event-ID replay. */
struct http_stream {
    pthread_mutex_t lock;
    atomic_int refs;
    mcp_http_server *hs;
    struct MHD_Connection *conn;   /* NULL when no client is attached */
    bool parked;                   /* we suspended conn waiting for data */
    bool finished;                 /* end the body once out is drained */
    strbuf out;
    mcp_session *session;          /* ref, NULL in stateless mode */
    unsigned no;                   /* stream number within the session */
    uint64_t seq;                  /* last event sequence number */
    bool resumable;                /* ids + log (stateful sessions) */
    bool standalone;               /* the GET stream */
    event_log log;                 /* framed events for replay (memory store) */
    struct store_event *store_queue, **store_tail; /* events not yet written to the store */
    bool flushing;                 /* a thread is writing store_queue out */
    http_stream *live_next;        /* hs->live_streams */
    http_stream *session_next;     /* per-session list (see http_session) */
    bool in_live;
};

/* Per-session transport data: its streams, kept for replay. */
typedef struct http_session {
    pthread_mutex_t lock;
    unsigned next_stream_no;
    http_stream *streams;          /* newest first, bounded */
    unsigned nstreams;
    http_stream *standalone;       /* the open GET stream, if any */
} http_session;

struct post_exchange {
    mcp_exchange ex;               /* first: the protocol layer sees this */
    pthread_mutex_t lock;
    atomic_int refs;               /* the HTTP request + the dispatch */
    mcp_http_server *hs;
    struct MHD_Connection *conn;   /* NULL once the request is over */
    bool waiting;                  /* conn suspended until an event or the answer */
    bool done;
    cJSON *response;               /* the answer, until sent */
    cJSON *events;                 /* related messages before the mode was chosen */
    http_stream *stream;           /* once answered as SSE */
    bool json_only, sse_only;
    bool is_initialize;
    bool committed;                /* commit_initialize ran (answering thread only) */
    int commit_rc;
    /* In hs->active_posts (so shutdown can answer it) only while it waits
     * for a handler that did not finish inline: most requests never touch
     * the server-wide list or its lock. Guarded by hs->active_lock. */
    bool active;
    post_exchange *active_next, **active_pprev;
};

typedef struct http_req {
    mcp_http_server *hs;
    uint64_t start_us;
    body_buffer body;
    bool too_large;
    bool answered;                 /* refused before the body: drop what follows */
    bool deferred;                 /* GET/DELETE/...: answered on the second call */
    post_exchange *px;
    http_batch *batch;
    char rpc[64];
    char subject[256];             /* OAuth subject when authorization is on */
    char principal[MCP_LIMIT_PRINCIPAL_MAX]; /* rate-limit key, set when limits are on */
} http_req;

#endif
