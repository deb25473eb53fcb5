/* The shared rate-limit budget in Redis (redis_limit.c): one atomic token
 * bucket script per take, on the store's connection pool. */
#ifndef MCP_STORE_REDIS_LIMIT_H
#define MCP_STORE_REDIS_LIMIT_H

#include <stdint.h>

#include "store/redis_internal.h"

/* Take one token from principal's bucket (rate tokens/s, burst): 0 with
 * *retry_ms = 0 when taken, else the ms until a token is there; -MCP_EIO
 * when Redis cannot be reached or answers an error. */
int mcp__redis_limit_take(mcp__redis_store *rs, const char *principal, double rate, unsigned burst,
                          uint64_t *retry_ms);

#endif
