/* CORS grants for the Streamable HTTP endpoint (production.md §1).
 * One list decides both: an Origin that may call may read the answer, an
 * unlisted one already got 403 without any grant. No wildcard on the MCP
 * endpoint and no Access-Control-Allow-Credentials (tokens travel in
 * Authorization, not cookies). CORS has no prefix wildcard for the
 * SEP-2243 mcp-param-* headers, so a preflight echoes the requested names
 * that are valid header tokens with that prefix. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"
#include "transport/http_cors.h"
#include "transport/http_origin.h"

#define CORS_EXPOSE "Mcp-Session-Id, WWW-Authenticate, Retry-After"
#define CORS_HEADERS "content-type, accept, authorization, mcp-session-id, mcp-protocol-version, " \
                     "mcp-method, mcp-name, last-event-id"
#define CORS_MAX_AGE "7200"          /* Chromium's ceiling; longer values are cut to it */
#define CORS_PARAM_PREFIX "mcp-param-"
#define CORS_MAX_REQUESTED 2048      /* bytes of Access-Control-Request-Headers we look at */

static mcp_http_server *server_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    conn_track *t = ci ? ci->socket_context : NULL;
    return t ? t->hs : NULL;
}

static void grant(struct MHD_Response *r, const char *origin)
{
    MHD_add_response_header(r, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Origin");
}

enum MHD_Result mcp__http_queue(struct MHD_Connection *conn, unsigned status, struct MHD_Response *r)
{
    const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
    mcp_http_server *hs = origin ? server_of(conn) : NULL;
    if (hs && !MHD_get_response_header(r, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN) &&
        mcp__http_origin_ok(hs, conn)) {
        grant(r, origin);
        MHD_add_response_header(r, "Access-Control-Expose-Headers", CORS_EXPOSE);
    }
    return MHD_queue_response(conn, status, r);
}

/* RFC 9110 token characters. */
static bool is_tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The fixed list, then each requested mcp-param-* name that is a token
 * (lowercased: browsers send them so, and names are case-insensitive). */
static void allow_headers(struct MHD_Connection *conn, strbuf *out)
{
    mcp__strbuf_printf(out, "%s", CORS_HEADERS);
    const char *req = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Access-Control-Request-Headers");
    size_t plen = strlen(CORS_PARAM_PREFIX);
    for (const char *p = req; p && *p && (size_t)(p - req) < CORS_MAX_REQUESTED;) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        size_t n = strcspn(p, ", \t");
        bool ok = n > plen && strncasecmp(p, CORS_PARAM_PREFIX, plen) == 0;
        for (size_t i = 0; ok && i < n; i++)
            ok = is_tchar(p[i]);
        if (ok) {
            mcp__strbuf_printf(out, ", ");
            for (size_t i = 0; i < n; i++) {
                char c = p[i];
                mcp__strbuf_append(out, &(char){ c >= 'A' && c <= 'Z' ? (char)(c + 32) : c }, 1);
            }
        }
        p += n;
    }
}

static enum MHD_Result reply_204(struct MHD_Connection *conn, struct MHD_Response *r)
{
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_NO_CONTENT, r);
    MHD_destroy_response(r);
    return ret;
}

enum MHD_Result mcp__cors_preflight(mcp_http_server *hs, struct MHD_Connection *conn)
{
    const char *methods = hs->o.mode == MCP_STATEFUL ? "GET, POST, DELETE, OPTIONS" : "POST, OPTIONS";
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, methods);
    const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
    if (origin && mcp__http_origin_ok(hs, conn)) {
        strbuf h = {0};
        allow_headers(conn, &h);
        grant(r, origin);
        MHD_add_response_header(r, "Access-Control-Allow-Methods", methods);
        MHD_add_response_header(r, "Access-Control-Allow-Headers", h.data ? h.data : CORS_HEADERS);
        MHD_add_response_header(r, "Access-Control-Max-Age", CORS_MAX_AGE);
        mcp__strbuf_free(&h);
    }
    return reply_204(conn, r);
}

void mcp__cors_public(struct MHD_Response *r, const char *expose)
{
    MHD_add_response_header(r, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    if (expose)
        MHD_add_response_header(r, "Access-Control-Expose-Headers", expose);
}

enum MHD_Result mcp__cors_preflight_public(struct MHD_Connection *conn, const char *allow_headers_list)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD, OPTIONS");
    MHD_add_response_header(r, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    MHD_add_response_header(r, "Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
    MHD_add_response_header(r, "Access-Control-Allow-Headers", allow_headers_list ? allow_headers_list : "authorization, content-type, mcp-protocol-version");
    MHD_add_response_header(r, "Access-Control-Max-Age", CORS_MAX_AGE);
    return reply_204(conn, r);
}
