/* Trusted proxies and the public URL (production.md §2, RFC 7239).
 * Forwarded and X-Forwarded-* are trivially forged, so they count only when
 * the TCP peer is in the configured list; then the client address is the
 * rightmost hop that is not itself a trusted proxy, and the public scheme
 * and host come from the element our proxy appended (the rightmost). A
 * configured public URL (mcp_http_options.public_url) overrides all of it. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <mcp/error.h>

#include "transport/http_proxy.h"

typedef struct cidr {
    int family;                    /* AF_INET or AF_INET6 */
    unsigned char addr[16];
    unsigned bits;
} cidr;

struct mcp__proxy_list {
    size_t n;
    cidr *v;
};

static _Thread_local struct MHD_Connection *current_conn;

void mcp__http_conn_enter(struct MHD_Connection *conn)
{
    current_conn = conn;
}

struct MHD_Connection *mcp__http_conn_current(void)
{
    return current_conn;
}

static bool parse_one(const char *s, size_t len, cidr *out)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *slash = strchr(buf, '/');
    if (slash)
        *slash = '\0';
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, buf, out->addr) == 1) {
        out->family = AF_INET;
        out->bits = 32;
    } else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
        out->family = AF_INET6;
        out->bits = 128;
    } else {
        return false;
    }
    if (slash) {
        char *end = NULL;
        unsigned long b = strtoul(slash + 1, &end, 10);
        if (!slash[1] || *end || b > out->bits)
            return false;
        out->bits = (unsigned)b;
    }
    return true;
}

int mcp__proxy_list_parse(const char *text, mcp__proxy_list **out)
{
    *out = NULL;
    mcp__proxy_list *l = calloc(1, sizeof *l);
    if (!l)
        return -MCP_ENOMEM;
    for (const char *p = text; p && *p;) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        size_t len = strcspn(p, ", \t");
        if (!len)
            break;
        cidr c;
        cidr *grown = parse_one(p, len, &c) ? realloc(l->v, (l->n + 1) * sizeof *l->v) : NULL;
        if (!grown) {
            mcp__proxy_list_free(l);
            return -MCP_EINVAL;
        }
        l->v = grown;
        l->v[l->n++] = c;
        p += len;
    }
    *out = l;
    return 0;
}

void mcp__proxy_list_free(mcp__proxy_list *l)
{
    if (!l)
        return;
    free(l->v);
    free(l);
}

static bool in_cidr(const cidr *c, int family, const unsigned char *addr)
{
    if (c->family != family)
        return false;
    unsigned full = c->bits / 8, rest = c->bits % 8;
    if (memcmp(c->addr, addr, full) != 0)
        return false;
    if (!rest)
        return true;
    unsigned char mask = (unsigned char)(0xffu << (8 - rest));
    return (c->addr[full] & mask) == (addr[full] & mask);
}

/* IPv4-mapped IPv6 peers (::ffff:a.b.c.d) match IPv4 entries too. */
static bool addr_trusted(const mcp__proxy_list *l, int family, const unsigned char *addr)
{
    static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    for (size_t i = 0; l && i < l->n; i++) {
        if (in_cidr(&l->v[i], family, addr))
            return true;
        if (family == AF_INET6 && memcmp(addr, mapped, 12) == 0 && in_cidr(&l->v[i], AF_INET, addr + 12))
            return true;
    }
    return false;
}

bool mcp__proxy_trusted(const mcp__proxy_list *l, const struct sockaddr *sa)
{
    if (!l || !l->n || !sa)
        return false;
    if (sa->sa_family == AF_INET)
        return addr_trusted(l, AF_INET, (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr);
    if (sa->sa_family == AF_INET6)
        return addr_trusted(l, AF_INET6, (const unsigned char *)&((const struct sockaddr_in6 *)sa)->sin6_addr);
    return false;
}

static const struct sockaddr *peer_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return ci ? ci->client_addr : NULL;
}

static bool peer_trusted(mcp_http_server *hs, struct MHD_Connection *conn)
{
    return hs->proxies && mcp__proxy_trusted(hs->proxies, peer_of(conn));
}

