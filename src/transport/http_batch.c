/* JSON-RPC batches over HTTP, which only protocol 2025-03-26 has (clients
 * MAY send them, servers MUST accept them). Each element is dispatched on
 * its own exchange; the answers are collected and sent together as one
 * JSON array (202 when the batch held only notifications and responses).
 * Batches never stream: related notifications are not delivered, and
 * initialize may not be part of one. The collecting is core/batch.c's,
 * shared with stdio; this file is the MHD glue (suspend until complete). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport/http_batch.h"

#include "core/batch.h"
#include "core/dispatch.h"
#include "core/jsonrpc.h"
#include "transport/http_common.h"

struct http_batch {
    pthread_mutex_t lock;
    atomic_int refs;               /* the HTTP request + the collector until it is done */
    mcp_http_server *hs;
    struct MHD_Connection *conn;   /* NULL once the request is over */
    bool waiting;                  /* conn suspended until the last answer */
    bool complete;                 /* every element answered: responses is final */
    cJSON *responses;
    mcp_session *session;          /* ref or NULL */
    mcp__revision version;
    char principal[MCP_LIMIT_PRINCIPAL_MAX]; /* rate-limit key of the request ("" when limits are off) */
};

typedef struct batch_exchange {
    mcp_exchange ex;
    rpc_batch *collector;
} batch_exchange;

static void http_batch_unref(http_batch *b)
{
    if (atomic_fetch_sub(&b->refs, 1) != 1)
        return;
    cJSON_Delete(b->responses);
    if (b->session)
        mcp__session_unref(b->session);
    pthread_mutex_destroy(&b->lock);
    mcp_http_server *hs = b->hs;
    free(b);
    mcp__http_server_unref(hs);
}

static int batch_send(mcp_exchange *ex, cJSON *msg)
{
    (void)ex;
    cJSON_Delete(msg);
    return -MCP_EUNSUPPORTED;     /* a batch answers with one JSON array */
}

static void batch_complete(mcp_exchange *ex, cJSON *response)
{
    batch_exchange *bx = (batch_exchange *)ex;
    rpc_batch *collector = bx->collector;
    free(bx);
    mcp__rpc_batch_add(collector, response);
}

static const mcp_exchange_ops batch_ops = { batch_send, batch_complete };

static void batch_element(void *ctx, rpc_batch *collector, cJSON *item)
{
    http_batch *b = ctx;
    batch_exchange *bx = calloc(1, sizeof *bx);
    if (!bx) {
        cJSON_Delete(item);
        mcp__rpc_batch_add(collector, NULL);
        return;
    }
    bx->ex.ops = &batch_ops;
    bx->ex.replies_printed = true;
    bx->ex.session = b->session;
    bx->ex.version = b->version;
    bx->ex.stateless = b->session == NULL;
    bx->ex.limiter = b->hs->limiter;     /* per-element refusals (rate limits) */
    bx->ex.principal = b->principal;
    bx->collector = collector;
    mcp__server_dispatch(b->hs->srv, &bx->ex, item);
}

static void batch_done(void *ctx, cJSON *responses)
{
    http_batch *b = ctx;
    pthread_mutex_lock(&b->lock);
    b->responses = responses;
    b->complete = true;
    if (b->waiting && b->conn) {
        b->waiting = false;
        MHD_resume_connection(b->conn);
    }
    pthread_mutex_unlock(&b->lock);
    http_batch_unref(b);
}

http_batch *mcp__http_batch_start(mcp_http_server *hs, struct MHD_Connection *conn, cJSON *arr, mcp_session *session,
                                  mcp__revision version, const char *principal)
{
    http_batch *b = calloc(1, sizeof *b);
    if (!b) {
        cJSON_Delete(arr);
        if (session)
            mcp__session_unref(session);
        return NULL;
    }
    pthread_mutex_init(&b->lock, NULL);
    atomic_init(&b->refs, 2);
    mcp__http_server_ref(hs);
    b->hs = hs;
    b->conn = conn;
    b->session = session;
    b->version = version;
    if (principal)
        snprintf(b->principal, sizeof b->principal, "%s", principal);
    if (mcp__rpc_batch_run(arr, batch_element, batch_done, b) < 0) {
        atomic_store(&b->refs, 1);
        http_batch_unref(b);
        return NULL;
    }
    return b;
}

enum MHD_Result mcp__http_batch_answer(http_batch *b, struct MHD_Connection *conn, uint64_t start_us)
{
    pthread_mutex_lock(&b->lock);
    if (!b->complete) {
        b->waiting = true;
        MHD_suspend_connection(conn);
        pthread_mutex_unlock(&b->lock);
        return MHD_YES;
    }
    bool any = cJSON_GetArraySize(b->responses) > 0;
    unsigned status = any ? MHD_HTTP_OK : MHD_HTTP_ACCEPTED;
    enum MHD_Result ret = mcp__http_reply_json(conn, status, any ? b->responses : NULL, b->session ? b->session->id : NULL);
    pthread_mutex_unlock(&b->lock);
    mcp__http_log_request(b->hs, "POST", "(batch)", status, start_us, b->session ? b->session->id : NULL);
    return ret;
}

void mcp__http_batch_request_done(http_batch *b)
{
    pthread_mutex_lock(&b->lock);
    b->conn = NULL;
    b->waiting = false;
    pthread_mutex_unlock(&b->lock);
    http_batch_unref(b);
}
