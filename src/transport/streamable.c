/* Streamable HTTP semantics (legacy 2025-03-26 .. 2025-11-25 eras): one
 * endpoint; POST carries JSON-RPC, answered as JSON or as an SSE stream;
 * GET opens the session's standalone stream or resumes one by
 * Last-Event-ID; DELETE ends a session. Stateless mode issues no session
 * ids and answers GET/DELETE with 405. Every refusal carries a JSON-RPC
 * error body with the request's id when it could be read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/auth.h"
#include "core/dispatch.h"
#include "core/jsonrpc.h"
#include "core/modern.h"
#include "transport/body_buffer.h"
#include "transport/http_internal.h"

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
} http_req;

/* The JSON-RPC method for the log line and metrics, cut to fit. */
static void http_req_set_rpc(http_req *req, const char *rpc)
{
    size_t n = strnlen(rpc, sizeof req->rpc - 1);
    memcpy(req->rpc, rpc, n);
    req->rpc[n] = '\0';
}

/* ---------------- post_exchange ---------------- */

static void px_unref(post_exchange *px)
{
    if (atomic_fetch_sub(&px->refs, 1) != 1)
        return;
    cJSON_Delete(px->response);
    cJSON_Delete(px->events);
    if (px->stream)
        stream_unref(px->stream);
    if (px->ex.session)
        session_unref(px->ex.session);
    pthread_mutex_destroy(&px->lock);
    mcp_http_server *hs = px->hs;
    free(px);
    http_server_unref(hs);
}

static void resume_locked(post_exchange *px)
{
    if (px->waiting && px->conn) {
        px->waiting = false;
        MHD_resume_connection(px->conn);
    }
}

static int px_send(mcp_exchange *ex, cJSON *msg)
{
    post_exchange *px = (post_exchange *)ex;
    pthread_mutex_lock(&px->lock);
    if (px->stream) {
        pthread_mutex_unlock(&px->lock);
        stream_push_message(px->stream, msg);
        return 0;
    }
    if (px->json_only || px->done) {
        pthread_mutex_unlock(&px->lock);
        cJSON_Delete(msg);
        return -MCP_EUNSUPPORTED;
    }
    if (!px->events)
        px->events = cJSON_CreateArray();
    cJSON_AddItemToArray(px->events, msg);
    resume_locked(px);
    pthread_mutex_unlock(&px->lock);
    return 0;
}

static void active_remove(post_exchange *px)
{
    mcp_http_server *hs = px->hs;
    pthread_mutex_lock(&hs->active_lock);
    if (px->active) {
        *px->active_pprev = px->active_next;
        if (px->active_next)
            px->active_next->active_pprev = px->active_pprev;
        px->active = false;
    }
    pthread_mutex_unlock(&hs->active_lock);
}

/* After dispatch returned: a request still without its answer joins the
 * active list (lock order: active_lock, then px->lock). */
static void active_add_if_pending(post_exchange *px)
{
    mcp_http_server *hs = px->hs;
    pthread_mutex_lock(&px->lock);
    bool pending = !px->done;
    pthread_mutex_unlock(&px->lock);
    if (!pending)
        return;
    pthread_mutex_lock(&hs->active_lock);
    pthread_mutex_lock(&px->lock);
    if (!px->done) {
        px->active_next = hs->active_posts;
        px->active_pprev = &hs->active_posts;
        if (hs->active_posts)
            hs->active_posts->active_pprev = &px->active_next;
        hs->active_posts = px;
        px->active = true;
    }
    pthread_mutex_unlock(&px->lock);
    pthread_mutex_unlock(&hs->active_lock);
}

static void px_complete(mcp_exchange *ex, cJSON *response)
{
    post_exchange *px = (post_exchange *)ex;
    pthread_mutex_lock(&px->lock);
    if (px->done) {                       /* already answered (shutdown) */
        cJSON_Delete(response);
    } else if (px->stream) {
        px->done = true;
        if (response)
            stream_push_message(px->stream, response);
        stream_finish(px->stream, false);
    } else {
        px->done = true;
        px->response = response;
        resume_locked(px);
    }
    bool tracked = px->active;            /* set under px->lock too */
    pthread_mutex_unlock(&px->lock);
    if (tracked)
        active_remove(px);
    atomic_fetch_sub(&px->hs->inflight, 1);
    px_unref(px);
}

static const mcp_exchange_ops px_ops = { px_send, px_complete };

/* ---------------- request checks ---------------- */

static const char *header(struct MHD_Connection *conn, const char *name)
{
    return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

static bool list_contains(const char *list, const char *item, size_t item_len)
{
    const char *p = list;
    while (p && *p) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && p[len - 1] == ' ')
            len--;
        if (len == item_len && strncasecmp(p, item, len) == 0)
            return true;
        p = end;
    }
    return false;
}

