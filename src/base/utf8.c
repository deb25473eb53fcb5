/* Byte-level checks on untrusted text before cJSON sees it: UTF-8
 * well-formedness (cJSON does not validate input bytes and MCP requires
 * UTF-8 messages) and a linear JSON lexical pass that bounds nesting, so
 * hostile input never recurses the parser deep. */
#include "base/utf8.h"

#include <stdint.h>
#include <string.h>

size_t mcp__utf8_sequence_len(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; }
    else return 0;
    if (avail <= n)
        return 0;   /* truncated sequence */
    for (size_t k = 1; k <= n; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n + 1;
}

bool mcp__utf8_valid(const char *buf, size_t len)
{
    const unsigned char *s = (const unsigned char *)buf;
    size_t i = 0;
    while (i < len) {
        /* ASCII fast path: eight bytes at a time while no high bit is set
         * (JSON requests are mostly ASCII; memcpy keeps it alignment-safe). */
        while (len - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, sizeof w);
            if (w & UINT64_C(0x8080808080808080))
                break;
            i += 8;
        }
        if (i >= len)
            break;
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = mcp__utf8_sequence_len(s + i, len - i);
        if (!n)
            return false;
        i += n;
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

static inline bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Offset of the first byte among the eight at p that ends or escapes a
 * string or is a control character ('"', '\\', below 0x20), 8 if none.
 * SWAR: a zero byte after XOR, a byte below 0x20. On little-endian the
 * first flagged byte is always a true match (borrows only run upwards); a
 * false flag elsewhere only stops the run early and the byte checks after
 * it pass the byte as ordinary. */
static inline size_t plain_run(const char *p)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), high = UINT64_C(0x8080808080808080);
    uint64_t w;
    memcpy(&w, p, sizeof w);
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    uint64_t special = (((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w)) & high;
    if (!special)
        return 8;
    unsigned char bytes[8];
    memcpy(bytes, &special, sizeof bytes);
    size_t n = 0;
    while (!bytes[n])   /* special != 0: some byte is flagged */
        n++;
    return n;
}

const char *mcp__json_lex_check(const char *buf, size_t len, unsigned limit)
{
    unsigned depth = 0;
    const char *end = buf + len;
    for (const char *p = buf; p < end; p++) {
        char c = *p;
        if (c == '"') {
            for (p++;; p++) {
                for (size_t run; end - p >= 8; p += run)
                    if ((run = plain_run(p)) < 8) {
                        p += run;
                        break;
                    }
                if (p >= end || *p == '"')
                    break;
                if ((unsigned char)*p < 0x20)
                    return "Parse error: control character inside a string";
                if (*p == '\\') {
                    p++;
                    if (p < end && *p == 'u') {
                        /* cJSON reads a malformed \uXXXX as U+0000 and cuts the string there. */
                        if (end - p < 5 || !is_hex(p[1]) || !is_hex(p[2]) || !is_hex(p[3]) || !is_hex(p[4]))
                            return "Parse error: malformed \\u escape in a string";
                        if (strncmp(p + 1, "0000", 4) == 0)
                            return "Parse error: strings must not contain NUL (\\u0000)";
                    }
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
