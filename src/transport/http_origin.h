/* Host and Origin rules against DNS rebinding, and the header lookup they
 * use: one rule for the 403 check and for CORS grants (http_cors.c). */
#ifndef MCP_TRANSPORT_HTTP_ORIGIN_H
#define MCP_TRANSPORT_HTTP_ORIGIN_H

#include "transport/http_internal.h"

/* A request header's value, or NULL. */
const char *mcp__http_header(struct MHD_Connection *conn, const char *name);
/* The Host header passes: allowed_hosts, the public_url's host, or (on a
 * loopback bind) a loopback name. */
bool mcp__http_host_allowed(mcp_http_server *hs, const char *host);
/* The Origin header (NULL: none, allowed) passes allowed_origins or, by
 * default, names this host (a loopback name on a loopback bind). */
bool mcp__http_origin_allowed(mcp_http_server *hs, const char *origin, const char *host);
/* The request carries an Origin that passes: CORS may grant it. */
bool mcp__http_origin_ok(mcp_http_server *hs, struct MHD_Connection *conn);

#endif
