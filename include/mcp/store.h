/* External session and event store, so several server instances behind a
 * load balancer can serve one legacy session: sessions (negotiated
 * version, client capabilities and info, log level, application state)
 * and SSE events live in Redis with a TTL refreshed on use. Without a
 * store, sessions live in the serving process (the default). */
#ifndef MCP_STORE_H
#define MCP_STORE_H

#include <mcp/common.h>

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mcp_store mcp_store;

/* Open a Redis store from "redis://host:port/db" (port 6379 and db 0 by
 * default). Connects lazily and reconnects with backoff, so this succeeds
 * even while Redis is down; only a malformed URL fails (-MCP_EINVAL). */
MCP_EXTERN int mcp_store_redis_open(const char *url, mcp_store **out);

/* True when the last store operation succeeded (for /healthz). */
MCP_EXTERN bool mcp_store_healthy(mcp_store *store);

MCP_EXTERN void mcp_store_free(mcp_store *store);

#ifdef __cplusplus
}
#endif
#endif
