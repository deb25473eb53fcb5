/* One POST's exchange with the protocol layer (post_exchange): related
 * messages and the answer arrive from any thread; the answer goes out as
 * plain JSON or as an SSE stream (a buffer when nothing needs replay ids),
 * a session minted by initialize is committed to the table only once
 * initialize succeeded, and shutdown answers every POST still waiting. */
#include "transport/http_exchange.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dispatch.h"
#include "core/jsonrpc.h"
#include "core/limit.h"
#include "transport/http_common.h"
#include "transport/http_cors.h"
#include "transport/sse.h"
#include "base/json_parse.h"

void mcp__http_px_unref(post_exchange *px)
{
    if (atomic_fetch_sub(&px->refs, 1) != 1)
        return;
    cJSON_Delete(px->response);
    cJSON_Delete(px->events);
    if (px->stream)
        mcp__stream_unref(px->stream);
    if (px->ex.session)
        mcp__session_unref(px->ex.session);
    pthread_mutex_destroy(&px->lock);
    mcp_http_server *hs = px->hs;
    free(px);
    mcp__http_server_unref(hs);
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
        mcp__stream_push_message(px->stream, msg);
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
            mcp__stream_push_message(px->stream, response);
        mcp__stream_finish(px->stream, false);
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
    mcp__http_px_unref(px);
}

static const mcp_exchange_ops px_ops = { px_send, px_complete };

/* edge: at the cap, make room by the session_cap_policy; false (counted as
 * a rejection) when the client must get 503. No lock held (the eviction may
 * delete the victim from the store). */
bool mcp__http_make_room(mcp_http_server *hs)
{
    if (hs->o.session_cap_policy == MCP_CAP_EVICT_LRU && mcp__session_table_evict_lru(hs->sessions) == 0) {
        mcp__metrics_session_evicted(hs->metrics);
        return true;
    }
    mcp__metrics_session_rejected(hs->metrics);
    return false;
}

/* A session minted by initialize joins the table only once initialize
 * succeeded; past the cap the client gets 503 and nothing is kept (or, with
 * evict-lru, the least recently used idle session makes room). */
static int commit_initialize(post_exchange *px)
{
    if (!px->is_initialize || !px->ex.session || !px->response ||
        !cJSON_GetObjectItemCaseSensitive(px->response, "result"))
        return 0;
    int rc = mcp__session_table_insert(px->hs->sessions, px->ex.session);
    if (rc == -MCP_ELIMIT && mcp__http_make_room(px->hs))   /* edge: a race to the last seat */
        rc = mcp__session_table_insert(px->hs->sessions, px->ex.session);
    if (rc == 0)
        mcp__metrics_session_created(px->hs->metrics);
    else if (rc == -MCP_EIO)
        mcp__metrics_store_error(px->hs->metrics);
    return rc;
}

/* Modern errors that are part of the HTTP contract: unknown method is 404,
 * a missing client capability 400; everything else travels in-band (200).
 * Our own rate-limit refusal is 429 in both eras. */
