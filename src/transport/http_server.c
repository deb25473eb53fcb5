/* The HTTP server under the Streamable HTTP transport: libmicrohttpd in
 * epoll mode with an internal thread pool, suspend/resume for answers that
 * come later, a housekeeping thread (session expiry, SSE keep-alive) and a
 * bounded graceful shutdown; start, stop and serve. Routing lives in
 * streamable.c, replies and the reference count in http_common.c. */
#include <arpa/inet.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "auth/auth.h"
#include "base/clock.h"
#include "base/ids.h"
#include "core/era.h"
#include "core/jsonrpc.h"
#include "core/notify.h"
#include "core/server.h"
#include "core/task_house.h"
#include "transport/http_common.h"
#include "transport/http_exchange.h"
#include "transport/http_internal.h"
#include "transport/http_limit.h"
#include "core/otel.h"
#include "transport/sse.h"
#include "transport/streamable.h"
#include "transport/http_cors.h"
#include "transport/http_proxy.h"
#include "transport/server_card.h"
#include "transport/http_tls.h"

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                      const char *method, const char *version, const char *upload_data,
                                      size_t *upload_data_size, void **con_cls)
{
    (void)version;
    mcp__http_conn_enter(conn);   /* edge: the client address for the log line */
    enum MHD_Result ret = mcp__streamable_handle(cls, conn, url, method, upload_data, upload_data_size, con_cls);
    mcp__http_conn_enter(NULL);
    return ret;
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
        t->hs = hs;
        t->waiting_since_ms = mcp__now_ms();
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
    uint64_t now = mcp__now_ms();
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
    conn_track *t = mcp__http_conn_track_of(conn);
    if (t) {
        t->waiting_since_ms = mcp__now_ms();
        t->in_request = false;
    }
    if (*con_cls)
        mcp__streamable_request_done(cls, *con_cls);
    *con_cls = NULL;
    atomic_fetch_add_explicit(&((mcp_http_server *)cls)->releases, 1, memory_order_relaxed);
}

