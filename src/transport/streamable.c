/* Streamable HTTP routing: one endpoint; POST carries JSON-RPC (legacy
 * 2025-03-26 .. 2025-11-25 with sessions, or 2026-07-28 per request),
 * GET opens the session's standalone stream or resumes one by
 * Last-Event-ID, DELETE ends a session; stateless mode answers GET/DELETE
 * with 405. Checks live in http_guard.c, the POST exchange in
 * http_exchange.c, batches in http_batch.c. Also the legacy broadcast of
 * list_changed and resources/updated to each session's GET stream. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "transport/streamable.h"

#include "auth/auth.h"
#include "base/clock.h"
#include "base/picks.h"
#include "core/dispatch.h"
#include "core/era.h"
#include "core/jsonrpc.h"
#include "transport/http_batch.h"
#include "transport/http_common.h"
#include "transport/http_exchange.h"
#include "transport/http_guard.h"
#include "transport/http_internal.h"
#include "transport/http_cors.h"
#include "transport/server_card.h"
#include "transport/http_limit.h"
#include "transport/sse.h"

/* ---------------- POST ---------------- */

static const char *header_cb(void *ctx, const char *name)
{
    return mcp__http_header(ctx, name);
}

/* What the protocol layer reads before a handler runs: the rate limiter
 * and this request's principal (core/limit.h), and the W3C trace context
 * of the headers (used when params._meta has none; a tracestate means
 * nothing without a traceparent). */
static void limit_and_trace(post_exchange *px, http_req *req, struct MHD_Connection *conn)
{
    px->ex.limiter = req->hs->limiter;
    px->ex.principal = req->principal;
    px->ex.http_traceparent = mcp__http_header(conn, "traceparent");
    px->ex.http_tracestate = px->ex.http_traceparent ? mcp__http_header(conn, "tracestate") : NULL;
}

/* 2026-07-28: no session, no handshake; the envelope and the metadata
 * headers were checked (era < 0: *err says what failed) before anything
 * runs. */
static enum MHD_Result handle_modern(http_req *req, struct MHD_Connection *conn, cJSON *msg, msg_kind kind,
                                     const cJSON *id, const char *method, int era, mcp__revision v,
                                     modern_error *perr)
{
    modern_error err = *perr;
    enum MHD_Result ret;
    if (kind == MSG_RESPONSE && mcp__modern_claims(msg)) {
        mcp__modern_error_clear(&err);
        ret = mcp__http_refuse(req, conn, "POST", MHD_HTTP_BAD_REQUEST, id, JSONRPC_INVALID_REQUEST,
                     "Invalid Request: clients send no responses in protocol 2026-07-28");
        cJSON_Delete(msg);
        return ret;
    }
    if (era < 0) {
        cJSON *body = mcp__jsonrpc_error_data_take(id, err.code, err.message, err.data);
        mcp__http_log_request(req->hs, "POST", req->rpc, err.http_status, req->start_us, NULL);
        ret = mcp__http_reply_json(conn, err.http_status, body, NULL);
        cJSON_Delete(body);
        cJSON_Delete(msg);
        return ret;
    }
    post_exchange *px = mcp__http_px_new(req->hs, conn);
    if (!px) {
        cJSON_Delete(msg);
        return MHD_NO;
    }
    px->ex.era = MCP_ERA_MODERN;
    limit_and_trace(px, req, conn);
    px->ex.version = v;
    px->ex.stateless = true;
    if (method && strcmp(method, "subscriptions/listen") == 0) {
        px->json_only = false;     /* a listen is a stream in every response mode */
        px->sse_only = true;
    }
    req->px = px;
    mcp__http_px_dispatch(px, msg);
    return mcp__http_answer(req, conn);
}

/* The one session lookup of every request that names a session (POST,
 * batches, GET, DELETE): a ref, or NULL with the refusal queued in *ret:
 * 400 for an unsupported MCP-Protocol-Version or a missing Mcp-Session-Id,
 * 404 for an unknown session or one that belongs to another subject, 503
 * when the store cannot be reached (counted in /metrics). id is the
 * JSON-RPC id for the error body (NULL when there is none). */
