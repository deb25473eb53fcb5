/* eras: which protocol eras a server offers (mcp_server_set_eras). The
 * transports ask before they classify a request as modern; a server that
 * does not offer the modern era serves every request as a 2025 server. */
#ifndef MCP_CORE_ERAS_H
#define MCP_CORE_ERAS_H

#include <stdbool.h>
#include <mcp/server.h>

/* True when a request claiming 2026-07-28 is to be served as modern.
 * with_sessions: the transport keeps legacy sessions (stateful HTTP, stdio). */
bool mcp__server_offers_modern(mcp_server *srv, bool with_sessions);

#endif
