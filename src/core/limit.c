/* Token buckets per principal (see limit.h). Local buckets live in a fixed
 * number of stripes, each a small open table under its own mutex held only
 * for the arithmetic (no I/O, no callback): memory stays bounded whatever
 * principals clients invent, because a full stripe recycles its
 * least-recently-used bucket. With a store, the store's atomic script
 * decides and the local bucket is only the fallback while it is down. */
#include "core/limit.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "store/store.h"

#define STRIPES 16
#define SLOTS_PER_STRIPE 1024   /* 16k principals tracked locally at most */

typedef struct slot {
    uint64_t hash;              /* 0: empty */
    char key[MCP_LIMIT_PRINCIPAL_MAX];
    mcp__bucket b;
} slot;

typedef struct stripe {
    pthread_mutex_t lock;
    unsigned used;
    slot *slots;                /* SLOTS_PER_STRIPE, allocated on first use */
} stripe;

/* Methods whose refusals are counted by name; the rest count as "other". */
static const char *const counted[] = {
    "tools/call", "completion/complete", "initialize", "ping", "tools/list", "resources/list",
    "resources/templates/list", "resources/read", "resources/subscribe", "resources/unsubscribe",
    "prompts/list", "prompts/get", "logging/setLevel", "server/discover", "subscriptions/listen", "other",
};
#define NCOUNTED (sizeof counted / sizeof counted[0])

struct mcp__limiter {
    double rate;
    double burst;
    bool all_requests;
    mcp_store *store;
    atomic_ulong refused[NCOUNTED];
    atomic_ulong store_fallbacks;
    atomic_uint_fast64_t store_retry_ms;   /* after a store failure: local buckets until then */
    atomic_bool store_probing;             /* one request is trying the store after a failure */
    stripe stripes[STRIPES];
};

/* How long the local buckets decide alone after the store failed. The
 * limiter runs before every limited request on the thread that serves it,
 * so a stalled store would otherwise make each request wait out the store's
 * command timeout; this way only the requests already waiting do, and then
 * once a second one request tries the store while the others go on with
 * the local buckets (choose_store). */
#define STORE_RETRY_MS 1000u

typedef enum { USE_LOCAL, USE_STORE, PROBE_STORE } store_choice;

static store_choice choose_store(mcp__limiter *lim)
{
    if (!lim->store || !lim->store->ops->limit_take)
        return USE_LOCAL;
    uint64_t retry = atomic_load_explicit(&lim->store_retry_ms, memory_order_relaxed);
    if (retry == 0)
        return USE_STORE;                  /* healthy */
    if (mcp__now_ms() < retry)
        return USE_LOCAL;
    bool idle = false;
    return atomic_compare_exchange_strong(&lim->store_probing, &idle, true) ? PROBE_STORE : USE_LOCAL;
}

uint64_t mcp__bucket_take(mcp__bucket *b, double rate, double burst, uint64_t mcp__now_us)
{
    if (b->last_us == 0) {
        b->tokens = burst;
        b->last_us = mcp__now_us;
    } else if (mcp__now_us > b->last_us) {
        b->tokens += (double)(mcp__now_us - b->last_us) * rate / 1e6;
        if (b->tokens > burst)
            b->tokens = burst;
        b->last_us = mcp__now_us;
    }
    if (b->tokens >= 1.0) {
        b->tokens -= 1.0;
        return 0;
    }
    double wait_ms = ceil((1.0 - b->tokens) * 1000.0 / rate);
    return wait_ms < 1.0 ? 1 : (uint64_t)wait_ms;
}

mcp__limiter *mcp__limiter_new(const mcp__limit_config *cfg)
{
    if (!cfg || !(cfg->rate > 0) || !isfinite(cfg->rate))
        return NULL;
    mcp__limiter *lim = calloc(1, sizeof *lim);
    if (!lim)
        return NULL;
    lim->rate = cfg->rate;
    lim->burst = cfg->burst ? (double)cfg->burst : fmax(1.0, ceil(cfg->rate));
    lim->all_requests = cfg->all_requests;
    lim->store = cfg->store;
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_init(&lim->stripes[i].lock, NULL);
    return lim;
}

void mcp__limiter_free(mcp__limiter *lim)
{
    if (!lim)
        return;
    for (int i = 0; i < STRIPES; i++) {
        pthread_mutex_destroy(&lim->stripes[i].lock);
        free(lim->stripes[i].slots);
    }
    free(lim);
}

bool mcp__limiter_applies(const mcp__limiter *lim, const char *method)
{
    return lim && method && (lim->all_requests || strcmp(method, "tools/call") == 0);
}

/* FNV-1a, never 0 (0 marks an empty slot). */
static uint64_t hash_of(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h ? h : 1;
}

/* The principal's slot in st (lock held): found, a free one, or the least
 * recently refilled one recycled. NULL only without memory. */