static mcp_session *require_session(http_req *req, struct MHD_Connection *conn, const char *method,
                                    const cJSON *id, enum MHD_Result *ret)
{
    const char *sid = mcp__http_header(conn, "Mcp-Session-Id");
    bool bad = false;
    mcp__http_header_version(conn, &bad);
    if (bad) {
        *ret = mcp__http_refuse(req, conn, method, MHD_HTTP_BAD_REQUEST, id, MCP_ERR_GENERIC,
                      "Bad Request: unsupported MCP-Protocol-Version");
        return NULL;
    }
    if (!sid) {
        *ret = mcp__http_refuse(req, conn, method, MHD_HTTP_BAD_REQUEST, id, MCP_ERR_GENERIC,
                      "Bad Request: Mcp-Session-Id header is required");
        return NULL;
    }
    mcp_session *s = NULL;
    int rc = mcp__session_table_lookup(req->hs->sessions, sid, &s);
    if (rc == 0 && !mcp__http_session_owned(req, s)) {
        mcp__session_unref(s);
        s = NULL;
        rc = -MCP_ENOTFOUND;
    }
    if (rc == -MCP_ENOTFOUND) {
        *ret = mcp__http_refuse(req, conn, method, MHD_HTTP_NOT_FOUND, id, MCP_ERR_SESSION_NOT_FOUND,
                      "Session not found: it ended or expired; initialize a new session");
    } else if (rc < 0) {
        if (rc == -MCP_EIO)
            mcp__metrics_store_error(req->hs->metrics);
        *ret = mcp__http_refuse(req, conn, method, MHD_HTTP_SERVICE_UNAVAILABLE, id, MCP_ERR_GENERIC,
                      "Service unavailable: the session store cannot be reached, retry later");
    }
    return s;
}

