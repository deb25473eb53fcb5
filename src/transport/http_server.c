/* The HTTP server under the Streamable HTTP transport: libmicrohttpd in
 * epoll mode with an internal thread pool, suspend/resume for answers that
 * come later, a housekeeping thread (session expiry, SSE keep-alive) and a
 * bounded graceful shutdown. MCP semantics live in streamable.c. */
#include <arpa/inet.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/dispatch.h"
#include "auth/auth.h"
#include "core/jsonrpc.h"
#include "core/tasks.h"
#include "transport/http_internal.h"

uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

enum MHD_Result http_reply_json_with(struct MHD_Connection *conn, unsigned status, const cJSON *body,
                                     const char *session_id, const char *extra_name, const char *extra_value)
{
    char *text = body ? jsonrpc_print(body) : NULL;
    size_t len = text ? strlen(text) : 0;
    struct MHD_Response *r = MHD_create_response_from_buffer(len, text ? text : (void *)"",
                                                             text ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(text);
        return MHD_NO;
    }
    if (text)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    if (session_id)
        MHD_add_response_header(r, "Mcp-Session-Id", session_id);
    if (status == MHD_HTTP_SERVICE_UNAVAILABLE || status == MHD_HTTP_CONFLICT)
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    if (extra_name && extra_value)
        MHD_add_response_header(r, extra_name, extra_value);
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

enum MHD_Result http_reply_json(struct MHD_Connection *conn, unsigned status, const cJSON *body,
                                const char *session_id)
{
    return http_reply_json_with(conn, status, body, session_id, NULL, NULL);
}

enum MHD_Result http_reply_error(struct MHD_Connection *conn, unsigned status, const cJSON *id,
                                 int code, const char *message)
{
    cJSON *err = jsonrpc_error(id, code, message);
    enum MHD_Result ret = http_reply_json(conn, status, err, NULL);
    cJSON_Delete(err);
    return ret;
}

enum MHD_Result http_reply_not_allowed(struct MHD_Connection *conn, const char *allow)
{
    cJSON *err = jsonrpc_error(NULL, MCP_ERR_GENERIC, "Method not allowed.");
    enum MHD_Result ret = http_reply_json_with(conn, MHD_HTTP_METHOD_NOT_ALLOWED, err, NULL, MHD_HTTP_HEADER_ALLOW, allow);
    cJSON_Delete(err);
    return ret;
}

enum MHD_Result http_reply_empty(struct MHD_Connection *conn, unsigned status)
{
    return http_reply_json(conn, status, NULL, NULL);
}

void http_log_request(mcp_http_server *hs, const char *method, const char *rpc, unsigned status,
                      uint64_t start_us, const char *session_id)
{
    uint64_t took = now_us() - start_us;
    metrics_request(hs->metrics, rpc, status, took);
    if (!hs->o.log_requests)
        return;
    /* Hot path: integer fields only (no float formatting) and one write(2),
     * which keeps concurrent lines whole. The session id is cut to a prefix:
     * enough to correlate, not enough to hijack. */
    char line[512];
    int n = snprintf(line, sizeof line,
                     "{\"level\":\"info\",\"msg\":\"request\",\"http\":\"%s\",\"rpc\":\"%.64s\",\"status\":%u,\"us\":%llu,\"session\":\"%.12s\"}\n",
                     method, rpc ? rpc : "", status, (unsigned long long)took, session_id ? session_id : "");
    if (n > 0 && write(STDERR_FILENO, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1) < 0)
        return;   /* logging must never fail a request */
}

static unsigned count_live_streams(mcp_http_server *hs)
{
    unsigned n = 0;
    pthread_mutex_lock(&hs->live_lock);
    for (http_stream *st = hs->live_streams; st; st = st->live_next)
        n++;
    pthread_mutex_unlock(&hs->live_lock);
    return n;
}

enum MHD_Result http_reply_health(mcp_http_server *hs, struct MHD_Connection *conn, bool metrics)
{
    int store_up = hs->o.store ? (mcp_store_healthy(hs->o.store) ? 1 : 0) : -1;
    strbuf body = {0};
    unsigned status = MHD_HTTP_OK;
    const char *type = "application/json";
    if (metrics) {
        metrics_gauges g = {
            .sessions_active = hs->sessions ? session_table_count(hs->sessions) : 0,
            .sse_streams = count_live_streams(hs),
            .requests_in_flight = atomic_load(&hs->inflight),
            .store_up = store_up,
        };
        metrics_render(hs->metrics, &g, &body);
        type = "text/plain; version=0.0.4";
    } else {
        /* Liveness plus store reachability: a balancer takes an instance
         * whose store is gone out of rotation. */
        bool draining = atomic_load(&hs->stopping);
        if (store_up == 0 || draining)
            status = MHD_HTTP_SERVICE_UNAVAILABLE;
        strbuf_printf(&body, "{\"status\":\"%s\",\"store\":\"%s\"}", status == MHD_HTTP_OK ? "ok" : "unavailable",
                      store_up < 0 ? "none" : store_up ? "ok" : "unreachable");
    }
    size_t len = body.len;
    struct MHD_Response *r = MHD_create_response_from_buffer(len, strbuf_take(&body), MHD_RESPMEM_MUST_FREE);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                      const char *method, const char *version, const char *upload_data,
                                      size_t *upload_data_size, void **con_cls)
{
    (void)version;
    return streamable_handle(cls, conn, url, method, upload_data, upload_data_size, con_cls);
}

static conn_track *track_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

void http_conn_request_started(struct MHD_Connection *conn)
{
    conn_track *t = track_of(conn);
    if (t)
        atomic_store(&t->in_request, true);
}

static void connection_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                              enum MHD_ConnectionNotificationCode code)
{
    mcp_http_server *hs = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        conn_track *t = calloc(1, sizeof *t);
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!t || !ci) {
            free(t);
            return;
        }
        t->fd = ci->connect_fd;
        t->waiting_since_ms = now_ms();
        pthread_mutex_lock(&hs->conns_lock);
        t->next = hs->conns;
        if (hs->conns)
            hs->conns->prev = t;
        hs->conns = t;
        pthread_mutex_unlock(&hs->conns_lock);
        *socket_context = t;
    } else if (*socket_context) {
        conn_track *t = *socket_context;
        pthread_mutex_lock(&hs->conns_lock);
        if (t->prev)
            t->prev->next = t->next;
        else
            hs->conns = t->next;
        if (t->next)
            t->next->prev = t->prev;
        pthread_mutex_unlock(&hs->conns_lock);
        free(t);
        *socket_context = NULL;
        atomic_fetch_add_explicit(&hs->releases, 1, memory_order_relaxed);
    }
}