static void sockaddr_text(const struct sockaddr *sa, char *out, size_t outlen)
{
    out[0] = '\0';
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)outlen);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)outlen);
}

/* A node from Forwarded for= or X-Forwarded-For, unquoted, without port or
 * brackets, as an address when it is one. */
static bool node_addr(const char *s, size_t len, char *text, size_t textlen, int *family, unsigned char *addr)
{
    while (len && (*s == ' ' || *s == '"')) {
        s++;
        len--;
    }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '"'))
        len--;
    if (len && *s == '[') {
        const char *close = memchr(s, ']', len);
        if (!close)
            return false;
        s++;
        len = (size_t)(close - s);
    } else {
        const char *colon = memchr(s, ':', len);
        if (colon && !memchr(colon + 1, ':', len - (size_t)(colon - s) - 1))
            len = (size_t)(colon - s);    /* a.b.c.d:port (bare IPv6 has several colons) */
    }
    if (!len || len >= textlen)
        return false;
    memcpy(text, s, len);
    text[len] = '\0';
    if (inet_pton(AF_INET, text, addr) == 1)
        *family = AF_INET;
    else if (inet_pton(AF_INET6, text, addr) == 1)
        *family = AF_INET6;
    else
        return false;
    return true;
}

/* Find "name=" in one Forwarded element [p, p+len): value bounds. */
static bool forwarded_param(const char *p, size_t len, const char *name, const char **val, size_t *vlen)
{
    size_t nlen = strlen(name);
    const char *end = p + len;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == ';'))
            p++;
        const char *pair_end = p;
        bool quoted = false;
        while (pair_end < end && (quoted || *pair_end != ';')) {
            if (*pair_end == '"')
                quoted = !quoted;
            pair_end++;
        }
        if ((size_t)(pair_end - p) > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == '=') {
            *val = p + nlen + 1;
            *vlen = (size_t)(pair_end - *val);
            if (*vlen >= 2 && **val == '"' && (*val)[*vlen - 1] == '"') {
                (*val)++;
                *vlen -= 2;
            }
            return true;
        }
        p = pair_end;
    }
    return false;
}

/* Elements of a comma list, from the right: calls fn(elem, len) until it
 * returns true. Quoted commas (Forwarded for="[::1]:1,") are respected. */
typedef bool (*elem_fn)(const char *elem, size_t len, void *ctx);
static void each_from_right(const char *list, elem_fn fn, void *ctx)
{
    if (!list)
        return;
    size_t n = strnlen(list, 8192);
    size_t end = n;
    bool quoted = false;
    for (size_t i = n; i-- > 0;) {
        if (list[i] == '"')
            quoted = !quoted;
        if ((list[i] == ',' && !quoted) || i == 0) {
            size_t start = list[i] == ',' && !quoted ? i + 1 : i;
            if (end > start && fn(list + start, end - start, ctx))
                return;
            end = i;
        }
    }
}

typedef struct client_walk {
    mcp_http_server *hs;
    bool forwarded;                /* elements are Forwarded, else X-Forwarded-For nodes */
    char *out;
    size_t outlen;
    bool found;
} client_walk;

static bool client_step(const char *elem, size_t len, void *ctx)
{
    client_walk *w = ctx;
    const char *node = elem;
    size_t nlen = len;
    if (w->forwarded && !forwarded_param(elem, len, "for", &node, &nlen))
        return false;
    char text[64];
    unsigned char addr[16];
    int family = 0;
    if (!node_addr(node, nlen, text, sizeof text, &family, addr)) {
        /* "unknown" or an obfuscated identifier: that is the client. */
        size_t n = nlen < w->outlen - 1 ? nlen : w->outlen - 1;
        memcpy(w->out, node, n);
        w->out[n] = '\0';
        w->found = true;
        return true;
    }
    snprintf(w->out, w->outlen, "%s", text);
    w->found = true;
    return !addr_trusted(w->hs->proxies, family, addr);
}

