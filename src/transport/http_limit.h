/* The HTTP side of rate limits (core/limit.h): who the principal of a
 * request is, the 429 + Retry-After mapping of a refusal, and the
 * mcp_rate_limited_total counters in /metrics. */
#ifndef MCP_TRANSPORT_HTTP_LIMIT_H
#define MCP_TRANSPORT_HTTP_LIMIT_H

#include <sys/socket.h>
#include <netinet/in.h>
#include <microhttpd.h>

#include <stddef.h>

#include <mcp/http.h>

#include "core/limit.h"
#include "base/util.h"

/* The rate-limit principal of a request: "sub:<subject>" when
 * authorization is on (subject non-empty), else "ip:<client address>",
 * the address being the last hop that is not a trusted proxy. */
void mcp__http_principal(mcp_http_server *hs, struct MHD_Connection *conn, const char *subject, char *out,
                         size_t len);

/* The limiter for these options (NULL when rate limits are off). */
mcp__limiter *mcp__http_limiter_new(const mcp_http_options *o);

/* mcp_rate_limited_total{method} and the store fallback counter. */
void mcp__http_limit_render(const mcp__limiter *lim, strbuf *out);

#endif
