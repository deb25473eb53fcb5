/* MCP Apps (io.modelcontextprotocol/ui): the app registry behind
 * mcp_server_add_app and the tool _meta.ui rendering. */
#ifndef MCP_CORE_APPS_H
#define MCP_CORE_APPS_H

#include "core/server_internal.h"

#define MCP_APP_MIME "text/html;profile=mcp-app"

/* Merge the tool's ui_resource_uri / ui_visibility into def._meta.
 * -MCP_EINVAL when they are inconsistent (visibility without a URI, a URI
 * not starting with ui://). */
int mcp__apps_tool_meta(cJSON *def, const mcp_tool *tool);
void mcp__apps_free(mcp_server *srv);

#endif
