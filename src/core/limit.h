/* Per-principal rate limits: one token bucket per principal (the OAuth
 * subject, else the client address; stdio has one), refilled at `rate`
 * tokens per second up to `burst`. With a store the bucket lives there and
 * every instance shares it (one atomic script); while the store is down the
 * local buckets answer (fail-open) and that decision is counted. The
 * protocol layer consults the limiter before a handler runs; a transport
 * maps the refusal (MCP_ERR_RATE_LIMITED) to 429 + Retry-After, or sends
 * it in-band on stdio. */
#ifndef MCP_CORE_LIMIT_H
#define MCP_CORE_LIMIT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <mcp/store.h>

/* Application error code (outside JSON-RPC's reserved -32768..-32000, as
 * production.md §3 asks until a RateLimited code is specified); the error's
 * data carries retryAfterMs. */
#define MCP_ERR_RATE_LIMITED (-31429)

/* Longest principal kept; longer ones are cut (they stay distinct enough:
 * subjects and addresses are far shorter). */
#define MCP_LIMIT_PRINCIPAL_MAX 256

typedef struct mcp__limiter mcp__limiter;

typedef struct mcp__limit_config {
    double rate;              /* tokens per second; <= 0: no limiter */
    unsigned burst;           /* bucket size; 0: max(1, ceil(rate)) */
    bool all_requests;        /* every request, not just tools/call */
    mcp_store *store;         /* shared budget; NULL: this process only (borrowed) */
} mcp__limit_config;

/* One bucket: what is left and when it was last refilled. */
typedef struct mcp__bucket {
    double tokens;
    uint64_t last_us;
} mcp__bucket;

/* Refill b to mcp__now_us and take one token. Returns 0 when the token was
 * taken, else the milliseconds (>= 1) until one will be there. A fresh
 * bucket (last_us == 0) starts full. */
uint64_t mcp__bucket_take(mcp__bucket *b, double rate, double burst, uint64_t mcp__now_us);

/* NULL when cfg->rate <= 0 (limits off) or out of memory. */
mcp__limiter *mcp__limiter_new(const mcp__limit_config *cfg);
void mcp__limiter_free(mcp__limiter *lim);

/* Whether requests of this method are limited. */
bool mcp__limiter_applies(const mcp__limiter *lim, const char *method);

/* Take a token for principal (NULL or "" counts as one anonymous
 * principal). 0: go ahead; else refused, retry after that many ms (>= 1).
 * Refusals are counted under method. Thread-safe; never blocks on a lock
 * held across I/O. */
uint64_t mcp__limiter_take(mcp__limiter *lim, const char *principal, const char *method);

/* A refusal's error message and its data ({"retryAfterMs": n}, new object). */
void mcp__limit_message(char *buf, size_t len, uint64_t retry_ms);
cJSON *mcp__limit_data(uint64_t retry_ms);

/* The Retry-After value for a response: whole seconds (>= 1) when resp is
 * a rate-limit refusal, else 0. */
unsigned mcp__limit_retry_after_s(const cJSON *resp);

/* Counters for /metrics: refusals by method (names[i], counts[i]), and how
 * often the store could not be reached and the local bucket decided. */
typedef struct mcp__limit_stats {
    const char *const *names;
    unsigned long counts[24];
    unsigned n;
    unsigned long store_fallbacks;
} mcp__limit_stats;

void mcp__limiter_stats(const mcp__limiter *lim, mcp__limit_stats *out);

#endif
