/* RFC 3986 reference resolution (section 5.2) for $id, $ref, $anchor and
 * $dynamicRef: joins a reference to a base URI, removes dot segments, and
 * splits off the fragment. Purely textual; nothing is ever fetched. */
#include "schema/uri.h"

#include "schema/util.h"

#include <mcp/error.h>

#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *s;
    size_t n;
    int present;
} part;

typedef struct {
    part scheme, authority, path, query, fragment;
} uri_parts;

static void split(const char *u, uri_parts *p)
{
    memset(p, 0, sizeof *p);
    const char *s = u;
    const char *colon = s + strcspn(s, ":/?#");
    if (*colon == ':' && colon != s && is_alpha(*s)) {
        p->scheme = (part){s, (size_t)(colon - s), 1};
        s = colon + 1;
    }
    if (s[0] == '/' && s[1] == '/') {
        s += 2;
        size_t n = strcspn(s, "/?#");
        p->authority = (part){s, n, 1};
        s += n;
    }
    size_t n = strcspn(s, "?#");
    p->path = (part){s, n, 1};
    s += n;
    if (*s == '?') {
        s++;
        n = strcspn(s, "#");
        p->query = (part){s, n, 1};
        s += n;
    }
    if (*s == '#') {
        s++;
        p->fragment = (part){s, strlen(s), 1};
    }
}

/* RFC 3986 5.2.4, appending the result to out. */
static void remove_dot_segments(const char *in, size_t n, strbuf *out)
{
    char *buf = malloc(n + 1);
    if (!buf) {
        out->err = -MCP_ENOMEM;
        return;
    }
    memcpy(buf, in, n);
    buf[n] = '\0';
    char *res = malloc(n + 2);
    if (!res) {
        free(buf);
        out->err = -MCP_ENOMEM;
        return;
    }
    size_t rlen = 0;
    char *s = buf;
    while (*s) {
        if (strncmp(s, "../", 3) == 0) {
            s += 3;
        } else if (strncmp(s, "./", 2) == 0) {
            s += 2;
        } else if (strncmp(s, "/./", 3) == 0) {
            s += 2;
        } else if (strcmp(s, "/.") == 0) {
            s[1] = '/';
            s += 1;
        } else if (strncmp(s, "/../", 4) == 0 || strcmp(s, "/..") == 0) {
            if (s[3] == '\0') {
                s[2] = '/';
                s += 2;
            } else {
                s += 3;
            }
            while (rlen > 0 && res[rlen - 1] != '/')
                rlen--;
            if (rlen > 0)
                rlen--;
        } else if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0) {
            break;
        } else {
            size_t seg = *s == '/' ? 1 + strcspn(s + 1, "/") : strcspn(s, "/");
            memcpy(res + rlen, s, seg);
            rlen += seg;
            s += seg;
        }
    }
    mcp__strbuf_append(out, res, rlen);
    free(res);
    free(buf);
}

static void put_part(strbuf *out, const char *prefix, const part *p)
{
    if (!p->present)
        return;
    mcp__strbuf_puts(out, prefix);
    mcp__strbuf_append(out, p->s, p->n);
}

/* Resolves ref against base; returns a malloc'd absolute reference with
 * its fragment (if any), or NULL when out of memory. */
char *mcp__uri_resolve(const char *base, const char *ref)
{
    uri_parts b, r, t;
    split(base ? base : "", &b);
    split(ref, &r);
    strbuf merged = {0};
    memset(&t, 0, sizeof t);
    if (r.scheme.present) {
        t = r;
    } else {
        t.scheme = b.scheme;
        if (r.authority.present) {
            t.authority = r.authority;
            t.path = r.path;
            t.query = r.query;
        } else {
            t.authority = b.authority;
            if (r.path.n == 0) {
                t.path = b.path;
                t.query = r.query.present ? r.query : b.query;
            } else {
                if (r.path.s[0] == '/') {
                    mcp__strbuf_append(&merged, r.path.s, r.path.n);
                } else if (b.authority.present && b.path.n == 0) {
                    mcp__strbuf_append(&merged, "/", 1);
                    mcp__strbuf_append(&merged, r.path.s, r.path.n);
                } else {
                    size_t keep = b.path.n;
                    while (keep > 0 && b.path.s[keep - 1] != '/')
                        keep--;
                    mcp__strbuf_append(&merged, b.path.s, keep);
                    mcp__strbuf_append(&merged, r.path.s, r.path.n);
                }
                t.path = (part){merged.data ? merged.data : "", merged.len, 1};
                t.query = r.query;
            }
        }
        t.fragment = r.fragment;
    }
    strbuf out = {0};
    if (t.scheme.present) {
        mcp__strbuf_append(&out, t.scheme.s, t.scheme.n);
        mcp__strbuf_append(&out, ":", 1);
    }
    put_part(&out, "//", &t.authority);
    if (t.scheme.present || t.authority.present)
        remove_dot_segments(t.path.s ? t.path.s : "", t.path.n, &out);
    else
        mcp__strbuf_append(&out, t.path.s ? t.path.s : "", t.path.n);
    put_part(&out, "?", &t.query);
    put_part(&out, "#", &t.fragment);
    mcp__strbuf_free(&merged);
    if (out.err) {
        mcp__strbuf_free(&out);
        return NULL;
    }
    return mcp__strbuf_take(&out); /* "" (not NULL) when empty */
}

/* Cuts "#..." off in place and returns the fragment (NULL if none). */
char *mcp__uri_split_fragment(char *uri)
{
    char *hash = strchr(uri, '#');
    if (!hash)
        return NULL;
    *hash = '\0';
    return hash + 1;
}