static enum MHD_Result handle_post_message(http_req *req, struct MHD_Connection *conn, cJSON *msg)
{
    mcp_http_server *hs = req->hs;
    const char *why = NULL;
    msg_kind kind = mcp__jsonrpc_classify(msg, &why);
    const cJSON *id = mcp__jsonrpc_id(msg);
    const char *method = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(msg, "method"));
    mcp__http_req_set_rpc(req, method ? method : kind == MSG_RESPONSE ? "(response)" : "");
    enum MHD_Result ret;
    if (kind == MSG_INVALID) {
        ret = mcp__http_refuse(req, conn, "POST", MHD_HTTP_BAD_REQUEST, id, JSONRPC_INVALID_REQUEST, why);
        cJSON_Delete(msg);
        return ret;
    }
    /* era.c decides, once: the modern era (or a refusal of a malformed
     * modern request), or legacy, which is also every request of a server
     * not offering 2026-07-28 where sessions exist (mcp_server_set_eras). */
    modern_error err = {0};
    mcp__revision mv = MCP_V_MODERN_LATEST;
    int era = mcp__era_classify(hs->srv, msg, hs->o.mode == MCP_STATEFUL, header_cb, conn, &mv, &err);
    if (era != MCP_ERA_LEGACY)
        return handle_modern(req, conn, msg, kind, id, method, era, mv, &err);
    bool bad_version = false;
    int hv = mcp__http_header_version(conn, &bad_version);
    if (bad_version) {
        ret = mcp__http_refuse(req, conn, "POST", MHD_HTTP_BAD_REQUEST, id, MCP_ERR_GENERIC,
                     "Bad Request: unsupported MCP-Protocol-Version (supported: 2025-11-25, 2025-06-18, 2025-03-26)");
        cJSON_Delete(msg);
        return ret;
    }
    if (hs->auth && kind == MSG_REQUEST && !mcp__http_authorize_scopes(req, conn, msg, id, &ret)) {
        cJSON_Delete(msg);
        return ret;
    }
    bool init = kind == MSG_REQUEST && mcp__is_initialize(msg);
    const char *sid = mcp__http_header(conn, "Mcp-Session-Id");
    mcp_session *session = NULL;
    if (hs->o.mode == MCP_STATEFUL) {
        if (init && sid) {
            ret = mcp__http_refuse(req, conn, "POST", MHD_HTTP_BAD_REQUEST, id, JSONRPC_INVALID_REQUEST,
                         "Invalid Request: this session is already initialized; send initialize without Mcp-Session-Id to start a new one");
            cJSON_Delete(msg);
            return ret;
        }
        if (init) {
            /* edge: evict-lru makes room only once initialize succeeded
             * (the exchange's commit of initialize). */
            if (hs->o.session_cap_policy != MCP_CAP_EVICT_LRU &&
                mcp__session_table_count(hs->sessions) >= hs->o.max_sessions && !mcp__http_make_room(hs)) {
                ret = mcp__http_refuse(req, conn, "POST", MHD_HTTP_SERVICE_UNAVAILABLE, id, MCP_ERR_GENERIC,
                             "Service unavailable: too many sessions, retry later");
                cJSON_Delete(msg);
                return ret;
            }
            session = mcp__session_new();
            if (session && hs->auth)
                session->subject = strdup(req->subject);
        } else if (!(session = require_session(req, conn, "POST", id, &ret))) {
            cJSON_Delete(msg);
            return ret;
        }
    }
    post_exchange *px = mcp__http_px_new(hs, conn);
    if (!px) {
        if (session)
            mcp__session_unref(session);
        cJSON_Delete(msg);
        return MHD_NO;
    }
    px->ex.session = session;
    limit_and_trace(px, req, conn);
    px->ex.stateless = hs->o.mode == MCP_STATELESS;
    px->ex.back_channel = session && !px->json_only;
    px->ex.version = session && !init ? session->version : hv >= 0 ? (mcp__revision)hv : MCP_V_2025_03_26;
    px->is_initialize = init;
    req->px = px;
    mcp__http_px_dispatch(px, msg);
    return mcp__http_answer(req, conn);
}


/* Batches belong to 2025-03-26 only: the session's version, or the
 * header's (absent means 2025-03-26) without a session. */
static enum MHD_Result handle_batch(http_req *req, struct MHD_Connection *conn, cJSON *arr)
{
    mcp_http_server *hs = req->hs;
    mcp__http_req_set_rpc(req, "(batch)");
    bool bad = false;
    int hv = mcp__http_header_version(conn, &bad);
    mcp_session *session = NULL;
    enum MHD_Result ret = MHD_NO;
    if (hs->auth && !mcp__http_authorize_scopes(req, conn, arr, NULL, &ret)) {
        cJSON_Delete(arr);
        return ret;
    }
    if (hs->o.mode == MCP_STATEFUL && !(session = require_session(req, conn, "POST", NULL, &ret))) {
        cJSON_Delete(arr);
        return ret;
    }
    mcp__revision v = session ? session->version : hv >= 0 ? (mcp__revision)hv : MCP_V_2025_03_26;
    if (bad || !mcp_v_batching(v) || cJSON_GetArraySize(arr) == 0) {
        if (session)
            mcp__session_unref(session);
        cJSON_Delete(arr);
        return mcp__http_refuse(req, conn, "POST", MHD_HTTP_BAD_REQUEST, NULL, JSONRPC_INVALID_REQUEST,
                      "Invalid Request: JSON-RPC batches are only accepted for protocol version 2025-03-26");
    }
    req->batch = mcp__http_batch_start(hs, conn, arr, session, v, req->principal);
    return req->batch ? mcp__http_batch_answer(req->batch, conn, req->start_us) : MHD_NO;
}

