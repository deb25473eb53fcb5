/* The protocol layer's entry point for transports. */
#ifndef MCP_CORE_DISPATCH_H
#define MCP_CORE_DISPATCH_H

#include <mcp/server.h>
#include "core/exchange.h"

/* Handle one parsed JSON-RPC message (already classified as valid, not a
 * batch). Takes msg. ex->ops->complete is called exactly once, before this
 * returns for quick methods or later from a worker for blocking handlers. */
void mcp_server_dispatch(mcp_server *srv, mcp_exchange *ex, cJSON *msg_take);

/* The capabilities object matching what is registered now (new object). */
cJSON *mcp_server_capabilities(mcp_server *srv);

/* Transports register where list_changed and resource updates go. */
void mcp_server_set_broadcast(mcp_server *srv,
                              void (*fn)(void *ctx, cJSON *notification_take, const char *resource_uri),
                              void *ctx);
void mcp_server_set_request_timeout(mcp_server *srv, unsigned ms);

/* Deliver a server-originated notification (list_changed, resource
 * updated) to modern listeners and to the transport's legacy sessions. Takes it. */
void server_broadcast(mcp_server *srv, cJSON *notification_take, const char *resource_uri);

/* Periodic upkeep (ends listen streams whose client left); call ~1/s. */
void mcp_server_housekeeping(mcp_server *srv);
/* End every listen stream (shutdown). */
void mcp_server_close_listeners(mcp_server *srv);

/* The OAuth scopes a tool call or resource read needs (malloc'd), or NULL. */
char *mcp_server_tool_scopes(mcp_server *srv, const char *name);
char *mcp_server_resource_scopes(mcp_server *srv, const char *uri);
/* Scopes one JSON-RPC request needs (tools/call, resources/read), or NULL. */
char *mcp_server_request_scopes(mcp_server *srv, const cJSON *msg);

/* True when method is "initialize" (a transport decides session creation). */
bool mcp_is_initialize(const cJSON *msg);

#endif