static unsigned status_for(const post_exchange *px, const cJSON *resp)
{
    if (px->hs->limiter && mcp__limit_retry_after_s(resp))
        return MHD_HTTP_TOO_MANY_REQUESTS;        /* both eras: never a 200 for our own limit */
    if (px->ex.era != MCP_ERA_MODERN)
        return MHD_HTTP_OK;
    const cJSON *code = mcp__json_member(mcp__json_member(resp, "error"), "code");
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
    char *text = mcp__jsonrpc_print(msg);
    if (text)
        mcp__strbuf_printf(sb, "event: message\ndata: %s\n\n", text);
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
    char *data = mcp__strbuf_take(&body);
    struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(data);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    MHD_add_response_header(r, "X-Accel-Buffering", "no");
    enum MHD_Result ret = mcp__http_queue(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    mcp__http_log_post(req, "POST", MHD_HTTP_OK, NULL);
    return ret;
}

/* Called with the first event or the answer ready (or at once in SSE mode). */
enum MHD_Result mcp__http_answer(http_req *req, struct MHD_Connection *conn)
{
    post_exchange *px = req->px;
    pthread_mutex_lock(&px->lock);
    /* A finished initialize is committed (a store write) with no lock held:
     * once done, the response is final and only this thread answers. */
    while (px->done && !px->committed) {
        if (!px->is_initialize || !px->ex.session) {
            px->committed = true;         /* nothing to commit: no second lock round */
            break;
        }
        pthread_mutex_unlock(&px->lock);
        px->commit_rc = commit_initialize(px);
        px->committed = true;
        pthread_mutex_lock(&px->lock);
    }
    bool have_events = px->events && px->events->child;
    /* Notifications and client responses get 202 in every response mode,
     * and modern errors that carry an HTTP status (404, 400) are plain JSON. */
    if (px->done && !have_events &&
        (!px->sse_only || !px->response || status_for(px, px->response) != MHD_HTTP_OK)) {
        int rc = px->commit_rc;
        cJSON *resp = px->response;
        px->response = NULL;
        pthread_mutex_unlock(&px->lock);
        enum MHD_Result ret;
        if (rc < 0)
            ret = mcp__http_refuse(req, conn, "POST", MHD_HTTP_SERVICE_UNAVAILABLE, mcp__jsonrpc_id(resp), MCP_ERR_GENERIC,
                         unavailable_reason(rc));
        else if (!resp)
            ret = mcp__http_finish_plain(req, conn, MHD_HTTP_ACCEPTED, NULL, NULL);
        else
            ret = mcp__http_finish_plain(req, conn, status_for(px, resp), resp, session_id_of(px));
        cJSON_Delete(resp);
        return ret;
    }
    if (!px->done && !have_events && !px->sse_only) {
        px->waiting = true;               /* park until px_send/px_complete */
        MHD_suspend_connection(conn);
        pthread_mutex_unlock(&px->lock);
        return MHD_YES;
    }
    int commit_rc = px->done ? px->commit_rc : 0;
    if (commit_rc < 0) {
        cJSON *resp = px->response;
        px->response = NULL;
        pthread_mutex_unlock(&px->lock);
        enum MHD_Result ret = mcp__http_refuse(req, conn, "POST", MHD_HTTP_SERVICE_UNAVAILABLE, mcp__jsonrpc_id(resp),
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
    http_stream *st = mcp__stream_new(req->hs, px->ex.session, false);
    if (!st) {
        pthread_mutex_unlock(&px->lock);
        return MHD_NO;
    }
    px->stream = st;
    enum MHD_Result ret = mcp__stream_respond(st, conn, MHD_HTTP_OK);
    if (mcp_v_sse_priming(px->ex.version))
        mcp__stream_push_priming(st);
    cJSON *ev;
    while (px->events && (ev = cJSON_DetachItemFromArray(px->events, 0)))
        mcp__stream_push_message(st, ev);
    if (px->done) {
        if (px->response)
            mcp__stream_push_message(st, px->response);
        px->response = NULL;
        mcp__stream_finish(st, false);
    }
    pthread_mutex_unlock(&px->lock);
    mcp__http_log_post(req, "POST", MHD_HTTP_OK, session_id_of(px));
    return ret;
}

post_exchange *mcp__http_px_new(mcp_http_server *hs, struct MHD_Connection *conn)
{
    post_exchange *px = calloc(1, sizeof *px);
    if (!px)
        return NULL;
    px->ex.ops = &px_ops;
    px->ex.replies_printed = true;
    px->ex.era = MCP_ERA_LEGACY;
    px->hs = hs;
    px->ex.owner = hs;             /* its listen streams end with this server */
    mcp__http_server_ref(hs);
    px->conn = conn;
    pthread_mutex_init(&px->lock, NULL);
    atomic_init(&px->refs, 2);
    px->json_only = hs->o.response_mode == MCP_RESPONSE_JSON;
    px->sse_only = hs->o.response_mode == MCP_RESPONSE_SSE;
    return px;
}

void mcp__http_px_dispatch(post_exchange *px, cJSON *msg)
{
    mcp_http_server *hs = px->hs;
    atomic_fetch_add(&hs->inflight, 1);
    mcp__server_dispatch(hs->srv, &px->ex, msg);
    active_add_if_pending(px);
}

/* Shutdown: answer POSTs still waiting so no connection stays suspended. */
void mcp__http_abort_active(mcp_http_server *hs)
{
    pthread_mutex_lock(&hs->active_lock);
    for (post_exchange *px = hs->active_posts; px; px = px->active_next) {
        pthread_mutex_lock(&px->lock);
        if (!px->done && !px->stream) {
            px->done = true;
            px->response = mcp__jsonrpc_error(NULL, JSONRPC_INTERNAL_ERROR, "Server shutting down");
            resume_locked(px);
        }
        atomic_store(&px->ex.cancelled, true);
        pthread_mutex_unlock(&px->lock);
    }
    pthread_mutex_unlock(&hs->active_lock);
}
