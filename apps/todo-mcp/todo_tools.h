/* todo_tools: what todo-mcp offers an MCP client. The seed's get_todo tool,
 * the CRUD tools list_todos/create_todo/update_todo/delete_todo over
 * todo-api, the todo://todos list resource and the todo://todos/{id}
 * template (both reported updated on every write) and, in stateful mode,
 * the seed's per-session counter tool. Handlers only translate between MCP
 * arguments/results and webapi calls; the transport is libmcp's business. */
#ifndef TODO_MCP_TODO_TOOLS_H
#define TODO_MCP_TODO_TOOLS_H

#include <stdbool.h>
#include <mcp/mcp.h>

#include "webapi.h"

/* Registers everything on srv (one server per process: the write tools
 * keep srv to report changes). api is borrowed and must outlive srv's
 * serving. with_counter adds the per-session counter tool; app_uri (or
 * NULL) is the MCP Apps view list_todos links to. 0 or -MCP_E*. */
int todo_tools_register(mcp_server *srv, webapi *api, bool with_counter, const char *app_uri);

#endif
