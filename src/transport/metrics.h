/* Operational counters of the HTTP transport, rendered as Prometheus text
 * at /metrics: requests by JSON-RPC method and HTTP status, a latency
 * histogram, session and SSE stream gauges, store errors. Lock-free
 * (relaxed atomics): recording costs a few increments per request. */
#ifndef MCP_TRANSPORT_METRICS_H
#define MCP_TRANSPORT_METRICS_H

#include <stdint.h>

#include "base/util.h"

typedef struct http_metrics http_metrics;

http_metrics *mcp__metrics_new(void);
void mcp__metrics_free(http_metrics *m);
void mcp__metrics_request(http_metrics *m, const char *rpc_method, unsigned status, uint64_t micros);
void mcp__metrics_session_created(http_metrics *m);
void mcp__metrics_sessions_expired(http_metrics *m, unsigned n);
void mcp__metrics_store_error(http_metrics *m);
/* edge: the session cap (mcp_http_options.session_cap_policy). */
void mcp__metrics_session_evicted(http_metrics *m);
void mcp__metrics_session_rejected(http_metrics *m);

typedef struct metrics_gauges {
    unsigned sessions_active;
    unsigned sse_streams;
    unsigned requests_in_flight;
    int store_up;              /* 1, 0, or -1 without a store */
} metrics_gauges;

void mcp__metrics_render(const http_metrics *m, const metrics_gauges *g, strbuf *out);

#endif
