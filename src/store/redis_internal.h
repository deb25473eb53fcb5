/* What redis.c shares with the other files of the Redis backend
 * (redis_tasks.c): pipelined commands over its connection pool. */
#ifndef MCP_STORE_REDIS_INTERNAL_H
#define MCP_STORE_REDIS_INTERNAL_H

#include <stddef.h>

#include <hiredis/hiredis.h>

#include "store/store.h"

typedef struct mcp__redis_cmd {
    int argc;
    const char *argv[16];
    size_t len[16];
} mcp__redis_cmd;

/* Run n pipelined commands; replies[i] receive the results (caller frees
 * them with freeReplyObject). -MCP_EIO when Redis cannot be reached or
 * answers an error (then no reply is left to free). */
int mcp__redis_run(mcp_store *st, mcp__redis_cmd *cmds, int n, redisReply **replies);

/* redis_tasks.c: the task-record store on st's Redis (borrows st). */
struct task_store *mcp__redis_tasks_open(mcp_store *st);

#endif
