/* Semantic-convention histograms (see otel.h). A series is created the
 * first time its label set occurs (one calloc and a CAS into an empty
 * slot); after that recording a call is a hash, a short probe and three
 * relaxed atomic increments: no lock and no allocation on tools/call. */
#include "core/otel.h"
#include "core/server_internal.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* production.md §7 buckets, in seconds. */
static const double buckets_s[] = { 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300 };
#define NBUCKETS (sizeof buckets_s / sizeof buckets_s[0])

static const char *const methods[] = {
    "initialize", "ping", "tools/list", "tools/call", "resources/list", "resources/templates/list",
    "resources/read", "resources/subscribe", "resources/unsubscribe", "prompts/list", "prompts/get",
    "completion/complete", "logging/setLevel", "server/discover", "subscriptions/listen", "_OTHER",
};
#define NMETHODS (sizeof methods / sizeof methods[0])

#define NAME_MAX_LEN 128            /* longer names are registered names too, cut in the label */
#define SLOTS 1024                  /* label sets kept; beyond: the overflow series */
#define MAX_PROBE 64                /* a lookup never scans more (hot path bound) */

typedef struct histogram {
    atomic_ulong counts[NBUCKETS + 1];
    atomic_ulong sum_us;
} histogram;

typedef struct series {
    uint64_t hash;
    unsigned char method;
    unsigned char version;
    unsigned char target_kind;
    int error_type;
    char target[NAME_MAX_LEN + 1];
    histogram h;
} series;

struct mcp__otel {
    _Atomic(series *) slots[SLOTS];
    series overflow;                /* every label set once the table is full */
    histogram sessions[MCP_V_COUNT];
};

mcp__otel *mcp__otel_new(void)
{
    mcp__otel *o = calloc(1, sizeof *o);
    if (o) {
        o->overflow.method = NMETHODS - 1;
        o->overflow.version = MCP_V_COUNT;   /* no version label */
    }
    return o;
}

void mcp__otel_free(mcp__otel *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < SLOTS; i++)
        free(atomic_load_explicit(&o->slots[i], memory_order_relaxed));
    free(o);
}

mcp__otel *mcp__server_otel(mcp_server *srv)
{
    return srv ? srv->otel : NULL;
}

int mcp__otel_error_type(int code, bool has_error, bool tool_error)
{
    if (has_error) {
        switch (code) {
        case -32700: case -32600: case -32601: case -32602: case -32002:
            return MCP_OTEL_NO_ERROR;   /* the caller's fault, not the server's */
        default:
            return code ? code : -32603;
        }
    }
    return tool_error ? MCP_OTEL_TOOL_ERROR : MCP_OTEL_NO_ERROR;
}

static size_t method_index(const char *m)
{
    for (size_t i = 0; m && i < NMETHODS - 1; i++)
        if (strcmp(methods[i], m) == 0)
            return i;
    return NMETHODS - 1;
}

