/* Task records in Redis (redis_tasks.c), opened by redis.c as the store's
 * tasks_open. redis.c hands the opener its pipelined-command runner, so
 * this file calls nothing in redis.c (no call cycle; with a separate pool
 * file, as on the redis branch, redis_tasks.c would call it directly). */
#ifndef MCP_STORE_REDIS_TASKS_H
#define MCP_STORE_REDIS_TASKS_H

#include <stddef.h>

#include <hiredis/hiredis.h>

#include "store/store.h"
#include "store/task_store.h"

typedef struct mcp__redis_cmd {
    int argc;
    const char *argv[16];
    size_t len[16];
} mcp__redis_cmd;

/* Run n pipelined commands on st's pool; replies[i] receive the results
 * (caller frees them with freeReplyObject). -MCP_EIO when Redis cannot be
 * reached or answers an error (then no reply is left to free). */
typedef int (*mcp__redis_run_fn)(mcp_store *st, mcp__redis_cmd *cmds, int n, redisReply **replies);

/* The task-record store on st's Redis (borrows st), running its commands
 * through run. */
task_store *mcp__redis_tasks_open(mcp_store *st, mcp__redis_run_fn run);

#endif