/* Host name without port: "[::1]:3000" -> "[::1]", "localhost:80" -> "localhost".
 * Returns 0 when anything but ":<digits>" follows the name, so values like
 * "localhost:80.evil.example" or "[::1].evil" never pass as local. */
static size_t host_name_len(const char *host)
{
    size_t len;
    if (host[0] == '[') {
        const char *close = strchr(host, ']');
        if (!close)
            return 0;
        len = (size_t)(close - host + 1);
    } else {
        len = strcspn(host, ":");
    }
    const char *rest = host + len;
    if (*rest == ':') {
        rest++;
        if (!*rest)
            return 0;
        while (*rest >= '0' && *rest <= '9')
            rest++;
    }
    return *rest ? 0 : len;
}

static bool is_local_name(const char *name, size_t len)
{
    return (len == 9 && strncasecmp(name, "localhost", 9) == 0) ||
           (len == 9 && strncmp(name, "127.0.0.1", 9) == 0) ||
           (len == 5 && strncmp(name, "[::1]", 5) == 0);
}

static bool host_allowed(mcp_http_server *hs, const char *host)
{
    if (!host)
        return false;
    size_t len = host_name_len(host);
    if (len == 0)
        return false;
    if (hs->o.allowed_hosts)
        return list_contains(hs->o.allowed_hosts, host, len) || list_contains(hs->o.allowed_hosts, host, strlen(host));
    return hs->loopback ? is_local_name(host, len) : true;
}

static bool origin_allowed(mcp_http_server *hs, const char *origin, const char *host)
{
    if (!origin)
        return true;                    /* non-browser clients send none */
    if (hs->o.allowed_origins)
        return list_contains(hs->o.allowed_origins, origin, strlen(origin));
    const char *sep = strstr(origin, "://");
    if (!sep || (strncmp(origin, "http", 4) != 0))
        return false;                   /* "null" and odd schemes */
    const char *oh = sep + 3;
    size_t len = host_name_len(oh);
    if (len == 0)
        return false;
    if (hs->loopback)
        return is_local_name(oh, len);
    return host && len == host_name_len(host) && strncasecmp(oh, host, len) == 0;
}

static bool accepts(const char *accept, const char *type)
{
    return accept && (strstr(accept, type) || strstr(accept, "*/*"));
}

/* ---------------- authorization ---------------- */

static enum MHD_Result reply_auth_failure(http_req *req, struct MHD_Connection *conn, const char *method,
                                          const cJSON *id, const auth_result *res)
{
    http_log_request(req->hs, method, req->rpc, res->status, req->start_us, NULL);
    cJSON *body = jsonrpc_error(id, MCP_ERR_GENERIC, res->message);
    enum MHD_Result ret = http_reply_json_with(conn, res->status, body, NULL, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                               res->www_authenticate[0] ? res->www_authenticate : NULL);
    cJSON_Delete(body);
    return ret;
}

/* Scopes a request (or every element of a batch) needs beyond the ones
 * checked on arrival. False with *ret set when they are missing: one 403
 * naming every scope needed. */
static bool authorize_scopes(http_req *req, struct MHD_Connection *conn, const cJSON *msg, const cJSON *id,
                             enum MHD_Result *ret)
{
    strbuf need = {0};
    const cJSON *one = cJSON_IsArray(msg) ? msg->child : msg;
    for (const cJSON *m = one; m; m = cJSON_IsArray(msg) ? m->next : NULL) {
        char *scopes = mcp_server_request_scopes(req->hs->srv, m);
        if (scopes)
            strbuf_printf(&need, "%s%s", need.len ? " " : "", scopes);
        free(scopes);
    }
    if (!need.len)
        return true;
    auth_result res;
    auth_check(req->hs->auth, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
               need.data, &res);
    strbuf_free(&need);
    if (!res.status)
        return true;
    *ret = reply_auth_failure(req, conn, "POST", id, &res);
    return false;
}

/* A session belongs to the subject that created it: another subject's
 * token on it gets 404, exactly like an unknown session. */
static bool session_owned(const http_req *req, const mcp_session *s)
{
    if (!req->hs->auth)
        return true;
    return s->subject && strcmp(s->subject, req->subject) == 0;
}

/* ---------------- answering ---------------- */

static enum MHD_Result finish_plain(http_req *req, struct MHD_Connection *conn, unsigned status,
                                    const cJSON *body, const char *sid)
{
    http_log_request(req->hs, "POST", req->rpc, status, req->start_us, sid);
    return http_reply_json(conn, status, body, sid);
}

static enum MHD_Result refuse(http_req *req, struct MHD_Connection *conn, const char *method, unsigned status,
                              const cJSON *id, int code, const char *message)
{
    if (req)
        http_log_request(req->hs, method, req->rpc, status, req->start_us, NULL);
    return http_reply_error(conn, status, id, code, message);
}

/* A session minted by initialize joins the table only once initialize
 * succeeded; past the cap the client gets 503 and nothing is kept. */
