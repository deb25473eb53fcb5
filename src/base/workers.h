/* A fixed pool of threads for handlers that may block (upstream HTTP,
 * waiting for a client's answer), so transport event loops never block. */
#ifndef MCP_BASE_WORKERS_H
#define MCP_BASE_WORKERS_H

typedef struct worker_pool worker_pool;

worker_pool *mcp__worker_pool_new(unsigned threads);
/* Queue fn(arg); 0 or -MCP_ENOMEM. Never blocks on a full pool. */
int mcp__worker_pool_submit(worker_pool *pool, void (*fn)(void *), void *arg);
/* Run queued jobs to completion, then join and free. */
void mcp__worker_pool_free(worker_pool *pool);

#endif
