/* Running a tools/call handler and building its result (see tool_run.c). */
#ifndef MCP_CORE_TOOL_RUN_H
#define MCP_CORE_TOOL_RUN_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "core/server_internal.h"

/* A tool execution error result (isError, one text block), or NULL. */
cJSON *mcp__tool_error_result(const char *text);

/* Run call (kind CALL_TOOL, entry, args and input answers set) through
 * run.c: inline, or on the worker pool when blocking; replies once. */
void mcp__tool_run(mcp_call *call, bool blocking);

#endif
