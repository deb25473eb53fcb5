/* Shared helpers used across the library. Kept free of MCP semantics so the
 * protocol and transport layers can share them without depending on each
 * other. The UTF-8 check exists because cJSON does not validate input bytes
 * and MCP requires UTF-8 messages. */
#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <mcp/error.h>

int strbuf_reserve(strbuf *sb, size_t extra)
{
    if (sb->len + extra + 1 <= sb->cap)
        return 0;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < sb->len + extra + 1)
        cap *= 2;
    char *p = realloc(sb->data, cap);
    if (!p)
        return -MCP_ENOMEM;
    sb->data = p;
    sb->cap = cap;
    return 0;
}

int strbuf_append(strbuf *sb, const void *data, size_t len)
{
    if (strbuf_reserve(sb, len) < 0)
        return -MCP_ENOMEM;
    if (len)
        memcpy(sb->data + sb->len, data, len);
    sb->len += len;
    sb->data[sb->len] = '\0';
    return 0;
}

int strbuf_puts(strbuf *sb, const char *s)
{
    return strbuf_append(sb, s, strlen(s));
}

int strbuf_vprintf(strbuf *sb, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return -MCP_EINVAL;
    if (strbuf_reserve(sb, (size_t)n) < 0)
        return -MCP_ENOMEM;
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
    return 0;
}

int strbuf_printf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = strbuf_vprintf(sb, fmt, ap);
    va_end(ap);
    return rc;
}

void strbuf_consume(strbuf *sb, size_t n)
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

char *strbuf_take(strbuf *sb)
{
    char *p = sb->data;
    if (!p)
        p = calloc(1, 1);
    sb->data = NULL;
    sb->len = sb->cap = 0;
    return p;
}

void strbuf_free(strbuf *sb)
{
    free(sb->data);
    sb->data = NULL;
    sb->len = sb->cap = 0;
}

bool utf8_valid(const char *buf, size_t len)
{
    const unsigned char *s = (const unsigned char *)buf;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; }
        else return false;
        if (i + n >= len)
            return false;   /* truncated sequence */
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n + 1;
    }
    return true;
}

/* Length of a JSON number at p (RFC 8259 grammar), 0 when malformed. */
static size_t json_number_len(const char *p, const char *end)
{
    const char *q = p;
    if (q < end && *q == '-')
        q++;
    if (q >= end)
        return 0;
    if (*q == '0') {
        q++;
    } else if (*q >= '1' && *q <= '9') {
        while (q < end && *q >= '0' && *q <= '9')
            q++;
    } else {
        return 0;
    }
    if (q < end && *q == '.') {
        const char *digits = ++q;
        while (q < end && *q >= '0' && *q <= '9')
            q++;
        if (q == digits)
            return 0;
    }
    if (q < end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < end && (*q == '+' || *q == '-'))
            q++;
        const char *digits = q;
        while (q < end && *q >= '0' && *q <= '9')
            q++;
        if (q == digits)
            return 0;
    }
    /* A number ends at a delimiter; "01" or "1x" is not JSON. */
    if (q < end && !strchr(" \t\r\n,]}", *q))
        return 0;
    return (size_t)(q - p);
}

const char *json_lex_check(const char *buf, size_t len, unsigned limit)
{
    unsigned depth = 0;
    const char *end = buf + len;
    for (const char *p = buf; p < end; p++) {
        char c = *p;
        if (c == '"') {
            for (p++; p < end && *p != '"'; p++) {
                if ((unsigned char)*p < 0x20)
                    return "Parse error: control character inside a string";
                if (*p == '\\') {
                    p++;
                    if (p + 4 < end && *p == 'u' && strncmp(p + 1, "0000", 4) == 0)
                        return "Parse error: strings must not contain NUL (\\u0000)";
                }
            }
            if (p >= end)
                return "Parse error: unterminated string";
        } else if (c == '{' || c == '[') {
            if (++depth > limit)
                return "Parse error: JSON nested too deeply";
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            size_t n = json_number_len(p, end);
            if (n == 0)
                return "Parse error: malformed number";
            p += n - 1;
        } else if (c == '\0') {
            return "Parse error: NUL byte in message";
        } else if ((unsigned char)c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            return "Parse error: control character outside a string";
        }
    }
    return NULL;
}

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *base64_encode(const unsigned char *data, size_t len)
{
    size_t out_len = 4 * ((len + 2) / 3);
    char *out = malloc(out_len + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16;
        if (i + 1 < len) v |= (uint32_t)data[i + 1] << 8;
        if (i + 2 < len) v |= data[i + 2];
        out[o++] = b64chars[(v >> 18) & 63];
        out[o++] = b64chars[(v >> 12) & 63];
        out[o++] = i + 1 < len ? b64chars[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < len ? b64chars[v & 63] : '=';
    }
    out[o] = '\0';
    return out;
}

static int b64val(char c)
{
    const char *p = c ? strchr(b64chars, c) : NULL;
    return p ? (int)(p - b64chars) : -1;
}

unsigned char *base64_decode(const char *text, size_t len, size_t *out_len)
{
    if (len % 4 != 0)
        return NULL;
    unsigned char *out = malloc(len / 4 * 3 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            char c = text[i + k];
            if (c == '=' && i + 4 == len && k >= 2) {
                v[k] = 0;
                pad++;
            } else if (pad || (v[k] = b64val(c)) < 0) {
                free(out);
                return NULL;
            }
        }
        uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        /* Canonical input only: bits under the padding must be zero, so no
         * two texts decode to the same bytes (a MAC must not see aliases). */
        if ((pad == 1 && (w & 0xFF)) || (pad == 2 && (w & 0xFFFF))) {
            free(out);
            return NULL;
        }
        out[o++] = (unsigned char)(w >> 16);
        if (pad < 2) out[o++] = (unsigned char)(w >> 8);
        if (pad < 1) out[o++] = (unsigned char)w;
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

int random_bytes(void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -MCP_EIO;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int random_hex_id(char *out, size_t nbytes)
{
    unsigned char raw[64];
    if (nbytes > sizeof raw)
        return -MCP_EINVAL;
    int rc = random_bytes(raw, nbytes);
    if (rc < 0)
        return rc;
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < nbytes; i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[2 * nbytes] = '\0';
    return 0;
}

uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

char *xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}