static int commit_initialize(post_exchange *px)
{
    if (!px->is_initialize || !px->ex.session || !px->response ||
        !cJSON_GetObjectItemCaseSensitive(px->response, "result"))
        return 0;
    int rc = session_table_insert(px->hs->sessions, px->ex.session);
    if (rc == 0)
        metrics_session_created(px->hs->metrics);
    else if (rc == -MCP_EIO)
        metrics_store_error(px->hs->metrics);
    return rc;
}

/* Modern errors that are part of the HTTP contract: unknown method is 404,
 * a missing client capability 400; everything else travels in-band (200). */
static unsigned status_for(const post_exchange *px, const cJSON *resp)
{
    if (px->ex.era != MCP_ERA_MODERN)
        return MHD_HTTP_OK;
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(resp, "error"), "code");
    if (cJSON_IsNumber(code) && code->valueint == JSONRPC_METHOD_NOT_FOUND)
        return MHD_HTTP_NOT_FOUND;
    if (cJSON_IsNumber(code) && code->valueint == MCP_ERR_MISSING_CAPABILITY)
        return MHD_HTTP_BAD_REQUEST;
    return MHD_HTTP_OK;
}

static const char *unavailable_reason(int rc)
{
    return rc == -MCP_ELIMIT ? "Service unavailable: too many sessions, retry later"
                             : "Service unavailable: the session store cannot be reached, retry later";
}

static const char *session_id_of(post_exchange *px)
{
    return px->ex.session ? px->ex.session->id : NULL;
}

static void append_event(strbuf *sb, const cJSON *msg)
{
    char *text = jsonrpc_print(msg);
    if (text)
        strbuf_printf(sb, "event: message\ndata: %s\n\n", text);
    free(text);
}

/* px->lock held; events and the answer are complete. */
static enum MHD_Result answer_sse_buffer(http_req *req, struct MHD_Connection *conn, post_exchange *px)
{
    strbuf body = {0};
    for (const cJSON *ev = px->events ? px->events->child : NULL; ev; ev = ev->next)
        append_event(&body, ev);
    if (px->response)
        append_event(&body, px->response);
    size_t len = body.len;
    char *data = strbuf_take(&body);
    struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(data);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    MHD_add_response_header(r, "X-Accel-Buffering", "no");
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    http_log_request(req->hs, "POST", req->rpc, MHD_HTTP_OK, req->start_us, NULL);
    return ret;
}

/* Called with the first event or the answer ready (or at once in SSE mode). */
static enum MHD_Result answer(http_req *req, struct MHD_Connection *conn)
{
    post_exchange *px = req->px;
    pthread_mutex_lock(&px->lock);
    bool have_events = px->events && px->events->child;
    /* Notifications and client responses get 202 in every response mode,
     * and modern errors that carry an HTTP status (404, 400) are plain JSON. */
    if (px->done && !have_events &&
        (!px->sse_only || !px->response || status_for(px, px->response) != MHD_HTTP_OK)) {
        int rc = commit_initialize(px);
        cJSON *resp = px->response;
        px->response = NULL;
        pthread_mutex_unlock(&px->lock);
        enum MHD_Result ret;
        if (rc < 0)
            ret = refuse(req, conn, "POST", MHD_HTTP_SERVICE_UNAVAILABLE, jsonrpc_id(resp), MCP_ERR_GENERIC,
                         unavailable_reason(rc));
        else if (!resp)
            ret = finish_plain(req, conn, MHD_HTTP_ACCEPTED, NULL, NULL);
        else
            ret = finish_plain(req, conn, status_for(px, resp), resp, session_id_of(px));
        cJSON_Delete(resp);
        return ret;
    }
    if (!px->done && !have_events && !px->sse_only) {
        px->waiting = true;               /* park until px_send/px_complete */
        MHD_suspend_connection(conn);
        pthread_mutex_unlock(&px->lock);
        return MHD_YES;
    }
    int commit_rc = px->done ? commit_initialize(px) : 0;
    if (commit_rc < 0) {
        cJSON *resp = px->response;
        px->response = NULL;
        pthread_mutex_unlock(&px->lock);
        enum MHD_Result ret = refuse(req, conn, "POST", MHD_HTTP_SERVICE_UNAVAILABLE, jsonrpc_id(resp),
                                     MCP_ERR_GENERIC, unavailable_reason(commit_rc));
        cJSON_Delete(resp);
        return ret;
    }
    if (px->done && !px->ex.session) {
        /* Everything is known and nothing needs ids for replay: one buffer,
         * no chunked streaming (much cheaper in libmicrohttpd). */
        enum MHD_Result ret = answer_sse_buffer(req, conn, px);
        pthread_mutex_unlock(&px->lock);
        return ret;
    }
    /* SSE: events so far, then (if ready) the answer, then live events. */
    http_stream *st = stream_new(req->hs, px->ex.session, false);
    if (!st) {
        pthread_mutex_unlock(&px->lock);
        return MHD_NO;
    }
    px->stream = st;
    enum MHD_Result ret = stream_respond(st, conn, MHD_HTTP_OK);
    if (mcp_v_sse_priming(px->ex.version))
        stream_push_priming(st);
    cJSON *ev;
    while (px->events && (ev = cJSON_DetachItemFromArray(px->events, 0)))
        stream_push_message(st, ev);
    if (px->done) {
        if (px->response)
            stream_push_message(st, px->response);
        px->response = NULL;
        stream_finish(st, false);
    }
    pthread_mutex_unlock(&px->lock);
    http_log_request(req->hs, "POST", req->rpc, MHD_HTTP_OK, req->start_us, session_id_of(px));
    return ret;
}