static enum MHD_Result handle_post_body(http_req *req, struct MHD_Connection *conn)
{
    if (req->too_large)
        return mcp__http_refuse(req, conn, "POST", MHD_HTTP_CONTENT_TOO_LARGE, NULL, JSONRPC_INVALID_REQUEST,
                      "Request body too large");
    const char *why = NULL;
    cJSON *msg = mcp__jsonrpc_parse(req->body.data ? req->body.data : "", req->body.len, req->hs->o.max_depth, &why);
    mcp__body_buffer_free(&req->body);
    if (!msg)
        return mcp__http_refuse(req, conn, "POST", MHD_HTTP_BAD_REQUEST, NULL, JSONRPC_PARSE_ERROR, why);
    if (cJSON_IsArray(msg))
        return handle_batch(req, conn, msg);
    return handle_post_message(req, conn, msg);
}

/* ---------------- GET and DELETE ---------------- */


static enum MHD_Result handle_get(http_req *req, struct MHD_Connection *conn)
{
    if (!mcp__http_accepts(mcp__http_header(conn, MHD_HTTP_HEADER_ACCEPT), "text/event-stream"))
        return mcp__http_refuse(req, conn, "GET", MHD_HTTP_NOT_ACCEPTABLE, NULL, MCP_ERR_GENERIC,
                      "Not Acceptable: GET needs Accept: text/event-stream");
    enum MHD_Result ret = MHD_NO;
    mcp_session *s = require_session(req, conn, "GET", NULL, &ret);
    if (!s)
        return ret;
    const char *last = mcp__http_header(conn, "Last-Event-ID");
    http_stream *st = NULL;
    if (last) {
        strbuf replay = {0};
        st = mcp__stream_for_replay(req->hs, s, last, &replay);
        if (!st) {
            mcp__strbuf_free(&replay);
            mcp__session_unref(s);
            return mcp__http_refuse(req, conn, "GET", MHD_HTTP_BAD_REQUEST, NULL, MCP_ERR_GENERIC,
                          "Bad Request: unknown Last-Event-ID for this session");
        }
        ret = mcp__stream_respond(st, conn, MHD_HTTP_OK);
        /* The replay goes before anything produced since we attached. */
        pthread_mutex_lock(&st->lock);
        if (st->out.len)
            mcp__strbuf_append(&replay, st->out.data, st->out.len);
        mcp__strbuf_free(&st->out);
        st->out = replay;
        pthread_mutex_unlock(&st->lock);
    } else {
        http_session *hsd = mcp__http_session_of(s, true);
        pthread_mutex_lock(&hsd->lock);
        /* The old stream may belong to a client that closed its connection
         * while the stream was idle: then the new GET replaces it. */
        if (hsd->standalone && mcp__stream_detach_if_peer_gone(hsd->standalone))
            hsd->standalone = NULL;
        bool busy = hsd->standalone != NULL;
        pthread_mutex_unlock(&hsd->lock);
        if (busy) {
            mcp__session_unref(s);
            return mcp__http_refuse(req, conn, "GET", MHD_HTTP_CONFLICT, NULL, MCP_ERR_GENERIC,
                          "Conflict: only one standalone SSE stream is allowed per session");
        }
        st = mcp__stream_new(req->hs, s, true);
        if (st) {
            pthread_mutex_lock(&hsd->lock);
            hsd->standalone = st;
            pthread_mutex_unlock(&hsd->lock);
            ret = mcp__stream_respond(st, conn, MHD_HTTP_OK);
            if (mcp_v_sse_priming(s->version))
                mcp__stream_push_priming(st);
        }
    }
    mcp__http_log_request(req->hs, "GET", "", MHD_HTTP_OK, req->start_us, s->id);
    if (st)
        mcp__stream_unref(st);
    mcp__session_unref(s);
    return ret;
}

