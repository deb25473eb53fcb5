/* What src/store/redis.c lends the other Redis files (redis_limit.c): one
 * command on a pooled connection, and the ops they implement. Kept minimal
 * so redis.c's pool and key layout stay its own. */
#ifndef MCP_STORE_REDIS_INTERNAL_H
#define MCP_STORE_REDIS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include <mcp/store.h>

/* Run one command (argv with lengths) on a pooled connection. 0 with *out
 * set (the caller frees it; it may be an error reply such as NOSCRIPT, the
 * connection stays usable), or -MCP_EIO when Redis cannot be reached. */
int mcp__redis_command(mcp_store *st, int argc, const char **argv, const size_t *len, redisReply **out);

/* redis_limit.c: store_ops.limit_take. */
int mcp__redis_limit_take(mcp_store *st, const char *principal, double rate, unsigned burst, uint64_t *retry_ms);

#endif