/* Session expiry and SSE keep-alive, once a second. */
static void *housekeeping(void *arg)
{
    mcp_http_server *hs = arg;
    uint64_t last_keepalive = mcp__now_ms();
    unsigned long releases_at_trim = 0, releases_before = 0;
    bool trim_due = false;
    pthread_mutex_lock(&hs->hk_lock);
    while (!atomic_load(&hs->stopping)) {
        struct timespec ts;
        mcp__clock_deadline_ms(&ts, 1000);    /* monotonic: a clock step never stalls expiry */
        pthread_cond_timedwait(&hs->hk_wake, &hs->hk_lock, &ts);
        if (atomic_load(&hs->stopping))
            break;
        pthread_mutex_unlock(&hs->hk_lock);
        enforce_header_deadline(hs);
        mcp__live_streams_touch_sessions(hs);
        unsigned expired = hs->sessions ? mcp__session_table_expire(hs->sessions, hs->o.session_idle_ms) : 0;
        mcp__metrics_sessions_expired(hs->metrics, expired);
        mcp__server_housekeeping(hs->srv);
        if (mcp__now_ms() - last_keepalive >= hs->o.keepalive_ms) {
            mcp__live_streams_keepalive(hs);
            last_keepalive = mcp__now_ms();
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
    /* edge: HTTPS through GnuTLS; the certificate comes from a callback so
     * it can be reloaded (http_tls.c). */
    struct MHD_OptionItem tls_opts[] = {
        { MHD_OPTION_HTTPS_CERT_CALLBACK, 0, (void *)mcp__tls_cert_callback },
        { MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)MCP__TLS_PRIORITIES },
        { MHD_OPTION_END, 0, NULL },
    };
    if (hs->tls_ctx)
        flags |= MHD_USE_TLS;
    else
        tls_opts[0].option = MHD_OPTION_END;
    return MHD_start_daemon(flags, (uint16_t)hs->o.port, NULL, NULL, access_handler, hs,
                            MHD_OPTION_ARRAY, tls_opts,
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

void mcp_http_options_init(mcp_http_options *opts)
{
    if (opts)
        *opts = (mcp_http_options)MCP_HTTP_DEFAULTS;
}

/* 0 or NULL in a field means its documented default (bool fields and
 * port, where 0 picks a free port, are taken as given). */
static void fill_defaults(mcp_http_options *o)
{
    const mcp_http_options d = MCP_HTTP_DEFAULTS;
#define DEFAULT(field) if (!o->field) o->field = d.field
    DEFAULT(host);
    DEFAULT(path);
    DEFAULT(threads);
    DEFAULT(max_body);
    DEFAULT(max_depth);
    DEFAULT(max_sessions);
    DEFAULT(session_idle_ms);
    DEFAULT(max_connections);
    DEFAULT(connection_timeout_s);
    DEFAULT(connection_memory);
    DEFAULT(keepalive_ms);
    DEFAULT(retry_ms);
    DEFAULT(request_timeout_ms);
    DEFAULT(drain_ms);
    DEFAULT(event_retention);
#undef DEFAULT
}

int mcp_http_start(mcp_server *srv, const mcp_http_options *opts, mcp_http_server **out)
{
    mcp_http_server *hs = calloc(1, sizeof *hs);
    if (!hs)
        return -MCP_ENOMEM;
    if (mcp__clock_cond_init(&hs->hk_wake) < 0) {
        free(hs);
        return -MCP_ENOMEM;
    }
    if (opts) {
        hs->o = *opts;
        fill_defaults(&hs->o);
    } else {
        mcp_http_options_init(&hs->o);
    }
    hs->srv = srv;
    atomic_init(&hs->refs, 1);
    hs->loopback = is_loopback(hs->o.host);
    hs->metrics = mcp__metrics_new();
    hs->limiter = mcp__http_limiter_new(&hs->o);
    pthread_mutex_init(&hs->hk_lock, NULL);
    pthread_mutex_init(&hs->live_lock, NULL);
    pthread_mutex_init(&hs->active_lock, NULL);
    pthread_mutex_init(&hs->conns_lock, NULL);
    if (hs->o.mode == MCP_STATEFUL && !(hs->sessions = mcp__session_table_new(hs->o.max_sessions, hs->o.store, hs->o.session_idle_ms))) {
        mcp_http_stop(hs);
        return -MCP_ENOMEM;
    }
    /* Resource updates reach sessions whose GET stream another instance
     * serves through the store's bus (streamable.c). */
    if (hs->sessions && hs->o.store) {
        if (mcp__random_hex_id(hs->instance_id, 16) < 0) {
            mcp_http_stop(hs);
            return -MCP_EIO;
        }
        mcp__session_table_set_bus_fn(hs->sessions, mcp__streamable_on_bus, hs);
    }
    if (hs->sessions)
        mcp__session_table_set_otel(hs->sessions, mcp__server_otel(srv));
    hs->auth = hs->o.auth;               /* borrowed: the caller frees it after stopping */
    if (mcp__proxy_list_parse(hs->o.trusted_proxies, &hs->proxies) < 0 || mcp__server_card_check(srv) < 0 ||
        (hs->o.public_url && strncmp(hs->o.public_url, "http://", 7) != 0 &&
         strncmp(hs->o.public_url, "https://", 8) != 0)) {
        mcp_http_stop(hs);
        return -MCP_EINVAL;
    }
    mcp__server_set_request_timeout(srv, hs->o.request_timeout_ms);
    if (hs->o.tls_cert_file || hs->o.tls_key_file) {
        char err[512];
        int trc = mcp__tls_new(hs->o.tls_cert_file, hs->o.tls_key_file, &hs->tls_ctx, err, sizeof err);
        if (trc < 0) {
            fprintf(stderr, "{\"level\":\"error\",\"msg\":\"tls\",\"error\":\"%s\"}\n", err);
            mcp_http_stop(hs);
            return trc;
        }
        hs->tls = true;
    }
    /* Tasks: task records shared too, where tasks can exist at all (they are
     * 2026-07-28 only: a legacy-only server, e.g. stateful with
     * session-scoped tools, keeps no leases and polls no task inbox). */
    if (hs->o.store && mcp__era_modern_offered(srv, hs->o.mode == MCP_STATEFUL))
        mcp__tasks_attach_store(srv, hs->o.store);
    hs->daemon = start_daemon(hs);
    if (!hs->daemon) {
        mcp_http_stop(hs);
        return -MCP_EIO;
    }
    if (mcp__notify_subscribe(srv, mcp__streamable_broadcast, hs) < 0) {
        mcp_http_stop(hs);
        return -MCP_ENOMEM;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(hs->daemon, MHD_DAEMON_INFO_BIND_PORT);
    hs->port = info ? info->port : hs->o.port;
    if (pthread_create(&hs->housekeeper, NULL, housekeeping, hs) != 0) {
        mcp_http_stop(hs);
        return -MCP_ENOMEM;
    }
    hs->housekeeper_running = true;
    atomic_store(&hs->ready, true);
    *out = hs;
    return 0;
}

unsigned mcp_http_port(const mcp_http_server *hs)
{
    return hs->port;
}

int mcp_http_reload_tls(mcp_http_server *hs)
{
    if (!hs || !hs->tls_ctx)
        return -MCP_EINVAL;
    char err[512];
    int rc = mcp__tls_reload(hs->tls_ctx, err, sizeof err);
    if (rc < 0)
        fprintf(stderr, "{\"level\":\"error\",\"msg\":\"tls reload failed, keeping the old certificate\",\"error\":\"%s\"}\n", err);
    else
        fprintf(stderr, "{\"level\":\"info\",\"msg\":\"tls certificate reloaded\"}\n");
    return rc;
}

void mcp_http_begin_drain(mcp_http_server *hs)
{
    if (!hs)
        return;
    atomic_store(&hs->ready, false);
    uint64_t expected = 0, now = mcp__now_ms();
    atomic_compare_exchange_strong(&hs->drain_started_ms, &expected, now);
    uint64_t until = atomic_load(&hs->drain_started_ms) + hs->o.drain_delay_ms;
    while (mcp__now_ms() < until) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

void mcp_http_stop(mcp_http_server *hs)
{
    if (!hs)
        return;
    if (hs->daemon) {
        mcp_http_begin_drain(hs);             /* 0. readiness 503, keep serving a while */
        /* 1. Stop accepting. 2. Let in-flight requests finish (bounded).
         * 3. End every session and stream (retry hint), 4. stop MHD once no
         * connection is left suspended. */
        /* MHD's thread still takes the quiesced socket out of its epoll set
         * after this returns, so the descriptor is only closed once MHD has
         * stopped; shutdown() already refuses new connections (Linux turns a
         * listening socket back to closed), which lets a balancer fail over. */
        MHD_socket listen_fd = MHD_quiesce_daemon(hs->daemon);
        if (listen_fd != MHD_INVALID_SOCKET)
            shutdown(listen_fd, SHUT_RDWR);
        /* Listen streams never finish by themselves: end them before the
         * drain waits for requests in flight. */
        mcp__server_close_listeners(hs->srv, hs);
        uint64_t deadline = mcp__now_ms() + hs->o.drain_ms;
        while (atomic_load(&hs->inflight) > 0 && mcp__now_ms() < deadline) {
            struct timespec ts = {0, 10 * 1000000L};
            nanosleep(&ts, NULL);
        }
        atomic_store(&hs->stopping, true);
        pthread_mutex_lock(&hs->hk_lock);
        pthread_cond_broadcast(&hs->hk_wake);
        pthread_mutex_unlock(&hs->hk_lock);
        if (hs->housekeeper_running)
            pthread_join(hs->housekeeper, NULL);
        mcp__live_streams_finish_all(hs);          /* first, so streams end with a retry hint */
        if (hs->sessions)
            mcp__session_table_close_all(hs->sessions);
        mcp__server_close_listeners(hs->srv, hs);
        mcp__http_abort_active(hs);
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
        mcp__notify_unsubscribe(hs->srv, mcp__streamable_broadcast, hs);   /* only this server's */
        MHD_stop_daemon(hs->daemon);
        if (listen_fd != MHD_INVALID_SOCKET)
            close(listen_fd);
    }
    if (hs->o.store)
        mcp__tasks_detach_store(hs->srv, hs->o.store);   /* tasks: the caller frees the store next */
    mcp__session_table_free(hs->sessions);
    hs->sessions = NULL;
    mcp__http_server_unref(hs);
}

int mcp_serve_http(mcp_server *srv, const mcp_http_options *opts)
{
    mcp_http_options o;
    mcp_http_options_init(&o);
    if (opts)
        o = *opts;
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGPIPE);
    sigaddset(&set, SIGHUP);       /* edge: reload the TLS certificate */
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
            if (sig == SIGHUP)
                mcp_http_reload_tls(hs);
        } while (sig == SIGPIPE || sig == SIGHUP);
        fprintf(stderr, "{\"level\":\"info\",\"msg\":\"shutting down\",\"signal\":%d}\n", sig);
    } else {
        pause();
    }
    mcp_http_stop(hs);
    if (o.handle_signals)
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    return 0;
}