static void observe(histogram *h, uint64_t us)
{
    size_t b = 0;
    double s = (double)us / 1e6;
    while (b < NBUCKETS && s > buckets_s[b])
        b++;
    atomic_fetch_add_explicit(&h->counts[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->sum_us, us, memory_order_relaxed);
}

static bool same(const series *s, uint64_t h, const series *key)
{
    return s->hash == h && s->method == key->method && s->version == key->version &&
           s->target_kind == key->target_kind && s->error_type == key->error_type &&
           strcmp(s->target, key->target) == 0;
}

static series *find_or_add(mcp__otel *o, const series *key)
{
    uint64_t h = 1469598103934665603ull;
    const unsigned char fixed[] = { key->method, key->version, key->target_kind };
    for (size_t i = 0; i < sizeof fixed; i++)
        h = (h ^ fixed[i]) * 1099511628211ull;
    h = (h ^ (uint32_t)key->error_type) * 1099511628211ull;
    for (const char *p = key->target; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    size_t i = (size_t)(h % SLOTS);
    series *mine = NULL;
    for (size_t probe = 0; probe < MAX_PROBE; probe++, i = (i + 1) % SLOTS) {
        series *s = atomic_load_explicit(&o->slots[i], memory_order_acquire);
        if (!s) {
            if (!mine) {
                if (!(mine = calloc(1, sizeof *mine)))
                    return &o->overflow;
                mine->hash = h;   /* the key only: the counts start at zero (calloc) */
                mine->method = key->method;
                mine->version = key->version;
                mine->target_kind = key->target_kind;
                mine->error_type = key->error_type;
                memcpy(mine->target, key->target, sizeof mine->target);
            }
            series *expected = NULL;
            if (atomic_compare_exchange_strong_explicit(&o->slots[i], &expected, mine, memory_order_acq_rel,
                                                        memory_order_acquire))
                return mine;
            s = expected;   /* another thread filled the slot first */
        }
        if (same(s, h, key)) {
            free(mine);
            return s;
        }
    }
    free(mine);
    return &o->overflow;
}

void mcp__otel_operation(mcp__otel *o, const char *method, mcp__revision version, mcp__otel_target target_kind,
                         const char *target, int error_type, uint64_t micros)
{
    if (!o)
        return;
    series key;
    key.method = (unsigned char)method_index(method);
    key.version = (unsigned char)(version < MCP_V_COUNT ? version : MCP_V_COUNT);
    key.target_kind = (unsigned char)target_kind;
    key.error_type = error_type;
    key.target[0] = '\0';
    if (target_kind != MCP_OTEL_TARGET_NONE) {
        const char *name = target ? target : "_OTHER";
        size_t n = strnlen(name, NAME_MAX_LEN);
        memcpy(key.target, name, n);
        key.target[n] = '\0';
    }
    observe(&find_or_add(o, &key)->h, micros);
}

void mcp__otel_session_ended(mcp__otel *o, mcp__revision version, uint64_t micros)
{
    if (o && version < MCP_V_COUNT)
        observe(&o->sessions[version], micros);
}

/* Label values are registered names: escape what Prometheus text needs. */
static void put_label(strbuf *out, const char *name, const char *value)
{
    mcp__strbuf_printf(out, ",%s=\"", name);
    for (const char *p = value; *p; p++) {
        if (*p == '"' || *p == '\\')
            mcp__strbuf_printf(out, "\\%c", *p);
        else if (*p == '\n')
            mcp__strbuf_puts(out, "\\n");
        else
            mcp__strbuf_append(out, p, 1);
    }
    mcp__strbuf_puts(out, "\"");
}

static void labels_of(const series *s, strbuf *lb)
{
    mcp__strbuf_printf(lb, "mcp_method_name=\"%s\"", methods[s->method]);
    if (s->target_kind != MCP_OTEL_TARGET_NONE)
        put_label(lb, s->target_kind == MCP_OTEL_TARGET_TOOL ? "gen_ai_tool_name" : "gen_ai_prompt_name", s->target);
    if (s->error_type == MCP_OTEL_TOOL_ERROR)
        mcp__strbuf_puts(lb, ",error_type=\"tool_error\"");
    else if (s->error_type != MCP_OTEL_NO_ERROR)
        mcp__strbuf_printf(lb, ",error_type=\"%d\"", s->error_type);
    if (s->version < MCP_V_COUNT)
        mcp__strbuf_printf(lb, ",mcp_protocol_version=\"%s\"", mcp__version_name((mcp__revision)s->version));
}

static void render_histogram(strbuf *out, const char *name, const char *labels, const histogram *h)
{
    unsigned long cumulative = 0;
    const char *sep = labels[0] ? "," : "";
    for (size_t b = 0; b < NBUCKETS; b++) {
        cumulative += atomic_load_explicit(&h->counts[b], memory_order_relaxed);
        mcp__strbuf_printf(out, "%s_bucket{%s%sle=\"%g\"} %lu\n", name, labels, sep, buckets_s[b], cumulative);
    }
    cumulative += atomic_load_explicit(&h->counts[NBUCKETS], memory_order_relaxed);
    mcp__strbuf_printf(out, "%s_bucket{%s%sle=\"+Inf\"} %lu\n", name, labels, sep, cumulative);
    double sum = (double)atomic_load_explicit(&h->sum_us, memory_order_relaxed) / 1e6;
    if (labels[0]) {
        mcp__strbuf_printf(out, "%s_sum{%s} %.6f\n", name, labels, sum);
        mcp__strbuf_printf(out, "%s_count{%s} %lu\n", name, labels, cumulative);
    } else {
        mcp__strbuf_printf(out, "%s_sum %.6f\n%s_count %lu\n", name, sum, name, cumulative);
    }
}

static unsigned long total(const histogram *h)
{
    unsigned long n = 0;
    for (size_t b = 0; b <= NBUCKETS; b++)
        n += atomic_load_explicit(&h->counts[b], memory_order_relaxed);
    return n;
}

void mcp__otel_render(const mcp__otel *o, strbuf *out)
{
    if (!o)
        return;
    const char *op = "mcp_server_operation_duration_seconds";
    mcp__strbuf_printf(out, "# HELP %s MCP operations from receipt until the result is sent (OTel mcp.server.operation.duration).\n"
                       "# TYPE %s histogram\n", op, op);
    strbuf lb = {0};
    for (size_t i = 0; i < SLOTS; i++) {
        const series *s = atomic_load_explicit(&o->slots[i], memory_order_acquire);
        if (!s)
            continue;
        lb.len = 0;
        labels_of(s, &lb);
        render_histogram(out, op, lb.data ? lb.data : "", &s->h);
    }
    if (total(&o->overflow.h)) {
        lb.len = 0;
        labels_of(&o->overflow, &lb);
        render_histogram(out, op, lb.data, &o->overflow.h);
    }
    const char *sd = "mcp_server_session_duration_seconds";
    mcp__strbuf_printf(out, "# HELP %s Legacy sessions from initialize until they end (OTel mcp.server.session.duration).\n"
                       "# TYPE %s histogram\n", sd, sd);
    for (int v = 0; v < MCP_V_COUNT; v++) {
        if (!total(&o->sessions[v]))
            continue;
        lb.len = 0;
        mcp__strbuf_printf(&lb, "mcp_protocol_version=\"%s\",network_protocol_name=\"http\"", mcp__version_name((mcp__revision)v));
        render_histogram(out, sd, lb.data, &o->sessions[v]);
    }
    mcp__strbuf_free(&lb);
}