static enum MHD_Result handle_delete(http_req *req, struct MHD_Connection *conn)
{
    enum MHD_Result ret = MHD_NO;
    mcp_session *s = require_session(req, conn, "DELETE", NULL, &ret);
    if (!s)
        return ret;
    char sid[MCP_SESSION_ID_LEN + 1];
    memcpy(sid, s->id, sizeof sid);
    mcp__session_unref(s);
    if (mcp__session_table_remove(req->hs->sessions, sid) == -MCP_EIO) {
        mcp__metrics_store_error(req->hs->metrics);
        return mcp__http_refuse(req, conn, "DELETE", MHD_HTTP_SERVICE_UNAVAILABLE, NULL, MCP_ERR_GENERIC,
                      "Service unavailable: the session store cannot be reached, retry later");
    }
    mcp__http_log_request(req->hs, "DELETE", "", MHD_HTTP_OK, req->start_us, sid);
    return mcp__http_reply_empty(conn, MHD_HTTP_OK);
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
    enum MHD_Result ret = mcp__http_queue(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    mcp__http_log_request(req->hs, "GET", "", MHD_HTTP_OK, req->start_us, NULL);
    return ret;
}

static enum MHD_Result first_call(mcp_http_server *hs, struct MHD_Connection *conn, const char *url,
                                  const char *method, http_req *req, bool *done)
{
    *done = true;
    if (hs->o.health_endpoints && strcmp(method, "GET") == 0 &&
        (strcmp(url, "/healthz") == 0 || strcmp(url, "/metrics") == 0))
        return mcp__http_reply_health(hs, conn, url[1] == 'm');
    if (hs->o.health_endpoints && strcmp(method, "GET") == 0 && strcmp(url, "/readyz") == 0)
        return mcp__http_reply_ready(hs, conn);   /* edge: readiness apart from liveness */
    if (hs->auth && strcmp(method, "GET") == 0 && strncmp(url, "/.well-known/", 13) == 0) {
        char *doc = auth_metadata(hs->auth, url);
        if (doc)
            return reply_metadata(req, conn, doc);
    }
    if (hs->auth && strcmp(method, "OPTIONS") == 0 && strncmp(url, "/.well-known/", 13) == 0) {
        mcp__http_log_request(hs, method, "", MHD_HTTP_NO_CONTENT, req->start_us, NULL);
        return mcp__cors_preflight_public(conn, NULL);   /* edge: CORS for public metadata */
    }
    if (mcp__server_card_path(hs, url))            /* edge: Server Card (experimental) */
        return mcp__server_card_reply(hs, conn, method);
    if (strcmp(url, hs->o.path) != 0)
        return mcp__http_refuse(req, conn, method, MHD_HTTP_NOT_FOUND, NULL, MCP_ERR_GENERIC, "Not Found: the MCP endpoint is elsewhere");
    const char *host = mcp__http_header(conn, MHD_HTTP_HEADER_HOST);
    if (!mcp__http_host_allowed(hs, host))
        return mcp__http_refuse(req, conn, method, MHD_HTTP_FORBIDDEN, NULL, MCP_ERR_GENERIC, "Forbidden: Host header not allowed");
    if (!mcp__http_origin_allowed(hs, mcp__http_header(conn, "Origin"), host))
        return mcp__http_refuse(req, conn, method, MHD_HTTP_FORBIDDEN, NULL, MCP_ERR_GENERIC, "Forbidden: Origin not allowed");
    if (strcmp(method, "OPTIONS") == 0) {   /* edge: CORS preflight, before authorization */
        mcp__http_log_request(hs, method, "", MHD_HTTP_NO_CONTENT, req->start_us, NULL);
        return mcp__cors_preflight(hs, conn);
    }
    if (hs->auth) {
        auth_result res;
        auth_check(hs->auth, mcp__http_header(conn, MHD_HTTP_HEADER_AUTHORIZATION), NULL, &res);
        if (res.status)
            return mcp__http_reply_auth_failure(req, conn, method, NULL, &res);
        memcpy(req->subject, res.subject, sizeof req->subject);
    }
    if (hs->limiter || hs->auth)   /* rate-limit key and task binding (core/exchange.h) */
        mcp__http_principal(hs, conn, hs->auth ? req->subject : NULL, req->principal, sizeof req->principal);
    bool stateless = hs->o.mode == MCP_STATELESS;
    if (strcmp(method, "POST") == 0) {
        bool refused = false;
        enum MHD_Result ret = mcp__http_check_post_headers(req, conn, &refused);
        *done = refused;
        return ret;
    }
    if (!stateless && strcmp(method, "GET") == 0)
        return handle_get(req, conn);
    if (!stateless && strcmp(method, "DELETE") == 0)
        return handle_delete(req, conn);
    mcp__http_log_request(hs, method, "", MHD_HTTP_METHOD_NOT_ALLOWED, req->start_us, NULL);
    return mcp__http_reply_not_allowed(conn, stateless ? "POST, OPTIONS" : "GET, POST, DELETE, OPTIONS");
}

enum MHD_Result mcp__streamable_handle(mcp_http_server *hs, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    http_req *req = *con_cls;
    if (!req) {
        req = calloc(1, sizeof *req);
        if (!req)
            return MHD_NO;
        req->hs = hs;
        req->start_us = mcp__now_us();
        *con_cls = req;
        mcp__http_conn_request_started(conn);
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
            mcp__body_buffer_free(&req->body);   /* nothing more is kept of an oversized body */
        }
        if (!req->too_large && mcp__body_buffer_append(&req->body, upload_data, *upload_data_size) < 0)
            req->too_large = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (req->px)
        return mcp__http_answer(req, conn);    /* resumed: an event or the answer is ready */
    if (req->batch)
        return mcp__http_batch_answer(req->batch, conn, req->start_us);
    return handle_post_body(req, conn);
}

void mcp__streamable_request_done(mcp_http_server *hs, void *con_cls)
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
        mcp__http_px_unref(px);
    }
    if (req->batch)
        mcp__http_batch_request_done(req->batch);
    mcp__body_buffer_free(&req->body);
    free(req);
}

