/* Host and Origin rules against DNS rebinding (loopback names on a loopback
 * bind, allowed_hosts/allowed_origins lists, the public_url's host), and the
 * header lookup they use. Below http_common.c on purpose: CORS grants on
 * every response (http_cors.c, via mcp__http_queue) ask the same Origin
 * question as the 403 check in streamable.c, so one rule decides both. */
#include "transport/http_origin.h"

#include <string.h>
#include <strings.h>

#include "transport/http_proxy.h"

const char *mcp__http_header(struct MHD_Connection *conn, const char *name)
{
    return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

static bool list_contains(const char *list, const char *item, size_t item_len)
{
    const char *p = list;
    while (p && *p) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && p[len - 1] == ' ')
            len--;
        if (len == item_len && strncasecmp(p, item, len) == 0)
            return true;
        p = end;
    }
    return false;
}

/* Host name without port: "[::1]:3000" -> "[::1]", "localhost:80" -> "localhost".
 * Returns 0 when anything but ":<digits>" follows the name, so values like
 * "localhost:80.evil.example" or "[::1].evil" never pass as local. */
static size_t host_name_len(const char *host)
{
    size_t len;
    if (host[0] == '[') {
        const char *close = strchr(host, ']');
        if (!close)
            return 0;
        len = (size_t)(close - host + 1);
    } else {
        len = strcspn(host, ":");
    }
    const char *rest = host + len;
    if (*rest == ':') {
        rest++;
        if (!*rest)
            return 0;
        while (*rest >= '0' && *rest <= '9')
            rest++;
    }
    return *rest ? 0 : len;
}

static bool is_local_name(const char *name, size_t len)
{
    return (len == 9 && strncasecmp(name, "localhost", 9) == 0) ||
           (len == 9 && strncmp(name, "127.0.0.1", 9) == 0) ||
           (len == 5 && strncmp(name, "[::1]", 5) == 0);
}

bool mcp__http_host_allowed(mcp_http_server *hs, const char *host)
{
    if (!host)
        return false;
    size_t len = host_name_len(host);
    if (len == 0)
        return false;
    if (mcp__http_is_public_host(hs, host, len))   /* edge: the name in public_url */
        return true;
    if (hs->o.allowed_hosts)
        return list_contains(hs->o.allowed_hosts, host, len) || list_contains(hs->o.allowed_hosts, host, strlen(host));
    return hs->loopback ? is_local_name(host, len) : true;
}

bool mcp__http_origin_allowed(mcp_http_server *hs, const char *origin, const char *host)
{
    if (!origin)
        return true;                    /* non-browser clients send none */
    if (hs->o.allowed_origins)
        return list_contains(hs->o.allowed_origins, origin, strlen(origin));
    const char *sep = strstr(origin, "://");
    if (!sep || (strncmp(origin, "http", 4) != 0))
        return false;                   /* "null" and odd schemes */
    const char *oh = sep + 3;
    size_t len = host_name_len(oh);
    if (len == 0)
        return false;
    if (hs->loopback)
        return is_local_name(oh, len);
    return host && len == host_name_len(host) && strncasecmp(oh, host, len) == 0;
}

/* edge hook for http_cors.c: the Origin rule above, as a CORS grant test. */
bool mcp__http_origin_ok(mcp_http_server *hs, struct MHD_Connection *conn)
{
    const char *origin = mcp__http_header(conn, "Origin");
    return origin && mcp__http_origin_allowed(hs, origin, mcp__http_header(conn, MHD_HTTP_HEADER_HOST));
}
