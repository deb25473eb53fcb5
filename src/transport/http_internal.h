/* Internal structures of the Streamable HTTP transport, shared by
 * http_server.c (libmicrohttpd glue, lifecycle, housekeeping), streamable.c
 * (MCP request semantics: POST/GET/DELETE, sessions, status codes) and
 * sse.c (event streams, event ids, replay). */
#ifndef MCP_TRANSPORT_HTTP_INTERNAL_H
#define MCP_TRANSPORT_HTTP_INTERNAL_H

#include <sys/socket.h>
#include <netinet/in.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>

#include <mcp/http.h>

#include "core/exchange.h"
#include "core/session.h"
#include "core/util.h"
#include "transport/event_log.h"
#include "transport/metrics.h"

typedef struct http_stream http_stream;
typedef struct post_exchange post_exchange;

struct mcp_http_server {
    mcp_server *srv;
    mcp_http_options o;
    struct MHD_Daemon *daemon;
    session_table *sessions;
    unsigned port;
    bool loopback;
    atomic_bool stopping;
    pthread_t housekeeper;
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
    _Atomic uint64_t waiting_since_ms; /* connection start, or the end of the last request */
    atomic_bool in_request;        /* the head arrived: the idle timeout governs */
    struct conn_track *prev, *next;
} conn_track;

/* The head of a request has arrived on conn. */
void http_conn_request_started(struct MHD_Connection *conn);

/* A blocking handler may finish after mcp_http_stop returned: each POST
 * exchange keeps the server's memory alive until it completes. */
void http_server_ref(mcp_http_server *hs);
void http_server_unref(mcp_http_server *hs);

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

/* sse.c */
http_stream *stream_new(mcp_http_server *hs, mcp_session *s, bool standalone);
void stream_ref(http_stream *st);
void stream_unref(http_stream *st);
/* Queue one JSON-RPC message as an event (takes msg). */
void stream_push_message(http_stream *st, cJSON *msg_take);
void stream_push_comment(http_stream *st);             /* keep-alive */
void stream_push_priming(http_stream *st);             /* id + empty data + retry */
void stream_finish(http_stream *st, bool with_retry);  /* end after pending bytes */
/* Start the body on conn: queues an MHD response; returns MHD result. */
enum MHD_Result stream_respond(http_stream *st, struct MHD_Connection *conn, unsigned status);
/* Find a session stream by event id and queue the events after it. */
http_stream *stream_for_replay(mcp_http_server *hs, mcp_session *s, const char *last_event_id, strbuf *replay);
http_session *http_session_of(mcp_session *s, bool create);
void http_session_close(mcp_session *s);
void http_session_free(void *data);
void live_streams_keepalive(mcp_http_server *hs);
/* True (and the stream freed from its connection) when the client of st
 * has closed its socket, which MHD cannot see while the stream is parked. */
bool stream_detach_if_peer_gone(http_stream *st);
/* Sessions with an open stream are in use: keep them from expiring. */
void live_streams_touch_sessions(mcp_http_server *hs);
void live_streams_finish_all(mcp_http_server *hs);

/* batch.c: 2025-03-26 JSON-RPC batches (takes arr and the session ref) */
typedef struct http_batch http_batch;
http_batch *batch_start(mcp_http_server *hs, struct MHD_Connection *conn, cJSON *arr, mcp_session *session,
                        mcp_version version, const char *principal);
enum MHD_Result batch_answer(http_batch *b, struct MHD_Connection *conn, uint64_t start_us);
void batch_request_done(http_batch *b);

/* streamable.c */
enum MHD_Result streamable_handle(mcp_http_server *hs, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *upload_data, size_t *upload_data_size, void **con_cls);
void streamable_request_done(mcp_http_server *hs, void *con_cls);
void streamable_abort_active(mcp_http_server *hs);
void streamable_broadcast(void *ctx, cJSON *notification_take, const char *resource_uri);

/* http_server.c: plain responses */
enum MHD_Result http_reply_json(struct MHD_Connection *conn, unsigned status, const cJSON *body,
                                const char *session_id);
/* The same with one more header (Allow, WWW-Authenticate ...). */
enum MHD_Result http_reply_json_with(struct MHD_Connection *conn, unsigned status, const cJSON *body,
                                     const char *session_id, const char *extra_name, const char *extra_value);
enum MHD_Result http_reply_error(struct MHD_Connection *conn, unsigned status, const cJSON *id,
                                 int code, const char *message);
enum MHD_Result http_reply_empty(struct MHD_Connection *conn, unsigned status);
/* 405 with the methods this endpoint does allow, and a JSON-RPC error body. */
enum MHD_Result http_reply_not_allowed(struct MHD_Connection *conn, const char *allow);
/* /healthz and /metrics (GET). */
enum MHD_Result http_reply_health(mcp_http_server *hs, struct MHD_Connection *conn, bool metrics);
void http_log_request(mcp_http_server *hs, const char *method, const char *rpc, unsigned status,
                      uint64_t start_us, const char *session_id);
/* The same with the request's trace and span ids (NULL: none). */
void http_log_request_traced(mcp_http_server *hs, const char *method, const char *rpc, unsigned status,
                             uint64_t start_us, const char *session_id, const mcp__trace *trace);
uint64_t now_us(void);

#endif
