/* The registries of tools, resources and prompts, and what they imply:
 * version-gated definitions, capabilities, list pagination and scopes. */
#ifndef MCP_CORE_REGISTRY_H
#define MCP_CORE_REGISTRY_H

#include "core/server_internal.h"

int mcp__entry_list_push(entry_list *l, void *item);
tool_entry *mcp__registry_find_tool(mcp_server *srv, const char *name);       /* caller holds lock */
prompt_entry *mcp__registry_find_prompt(mcp_server *srv, const char *name);
resource_entry *mcp__registry_match_resource(mcp_server *srv, const char *uri, cJSON **vars_out);
void mcp__registry_free_all(mcp_server *srv);

/* The capabilities object matching what is registered now (new object). */
cJSON *mcp__server_capabilities(mcp_server *srv);

/* Reply with one page of a registry list under key; def_of returns the
 * entry's definition, or NULL to leave it out of this list. */
void mcp__reply_list(mcp_call *call, entry_list *list, const char *key, const cJSON *(*def_of)(const void *entry));

/* Scopes one JSON-RPC request needs (tools/call, resources/read), or NULL. */
char *mcp__server_request_scopes(mcp_server *srv, const cJSON *msg);

#endif
