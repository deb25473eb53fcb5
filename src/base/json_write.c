/* Compact JSON output for cJSON trees, exact for numbers: every reply on
 * every transport is written here (see json_write.h for the contract). */
#include "base/json_write.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline int put(strbuf *out, const char *s, size_t n)
{
    if (out->len + n < out->cap) {        /* fits: no call, no reserve */
        memcpy(out->data + out->len, s, n);
        out->len += n;
        out->data[out->len] = '\0';
        return 0;
    }
    return mcp__strbuf_append(out, s, n) < 0 ? -1 : 0;
}

/* Integral values below 2^53 print as their digits: exact, and for the
 * common small ones (ids, counts) no printf. */
static int put_integer(strbuf *out, int64_t v)
{
    char digits[24], *p = digits + sizeof digits;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    return put(out, p, (size_t)(digits + sizeof digits - p));
}

/* Everything else: 15 significant digits when they read back as exactly
 * the same double, else 17 (always exact). cJSON accepts 15 digits that are
 * only nearly equal, which turns an id like 9007199254740993 into another
 * number; we never do. NaN and infinities print as null, -0 as "-0", and
 * the decimal point is '.' whatever the process locale says. */
static int put_number(strbuf *out, double d)
{
    if (isnan(d) || isinf(d))
        return put(out, "null", 4);
    if (d == 0)
        return signbit(d) ? put(out, "-0", 2) : put(out, "0", 1);
    if (d == floor(d) && fabs(d) < 9007199254740992.0)
        return put_integer(out, (int64_t)d);
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%1.15g", d);
    if (n > 0 && strtod(buf, NULL) != d)
        n = snprintf(buf, sizeof buf, "%1.17g", d);
    if (n <= 0 || (size_t)n >= sizeof buf)
        return -1;
    for (int i = 0; i < n; i++)
        if (buf[i] == ',')
            buf[i] = '.';
    return put(out, buf, (size_t)n);
}

/* How many of the eight bytes at p come before the first that needs
 * escaping ('"', '\\', below 0x20), 8 when none does (SWAR: a zero byte
 * after XOR, a borrow below 0x20; on little-endian the lowest flagged byte
 * is always a true one, elsewhere 0 lets the byte loop find it). */
static inline unsigned plain_prefix8(const unsigned char *p)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), high = UINT64_C(0x8080808080808080);
    uint64_t w;
    memcpy(&w, p, sizeof w);
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    uint64_t flags = (((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w)) & high;
    if (!flags)
        return 8;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return (unsigned)__builtin_ctzll(flags) / 8;
#else
    return 0;
#endif
}

/* Quote s: runs of plain bytes are copied at once (found eight at a time);
 * '"', '\\' and control characters are escaped as cJSON escapes them. */
static int put_string(strbuf *out, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    if (put(out, "\"", 1) < 0)
        return -1;
    const unsigned char *p = (const unsigned char *)(s ? s : ""), *end = p + strlen((const char *)p), *run = p;
    for (;;) {
        for (unsigned n = 8; n == 8 && end - p >= 8; p += n)
            n = plain_prefix8(p);
        while (p < end && *p >= 0x20 && *p != '"' && *p != '\\')
            p++;
        if (p > run && put(out, (const char *)run, (size_t)(p - run)) < 0)
            return -1;
        if (p >= end)
            break;
        unsigned char c = *p;
        char esc[6] = { '\\', 0 };
        size_t n = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        if (put(out, esc, n) < 0)
            return -1;
        run = ++p;
    }
    return put(out, "\"", 1);
}

bool mcp__json_add_raw_members(cJSON *object, const char *text)
{
    cJSON *item = text ? cJSON_CreateNull() : NULL;
    if (!item)
        return false;
    item->type = cJSON_Raw | cJSON_IsReference;
    item->valuestring = (char *)text;         /* cJSON_Delete leaves references alone */
    if (cJSON_AddItemToArray(object, item))     /* appends a child; no name */
        return true;
    cJSON_Delete(item);
    return false;
}

/* Appends the serialisation of item to out. 0, or -1 when item is invalid
 * or memory ran out (out then holds a partial text). */
static int write_value(strbuf *out, const cJSON *item)
{
    if (!item)
        return -1;
    switch (item->type & 0xFF) {
    case cJSON_NULL:
        return put(out, "null", 4);
    case cJSON_False:
        return put(out, "false", 5);
    case cJSON_True:
        return put(out, "true", 4);
    case cJSON_Number:
        return put_number(out, item->valuedouble);
    case cJSON_String:
        return put_string(out, item->valuestring);
    case cJSON_Raw:
        return item->valuestring ? put(out, item->valuestring, strlen(item->valuestring)) : -1;
    case cJSON_Array:
    case cJSON_Object: {
        bool object = (item->type & 0xFF) == cJSON_Object;
        if (put(out, object ? "{" : "[", 1) < 0)
            return -1;
        for (const cJSON *c = item->child; c; c = c->next) {
            if (c != item->child && put(out, ",", 1) < 0)
                return -1;
            if (object && !c->string && (c->type & 0xFF) == cJSON_Raw && c->valuestring) {
                if (put(out, c->valuestring, strlen(c->valuestring)) < 0)   /* mcp__json_add_raw_members */
                    return -1;
                continue;
            }
            if (object && (!c->string || put_string(out, c->string) < 0 || put(out, ":", 1) < 0))
                return -1;
            if (write_value(out, c) < 0)
                return -1;
        }
        return put(out, object ? "}" : "]", 1);
    }
    default:
        return -1;
    }
}

char *mcp__json_print(const cJSON *item, size_t *len)
{
    strbuf out = {0};
    mcp__strbuf_reserve(&out, 255);            /* most replies fit: one allocation */
    if (write_value(&out, item) < 0 || !out.data) {
        mcp__strbuf_free(&out);
        return NULL;
    }
    if (len)
        *len = out.len;
    return mcp__strbuf_take(&out);
}
