/* mcp_server_set_schema_options (include/mcp/schema.h): the registry and
 * format switch the server uses when it compiles tool input and output
 * schemas (src/core/registry.c reads them). */
#include "core/server_internal.h"

#include <mcp/error.h>
#include <mcp/schema.h>

int mcp_server_set_schema_options(mcp_server *srv, const mcp_schema_options *opts)
{
    if (!srv)
        return -MCP_EINVAL;
    srv->schema_registry = opts ? opts->registry : NULL;
    srv->schema_flags = 0;
    if (opts && opts->format_annotation)
        srv->schema_flags |= MCP__SCHEMA_NO_FORMAT;
    if (opts && opts->default_draft07)
        srv->schema_flags |= MCP__SCHEMA_DRAFT07;
    return 0;
}
