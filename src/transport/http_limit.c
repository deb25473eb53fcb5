/* Rate limits on HTTP (see http_limit.h): principals from the token subject
 * or the client address, and their counters in /metrics. The refusal
 * itself is built by the protocol layer; http_exchange.c maps its code to
 * 429 and http_common.c adds Retry-After (mcp__limit_retry_after_s). */
#include "transport/http_limit.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <mcp/http.h>

#include "transport/http_proxy.h"

void mcp__http_principal(mcp_http_server *hs, struct MHD_Connection *conn, const char *subject, char *out,
                         size_t len)
{
    if (subject && *subject) {
        snprintf(out, len, "sub:%s", subject);
        return;
    }
    char addr[80];
    mcp__http_client_addr(hs, conn, addr, sizeof addr);   /* through trusted proxies (http_proxy.c) */
    snprintf(out, len, "ip:%s", addr);
}

mcp__limiter *mcp__http_limiter_new(const mcp_http_options *o)
{
    mcp__limit_config cfg = {
        .rate = o->rate_limit,
        .burst = o->rate_burst,
        .all_requests = o->rate_limit_all_requests,
        .store = o->store,
    };
    return mcp__limiter_new(&cfg);
}

void mcp__http_limit_render(const mcp__limiter *lim, strbuf *out)
{
    if (!lim)
        return;
    mcp__limit_stats st;
    mcp__limiter_stats(lim, &st);
    mcp__strbuf_puts(out, "# HELP mcp_rate_limited_total Requests refused by the rate limiter, by JSON-RPC method.\n"
                     "# TYPE mcp_rate_limited_total counter\n");
    for (unsigned i = 0; i < st.n; i++)
        if (st.counts[i] || i == 0)
            mcp__strbuf_printf(out, "mcp_rate_limited_total{method=\"%s\"} %lu\n", st.names[i], st.counts[i]);
    mcp__strbuf_printf(out, "# HELP mcp_rate_limit_store_fallbacks_total Decisions taken by the local bucket because the store was unreachable (fail-open).\n"
                       "# TYPE mcp_rate_limit_store_fallbacks_total counter\n"
                       "mcp_rate_limit_store_fallbacks_total %lu\n", st.store_fallbacks);
}