/* libmicrohttpd's timeout counts idleness, so a client sending one header
 * byte at a time would hold a connection forever. Whoever has not sent a
 * whole request head within connection_timeout_s is disconnected: shutdown
 * makes the connection's own thread see EOF and clean up as usual. */
static void enforce_header_deadline(mcp_http_server *hs)
{
    uint64_t limit = (uint64_t)(hs->o.connection_timeout_s ? hs->o.connection_timeout_s : 30) * 1000;
    uint64_t now = now_ms();
    pthread_mutex_lock(&hs->conns_lock);
    for (conn_track *t = hs->conns; t; t = t->next)
        if (!t->in_request && now - t->waiting_since_ms > limit)
            shutdown(t->fd, SHUT_RDWR);
    pthread_mutex_unlock(&hs->conns_lock);
}

static void request_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                              enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    conn_track *t = track_of(conn);
    if (t) {
        t->waiting_since_ms = now_ms();
        t->in_request = false;
    }
    if (*con_cls)
        streamable_request_done(cls, *con_cls);
    *con_cls = NULL;
    atomic_fetch_add_explicit(&((mcp_http_server *)cls)->releases, 1, memory_order_relaxed);
}

/* Session expiry and SSE keep-alive, once a second. */
static void *housekeeping(void *arg)
{
    mcp_http_server *hs = arg;
    uint64_t last_keepalive = now_ms();
    unsigned long releases_at_trim = 0, releases_before = 0;
    bool trim_due = false;
    pthread_mutex_lock(&hs->hk_lock);
    while (!atomic_load(&hs->stopping)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&hs->hk_wake, &hs->hk_lock, &ts);
        if (atomic_load(&hs->stopping))
            break;
        pthread_mutex_unlock(&hs->hk_lock);
        enforce_header_deadline(hs);
        live_streams_touch_sessions(hs);
        unsigned expired = hs->sessions ? session_table_expire(hs->sessions, hs->o.session_idle_ms) : 0;
        metrics_sessions_expired(hs->metrics, expired);
        mcp_server_housekeeping(hs->srv);
        if (now_ms() - last_keepalive >= hs->o.keepalive_ms) {
            live_streams_keepalive(hs);
            last_keepalive = now_ms();
        }
        /* When a burst of requests, connections or sessions is over (nothing
         * ended during the last second, after something ended since the
         * last trim) or sessions expired, hand freed heap back to the OS
         * instead of keeping the peak forever. Never under load: trimming
         * locks the arenas the request threads allocate from. */
        unsigned long releases = atomic_load_explicit(&hs->releases, memory_order_relaxed);
        bool quiet = releases == releases_before && !atomic_load(&hs->inflight);
        trim_due |= expired > 0 || releases != releases_at_trim;
        if (quiet && trim_due) {
            malloc_trim(0);
            releases_at_trim = releases;
            trim_due = false;
        }
        releases_before = releases;
        pthread_mutex_lock(&hs->hk_lock);
    }
    pthread_mutex_unlock(&hs->hk_lock);
    return NULL;
}