/* list_changed and resources/updated (to subscribed sessions only) go to
 * the GET streams this server holds. */
static void deliver_local(mcp_http_server *hs, const cJSON *notification, const char *resource_uri)
{
    /* Pick the streams (a ref each) under live_lock, push after unlocking:
     * a push may write to the session store. */
    void *stack[32];
    mcp__picks pick;
    mcp__picks_init(&pick, stack, sizeof stack / sizeof stack[0]);
    pthread_mutex_lock(&hs->live_lock);
    for (http_stream *st = hs->live_streams; st; st = st->live_next) {
        if (!st->standalone || !st->session || (resource_uri && !mcp__session_subscribed(st->session, resource_uri)))
            continue;
        if (!mcp__picks_add(&pick, st))
            break;
        mcp__stream_ref(st);
    }
    pthread_mutex_unlock(&hs->live_lock);
    for (size_t i = 0; i < pick.n; i++) {
        mcp__stream_push_message(pick.items[i], cJSON_Duplicate(notification, 1));
        mcp__stream_unref(pick.items[i]);
    }
    mcp__picks_free(&pick);
}

void mcp__streamable_broadcast(void *ctx, const cJSON *notification, const char *resource_uri)
{
    mcp_http_server *hs = ctx;
    deliver_local(hs, notification, resource_uri);
    /* With a store, a subscribed session's GET stream may be held by another
     * instance: tell them (no lock held; a store error loses only the
     * remote deliveries). */
    if (resource_uri && hs->sessions && hs->o.store)
        mcp__session_table_publish(hs->sessions, "upd", hs->instance_id, resource_uri);
}

void mcp__streamable_on_bus(void *ctx, const char *kind, const char *from, const char *payload)
{
    mcp_http_server *hs = ctx;
    if (strcmp(kind, "upd") != 0 || strcmp(from, hs->instance_id) == 0 || !*payload)
        return;                         /* our own update was delivered locally */
    cJSON *params = cJSON_CreateObject();
    if (params)
        cJSON_AddStringToObject(params, "uri", payload);
    cJSON *n = mcp__jsonrpc_notification_take("notifications/resources/updated", params);
    if (n)
        deliver_local(hs, n, payload);
    cJSON_Delete(n);
}
