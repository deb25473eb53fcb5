/* Task records in Redis (redis_tasks.c), opened by redis.c as the store's
 * tasks_open; its commands run on the store's pool (redis_pool.c). */
#ifndef MCP_STORE_REDIS_TASKS_H
#define MCP_STORE_REDIS_TASKS_H

#include "store/store.h"
#include "store/task_store.h"

/* The task-record store on st's Redis (st is a mcp__redis_store; borrowed). */
task_store *mcp__redis_tasks_open(mcp_store *st);

#endif
