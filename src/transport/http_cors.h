/* CORS for browser clients (production.md §1): grants follow the Origin
 * allow-list of the MCP endpoint, preflights are answered before any
 * authorization, session or body check, and public documents (OAuth
 * metadata, the Server Card) are readable from any origin. */
#ifndef MCP_TRANSPORT_HTTP_CORS_H
#define MCP_TRANSPORT_HTTP_CORS_H

#include "transport/http_internal.h"

/* Every response of the HTTP transport is queued through here: a request
 * whose Origin passes the allow-list gets Access-Control-Allow-Origin,
 * Vary: Origin and the exposed MCP headers. A response that already names
 * an origin (the `*` of public documents) is left alone. */
enum MHD_Result mcp__http_queue(struct MHD_Connection *conn, unsigned status, struct MHD_Response *r);

/* OPTIONS on the MCP endpoint (Host and Origin already checked): 204 with
 * the grant, the methods of the mode and the MCP request headers. */
enum MHD_Result mcp__cors_preflight(mcp_http_server *hs, struct MHD_Connection *conn);

/* OPTIONS on a public document: 204, any origin, GET/HEAD/OPTIONS. */
enum MHD_Result mcp__cors_preflight_public(struct MHD_Connection *conn, const char *allow_headers);

/* Adds the `*` grant of a public document to r. */
void mcp__cors_public(struct MHD_Response *r, const char *expose);

#endif
