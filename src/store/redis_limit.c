/* Shared rate-limit budget in Redis: one hash per principal,
 *   mcp:rl:{<principal>}  hash  t = last refill (Redis TIME, ms), n = tokens
 * refilled and taken by one Lua script, so every instance on this Redis
 * draws from the same bucket and no race can overspend it. The script runs
 * by EVALSHA; EVAL (which also caches it) when Redis answers NOSCRIPT. The
 * key expires once the bucket would be full again: idle principals cost
 * nothing. Redis's own clock is used, so instances need not agree on time.
 * The script goes through the pool's EVALSHA/EVAL helper (redis_pool.c). */
#include <stdio.h>

#include <mcp/error.h>

#include "store/redis_limit.h"

/* KEYS[1] bucket; ARGV[1] tokens per second; ARGV[2] burst. Returns 0 when
 * a token was taken, else the ms until one is there. */
static mcp__redis_script take_script = MCP__REDIS_SCRIPT(
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
    "return wait\n");

int mcp__redis_limit_take(mcp__redis_store *rs, const char *principal, double rate, unsigned burst,
                          uint64_t *retry_ms)
{
    char key[300], rate_s[40], burst_s[16];
    snprintf(key, sizeof key, "mcp:rl:{%s}", principal);
    snprintf(rate_s, sizeof rate_s, "%.9g", rate);
    snprintf(burst_s, sizeof burst_s, "%u", burst);
    const char *keys[1] = { key }, *args[2] = { rate_s, burst_s };
    redisReply *r = NULL;
    int rc = mcp__redis_eval(rs, &take_script, 1, keys, 2, args, &r);
    if (rc < 0)
        return rc;
    rc = r->type == REDIS_REPLY_INTEGER && r->integer >= 0 ? 0 : -MCP_EIO;
    if (rc == 0)
        *retry_ms = (uint64_t)r->integer;
    freeReplyObject(r);
    return rc;
}
