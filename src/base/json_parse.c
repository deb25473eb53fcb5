/* One-pass JSON parser into cJSON trees, for the messages every request
 * carries. The checks utf8.c makes before cJSON parses (UTF-8, nesting,
 * control characters, NUL) happen here while the tree is built, so valid
 * input is read once instead of three times, string values live in the
 * block of their node (one allocation instead of two; flagged
 * cJSON_IsReference so cJSON_Delete frees only the node, and
 * cJSON_Duplicate copies them), and the member names MCP messages use point
 * at static text (known_key). Nodes come from cJSON_malloc, so any tree
 * is freed with cJSON_Delete as usual. It accepts exactly what the checked
 * cJSON path accepts and builds the same tree; on anything it does not
 * accept it returns NULL and the caller takes that path to word the error
 * (test_json_parse and fuzz_jsonrpc compare the two). */
#include "base/json_parse.h"
#include "base/utf8.h"

#include <limits.h>
#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
    const unsigned char *p, *end;
    unsigned depth, max_depth;
} parser;

static cJSON *parse_value(parser *ps);

static void skip_space(parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
        ps->p++;
}

static cJSON *node_new(size_t extra)
{
    cJSON *n = cJSON_malloc(sizeof *n + extra);
    if (n)
        memset(n, 0, sizeof *n);
    return n;
}

/* Bytes of the string at p (after its opening quote) up to the closing
 * quote: *len, and whether it holds escapes. False on a control character,
 * invalid UTF-8 or no closing quote. Eight plain ASCII bytes at a time. */
static bool scan_string(const unsigned char *p, const unsigned char *end, size_t *len, bool *escaped)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), high = UINT64_C(0x8080808080808080);
    const unsigned char *s = p;
    *escaped = false;
    for (;;) {
        /* Skip to the first byte that ends, escapes or is not plain ASCII
         * ('"', '\\', below 0x20, 0x80 and above). On little-endian the
         * lowest flagged byte of a word is always a true one (borrows only
         * run upwards), so the jump lands on it; elsewhere the byte checks
         * below walk there. */
        while (end - s >= 8) {
            uint64_t w;
            memcpy(&w, s, sizeof w);
            uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
            uint64_t flags = (((q - ones) & ~q) | ((b - ones) & ~b) | (w - ones * 0x20) | w) & high;
            if (flags) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                s += (unsigned)__builtin_ctzll(flags) / 8;
#endif
                break;
            }
            s += 8;
        }
        if (s >= end)
            return false;
        unsigned char c = *s;
        if (c == '"') {
            *len = (size_t)(s - p);
            return true;
        }
        if (c < 0x20)
            return false;
        if (c == '\\') {
            *escaped = true;
            if (end - s < 2)
                return false;
            s += 2;                       /* the escape's letter; \uXXXX digits are checked when decoded */
            continue;
        }
        if (c < 0x80) {
            s++;
            continue;
        }
        size_t n = mcp__utf8_sequence_len(s, (size_t)(end - s));
        if (!n)
            return false;
        s += n;
    }
}

