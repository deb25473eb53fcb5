/* Prometheus counters for the HTTP transport. Methods and statuses map to
 * small fixed tables (unknown ones count as "other") so the label set is
 * bounded whatever clients send. */
#include "transport/metrics.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static const char *const methods[] = {
    "initialize", "notifications/initialized", "ping", "tools/list", "tools/call", "resources/list",
    "resources/templates/list", "resources/read", "resources/subscribe", "resources/unsubscribe",
    "prompts/list", "prompts/get", "completion/complete", "logging/setLevel", "server/discover",
    "subscriptions/listen", "(response)", "(notification)", "", "other",
};
#define NMETHODS (sizeof methods / sizeof methods[0])

static const unsigned statuses[] = { 200, 202, 400, 403, 404, 405, 406, 409, 413, 415, 429, 500, 503, 0 };
#define NSTATUSES (sizeof statuses / sizeof statuses[0])

static const double buckets_s[] = { 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5, 10 };
#define NBUCKETS (sizeof buckets_s / sizeof buckets_s[0])

struct http_metrics {
    atomic_ulong requests[NMETHODS][NSTATUSES];
    atomic_ulong latency[NBUCKETS + 1];
    atomic_ulong latency_sum_us;
    atomic_ulong sessions_created, sessions_expired, store_errors;
    atomic_ulong sessions_evicted, sessions_rejected;   /* edge: the session cap */
};

http_metrics *mcp__metrics_new(void)
{
    return calloc(1, sizeof(http_metrics));
}

void mcp__metrics_free(http_metrics *m)
{
    free(m);
}

static size_t method_index(const char *rpc)
{
    for (size_t i = 0; rpc && i < NMETHODS - 1; i++)
        if (strcmp(methods[i], rpc) == 0)
            return i;
    if (rpc && strncmp(rpc, "notifications/", 14) == 0)
        return NMETHODS - 3;     /* "(notification)" */
    return NMETHODS - 1;
}

static size_t status_index(unsigned status)
{
    for (size_t i = 0; i < NSTATUSES - 1; i++)
        if (statuses[i] == status)
            return i;
    return NSTATUSES - 1;
}

void mcp__metrics_request(http_metrics *m, const char *rpc, unsigned status, uint64_t micros)
{
    if (!m)
        return;
    atomic_fetch_add_explicit(&m->requests[method_index(rpc)][status_index(status)], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < NBUCKETS && (double)micros / 1e6 > buckets_s[b])
        b++;
    atomic_fetch_add_explicit(&m->latency[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->latency_sum_us, micros, memory_order_relaxed);
}

void mcp__metrics_session_created(http_metrics *m)
{
    if (m)
        atomic_fetch_add_explicit(&m->sessions_created, 1, memory_order_relaxed);
}

void mcp__metrics_session_evicted(http_metrics *m)
{
    if (m)
        atomic_fetch_add_explicit(&m->sessions_evicted, 1, memory_order_relaxed);
}

void mcp__metrics_session_rejected(http_metrics *m)
{
    if (m)
        atomic_fetch_add_explicit(&m->sessions_rejected, 1, memory_order_relaxed);
}

void mcp__metrics_sessions_expired(http_metrics *m, unsigned n)
{
    if (m)
        atomic_fetch_add_explicit(&m->sessions_expired, n, memory_order_relaxed);
}

void mcp__metrics_store_error(http_metrics *m)
{
    if (m)
        atomic_fetch_add_explicit(&m->store_errors, 1, memory_order_relaxed);
}

static unsigned long load(const atomic_ulong *v)
{
    return atomic_load_explicit(v, memory_order_relaxed);
}

void mcp__metrics_render(const http_metrics *m, const metrics_gauges *g, strbuf *out)
{
    mcp__strbuf_puts(out, "# HELP mcp_requests_total HTTP requests by JSON-RPC method and HTTP status.\n"
                     "# TYPE mcp_requests_total counter\n");
    for (size_t i = 0; i < NMETHODS; i++)
        for (size_t k = 0; k < NSTATUSES; k++) {
            unsigned long n = load(&m->requests[i][k]);
            if (!n)
                continue;
            if (statuses[k])
                mcp__strbuf_printf(out, "mcp_requests_total{method=\"%s\",status=\"%u\"} %lu\n", methods[i], statuses[k], n);
            else
                mcp__strbuf_printf(out, "mcp_requests_total{method=\"%s\",status=\"other\"} %lu\n", methods[i], n);
        }
    mcp__strbuf_puts(out, "# HELP mcp_request_duration_seconds Time to answer (to first byte for streams).\n"
                     "# TYPE mcp_request_duration_seconds histogram\n");
    unsigned long cumulative = 0;
    for (size_t b = 0; b < NBUCKETS; b++) {
        cumulative += load(&m->latency[b]);
        mcp__strbuf_printf(out, "mcp_request_duration_seconds_bucket{le=\"%g\"} %lu\n", buckets_s[b], cumulative);
    }
    cumulative += load(&m->latency[NBUCKETS]);
    mcp__strbuf_printf(out, "mcp_request_duration_seconds_bucket{le=\"+Inf\"} %lu\n", cumulative);
    mcp__strbuf_printf(out, "mcp_request_duration_seconds_sum %g\n", (double)load(&m->latency_sum_us) / 1e6);
    mcp__strbuf_printf(out, "mcp_request_duration_seconds_count %lu\n", cumulative);
    mcp__strbuf_printf(out, "# TYPE mcp_sessions_active gauge\nmcp_sessions_active %u\n", g->sessions_active);
    mcp__strbuf_printf(out, "# TYPE mcp_sessions_created_total counter\nmcp_sessions_created_total %lu\n", load(&m->sessions_created));
    mcp__strbuf_printf(out, "# TYPE mcp_sessions_expired_total counter\nmcp_sessions_expired_total %lu\n", load(&m->sessions_expired));
    mcp__strbuf_printf(out, "# TYPE mcp_sessions_evicted_total counter\nmcp_sessions_evicted_total %lu\n", load(&m->sessions_evicted));
    mcp__strbuf_printf(out, "# TYPE mcp_sessions_rejected_total counter\nmcp_sessions_rejected_total %lu\n", load(&m->sessions_rejected));
    mcp__strbuf_printf(out, "# TYPE mcp_sse_streams_open gauge\nmcp_sse_streams_open %u\n", g->sse_streams);
    mcp__strbuf_printf(out, "# TYPE mcp_requests_in_flight gauge\nmcp_requests_in_flight %u\n", g->requests_in_flight);
    mcp__strbuf_printf(out, "# TYPE mcp_store_errors_total counter\nmcp_store_errors_total %lu\n", load(&m->store_errors));
    if (g->store_up >= 0)
        mcp__strbuf_printf(out, "# TYPE mcp_store_up gauge\nmcp_store_up %d\n", g->store_up);
}