/* ---------------- POST ---------------- */

static int header_version(struct MHD_Connection *conn, bool *bad)
{
    const char *v = header(conn, "MCP-Protocol-Version");
    *bad = false;
    if (!v)
        return -1;
    int parsed = mcp_version_parse(v);
    if (parsed < 0 || mcp_version_is_modern((mcp_version)parsed))
        *bad = true;
    return parsed;
}

static post_exchange *px_new(mcp_http_server *hs, struct MHD_Connection *conn)
{
    post_exchange *px = calloc(1, sizeof *px);
    if (!px)
        return NULL;
    px->ex.ops = &px_ops;
    px->ex.era = MCP_ERA_LEGACY;
    px->hs = hs;
    http_server_ref(hs);
    px->conn = conn;
    pthread_mutex_init(&px->lock, NULL);
    atomic_init(&px->refs, 2);
    px->json_only = hs->o.response_mode == MCP_RESPONSE_JSON;
    px->sse_only = hs->o.response_mode == MCP_RESPONSE_SSE;
    return px;
}

static void px_dispatch(post_exchange *px, cJSON *msg)
{
    mcp_http_server *hs = px->hs;
    atomic_fetch_add(&hs->inflight, 1);
    mcp_server_dispatch(hs->srv, &px->ex, msg);
    active_add_if_pending(px);
}

static const char *header_cb(void *ctx, const char *name)
{
    return header(ctx, name);
}

/* 2026-07-28: no session, no handshake; the envelope and the metadata
 * headers are checked before anything runs. */
static enum MHD_Result handle_modern(http_req *req, struct MHD_Connection *conn, cJSON *msg, msg_kind kind)
{
    const cJSON *id = jsonrpc_id(msg);
    modern_error err = {0};
    mcp_version v = MCP_V_MODERN_LATEST;
    enum MHD_Result ret;
    if (kind == MSG_RESPONSE) {
        ret = refuse(req, conn, "POST", MHD_HTTP_BAD_REQUEST, id, JSONRPC_INVALID_REQUEST,
                     "Invalid Request: clients send no responses in protocol 2026-07-28");
        cJSON_Delete(msg);
        return ret;
    }
    if (modern_validate_request(req->hs->srv, msg, header_cb, conn, &v, &err) < 0) {
        cJSON *body = jsonrpc_error_data_take(id, err.code, err.message, err.data);
        http_log_request(req->hs, "POST", req->rpc, err.http_status, req->start_us, NULL);
        ret = http_reply_json(conn, err.http_status, body, NULL);
        cJSON_Delete(body);
        cJSON_Delete(msg);
        return ret;
    }
    post_exchange *px = px_new(req->hs, conn);
    if (!px) {
        cJSON_Delete(msg);
        return MHD_NO;
    }
    px->ex.era = MCP_ERA_MODERN;
    px->ex.version = v;
    px->ex.stateless = true;
    px->ex.principal = req->subject[0] ? req->subject : NULL;   /* tasks: bound to the caller */
    const char *method = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(msg, "method"));
    if (method && strcmp(method, "subscriptions/listen") == 0) {
        px->json_only = false;     /* a listen is a stream in every response mode */
        px->sse_only = true;
    }
    req->px = px;
    px_dispatch(px, msg);
    return answer(req, conn);
}