static int hex4(const unsigned char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Decode the len bytes at p (escapes included) into out (len + 1 bytes
 * suffice: every escape is longer than what it stands for). False on a bad
 * escape, a lone surrogate or \u0000 (which would cut the string short). */
static bool decode_string(const unsigned char *p, size_t len, char *out)
{
    const unsigned char *end = p + len;
    char *o = out;
    while (p < end) {
        if (*p != '\\') {
            *o++ = (char)*p++;
            continue;
        }
        p++;
        switch (*p++) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            int u = end - p >= 4 ? hex4(p) : -1;
            if (u <= 0 || (u >= 0xDC00 && u <= 0xDFFF))
                return false;
            p += 4;
            uint32_t cp = (uint32_t)u;
            if (u >= 0xD800 && u <= 0xDBFF) {
                int lo = end - p >= 6 && p[0] == '\\' && p[1] == 'u' ? hex4(p + 2) : -1;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return false;
                p += 6;
                cp = 0x10000 + (((uint32_t)u - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
            }
            if (cp < 0x80) {
                *o++ = (char)cp;
            } else if (cp < 0x800) {
                *o++ = (char)(0xC0 | (cp >> 6));
                *o++ = (char)(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                *o++ = (char)(0xE0 | (cp >> 12));
                *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
                *o++ = (char)(0x80 | (cp & 0x3F));
            } else {
                *o++ = (char)(0xF0 | (cp >> 18));
                *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
                *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
                *o++ = (char)(0x80 | (cp & 0x3F));
            }
            break;
        }
        default:
            return false;
        }
    }
    *o = '\0';
    return true;
}

/* Member names every MCP message uses, by length. A parsed key equal to
 * one points at this static text, flagged cJSON_StringIsConst as
 * cJSON_AddItemToObjectCS does: no allocation and no free per key, and
 * cJSON_Duplicate, which shares constant keys, shares text that never goes. */
static const char *known_key(const unsigned char *p, size_t len)
{
    static const char *const k2[] = { "id", NULL }, *const k3[] = { "uri", NULL },
        *const k4[] = { "name", "text", "type", "data", "code", "task", NULL },
        *const k5[] = { "_meta", "level", "error", "roots", "title", NULL },
        *const k6[] = { "method", "params", "result", "cursor", "taskId", NULL },
        *const k7[] = { "jsonrpc", "version", "message", "content", "isError", NULL },
        *const k8[] = { "sampling", "mimeType", NULL }, *const k9[] = { "arguments", NULL },
        *const k10[] = { "clientInfo", "tracestate", NULL }, *const k11[] = { "traceparent", "elicitation", NULL },
        *const k12[] = { "capabilities", "requestState", NULL }, *const k13[] = { "progressToken", NULL },
        *const k14[] = { "inputResponses", NULL }, *const k15[] = { "protocolVersion", NULL },
        *const k17[] = { "structuredContent", NULL }, *const k32[] = { "io.modelcontextprotocol/logLevel", NULL },
        *const k34[] = { "io.modelcontextprotocol/clientInfo", NULL },
        *const k39[] = { "io.modelcontextprotocol/protocolVersion", NULL },
        *const k42[] = { "io.modelcontextprotocol/clientCapabilities", NULL };
    const char *const *c;
    switch (len) {
    case 2: c = k2; break;
    case 3: c = k3; break;
    case 4: c = k4; break;
    case 5: c = k5; break;
    case 6: c = k6; break;
    case 7: c = k7; break;
    case 8: c = k8; break;
    case 9: c = k9; break;
    case 10: c = k10; break;
    case 11: c = k11; break;
    case 12: c = k12; break;
    case 13: c = k13; break;
    case 14: c = k14; break;
    case 15: c = k15; break;
    case 17: c = k17; break;
    case 32: c = k32; break;
    case 34: c = k34; break;
    case 39: c = k39; break;
    case 42: c = k42; break;
    default: return NULL;
    }
    for (; *c; c++)
        if ((*c)[0] == (char)p[0] && memcmp(*c, p, len) == 0)
            return *c;
    return NULL;
}

/* The string at ps->p (its opening quote) decoded into a fresh buffer of
 * extra + its length + 1 bytes, the text at offset extra, and ps moved past
 * it: the block, or NULL. len and escaped come from scan_string. */
static char *copy_string(parser *ps, size_t len, bool escaped, size_t extra)
{
    const unsigned char *start = ps->p + 1;
    char *block = cJSON_malloc(extra + len + 1);
    if (!block)
        return NULL;
    char *text = block + extra;
    if (!escaped) {
        memcpy(text, start, len);
        text[len] = '\0';
    } else if (!decode_string(start, len, text)) {
        cJSON_free(block);
        return NULL;
    }
    ps->p = start + len + 1;
    return block;
}

/* The member name at ps->p (its opening quote): *key, and *constant when it
 * is known_key's text rather than a cJSON_malloc'd copy. False on error. */
static bool read_key(parser *ps, char **key, bool *constant)
{
    size_t len;
    bool escaped;
    if (!scan_string(ps->p + 1, ps->end, &len, &escaped))
        return false;
    const char *known = escaped ? NULL : known_key(ps->p + 1, len);
    *constant = known != NULL;
    if (known) {
        *key = (char *)known;
        ps->p += len + 2;
        return true;
    }
    return (*key = copy_string(ps, len, escaped, 0)) != NULL;
}

static cJSON *parse_string_value(parser *ps)
{
    size_t len;
    bool escaped;
    char *block = scan_string(ps->p + 1, ps->end, &len, &escaped) ? copy_string(ps, len, escaped, sizeof(cJSON)) : NULL;
    if (!block)
        return NULL;
    cJSON *n = (cJSON *)(void *)block;
    memset(n, 0, sizeof *n);
    n->type = cJSON_String | cJSON_IsReference;    /* the text is in the node's block */
    n->valuestring = block + sizeof(cJSON);
    return n;
}

/* RFC 8259 numbers only; the value as cJSON computes it (strtod with the
 * locale's decimal point, valueint saturated). */
static cJSON *parse_number(parser *ps)
{
    const unsigned char *q = ps->p, *end = ps->end;
    bool integer = true;
    if (q < end && *q == '-')
        q++;
    if (q >= end)
        return NULL;
    if (*q == '0')
        q++;
    else if (*q >= '1' && *q <= '9')
        while (q < end && *q >= '0' && *q <= '9')
            q++;
    else
        return NULL;
    if (q < end && *q == '.') {
        const unsigned char *digits = ++q;
        while (q < end && *q >= '0' && *q <= '9')
            q++;
        if (q == digits)
            return NULL;
        integer = false;
    }
    if (q < end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < end && (*q == '+' || *q == '-'))
            q++;
        const unsigned char *digits = q;
        while (q < end && *q >= '0' && *q <= '9')
            q++;
        if (q == digits)
            return NULL;
        integer = false;
    }
    size_t len = (size_t)(q - ps->p);
    double d;
    if (integer && len <= 16) {                    /* up to 15 digits: exact in a double */
        const unsigned char *s = ps->p;
        bool negative = *s == '-';
        int64_t v = 0;
        for (s += negative; s < q; s++)
            v = v * 10 + (*s - '0');
        d = negative ? -(double)v : (double)v;
        if (negative && v == 0)
            d = -0.0;
    } else {
        char local[64], *copy = len < sizeof local ? local : malloc(len + 1);
        if (!copy)
            return NULL;
        memcpy(copy, ps->p, len);
        copy[len] = '\0';
        char *dot = memchr(copy, '.', len);
        if (dot)
            *dot = localeconv()->decimal_point[0];
        d = strtod(copy, NULL);
        if (copy != local)
            free(copy);
    }
    cJSON *n = node_new(0);
    if (!n)
        return NULL;
    n->type = cJSON_Number;
    n->valuedouble = d;
    n->valueint = d >= INT_MAX ? INT_MAX : d <= (double)INT_MIN ? INT_MIN : (int)d;
    ps->p = q;
    return n;
}

static cJSON *parse_literal(parser *ps, const char *word, size_t len, int type)
{
    if ((size_t)(ps->end - ps->p) < len || memcmp(ps->p, word, len) != 0)
        return NULL;
    cJSON *n = node_new(0);
    if (!n)
        return NULL;
    n->type = type;
    if (type == cJSON_True)
        n->valueint = 1;
    ps->p += len;
    return n;
}

/* Objects and arrays: children in order, the first child's prev pointing
 * at the last (the list shape cJSON's own parser and adders keep). */
static cJSON *parse_container(parser *ps, bool object)
{
    if (++ps->depth > ps->max_depth)
        return NULL;
    cJSON *n = node_new(0);
    if (!n)
        return NULL;
    n->type = object ? cJSON_Object : cJSON_Array;
    const unsigned char close = object ? '}' : ']';
    cJSON *last = NULL;
    ps->p++;
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        ps->depth--;
        return n;
    }
    for (;;) {
        char *key = NULL;
        bool constant = false;
        if (object) {
            skip_space(ps);
            if (ps->p >= ps->end || *ps->p != '"' || !read_key(ps, &key, &constant))
                goto fail;
            skip_space(ps);
            if (ps->p >= ps->end || *ps->p != ':')
                goto fail_key;
            ps->p++;
        }
        skip_space(ps);
        cJSON *child = parse_value(ps);
        if (!child)
            goto fail_key;
        child->string = key;
        if (constant)
            child->type |= cJSON_StringIsConst;
        if (last) {
            last->next = child;
            child->prev = last;
        } else {
            n->child = child;
        }
        last = child;
        n->child->prev = last;
        skip_space(ps);
        if (ps->p >= ps->end)
            goto fail;
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p != close)
            goto fail;
        ps->p++;
        ps->depth--;
        return n;
    fail_key:
        if (!constant)
            cJSON_free(key);
        goto fail;
    }
fail:
    cJSON_Delete(n);
    return NULL;
}

static cJSON *parse_value(parser *ps)
{
    if (ps->p >= ps->end)
        return NULL;
    switch (*ps->p) {
    case '{': return parse_container(ps, true);
    case '[': return parse_container(ps, false);
    case '"': return parse_string_value(ps);
    case 't': return parse_literal(ps, "true", 4, cJSON_True);
    case 'f': return parse_literal(ps, "false", 5, cJSON_False);
    case 'n': return parse_literal(ps, "null", 4, cJSON_NULL);
    default: return parse_number(ps);
    }
}

cJSON *mcp__json_parse(const char *buf, size_t len, unsigned max_depth)
{
    parser ps = { (const unsigned char *)buf, (const unsigned char *)buf + len, 0, max_depth };
    skip_space(&ps);
    cJSON *v = parse_value(&ps);
    if (!v)
        return NULL;
    skip_space(&ps);
    if (ps.p != ps.end) {
        cJSON_Delete(v);
        return NULL;
    }
    return v;
}
