/* Rate limits on HTTP (see http_limit.h): principals from the token subject
 * or the client address, and their counters in /metrics. The refusal
 * itself is built by the protocol layer; http_exchange.c maps its code to
 * 429 and http_common.c adds Retry-After (mcp__limit_retry_after_s). */
#include "transport/http_limit.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <mcp/http.h>

const char *mcp__client_address(struct MHD_Connection *conn, char *buf, size_t len)
{
    buf[0] = '\0';
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    if (!sa)
        return buf;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf, (socklen_t)len);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf, (socklen_t)len);
    return buf;
}

void mcp__http_principal(struct MHD_Connection *conn, const char *subject, char *out, size_t len)
{
    if (subject && *subject) {
        snprintf(out, len, "sub:%s", subject);
        return;
    }
    char addr[INET6_ADDRSTRLEN];
    snprintf(out, len, "ip:%s", mcp__client_address(conn, addr, sizeof addr));
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