static bool is_loopback(const char *host)
{
    return strcmp(host, "127.0.0.1") == 0 || strcmp(host, "::1") == 0 || strcmp(host, "localhost") == 0 ||
           strncmp(host, "127.", 4) == 0;
}

static struct MHD_Daemon *start_daemon(mcp_http_server *hs)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC;
    const char *host = strcmp(hs->o.host, "localhost") == 0 ? "127.0.0.1" : hs->o.host;
    if (strchr(host, ':')) {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)hs->o.port);
        if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
            return NULL;
        flags |= MHD_USE_IPv6;
    } else {
        struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)hs->o.port);
        if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
            return NULL;
    }
    return MHD_start_daemon(flags, (uint16_t)hs->o.port, NULL, NULL, access_handler, hs,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                            MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(hs->o.threads ? hs->o.threads : 1),
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)hs->o.connection_timeout_s,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)hs->o.max_connections,
                            /* libmicrohttpd's default pool is 32 KiB per connection, cleared
                             * per request: most of an idle SSE stream's cost. */
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, hs->o.connection_memory ? hs->o.connection_memory : (size_t)8192,
                            MHD_OPTION_CONNECTION_MEMORY_INCREMENT, (size_t)1024,
                            MHD_OPTION_NOTIFY_COMPLETED, request_completed, hs,
                            MHD_OPTION_NOTIFY_CONNECTION, connection_notify, hs,
                            MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
                            MHD_OPTION_END);
}

