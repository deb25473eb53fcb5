/* What every HTTP answer shares: plain JSON replies (with the JSON-RPC
 * error body every refusal carries), the one request log line and the
 * request metrics, /healthz, /readyz and /metrics, and the server's reference count
 * (a blocking handler may finish after mcp_http_stop returned). */
#include "transport/http_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "core/jsonrpc.h"
#include "core/limit.h"
#include "core/otel.h"
#include "transport/http_cors.h"
#include "transport/http_internal.h"
#include "transport/http_limit.h"
#include "transport/http_proxy.h"
#include "transport/http_tls.h"

static void http_log_request_traced(mcp_http_server *hs, const char *method, const char *rpc, unsigned status,
                                    uint64_t start_us, const char *session_id, const mcp__trace *trace);

enum MHD_Result mcp__http_reply_json_with(struct MHD_Connection *conn, unsigned status, const cJSON *body,
                                     const char *session_id, const char *extra_name, const char *extra_value)
{
    char *text = body ? mcp__jsonrpc_print(body) : NULL;
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
    enum MHD_Result ret = mcp__http_queue(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

enum MHD_Result mcp__http_reply_json(struct MHD_Connection *conn, unsigned status, const cJSON *body,
                                const char *session_id)
{
    return mcp__http_reply_json_with(conn, status, body, session_id, NULL, NULL);
}

static enum MHD_Result http_reply_error(struct MHD_Connection *conn, unsigned status, const cJSON *id,
                                        int code, const char *message)
{
    cJSON *err = mcp__jsonrpc_error(id, code, message);
    enum MHD_Result ret = mcp__http_reply_json(conn, status, err, NULL);
    cJSON_Delete(err);
    return ret;
}

enum MHD_Result mcp__http_reply_not_allowed(struct MHD_Connection *conn, const char *allow)
{
    cJSON *err = mcp__jsonrpc_error(NULL, MCP_ERR_GENERIC, "Method not allowed.");
    enum MHD_Result ret = mcp__http_reply_json_with(conn, MHD_HTTP_METHOD_NOT_ALLOWED, err, NULL, MHD_HTTP_HEADER_ALLOW, allow);
    cJSON_Delete(err);
    return ret;
}

enum MHD_Result mcp__http_reply_empty(struct MHD_Connection *conn, unsigned status)
{
    return mcp__http_reply_json(conn, status, NULL, NULL);
}

void mcp__http_log_request(mcp_http_server *hs, const char *method, const char *rpc, unsigned status,
                      uint64_t start_us, const char *session_id)
{
    http_log_request_traced(hs, method, rpc, status, start_us, session_id, NULL);
}

/* mcp__http_log_request with the request's trace and span ids (NULL: none). */
static void http_log_request_traced(mcp_http_server *hs, const char *method, const char *rpc, unsigned status,
                                    uint64_t start_us, const char *session_id, const mcp__trace *trace)
{
    uint64_t took = mcp__now_us() - start_us;
    mcp__metrics_request(hs->metrics, rpc, status, took);
    if (!hs->o.log_requests)
        return;
    /* Hot path: integer fields only (no float formatting) and one write(2),
     * which keeps concurrent lines whole. The session id is cut to a prefix:
     * enough to correlate, not enough to hijack. */
    char line[720], client[80] = "", ids[96] = "";
    struct MHD_Connection *conn = mcp__http_conn_current();   /* edge: client address */
    if (conn)
        mcp__http_client_addr(hs, conn, client, sizeof client);
    for (char *c = client; *c; c++)
        if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
            *c = '_';
    if (trace && trace->trace_id[0])   /* W3C ids of this request's server span (core/trace.h) */
        snprintf(ids, sizeof ids, ",\"trace_id\":\"%s\",\"span_id\":\"%s\"", trace->trace_id, trace->span_id);
    int n = snprintf(line, sizeof line,
                     "{\"level\":\"info\",\"msg\":\"request\",\"http\":\"%s\",\"rpc\":\"%.64s\",\"status\":%u,\"us\":%llu,\"session\":\"%.12s\",\"client\":\"%s\"%s}\n",
                     method, rpc ? rpc : "", status, (unsigned long long)took, session_id ? session_id : "", client, ids);
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

enum MHD_Result mcp__http_reply_health(mcp_http_server *hs, struct MHD_Connection *conn, bool metrics)
{
    int store_up = hs->o.store ? (mcp_store_healthy(hs->o.store) ? 1 : 0) : -1;
    strbuf body = {0};
    unsigned status = MHD_HTTP_OK;
    const char *type = "application/json";
    if (metrics) {
        metrics_gauges g = {
            .sessions_active = hs->sessions ? mcp__session_table_count(hs->sessions) : 0,
            .sse_streams = count_live_streams(hs),
            .requests_in_flight = atomic_load(&hs->inflight),
            .store_up = store_up,
        };
        mcp__metrics_render(hs->metrics, &g, &body);
        mcp__http_limit_render(hs->limiter, &body);
        mcp__otel_render(mcp__server_otel(hs->srv), &body);
        type = "text/plain; version=0.0.4";
    } else {
        /* Liveness only: the process serves. A store outage must not make
         * an orchestrator restart every instance; /readyz reports it. */
        mcp__strbuf_printf(&body, "{\"status\":\"ok\",\"store\":\"%s\"}",
                      store_up < 0 ? "none" : store_up ? "ok" : "unreachable");
    }
    size_t len = body.len;
    struct MHD_Response *r = MHD_create_response_from_buffer(len, mcp__strbuf_take(&body), MHD_RESPMEM_MUST_FREE);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ret = mcp__http_queue(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Readiness: take this instance out of rotation while it starts, drains
 * (a stop began) or cannot reach its session store. */
enum MHD_Result mcp__http_reply_ready(mcp_http_server *hs, struct MHD_Connection *conn)
{
    int store_up = hs->o.store ? (mcp_store_healthy(hs->o.store) ? 1 : 0) : -1;
    bool ready = atomic_load(&hs->ready);
    unsigned status = ready && store_up != 0 ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE;
    char body[160];
    snprintf(body, sizeof body, "{\"status\":\"%s\",\"draining\":%s,\"store\":\"%s\"}",
             status == MHD_HTTP_OK ? "ready" : "unavailable", ready ? "false" : "true",
             store_up < 0 ? "none" : store_up ? "ok" : "unreachable");
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (status != MHD_HTTP_OK)
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    enum MHD_Result ret = mcp__http_queue(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

void mcp__http_server_ref(mcp_http_server *hs)
{
    atomic_fetch_add(&hs->refs, 1);
}

void mcp__http_server_unref(mcp_http_server *hs)
{
    if (atomic_fetch_sub(&hs->refs, 1) != 1)
        return;
    mcp__metrics_free(hs->metrics);
    mcp__proxy_list_free(hs->proxies);   /* edge */
    mcp__tls_free(hs->tls_ctx);
    mcp__limiter_free(hs->limiter);
    pthread_mutex_destroy(&hs->hk_lock);
    pthread_cond_destroy(&hs->hk_wake);
    pthread_mutex_destroy(&hs->live_lock);
    pthread_mutex_destroy(&hs->active_lock);
    pthread_mutex_destroy(&hs->conns_lock);
    free(hs);
}

/* The JSON-RPC method for the log line and metrics, cut to fit. */
void mcp__http_req_set_rpc(http_req *req, const char *rpc)
{
    size_t n = strnlen(rpc, sizeof req->rpc - 1);
    memcpy(req->rpc, rpc, n);
    req->rpc[n] = '\0';
}

void mcp__http_log_post(http_req *req, const char *method, unsigned status, const char *sid)
{
    http_log_request_traced(req->hs, method, req->rpc, status, req->start_us, sid,
                                 req->px ? &req->px->ex.trace : NULL);
}

enum MHD_Result mcp__http_finish_plain(http_req *req, struct MHD_Connection *conn, unsigned status,
                                    const cJSON *body, const char *sid)
{
    mcp__http_log_post(req, "POST", status, sid);
    if (status == MHD_HTTP_TOO_MANY_REQUESTS) {    /* rate limits: RFC 6585 §4 + RFC 9110 §10.2.3 */
        char secs[16];
        snprintf(secs, sizeof secs, "%u", mcp__limit_retry_after_s(body));
        return mcp__http_reply_json_with(conn, status, body, sid, MHD_HTTP_HEADER_RETRY_AFTER, secs);
    }
    return mcp__http_reply_json(conn, status, body, sid);
}

enum MHD_Result mcp__http_refuse(http_req *req, struct MHD_Connection *conn, const char *method, unsigned status,
                              const cJSON *id, int code, const char *message)
{
    if (req)
        mcp__http_log_post(req, method, status, NULL);
    return http_reply_error(conn, status, id, code, message);
}

conn_track *mcp__http_conn_track_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

void mcp__http_conn_request_started(struct MHD_Connection *conn)
{
    conn_track *t = mcp__http_conn_track_of(conn);
    if (t)
        atomic_store(&t->in_request, true);
}
