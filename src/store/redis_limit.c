/* Shared rate-limit budget in Redis: one hash per principal,
 *   mcp:rl:{<principal>}  hash  t = last refill (Redis TIME, ms), n = tokens
 * refilled and taken by one Lua script, so every instance on this Redis
 * draws from the same bucket and no race can overspend it. The script runs
 * by EVALSHA; EVAL (which also caches it) when Redis answers NOSCRIPT. The
 * key expires once the bucket would be full again: idle principals cost
 * nothing. Redis's own clock is used, so instances need not agree on time. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <nettle/sha1.h>

#include <mcp/error.h>

#include "store/redis_internal.h"

/* KEYS[1] bucket; ARGV[1] tokens per second; ARGV[2] burst. Returns 0 when
 * a token was taken, else the ms until one is there. */
static const char script[] =
    "local rate = tonumber(ARGV[1])\n"
    "local burst = tonumber(ARGV[2])\n"
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    "local v = redis.call('HMGET', KEYS[1], 't', 'n')\n"
    "local last = tonumber(v[1]) or now\n"
    "local n = tonumber(v[2]) or burst\n"
    "if now > last then\n"
    "  n = math.min(burst, n + (now - last) * rate / 1000)\n"
    "  last = now\n"
    "end\n"
    "local wait = 0\n"
    "if n >= 1 then n = n - 1 else wait = math.max(1, math.ceil((1 - n) * 1000 / rate)) end\n"
    "redis.call('HSET', KEYS[1], 't', last, 'n', string.format('%.6f', n))\n"
    "redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)\n"
    "return wait\n";

static char script_sha[2 * SHA1_DIGEST_SIZE + 1];
static pthread_once_t sha_once = PTHREAD_ONCE_INIT;

static void compute_sha(void)
{
    struct sha1_ctx ctx;
    uint8_t d[SHA1_DIGEST_SIZE];
    sha1_init(&ctx);
    sha1_update(&ctx, sizeof script - 1, (const uint8_t *)script);
    sha1_digest(&ctx, sizeof d, d);
    for (size_t i = 0; i < sizeof d; i++)
        snprintf(script_sha + 2 * i, 3, "%02x", d[i]);
}

static bool is_noscript(const redisReply *r)
{
    return r->type == REDIS_REPLY_ERROR && r->str && strncasecmp(r->str, "NOSCRIPT", 8) == 0;
}

int mcp__redis_limit_take(mcp_store *st, const char *principal, double rate, unsigned burst, uint64_t *retry_ms)
{
    pthread_once(&sha_once, compute_sha);
    char key[300], rate_s[40], burst_s[16];
    snprintf(key, sizeof key, "mcp:rl:{%s}", principal);
    snprintf(rate_s, sizeof rate_s, "%.9g", rate);
    snprintf(burst_s, sizeof burst_s, "%u", burst);
    const char *argv[6] = { "EVALSHA", script_sha, "1", key, rate_s, burst_s };
    size_t len[6];
    for (int i = 0; i < 6; i++)
        len[i] = strlen(argv[i]);
    redisReply *r = NULL;
    if (mcp__redis_command(st, 6, argv, len, &r) < 0)
        return -MCP_EIO;
    if (is_noscript(r)) {
        freeReplyObject(r);
        argv[0] = "EVAL";
        argv[1] = script;
        len[0] = 4;
        len[1] = sizeof script - 1;
        if (mcp__redis_command(st, 6, argv, len, &r) < 0)
            return -MCP_EIO;
    }
    int rc = -MCP_EIO;
    if (r->type == REDIS_REPLY_INTEGER && r->integer >= 0) {
        *retry_ms = (uint64_t)r->integer;
        rc = 0;
    }
    freeReplyObject(r);
    return rc;
}
