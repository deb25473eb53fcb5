/* A tool's MCP Apps link (ui_resource_uri, ui_visibility) rendered into
 * its definition's _meta (apps_meta.c). */
#ifndef MCP_CORE_APPS_META_H
#define MCP_CORE_APPS_META_H

#include <cjson/cJSON.h>
#include <mcp/server.h>

/* Merge the tool's ui_resource_uri / ui_visibility into def._meta.
 * -MCP_EINVAL when they are inconsistent (visibility without a URI, a URI
 * not starting with ui://), -MCP_ENOMEM. */
int mcp__apps_tool_meta(cJSON *def, const mcp_tool *tool);

#endif
