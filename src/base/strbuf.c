/* A growable, NUL-terminated byte buffer with an optional size cap (like
 * curl's dynbuf): every reply, SSE frame and log line is built in one, and
 * a capped buffer fails with -MCP_ELIMIT instead of growing without bound.
 * Also mcp__xstrdup, the NULL-tolerant strdup. Nothing here knows about MCP. */
#include "base/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mcp/error.h>

/* Records the first failure in sb->err (the sticky flag) and returns rc. */
static int failed(strbuf *sb, int rc)
{
    if (!sb->err)
        sb->err = rc;
    return rc;
}

int mcp__strbuf_reserve(strbuf *sb, size_t extra)
{
    if (sb->len + extra + 1 <= sb->cap)
        return 0;
    if (sb->max && (extra > sb->max || sb->len > sb->max - extra))
        return failed(sb, -MCP_ELIMIT);
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < sb->len + extra + 1)
        cap *= 2;
    char *p = realloc(sb->data, cap);
    if (!p)
        return failed(sb, -MCP_ENOMEM);
    sb->data = p;
    sb->cap = cap;
    return 0;
}

int mcp__strbuf_append(strbuf *sb, const void *data, size_t len)
{
    int rc = mcp__strbuf_reserve(sb, len);
    if (rc < 0)
        return rc;
    if (len)
        memcpy(sb->data + sb->len, data, len);
    sb->len += len;
    sb->data[sb->len] = '\0';
    return 0;
}

int mcp__strbuf_puts(strbuf *sb, const char *s)
{
    return mcp__strbuf_append(sb, s, strlen(s));
}

int mcp__strbuf_vprintf(strbuf *sb, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return failed(sb, -MCP_EINVAL);
    int rc = mcp__strbuf_reserve(sb, (size_t)n);
    if (rc < 0)
        return rc;
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
    return 0;
}

int mcp__strbuf_printf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = mcp__strbuf_vprintf(sb, fmt, ap);
    va_end(ap);
    return rc;
}

void mcp__strbuf_consume(strbuf *sb, size_t n)
{
    if (n >= sb->len) {
        sb->len = 0;
    } else {
        memmove(sb->data, sb->data + n, sb->len - n);
        sb->len -= n;
    }
    if (sb->data)
        sb->data[sb->len] = '\0';
}

char *mcp__strbuf_take(strbuf *sb)
{
    char *p = sb->data;
    if (!p)
        p = calloc(1, 1);
    sb->data = NULL;
    sb->len = sb->cap = 0;
    sb->err = 0;
    return p;
}

void mcp__strbuf_free(strbuf *sb)
{
    free(sb->data);
    sb->data = NULL;
    sb->len = sb->cap = 0;
    sb->err = 0;
}

char *mcp__xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}