int mcp_http_start(mcp_server *srv, const mcp_http_options *opts, mcp_http_server **out)
{
    mcp_http_server *hs = calloc(1, sizeof *hs);
    if (!hs)
        return -MCP_ENOMEM;
    mcp_http_options defaults = MCP_HTTP_DEFAULTS;
    hs->o = opts ? *opts : defaults;
    if (!hs->o.host)
        hs->o.host = "127.0.0.1";
    if (!hs->o.path)
        hs->o.path = "/mcp";
    if (!hs->o.keepalive_ms)
        hs->o.keepalive_ms = 15000;
    hs->srv = srv;
    atomic_init(&hs->refs, 1);
    hs->loopback = is_loopback(hs->o.host);
    hs->metrics = metrics_new();
    pthread_mutex_init(&hs->hk_lock, NULL);
    pthread_cond_init(&hs->hk_wake, NULL);
    pthread_mutex_init(&hs->live_lock, NULL);
    pthread_mutex_init(&hs->active_lock, NULL);
    pthread_mutex_init(&hs->conns_lock, NULL);
    if (hs->o.mode == MCP_STATEFUL && !(hs->sessions = session_table_new(hs->o.max_sessions, hs->o.store, hs->o.session_idle_ms))) {
        mcp_http_stop(hs);
        return -MCP_ENOMEM;
    }
    hs->auth = hs->o.auth;               /* borrowed: the caller frees it after stopping */
    mcp_server_set_request_timeout(srv, hs->o.request_timeout_ms);
    mcp_server_set_broadcast(srv, streamable_broadcast, hs);
    if (hs->o.store)
        mcp__tasks_attach_store(srv, hs->o.store);   /* tasks.c: task records shared too */
    hs->daemon = start_daemon(hs);
    if (!hs->daemon) {
        mcp_server_set_broadcast(srv, NULL, NULL);
        mcp_http_stop(hs);
        return -MCP_EIO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(hs->daemon, MHD_DAEMON_INFO_BIND_PORT);
    hs->port = info ? info->port : hs->o.port;
    pthread_create(&hs->housekeeper, NULL, housekeeping, hs);
    *out = hs;
    return 0;
}

unsigned mcp_http_port(const mcp_http_server *hs)
{
    return hs->port;
}

void mcp_http_stop(mcp_http_server *hs)
{
    if (!hs)
        return;
    if (hs->daemon) {
        /* 1. Stop accepting. 2. Let in-flight requests finish (bounded).
         * 3. End every session and stream (retry hint), 4. stop MHD once no
         * connection is left suspended. */
        MHD_socket fd = MHD_quiesce_daemon(hs->daemon);
        if (fd != MHD_INVALID_SOCKET)
            close(fd);
        /* Listen streams never finish by themselves: end them before the
         * drain waits for requests in flight. */
        mcp_server_close_listeners(hs->srv);
        uint64_t deadline = now_ms() + hs->o.drain_ms;
        while (atomic_load(&hs->inflight) > 0 && now_ms() < deadline) {
            struct timespec ts = {0, 10 * 1000000L};
            nanosleep(&ts, NULL);
        }
        atomic_store(&hs->stopping, true);
        pthread_mutex_lock(&hs->hk_lock);
        pthread_cond_broadcast(&hs->hk_wake);
        pthread_mutex_unlock(&hs->hk_lock);
        pthread_join(hs->housekeeper, NULL);
        if (hs->o.store)
            mcp__tasks_detach_store(hs->srv);   /* tasks.c: the caller frees the store next */
        live_streams_finish_all(hs);          /* first, so streams end with a retry hint */
        if (hs->sessions)
            session_table_close_all(hs->sessions);
        mcp_server_close_listeners(hs->srv);
        streamable_abort_active(hs);
        /* Give MHD's threads a moment to flush the final frames. */
        for (int i = 0; i < 100; i++) {
            pthread_mutex_lock(&hs->live_lock);
            bool idle = !hs->live_streams;
            pthread_mutex_unlock(&hs->live_lock);
            pthread_mutex_lock(&hs->active_lock);
            idle = idle && !hs->active_posts;
            pthread_mutex_unlock(&hs->active_lock);
            if (idle)
                break;
            struct timespec ts = {0, 10 * 1000000L};
            nanosleep(&ts, NULL);
        }
        mcp_server_set_broadcast(hs->srv, NULL, NULL);
        MHD_stop_daemon(hs->daemon);
    }
    session_table_free(hs->sessions);
    hs->sessions = NULL;
    http_server_unref(hs);
}

void http_server_ref(mcp_http_server *hs)
{
    atomic_fetch_add(&hs->refs, 1);
}

void http_server_unref(mcp_http_server *hs)
{
    if (atomic_fetch_sub(&hs->refs, 1) != 1)
        return;
    metrics_free(hs->metrics);
    pthread_mutex_destroy(&hs->hk_lock);
    pthread_cond_destroy(&hs->hk_wake);
    pthread_mutex_destroy(&hs->live_lock);
    pthread_mutex_destroy(&hs->active_lock);
    pthread_mutex_destroy(&hs->conns_lock);
    free(hs);
}

int mcp_serve_http(mcp_server *srv, const mcp_http_options *opts)
{
    mcp_http_options o = MCP_HTTP_DEFAULTS;
    if (opts)
        o = *opts;
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGPIPE);
    /* Block before starting threads so they inherit the mask and only this
     * thread receives the stop signals. */
    if (o.handle_signals)
        pthread_sigmask(SIG_BLOCK, &set, &old);
    mcp_http_server *hs = NULL;
    int rc = mcp_http_start(srv, &o, &hs);
    if (rc < 0) {
        if (o.handle_signals)
            pthread_sigmask(SIG_SETMASK, &old, NULL);
        return rc;
    }
    if (o.handle_signals) {
        int sig = 0;
        do {
            sigwait(&set, &sig);
        } while (sig == SIGPIPE);
        fprintf(stderr, "{\"level\":\"info\",\"msg\":\"shutting down\",\"signal\":%d}\n", sig);
    } else {
        pause();
    }
    mcp_http_stop(hs);
    if (o.handle_signals)
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    return 0;
}
