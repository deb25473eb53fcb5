/* The protocol layer's entry point for transports: one parsed message in,
 * its reply through the exchange. Transports also use notify.h (broadcast
 * hook, listeners), registry.h (scopes) and server.h (request timeout). */
#ifndef MCP_CORE_DISPATCH_H
#define MCP_CORE_DISPATCH_H

#include <mcp/server.h>
#include "core/exchange.h"

/* Handle one parsed JSON-RPC message (already classified as valid, not a
 * batch). Takes msg. ex->ops->complete is called exactly once, before this
 * returns for quick methods or later from a worker for blocking handlers. */
void mcp__server_dispatch(mcp_server *srv, mcp_exchange *ex, cJSON *msg_take);

/* True when method is "initialize" (a transport decides session creation). */
bool mcp__is_initialize(const cJSON *msg);

#endif