static enum MHD_Result handle_post_message(http_req *req, struct MHD_Connection *conn, cJSON *msg)
{
    mcp_http_server *hs = req->hs;
    const char *why = NULL;
    msg_kind kind = jsonrpc_classify(msg, &why);
    const cJSON *id = jsonrpc_id(msg);
    const char *method = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(msg, "method"));
    http_req_set_rpc(req, method ? method : kind == MSG_RESPONSE ? "(response)" : "");
    enum MHD_Result ret;
    if (kind == MSG_INVALID) {
        ret = refuse(req, conn, "POST", MHD_HTTP_BAD_REQUEST, id, JSONRPC_INVALID_REQUEST, why);
        cJSON_Delete(msg);
        return ret;
    }
    if (modern_claims(msg))
        return handle_modern(req, conn, msg, kind);
    bool bad_version = false;
    int hv = header_version(conn, &bad_version);
    if (bad_version && hv >= 0 && mcp_version_is_modern((mcp_version)hv)) {
        ret = refuse(req, conn, "POST", MHD_HTTP_BAD_REQUEST, id, JSONRPC_INVALID_PARAMS,
                     "Invalid params: MCP-Protocol-Version is 2026-07-28 but params._meta lacks the protocol version envelope");
        cJSON_Delete(msg);
        return ret;
    }
    if (bad_version) {
        ret = refuse(req, conn, "POST", MHD_HTTP_BAD_REQUEST, id, MCP_ERR_GENERIC,
                     "Bad Request: unsupported MCP-Protocol-Version (supported: 2025-11-25, 2025-06-18, 2025-03-26)");
        cJSON_Delete(msg);
        return ret;
    }
    if (hs->auth && kind == MSG_REQUEST && !authorize_scopes(req, conn, msg, id, &ret)) {
        cJSON_Delete(msg);
        return ret;
    }
    bool init = kind == MSG_REQUEST && mcp_is_initialize(msg);
    const char *sid = header(conn, "Mcp-Session-Id");
    mcp_session *session = NULL;
    if (hs->o.mode == MCP_STATEFUL) {
        if (init && sid) {
            ret = refuse(req, conn, "POST", MHD_HTTP_BAD_REQUEST, id, JSONRPC_INVALID_REQUEST,
                         "Invalid Request: this session is already initialized; send initialize without Mcp-Session-Id to start a new one");
            cJSON_Delete(msg);
            return ret;
        }
        if (init) {
            if (session_table_count(hs->sessions) >= hs->o.max_sessions) {
                ret = refuse(req, conn, "POST", MHD_HTTP_SERVICE_UNAVAILABLE, id, MCP_ERR_GENERIC,
                             "Service unavailable: too many sessions, retry later");
                cJSON_Delete(msg);
                return ret;
            }
            session = session_new();
            if (session && hs->auth)
                session->subject = strdup(req->subject);
        } else if (!sid) {
            ret = refuse(req, conn, "POST", MHD_HTTP_BAD_REQUEST, id, MCP_ERR_GENERIC,
                         "Bad Request: Mcp-Session-Id header is required");
            cJSON_Delete(msg);
            return ret;
        } else {
            int rc = session_table_lookup(hs->sessions, sid, &session);
            if (rc == 0 && !session_owned(req, session)) {
                session_unref(session);
                session = NULL;
                rc = -MCP_ENOTFOUND;
            }
            if (rc < 0) {
                ret = rc == -MCP_ENOTFOUND
                    ? refuse(req, conn, "POST", MHD_HTTP_NOT_FOUND, id, MCP_ERR_SESSION_NOT_FOUND,
                             "Session not found: it ended or expired; initialize a new session")
                    : refuse(req, conn, "POST", MHD_HTTP_SERVICE_UNAVAILABLE, id, MCP_ERR_GENERIC,
                             "Service unavailable: the session store cannot be reached, retry later");
                if (rc == -MCP_EIO)
                    metrics_store_error(hs->metrics);
                cJSON_Delete(msg);
                return ret;
            }
        }
    }
    post_exchange *px = px_new(hs, conn);
    if (!px) {
        if (session)
            session_unref(session);
        cJSON_Delete(msg);
        return MHD_NO;
    }
    px->ex.session = session;
    px->ex.stateless = hs->o.mode == MCP_STATELESS;
    px->ex.back_channel = session && !px->json_only;
    px->ex.version = session && !init ? session->version : hv >= 0 ? (mcp_version)hv : MCP_V_2025_03_26;
    px->is_initialize = init;
    req->px = px;
    px_dispatch(px, msg);
    return answer(req, conn);
}

static mcp_session *require_session(http_req *req, struct MHD_Connection *conn, const char *method,
                                    enum MHD_Result *ret);

/* Batches belong to 2025-03-26 only: the session's version, or the
 * header's (absent means 2025-03-26) without a session. */
static enum MHD_Result handle_batch(http_req *req, struct MHD_Connection *conn, cJSON *arr)
{
    mcp_http_server *hs = req->hs;
    http_req_set_rpc(req, "(batch)");
    bool bad = false;
    int hv = header_version(conn, &bad);
    mcp_session *session = NULL;
    enum MHD_Result ret = MHD_NO;
    if (hs->auth && !authorize_scopes(req, conn, arr, NULL, &ret)) {
        cJSON_Delete(arr);
        return ret;
    }
    if (hs->o.mode == MCP_STATEFUL && !(session = require_session(req, conn, "POST", &ret))) {
        cJSON_Delete(arr);
        return ret;
    }
    mcp_version v = session ? session->version : hv >= 0 ? (mcp_version)hv : MCP_V_2025_03_26;
    if (bad || !mcp_v_batching(v) || cJSON_GetArraySize(arr) == 0) {
        if (session)
            session_unref(session);
        cJSON_Delete(arr);
        return refuse(req, conn, "POST", MHD_HTTP_BAD_REQUEST, NULL, JSONRPC_INVALID_REQUEST,
                      "Invalid Request: JSON-RPC batches are only accepted for protocol version 2025-03-26");
    }
    req->batch = batch_start(hs, conn, arr, session, v);
    return req->batch ? batch_answer(req->batch, conn, req->start_us) : MHD_NO;
}

