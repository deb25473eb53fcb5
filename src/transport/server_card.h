/* The MCP Server Card (SEP-2127 draft, experimental; extensions.md §5):
 * GET <endpoint>/server-card describes the server (name, version, remotes)
 * for discovery, public and cacheable. */
#ifndef MCP_TRANSPORT_SERVER_CARD_H
#define MCP_TRANSPORT_SERVER_CARD_H

#include "transport/http_internal.h"

/* Whether the server has a card (mcp_server_info.registry_name) and url is
 * its path. */
bool mcp__server_card_path(mcp_http_server *hs, const char *url);
/* Answer a request on the card path (GET/HEAD, OPTIONS, or 405). */
enum MHD_Result mcp__server_card_reply(mcp_http_server *hs, struct MHD_Connection *conn, const char *method);
/* -MCP_EINVAL when registry_name is set but not "reverse.dns/name" (3-200
 * characters, exactly one '/'); checked when the server starts. */
int mcp__server_card_check(const mcp_server *srv);

#endif
