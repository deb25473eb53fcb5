/* libmcp: a Model Context Protocol server toolkit. Include this one header. */
#ifndef MCP_MCP_H
#define MCP_MCP_H

#include <mcp/common.h>
#include <mcp/version.h>
#include <mcp/error.h>
#include <mcp/server.h>
#include <mcp/call.h>
#include <mcp/stdio.h>
#include <mcp/http.h>
#include <mcp/store.h>
#include <mcp/auth.h>
#include <mcp/schema.h>
#include <mcp/tasks.h>

#endif
