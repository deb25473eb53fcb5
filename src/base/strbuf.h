/* A growable, NUL-terminated byte buffer with an optional size cap, and
 * mcp__xstrdup. Zero-initialise (strbuf sb = {0}); set sb.max to cap the length
 * (0 = no cap): growing past it fails with -MCP_ELIMIT.
 * Every call that fails also records its code in sb.err if sb.err is still 0
 * (a sticky flag): a builder that appends many pieces may ignore the return
 * values and check sb.err once at the end (later appends are still tried, so
 * the text is incomplete whenever sb.err != 0). _take and _free reset it. */
#ifndef MCP_BASE_STRBUF_H
#define MCP_BASE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct strbuf {
    char *data;     /* always NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
    size_t max;     /* longest allowed len; 0 = unbounded */
    int err;        /* first failure (-MCP_ENOMEM/-MCP_ELIMIT/-MCP_EINVAL), 0 = none */
} strbuf;

/* Room for extra more bytes: 0, -MCP_ENOMEM or -MCP_ELIMIT (cap). */
int mcp__strbuf_reserve(strbuf *sb, size_t extra);
int mcp__strbuf_append(strbuf *sb, const void *data, size_t len);   /* 0, -MCP_ENOMEM or -MCP_ELIMIT */
int mcp__strbuf_puts(strbuf *sb, const char *s);
int mcp__strbuf_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int mcp__strbuf_vprintf(strbuf *sb, const char *fmt, va_list ap);
void mcp__strbuf_consume(strbuf *sb, size_t n);                   /* drop n bytes from the front */
char *mcp__strbuf_take(strbuf *sb);                                /* caller frees; sb reset (cap kept) */
void mcp__strbuf_free(strbuf *sb);

char *mcp__xstrdup(const char *s);   /* strdup that accepts NULL */

#endif
