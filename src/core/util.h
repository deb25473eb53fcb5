/* Small shared helpers: a growable byte buffer, UTF-8 validation, base64,
 * CSPRNG ids and a monotonic clock. Nothing here knows about MCP. */
#ifndef MCP_CORE_UTIL_H
#define MCP_CORE_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct strbuf {
    char *data;     /* always NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
} strbuf;

int strbuf_reserve(strbuf *sb, size_t extra);                  /* room for extra more bytes */
int strbuf_append(strbuf *sb, const void *data, size_t len);   /* 0 or -MCP_ENOMEM */
int strbuf_puts(strbuf *sb, const char *s);
int strbuf_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int strbuf_vprintf(strbuf *sb, const char *fmt, va_list ap);
void strbuf_consume(strbuf *sb, size_t n);                   /* drop n bytes from the front */
char *strbuf_take(strbuf *sb);                                /* caller frees; sb reset */
void strbuf_free(strbuf *sb);

/* True when buf[0..len) is well-formed UTF-8 (no overlongs, no surrogates). */
bool utf8_valid(const char *buf, size_t len);

/* One linear pass over JSON text for what cJSON tolerates but JSON forbids
 * (raw control characters in strings, malformed numbers such as 01, NUL)
 * and for nesting deeper than limit, so hostile input never recurses the
 * parser deep. NULL when fine, else a static reason. */
const char *json_lex_check(const char *buf, size_t len, unsigned limit);

/* base64 (RFC 4648 standard alphabet). Return malloc'd NUL-terminated
 * strings; decode returns NULL on invalid input and sets *out_len. */
char *base64_encode(const unsigned char *data, size_t len);
unsigned char *base64_decode(const char *text, size_t len, size_t *out_len);

/* len random bytes from the OS CSPRNG; 0 or -MCP_EIO. */
int random_bytes(void *buf, size_t len);
/* A random id of 2*nbytes hex characters + NUL into out (size >= 2*nbytes+1). */
int random_hex_id(char *out, size_t nbytes);

uint64_t now_ms(void);   /* CLOCK_MONOTONIC in milliseconds */

char *xstrdup(const char *s);   /* strdup that accepts NULL */

#endif
