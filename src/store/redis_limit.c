/* Shared rate-limit budget in Redis: one hash per principal,
 *   mcp:rl:{<principal>}  hash  t = last refill (Redis TIME, ms), n = tokens
 * refilled and taken by one Lua script, so every instance on this Redis
 * draws from the same bucket and no race can overspend it. The script runs
 * by EVALSHA; EVAL (which also caches it) when Redis answers NOSCRIPT. The
 * key expires once the bucket would be full again: idle principals cost
 * nothing. Redis's own clock is used, so instances need not agree on time.
 * This file builds the command and reads the answer; redis.c sends it. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <nettle/sha1.h>

#include <mcp/error.h>

#include "store/redis_limit.h"

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

void mcp__redis_limit_cmd_init(mcp__redis_limit_cmd *c, const char *principal, double rate, unsigned burst)
{
    pthread_once(&sha_once, compute_sha);
    snprintf(c->key, sizeof c->key, "mcp:rl:{%s}", principal);
    snprintf(c->rate, sizeof c->rate, "%.9g", rate);
    snprintf(c->burst, sizeof c->burst, "%u", burst);
    const char *argv[6] = { "EVALSHA", script_sha, "1", c->key, c->rate, c->burst };
    c->argc = 6;
    for (int i = 0; i < 6; i++) {
        c->argv[i] = argv[i];
        c->len[i] = strlen(argv[i]);
    }
}

bool mcp__redis_limit_noscript(mcp__redis_limit_cmd *c, const redisReply *r)
{
    if (r->type != REDIS_REPLY_ERROR || !r->str || strncasecmp(r->str, "NOSCRIPT", 8) != 0)
        return false;
    c->argv[0] = "EVAL";
    c->len[0] = 4;
    c->argv[1] = script;
    c->len[1] = sizeof script - 1;
    return true;
}

int mcp__redis_limit_result(const redisReply *r, uint64_t *retry_ms)
{
    if (r->type != REDIS_REPLY_INTEGER || r->integer < 0)
        return -MCP_EIO;
    *retry_ms = (uint64_t)r->integer;
    return 0;
}