void mcp__http_client_addr(mcp_http_server *hs, struct MHD_Connection *conn, char *out, size_t outlen)
{
    sockaddr_text(peer_of(conn), out, outlen);
    if (!peer_trusted(hs, conn))
        return;
    const char *fwd = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Forwarded");
    const char *xff = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For");
    client_walk w = { .hs = hs, .forwarded = fwd != NULL, .out = out, .outlen = outlen };
    each_from_right(fwd ? fwd : xff, client_step, &w);
}

typedef struct last_elem {
    const char *p;
    size_t len;
} last_elem;

static bool take_first(const char *elem, size_t len, void *ctx)
{
    last_elem *l = ctx;
    while (len && *elem == ' ') {
        elem++;
        len--;
    }
    while (len && elem[len - 1] == ' ')
        len--;
    l->p = elem;
    l->len = len;
    return true;
}

/* A host[:port] value safe to put into a URL. */
static bool valid_host(const char *s, size_t len)
{
    if (!len || len > 255)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-.:[]_", c)))
            return false;
    }
    return true;
}

/* An absolute path prefix without query, fragment or odd characters. */
static bool valid_prefix(const char *s, size_t len)
{
    if (!len || s[0] != '/' || len > 255)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-._~/", c)))
            return false;
    }
    return true;
}

bool mcp__http_is_public_host(mcp_http_server *hs, const char *name, size_t len)
{
    const char *u = hs->o.public_url;
    const char *h = u ? strstr(u, "://") : NULL;
    if (!h)
        return false;
    h += 3;
    size_t hlen = h[0] == '[' ? strcspn(h, "]") + 1 : strcspn(h, ":/?#");
    if (h[0] == '[' && h[hlen - 1] != ']')
        return false;
    return hlen == len && strncasecmp(h, name, len) == 0;
}

bool mcp__http_public_url(mcp_http_server *hs, struct MHD_Connection *conn, strbuf *out)
{
    if (hs->o.public_url) {
        mcp__strbuf_printf(out, "%s", hs->o.public_url);
        return true;
    }
    const char *scheme = hs->tls ? "https" : "http";
    const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    size_t scheme_len = strlen(scheme), host_len = host ? strlen(host) : 0;
    const char *prefix = "";
    size_t prefix_len = 0;
    const char *own_host = host;
    size_t own_len = host_len;
    if (peer_trusted(hs, conn)) {
        last_elem e = {0};
        const char *fwd = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Forwarded");
        const char *v;
        size_t vlen;
        if (fwd) {
            each_from_right(fwd, take_first, &e);
            if (e.p && forwarded_param(e.p, e.len, "proto", &v, &vlen)) {
                scheme = v;
                scheme_len = vlen;
            }
            if (e.p && forwarded_param(e.p, e.len, "host", &v, &vlen)) {
                host = v;
                host_len = vlen;
            }
        } else {
            const char *xp = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-Proto");
            const char *xh = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-Host");
            const char *xx = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-Prefix");
            if (xp && (each_from_right(xp, take_first, &e), e.p)) {
                scheme = e.p;
                scheme_len = e.len;
            }
            e.p = NULL;
            if (xh && (each_from_right(xh, take_first, &e), e.p)) {
                host = e.p;
                host_len = e.len;
            }
            e.p = NULL;
            if (xx && (each_from_right(xx, take_first, &e), e.p) && valid_prefix(e.p, e.len)) {
                prefix = e.p;
                prefix_len = e.len;
                if (prefix[prefix_len - 1] == '/')
                    prefix_len--;
            }
        }
        if (!((scheme_len == 5 && strncasecmp(scheme, "https", 5) == 0) ||
              (scheme_len == 4 && strncasecmp(scheme, "http", 4) == 0))) {
            scheme = hs->tls ? "https" : "http";
            scheme_len = strlen(scheme);
        }
    }
    if (!host || !valid_host(host, host_len)) {
        host = own_host;
        host_len = own_len;
    }
    if (!host || !valid_host(host, host_len)) {
        host = hs->o.host;
        host_len = strlen(host);
    }
    mcp__strbuf_printf(out, "%.*s://%.*s%.*s%s", (int)scheme_len, scheme, (int)host_len, host, (int)prefix_len, prefix,
                  hs->o.path);
    return false;
}
