/* JSON-RPC batches over HTTP, which only protocol 2025-03-26 has (clients
 * MAY send them, servers MUST accept them). Each element is dispatched on
 * its own exchange; the answers are collected and sent together as one
 * JSON array (202 when the batch held only notifications and responses).
 * Batches never stream: related notifications are not delivered, and
 * initialize may not be part of one. */
#include <stdlib.h>
#include <string.h>

#include "core/dispatch.h"
#include "core/jsonrpc.h"
#include "transport/http_internal.h"

struct http_batch {
    pthread_mutex_t lock;
    atomic_int refs;               /* the HTTP request + one per element in flight */
    mcp_http_server *hs;
    struct MHD_Connection *conn;   /* NULL once the request is over */
    bool waiting;                  /* conn suspended until the last answer */
    unsigned remaining;
    cJSON *responses;
    mcp_session *session;          /* ref or NULL */
};

typedef struct batch_exchange {
    mcp_exchange ex;
    http_batch *batch;
} batch_exchange;

void batch_unref(http_batch *b)
{
    if (atomic_fetch_sub(&b->refs, 1) != 1)
        return;
    cJSON_Delete(b->responses);
    if (b->session)
        session_unref(b->session);
    pthread_mutex_destroy(&b->lock);
    mcp_http_server *hs = b->hs;
    free(b);
    http_server_unref(hs);
}

static int batch_send(mcp_exchange *ex, cJSON *msg)
{
    (void)ex;
    cJSON_Delete(msg);
    return -MCP_EUNSUPPORTED;     /* a batch answers with one JSON array */
}

static void add_response(http_batch *b, cJSON *response)
{
    pthread_mutex_lock(&b->lock);
    if (response)
        cJSON_AddItemToArray(b->responses, response);
    if (--b->remaining == 0 && b->waiting && b->conn) {
        b->waiting = false;
        MHD_resume_connection(b->conn);
    }
    pthread_mutex_unlock(&b->lock);
}

static void batch_complete(mcp_exchange *ex, cJSON *response)
{
    batch_exchange *bx = (batch_exchange *)ex;
    http_batch *b = bx->batch;
    free(bx);
    add_response(b, response);
    batch_unref(b);
}

static const mcp_exchange_ops batch_ops = { batch_send, batch_complete };

http_batch *batch_start(mcp_http_server *hs, struct MHD_Connection *conn, cJSON *arr, mcp_session *session,
                        mcp_version version, const char *principal)
{
    http_batch *b = calloc(1, sizeof *b);
    if (!b || !(b->responses = cJSON_CreateArray())) {
        free(b);
        cJSON_Delete(arr);
        if (session)
            session_unref(session);
        return NULL;
    }
    pthread_mutex_init(&b->lock, NULL);
    atomic_init(&b->refs, 1);
    http_server_ref(hs);
    b->hs = hs;
    b->conn = conn;
    b->session = session;
    b->remaining = 1;              /* held until every element is dispatched */
    cJSON *item;
    while ((item = cJSON_DetachItemFromArray(arr, 0))) {
        if (mcp_is_initialize(item)) {
            pthread_mutex_lock(&b->lock);
            cJSON_AddItemToArray(b->responses, jsonrpc_error(jsonrpc_id(item), JSONRPC_INVALID_REQUEST,
                                                             "Invalid Request: initialize must not be part of a batch"));
            pthread_mutex_unlock(&b->lock);
            cJSON_Delete(item);
            continue;
        }
        batch_exchange *bx = calloc(1, sizeof *bx);
        if (!bx) {
            cJSON_Delete(item);
            continue;
        }
        bx->ex.ops = &batch_ops;
        bx->ex.session = session;
        bx->ex.version = version;
        bx->ex.stateless = session == NULL;
        bx->ex.limiter = hs->limiter;     /* per-element refusals (rate limits) */
        bx->ex.principal = principal;
        bx->batch = b;
        pthread_mutex_lock(&b->lock);
        b->remaining++;
        pthread_mutex_unlock(&b->lock);
        atomic_fetch_add(&b->refs, 1);
        mcp_server_dispatch(hs->srv, &bx->ex, item);
    }
    cJSON_Delete(arr);
    add_response(b, NULL);         /* drop the dispatch hold */
    return b;
}

enum MHD_Result batch_answer(http_batch *b, struct MHD_Connection *conn, uint64_t start_us)
{
    pthread_mutex_lock(&b->lock);
    if (b->remaining > 0) {
        b->waiting = true;
        MHD_suspend_connection(conn);
        pthread_mutex_unlock(&b->lock);
        return MHD_YES;
    }
    bool any = cJSON_GetArraySize(b->responses) > 0;
    unsigned status = any ? MHD_HTTP_OK : MHD_HTTP_ACCEPTED;
    enum MHD_Result ret = http_reply_json(conn, status, any ? b->responses : NULL, b->session ? b->session->id : NULL);
    pthread_mutex_unlock(&b->lock);
    http_log_request(b->hs, "POST", "(batch)", status, start_us, b->session ? b->session->id : NULL);
    return ret;
}

void batch_request_done(http_batch *b)
{
    pthread_mutex_lock(&b->lock);
    b->conn = NULL;
    b->waiting = false;
    pthread_mutex_unlock(&b->lock);
    batch_unref(b);
}