static enum MHD_Result handle_post_body(http_req *req, struct MHD_Connection *conn)
{
    if (req->too_large)
        return refuse(req, conn, "POST", MHD_HTTP_CONTENT_TOO_LARGE, NULL, JSONRPC_INVALID_REQUEST,
                      "Request body too large");
    const char *why = NULL;
    cJSON *msg = jsonrpc_parse(req->body.data ? req->body.data : "", req->body.len, req->hs->o.max_depth, &why);
    body_buffer_free(&req->body);
    if (!msg)
        return refuse(req, conn, "POST", MHD_HTTP_BAD_REQUEST, NULL, JSONRPC_PARSE_ERROR, why);
    if (cJSON_IsArray(msg))
        return handle_batch(req, conn, msg);
    return handle_post_message(req, conn, msg);
}

/* First call for a POST: checks that need no body. MHD_YES with *refused
 * set when a response was queued. */
static enum MHD_Result check_post_headers(http_req *req, struct MHD_Connection *conn, bool *refused)
{
    const char *accept = header(conn, MHD_HTTP_HEADER_ACCEPT);
    const char *ctype = header(conn, MHD_HTTP_HEADER_CONTENT_TYPE);
    const char *clen = header(conn, MHD_HTTP_HEADER_CONTENT_LENGTH);
    *refused = true;
    if (!accepts(accept, "application/json") || !accepts(accept, "text/event-stream"))
        return refuse(req, conn, "POST", MHD_HTTP_NOT_ACCEPTABLE, NULL, MCP_ERR_GENERIC,
                      "Not Acceptable: Accept must list application/json and text/event-stream");
    if (!ctype || strncasecmp(ctype, "application/json", 16) != 0)
        return refuse(req, conn, "POST", MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, NULL, MCP_ERR_GENERIC,
                      "Unsupported Media Type: Content-Type must be application/json");
    if (clen && strtoull(clen, NULL, 10) > req->hs->o.max_body)
        return refuse(req, conn, "POST", MHD_HTTP_CONTENT_TOO_LARGE, NULL, JSONRPC_INVALID_REQUEST,
                      "Request body too large");
    *refused = false;
    return MHD_YES;
}

/* ---------------- GET and DELETE ---------------- */

static mcp_session *require_session(http_req *req, struct MHD_Connection *conn, const char *method,
                                    enum MHD_Result *ret)
{
    const char *sid = header(conn, "Mcp-Session-Id");
    bool bad = false;
    header_version(conn, &bad);
    if (bad) {
        *ret = refuse(req, conn, method, MHD_HTTP_BAD_REQUEST, NULL, MCP_ERR_GENERIC,
                      "Bad Request: unsupported MCP-Protocol-Version");
        return NULL;
    }
    if (!sid) {
        *ret = refuse(req, conn, method, MHD_HTTP_BAD_REQUEST, NULL, MCP_ERR_GENERIC,
                      "Bad Request: Mcp-Session-Id header is required");
        return NULL;
    }
    mcp_session *s = NULL;
    int rc = session_table_lookup(req->hs->sessions, sid, &s);
    if (rc == 0 && !session_owned(req, s)) {
        session_unref(s);
        s = NULL;
        rc = -MCP_ENOTFOUND;
    }
    if (rc == -MCP_ENOTFOUND)
        *ret = refuse(req, conn, method, MHD_HTTP_NOT_FOUND, NULL, MCP_ERR_SESSION_NOT_FOUND,
                      "Session not found: it ended or expired; initialize a new session");
    else if (rc < 0)
        *ret = refuse(req, conn, method, MHD_HTTP_SERVICE_UNAVAILABLE, NULL, MCP_ERR_GENERIC,
                      "Service unavailable: the session store cannot be reached, retry later");
    return s;
}

