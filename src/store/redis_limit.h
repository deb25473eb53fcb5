/* The shared rate-limit budget in Redis (redis_limit.c): the one command a
 * take sends (the token-bucket script by EVALSHA, by EVAL after NOSCRIPT)
 * and how its answer reads. redis.c sends it on a pooled connection as
 * store_ops.limit_take; this file never talks to Redis itself, so the pool
 * and key layout stay redis.c's. */
#ifndef MCP_STORE_REDIS_LIMIT_H
#define MCP_STORE_REDIS_LIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

/* One take's command: argv/len point into the struct (do not copy it). */
typedef struct mcp__redis_limit_cmd {
    int argc;
    const char *argv[6];
    size_t len[6];
    char key[300], rate[40], burst[16];
} mcp__redis_limit_cmd;

/* EVALSHA of the script on principal's bucket (rate tokens/s, burst). */
void mcp__redis_limit_cmd_init(mcp__redis_limit_cmd *c, const char *principal, double rate, unsigned burst);

/* True when r says Redis lacks the script (NOSCRIPT): c now sends EVAL
 * with the script text (which also caches it); send it once more. */
bool mcp__redis_limit_noscript(mcp__redis_limit_cmd *c, const redisReply *r);

/* The script's answer: 0 with *retry_ms (0: taken; else the ms until a
 * token is there), or -MCP_EIO for anything else (an error reply). */
int mcp__redis_limit_result(const redisReply *r, uint64_t *retry_ms);

#endif
