/* The one JSON-RPC batch collector, used by stdio and HTTP (2025-03-26 is
 * the only revision with batches): each element is dispatched on its own
 * exchange, a hold keeps the batch open until every element was handed
 * out, initialize is refused inside a batch, and the answers are handed
 * back as one array once the last one is in, outside the lock. The
 * transports keep their own checks for empty batches and wrong versions
 * (their wire messages differ). */
#include "core/batch.h"

#include <pthread.h>
#include <stdlib.h>

#include <mcp/error.h>

#include "core/dispatch.h"
#include "core/jsonrpc.h"

struct rpc_batch {
    pthread_mutex_t lock;
    cJSON *responses;
    unsigned remaining;            /* answers still due, +1 while dispatching */
    rpc_batch_done_fn done;
    void *ctx;
};

void mcp__rpc_batch_add(rpc_batch *b, cJSON *response)
{
    pthread_mutex_lock(&b->lock);
    if (response)
        cJSON_AddItemToArray(b->responses, response);
    bool last = --b->remaining == 0;
    pthread_mutex_unlock(&b->lock);
    if (!last)
        return;
    b->done(b->ctx, b->responses);
    pthread_mutex_destroy(&b->lock);
    free(b);
}

int mcp__rpc_batch_run(cJSON *arr, rpc_batch_element_fn element, rpc_batch_done_fn done, void *ctx)
{
    rpc_batch *b = calloc(1, sizeof *b);
    if (!b || !(b->responses = cJSON_CreateArray())) {
        free(b);
        cJSON_Delete(arr);
        return -MCP_ENOMEM;
    }
    pthread_mutex_init(&b->lock, NULL);
    b->done = done;
    b->ctx = ctx;
    b->remaining = 1;              /* held until every element is dispatched */
    cJSON *item;
    while ((item = cJSON_DetachItemFromArray(arr, 0))) {
        pthread_mutex_lock(&b->lock);
        b->remaining++;
        pthread_mutex_unlock(&b->lock);
        if (mcp__is_initialize(item)) {
            cJSON *err = mcp__jsonrpc_error(mcp__jsonrpc_id(item), JSONRPC_INVALID_REQUEST,
                                            "Invalid Request: initialize must not be part of a batch");
            cJSON_Delete(item);
            mcp__rpc_batch_add(b, err);
            continue;
        }
        element(ctx, b, item);
    }
    cJSON_Delete(arr);
    mcp__rpc_batch_add(b, NULL);   /* drop the dispatch hold */
    return 0;
}