static enum MHD_Result handle_get(http_req *req, struct MHD_Connection *conn)
{
    if (!accepts(header(conn, MHD_HTTP_HEADER_ACCEPT), "text/event-stream"))
        return refuse(req, conn, "GET", MHD_HTTP_NOT_ACCEPTABLE, NULL, MCP_ERR_GENERIC,
                      "Not Acceptable: GET needs Accept: text/event-stream");
    enum MHD_Result ret = MHD_NO;
    mcp_session *s = require_session(req, conn, "GET", &ret);
    if (!s)
        return ret;
    const char *last = header(conn, "Last-Event-ID");
    http_stream *st = NULL;
    if (last) {
        strbuf replay = {0};
        st = stream_for_replay(req->hs, s, last, &replay);
        if (!st) {
            strbuf_free(&replay);
            session_unref(s);
            return refuse(req, conn, "GET", MHD_HTTP_BAD_REQUEST, NULL, MCP_ERR_GENERIC,
                          "Bad Request: unknown Last-Event-ID for this session");
        }
        ret = stream_respond(st, conn, MHD_HTTP_OK);
        /* The replay goes before anything produced since we attached. */
        pthread_mutex_lock(&st->lock);
        if (st->out.len)
            strbuf_append(&replay, st->out.data, st->out.len);
        strbuf_free(&st->out);
        st->out = replay;
        pthread_mutex_unlock(&st->lock);
    } else {
        http_session *hsd = http_session_of(s, true);
        pthread_mutex_lock(&hsd->lock);
        /* The old stream may belong to a client that closed its connection
         * while the stream was idle: then the new GET replaces it. */
        if (hsd->standalone && stream_detach_if_peer_gone(hsd->standalone))
            hsd->standalone = NULL;
        bool busy = hsd->standalone != NULL;
        pthread_mutex_unlock(&hsd->lock);
        if (busy) {
            session_unref(s);
            return refuse(req, conn, "GET", MHD_HTTP_CONFLICT, NULL, MCP_ERR_GENERIC,
                          "Conflict: only one standalone SSE stream is allowed per session");
        }
        st = stream_new(req->hs, s, true);
        if (st) {
            pthread_mutex_lock(&hsd->lock);
            hsd->standalone = st;
            pthread_mutex_unlock(&hsd->lock);
            ret = stream_respond(st, conn, MHD_HTTP_OK);
            if (mcp_v_sse_priming(s->version))
                stream_push_priming(st);
        }
    }
    http_log_request(req->hs, "GET", "", MHD_HTTP_OK, req->start_us, s->id);
    if (st)
        stream_unref(st);
    session_unref(s);
    return ret;
}

static enum MHD_Result handle_delete(http_req *req, struct MHD_Connection *conn)
{
    enum MHD_Result ret = MHD_NO;
    mcp_session *s = require_session(req, conn, "DELETE", &ret);
    if (!s)
        return ret;
    char sid[MCP_SESSION_ID_LEN + 1];
    memcpy(sid, s->id, sizeof sid);
    session_unref(s);
    if (session_table_remove(req->hs->sessions, sid) == -MCP_EIO) {
        metrics_store_error(req->hs->metrics);
        return refuse(req, conn, "DELETE", MHD_HTTP_SERVICE_UNAVAILABLE, NULL, MCP_ERR_GENERIC,
                      "Service unavailable: the session store cannot be reached, retry later");
    }
    http_log_request(req->hs, "DELETE", "", MHD_HTTP_OK, req->start_us, sid);
    return http_reply_empty(conn, MHD_HTTP_OK);
}

/* ---------------- entry ---------------- */

