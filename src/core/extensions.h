/* The extensions this server serves (SEP-2133): one table of identifier ->
 * settings object, rendered into capabilities.extensions of both
 * server/discover and initialize. Extensions are off until a feature that
 * delivers one (skills, apps) declares it. */
#ifndef MCP_CORE_EXTENSIONS_H
#define MCP_CORE_EXTENSIONS_H

#include <cjson/cJSON.h>
#include <mcp/server.h>

#define MCP_EXT_SKILLS "io.modelcontextprotocol/skills"
#define MCP_EXT_UI "io.modelcontextprotocol/ui"

/* Declare (or replace) extension id with settings (an object, taken; NULL
 * means {}). 0 or -MCP_ENOMEM / -MCP_EINVAL. */
int mcp__extension_declare(mcp_server *srv, const char *id, cJSON *settings_take);
/* Add "extensions" to caps when any is declared. Takes the registry lock. */
void mcp__extensions_render(mcp_server *srv, cJSON *caps);

#endif
