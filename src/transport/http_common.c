/* What every HTTP answer shares: plain JSON replies (with the JSON-RPC
 * error body every refusal carries), the one request log line and the
 * request metrics, /healthz and /metrics, and the server's reference count
 * (a blocking handler may finish after mcp_http_stop returned). */
#include "transport/http_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "core/jsonrpc.h"
#include "transport/http_internal.h"

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
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

enum MHD_Result mcp__http_reply_json(struct MHD_Connection *conn, unsigned status, const cJSON *body,
                                const char *session_id)
{
    return mcp__http_reply_json_with(conn, status, body, session_id, NULL, NULL);
}

enum MHD_Result mcp__http_reply_error(struct MHD_Connection *conn, unsigned status, const cJSON *id,
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
    uint64_t took = mcp__now_us() - start_us;
    mcp__metrics_request(hs->metrics, rpc, status, took);
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
        type = "text/plain; version=0.0.4";
    } else {
        /* Liveness plus store reachability: a balancer takes an instance
         * whose store is gone out of rotation. */
        bool draining = atomic_load(&hs->stopping);
        if (store_up == 0 || draining)
            status = MHD_HTTP_SERVICE_UNAVAILABLE;
        mcp__strbuf_printf(&body, "{\"status\":\"%s\",\"store\":\"%s\"}", status == MHD_HTTP_OK ? "ok" : "unavailable",
                      store_up < 0 ? "none" : store_up ? "ok" : "unreachable");
    }
    size_t len = body.len;
    struct MHD_Response *r = MHD_create_response_from_buffer(len, mcp__strbuf_take(&body), MHD_RESPMEM_MUST_FREE);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
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

enum MHD_Result mcp__http_finish_plain(http_req *req, struct MHD_Connection *conn, unsigned status,
                                    const cJSON *body, const char *sid)
{
    mcp__http_log_request(req->hs, "POST", req->rpc, status, req->start_us, sid);
    return mcp__http_reply_json(conn, status, body, sid);
}

enum MHD_Result mcp__http_refuse(http_req *req, struct MHD_Connection *conn, const char *method, unsigned status,
                              const cJSON *id, int code, const char *message)
{
    if (req)
        mcp__http_log_request(req->hs, method, req->rpc, status, req->start_us, NULL);
    return mcp__http_reply_error(conn, status, id, code, message);
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
