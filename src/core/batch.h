/* The one JSON-RPC batch collector (2025-03-26 batches), shared by stdio
 * and HTTP. */
#ifndef MCP_CORE_BATCH_H
#define MCP_CORE_BATCH_H

#include <cjson/cJSON.h>

typedef struct rpc_batch rpc_batch;

/* The transport dispatches one element (taken) on an exchange of its own
 * whose completion calls mcp__rpc_batch_add(b, response) exactly once. */
typedef void (*rpc_batch_element_fn)(void *ctx, rpc_batch *b, cJSON *msg_take);
/* Every element answered: the answers as one array (taken; empty when the
 * batch held only notifications and responses). Runs once, with no lock
 * held, on the thread that added the last answer. */
typedef void (*rpc_batch_done_fn)(void *ctx, cJSON *responses_take);

/* Run a batch: initialize elements are answered here with the refusal the
 * protocol requires, every other element goes to element(). Takes arr.
 * 0, or -MCP_ENOMEM (then done never runs). */
int mcp__rpc_batch_run(cJSON *arr_take, rpc_batch_element_fn element, rpc_batch_done_fn done, void *ctx);
/* One element's answer (taken; NULL for none). */
void mcp__rpc_batch_add(rpc_batch *b, cJSON *response_take);

#endif