/* RFC 9728 metadata: public, cacheable, readable from browsers. */
static enum MHD_Result reply_metadata(http_req *req, struct MHD_Connection *conn, char *doc)
{
    size_t len = strlen(doc);
    struct MHD_Response *r = MHD_create_response_from_buffer(len, doc, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(doc);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(r, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "max-age=3600");
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    http_log_request(req->hs, "GET", "", MHD_HTTP_OK, req->start_us, NULL);
    return ret;
}

static enum MHD_Result first_call(mcp_http_server *hs, struct MHD_Connection *conn, const char *url,
                                  const char *method, http_req *req, bool *done)
{
    *done = true;
    if (hs->o.health_endpoints && strcmp(method, "GET") == 0 &&
        (strcmp(url, "/healthz") == 0 || strcmp(url, "/metrics") == 0))
        return http_reply_health(hs, conn, url[1] == 'm');
    if (hs->auth && strcmp(method, "GET") == 0 && strncmp(url, "/.well-known/", 13) == 0) {
        char *doc = auth_metadata(hs->auth, url);
        if (doc)
            return reply_metadata(req, conn, doc);
    }
    if (strcmp(url, hs->o.path) != 0)
        return refuse(req, conn, method, MHD_HTTP_NOT_FOUND, NULL, MCP_ERR_GENERIC, "Not Found: the MCP endpoint is elsewhere");
    const char *host = header(conn, MHD_HTTP_HEADER_HOST);
    if (!host_allowed(hs, host))
        return refuse(req, conn, method, MHD_HTTP_FORBIDDEN, NULL, MCP_ERR_GENERIC, "Forbidden: Host header not allowed");
    if (!origin_allowed(hs, header(conn, "Origin"), host))
        return refuse(req, conn, method, MHD_HTTP_FORBIDDEN, NULL, MCP_ERR_GENERIC, "Forbidden: Origin not allowed");
    if (hs->auth) {
        auth_result res;
        auth_check(hs->auth, header(conn, MHD_HTTP_HEADER_AUTHORIZATION), NULL, &res);
        if (res.status)
            return reply_auth_failure(req, conn, method, NULL, &res);
        memcpy(req->subject, res.subject, sizeof req->subject);
    }
    bool stateless = hs->o.mode == MCP_STATELESS;
    if (strcmp(method, "POST") == 0) {
        bool refused = false;
        enum MHD_Result ret = check_post_headers(req, conn, &refused);
        *done = refused;
        return ret;
    }
    if (!stateless && strcmp(method, "GET") == 0)
        return handle_get(req, conn);
    if (!stateless && strcmp(method, "DELETE") == 0)
        return handle_delete(req, conn);
    http_log_request(hs, method, "", MHD_HTTP_METHOD_NOT_ALLOWED, req->start_us, NULL);
    return http_reply_not_allowed(conn, stateless ? "POST" : "GET, POST, DELETE");
}

enum MHD_Result streamable_handle(mcp_http_server *hs, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    http_req *req = *con_cls;
    if (!req) {
        req = calloc(1, sizeof *req);
        if (!req)
            return MHD_NO;
        req->hs = hs;
        req->start_us = now_us();
        *con_cls = req;
        http_conn_request_started(conn);
        if (strcmp(method, "POST") != 0) {
            /* No body: answer on the next call, once libmicrohttpd knows the
             * request is complete, so the connection stays open (keep-alive). */
            req->deferred = true;
            return MHD_YES;
        }
        bool done = false;
        enum MHD_Result ret = first_call(hs, conn, url, method, req, &done);
        req->answered = done;
        return done ? ret : MHD_YES;
    }
    if (req->deferred) {
        if (*upload_data_size > 0) {   /* a body on GET/DELETE is ignored */
            *upload_data_size = 0;
            return MHD_YES;
        }
        req->deferred = false;
        bool done = false;
        req->answered = true;
        return first_call(hs, conn, url, method, req, &done);
    }
    if (req->answered) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (!req->too_large && req->body.len + *upload_data_size > hs->o.max_body) {
            req->too_large = true;
            body_buffer_free(&req->body);   /* nothing more is kept of an oversized body */
        }
        if (!req->too_large && body_buffer_append(&req->body, upload_data, *upload_data_size) < 0)
            req->too_large = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (req->px)
        return answer(req, conn);    /* resumed: an event or the answer is ready */
    if (req->batch)
        return batch_answer(req->batch, conn, req->start_us);
    return handle_post_body(req, conn);
}

void streamable_request_done(mcp_http_server *hs, void *con_cls)
{
    http_req *req = con_cls;
    (void)hs;
    if (req->px) {
        post_exchange *px = req->px;
        pthread_mutex_lock(&px->lock);
        px->conn = NULL;
        px->waiting = false;
        /* Modern: a closed response stream cancels the request. Legacy: it
         * does not; events stay in the log for Last-Event-ID. */
        if (px->ex.era == MCP_ERA_MODERN && !px->done)
            atomic_store(&px->ex.cancelled, true);
        pthread_mutex_unlock(&px->lock);
        px_unref(px);
    }
    if (req->batch)
        batch_request_done(req->batch);
    body_buffer_free(&req->body);
    free(req);
}

/* Shutdown: answer POSTs still waiting so no connection stays suspended. */
void streamable_abort_active(mcp_http_server *hs)
{
    pthread_mutex_lock(&hs->active_lock);
    for (post_exchange *px = hs->active_posts; px; px = px->active_next) {
        pthread_mutex_lock(&px->lock);
        if (!px->done && !px->stream) {
            px->done = true;
            px->response = jsonrpc_error(NULL, JSONRPC_INTERNAL_ERROR, "Server shutting down");
            resume_locked(px);
        }
        atomic_store(&px->ex.cancelled, true);
        pthread_mutex_unlock(&px->lock);
    }
    pthread_mutex_unlock(&hs->active_lock);
}

static bool subscribed(mcp_session *s, const char *uri)
{
    bool found = false;
    pthread_mutex_lock(&s->lock);
    for (cJSON *u = s->subscriptions ? s->subscriptions->child : NULL; u && !found; u = u->next)
        found = strcmp(u->valuestring, uri) == 0;
    pthread_mutex_unlock(&s->lock);
    return found;
}

/* list_changed and resources/updated go to each session's GET stream. */
void streamable_broadcast(void *ctx, cJSON *notification, const char *resource_uri)
{
    mcp_http_server *hs = ctx;
    pthread_mutex_lock(&hs->live_lock);
    for (http_stream *st = hs->live_streams; st; st = st->live_next) {
        if (!st->standalone || !st->session || (resource_uri && !subscribed(st->session, resource_uri)))
            continue;
        stream_push_message(st, cJSON_Duplicate(notification, 1));
    }
    pthread_mutex_unlock(&hs->live_lock);
    cJSON_Delete(notification);
}
