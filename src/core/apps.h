/* MCP Apps (io.modelcontextprotocol/ui): the app registry behind
 * mcp_server_add_app (apps.c). Tool links to apps: apps_meta.h. */
#ifndef MCP_CORE_APPS_H
#define MCP_CORE_APPS_H

#include "core/server_internal.h"

#define MCP_APP_MIME "text/html;profile=mcp-app"

/* Free every registered app document; mcp_server_free calls it after the
 * registries (whose resources point at them). */
void mcp__apps_free(mcp_server *srv);

#endif