static slot *find_slot(stripe *st, uint64_t h, const char *key, size_t len)
{
    if (!st->slots && !(st->slots = calloc(SLOTS_PER_STRIPE, sizeof *st->slots)))
        return NULL;
    size_t i = (size_t)(h >> 8) % SLOTS_PER_STRIPE;
    slot *oldest = NULL;
    for (size_t probe = 0; probe < SLOTS_PER_STRIPE; probe++, i = (i + 1) % SLOTS_PER_STRIPE) {
        slot *s = &st->slots[i];
        if (s->hash == 0)
            break;
        if (s->hash == h && memcmp(s->key, key, len + 1) == 0)
            return s;
        if (!oldest || s->b.last_us < oldest->b.last_us)
            oldest = s;
        if (probe >= 32 && st->used >= SLOTS_PER_STRIPE) {
            /* Full stripe: recycle the oldest of the run probed so far
             * (its principal simply starts over with a full bucket). */
            i = (size_t)(oldest - st->slots);
            break;
        }
    }
    slot *s = &st->slots[i];
    if (s->hash == 0)
        st->used++;
    s->hash = h;
    memcpy(s->key, key, len);
    s->key[len] = '\0';
    s->b = (mcp__bucket){0};
    return s;
}

static uint64_t local_take(mcp__limiter *lim, const char *key, size_t len)
{
    uint64_t h = hash_of(key, len);
    stripe *st = &lim->stripes[h % STRIPES];
    uint64_t now = mcp__now_ms() * 1000u;
    pthread_mutex_lock(&st->lock);
    slot *s = find_slot(st, h, key, len);
    uint64_t wait = s ? mcp__bucket_take(&s->b, lim->rate, lim->burst, now ? now : 1) : 0;
    pthread_mutex_unlock(&st->lock);
    return wait;   /* without memory: fail open */
}

static size_t counted_index(const char *method)
{
    for (size_t i = 0; method && i < NCOUNTED - 1; i++)
        if (strcmp(counted[i], method) == 0)
            return i;
    return NCOUNTED - 1;
}

uint64_t mcp__limiter_take(mcp__limiter *lim, const char *principal, const char *method)
{
    if (!lim)
        return 0;
    const char *key = principal && *principal ? principal : "-";
    size_t len = strnlen(key, MCP_LIMIT_PRINCIPAL_MAX - 1);
    char cut[MCP_LIMIT_PRINCIPAL_MAX];
    if (key[len]) {                  /* longer than we keep: cut a copy */
        memcpy(cut, key, len);
        cut[len] = '\0';
        key = cut;
    }
    uint64_t wait = 0;
    store_choice choice = choose_store(lim);
    bool decided = choice != USE_LOCAL &&
                   lim->store->ops->limit_take(lim->store, key, lim->rate, (unsigned)lim->burst, &wait) == 0;
    if (choice != USE_LOCAL && !decided)   /* failed: local buckets for a while */
        atomic_store_explicit(&lim->store_retry_ms, mcp__now_ms() + STORE_RETRY_MS, memory_order_relaxed);
    else if (decided && choice == PROBE_STORE)
        atomic_store_explicit(&lim->store_retry_ms, 0, memory_order_relaxed);   /* healthy again */
    if (choice == PROBE_STORE)
        atomic_store(&lim->store_probing, false);
    if (!decided) {
        if (lim->store)
            atomic_fetch_add_explicit(&lim->store_fallbacks, 1, memory_order_relaxed);
        wait = local_take(lim, key, len);
    }
    if (wait)
        atomic_fetch_add_explicit(&lim->refused[counted_index(method)], 1, memory_order_relaxed);
    return wait;
}

void mcp__limit_message(char *buf, size_t len, uint64_t retry_ms)
{
    snprintf(buf, len, "Rate limit exceeded: too many requests from this client; retry in %llu ms",
             (unsigned long long)retry_ms);
}

cJSON *mcp__limit_data(uint64_t retry_ms)
{
    cJSON *data = cJSON_CreateObject();
    if (data)
        cJSON_AddNumberToObject(data, "retryAfterMs", (double)retry_ms);
    return data;
}

unsigned mcp__limit_retry_after_s(const cJSON *resp)
{
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(resp, "error");
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(err, "code");
    if (!cJSON_IsNumber(code) || code->valueint != MCP_ERR_RATE_LIMITED)
        return 0;
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(err, "data"), "retryAfterMs");
    double v = cJSON_IsNumber(ms) ? ms->valuedouble : 1000.0;
    double s = ceil(v / 1000.0);
    return s < 1 ? 1u : s > 86400 ? 86400u : (unsigned)s;
}

void mcp__limiter_stats(const mcp__limiter *lim, mcp__limit_stats *out)
{
    memset(out, 0, sizeof *out);
    out->names = counted;
    out->n = NCOUNTED;
    if (!lim)
        return;
    for (size_t i = 0; i < NCOUNTED; i++)
        out->counts[i] = atomic_load_explicit(&lim->refused[i], memory_order_relaxed);
    out->store_fallbacks = atomic_load_explicit(&lim->store_fallbacks, memory_order_relaxed);
}
