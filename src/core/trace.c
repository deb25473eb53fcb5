/* W3C Trace Context (see trace.h). Span and trace ids come from a
 * per-thread generator (xoshiro-style mixing of a CSPRNG seed), so a
 * request costs no system call: the ids need uniqueness, not secrecy. */
#include "core/trace.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"

static bool is_lower_hex(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
            return false;
    return true;
}

static bool all_zero(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != '0')
            return false;
    return true;
}

static unsigned hex_val(char c)
{
    return c <= '9' ? (unsigned)(c - '0') : (unsigned)(c - 'a' + 10);
}

bool mcp__traceparent_parse(const char *s, mcp__trace_parent *out)
{
    if (!s)
        return false;
    size_t len = strlen(s);
    if (len < MCP_TRACEPARENT_LEN || s[2] != '-' || s[35] != '-' || s[52] != '-')
        return false;
    if (!is_lower_hex(s, 2) || !is_lower_hex(s + 3, 32) || !is_lower_hex(s + 36, 16) || !is_lower_hex(s + 53, 2))
        return false;
    if (s[0] == 'f' && s[1] == 'f')
        return false;                       /* version ff is invalid */
    bool v00 = s[0] == '0' && s[1] == '0';
    if (v00 && len != MCP_TRACEPARENT_LEN)
        return false;                       /* version 00 has exactly four fields */
    if (!v00 && len > MCP_TRACEPARENT_LEN && s[MCP_TRACEPARENT_LEN] != '-')
        return false;                       /* future versions: more fields after a dash */
    if (all_zero(s + 3, 32) || all_zero(s + 36, 16))
        return false;
    memcpy(out->trace_id, s + 3, 32);
    out->trace_id[32] = '\0';
    memcpy(out->parent_id, s + 36, 16);
    out->parent_id[16] = '\0';
    out->flags = (unsigned char)(hex_val(s[53]) << 4 | hex_val(s[54]));
    return true;
}

/* key = simple-key / multi-tenant-key (W3C §3.3.1.3.1): lowercase letters,
 * digits and _ - * /, at most 256 characters, one '@' for tenant@system. */
static bool key_valid(const char *k, size_t n)
{
    if (n == 0 || n > 256 || !((k[0] >= 'a' && k[0] <= 'z') || (k[0] >= '0' && k[0] <= '9')))
        return false;
    int at = 0;
    for (size_t i = 0; i < n; i++) {
        char c = k[i];
        if (c == '@') {
            if (++at > 1 || i == 0 || i + 1 == n || n - i - 1 > 14)
                return false;
        } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '*' || c == '/')) {
            return false;
        }
    }
    return true;
}

/* value: printable ASCII except ',' and '=', at most 256, not ending in a space. */
static bool value_valid(const char *v, size_t n)
{
    if (n == 0 || n > 256 || v[n - 1] == ' ')
        return false;
    for (size_t i = 0; i < n; i++)
        if (v[i] < 0x20 || v[i] > 0x7e || v[i] == ',' || v[i] == '=')
            return false;
    return true;
}

bool mcp__tracestate_valid(const char *s)
{
    if (!s || strlen(s) > MCP_TRACESTATE_MAX)
        return false;
    unsigned members = 0;
    const char *p = s;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n) {                            /* empty members are allowed and skipped */
            const char *eq = memchr(p, '=', n);
            if (!eq || !key_valid(p, (size_t)(eq - p)) || !value_valid(eq + 1, n - (size_t)(eq - p) - 1))
                return false;
            if (++members > 32)
                return false;
        }
        if (!end)
            return true;
        p = end + 1;
    }
}

static _Thread_local uint64_t rng_state;

static uint64_t next_random(void)
{
    if (!rng_state) {
        if (mcp__random_bytes(&rng_state, sizeof rng_state) < 0 || !rng_state)
            rng_state = (uint64_t)mcp__now_ms() * 0x9e3779b97f4a7c15ull | 1;
    }
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* 16 hex digits of v, two at a time (this runs for every request). */
static void hex64(char *out, uint64_t v)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 14; i >= 0; i -= 2, v >>= 8) {
        unsigned b = (unsigned)(v & 0xff);
        out[i] = hex[b >> 4];
        out[i + 1] = hex[b & 15];
    }
}

static void random_id(char *out, size_t hex_digits)
{
    for (size_t i = 0; i < hex_digits; i += 16) {
        uint64_t v;
        while (!(v = next_random()))
            ;
        hex64(out + i, v);
    }
    out[hex_digits] = '\0';
}

void mcp__trace_begin(mcp__trace *t, const mcp__trace_parent *parent)
{
    if (parent) {
        memcpy(t->trace_id, parent->trace_id, sizeof t->trace_id);
        memcpy(t->parent_id, parent->parent_id, sizeof t->parent_id);
        t->flags = parent->flags;
    } else {
        random_id(t->trace_id, 32);
        t->parent_id[0] = '\0';
        t->flags = 0;
    }
    random_id(t->span_id, 16);
}

bool mcp__trace_child(const mcp__trace *t, char *buf, size_t len)
{
    if (!t->trace_id[0] || len < MCP_TRACEPARENT_LEN + 1)
        return false;
    snprintf(buf, len, "00-%s-%s-%02x", t->trace_id, t->span_id, t->flags);
    return true;
}
