/* The server object's internal settings (the public ones are in
 * include/mcp/server.h). */
#ifndef MCP_CORE_SERVER_H
#define MCP_CORE_SERVER_H

#include <mcp/server.h>

/* How long a handler waits for the client's answer to an input request
 * (0 = the default, 60 s). */
void mcp__server_set_request_timeout(mcp_server *srv, unsigned ms);

#endif
