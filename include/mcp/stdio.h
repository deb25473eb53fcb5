/* stdio transport: one compact JSON-RPC message per line on stdin/stdout.
 * Nothing but MCP goes to stdout; diagnostics go to stderr. */
#ifndef MCP_STDIO_H
#define MCP_STDIO_H

#include <mcp/common.h>

#include <stddef.h>
#include <mcp/server.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mcp_stdio_options {
    int in_fd;               /* default 0 */
    int out_fd;              /* default 1 */
    size_t max_line;         /* longest accepted line in bytes, default 4 MiB */
    unsigned max_depth;      /* JSON nesting limit, default 64 */
    /* Rate limits for the one client on this pipe (see mcp_http_options):
     * over the limit a request gets the in-band error -31429 with
     * data.retryAfterMs. */
    double rate_limit;       /* tokens per second; default 0 = no limit */
    unsigned rate_burst;     /* default 0 = max(1, ceil(rate_limit)) */
    bool rate_limit_all_requests; /* every request, not only tools/call; default false */
} mcp_stdio_options;

#define MCP_STDIO_DEFAULTS { .in_fd = 0, .out_fd = 1, .max_line = 4u << 20, .max_depth = 64 }

/* Fill *opts with the documented defaults (the linked library's, unlike
 * MCP_STDIO_DEFAULTS, which is compiled into the caller). A 0 in any field
 * passed to mcp_serve_stdio also means that field's default. */
MCP_EXTERN void mcp_stdio_options_init(mcp_stdio_options *opts);

/* Serve until stdin reaches EOF (returns 0) or a read error (negative). */
MCP_EXTERN int mcp_serve_stdio(mcp_server *srv, const mcp_stdio_options *opts);

#ifdef __cplusplus
}
#endif
#endif
