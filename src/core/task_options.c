/* Task options (include/mcp/tasks.h): their defaults, the _init that
 * fills them, and the copy taken under the tasks lock, since
 * mcp_server_set_task_options may run while tasks are served. */
#include "core/task_options.h"

#include <mcp/error.h>

#include "core/task_internal.h"

void mcp__task_options_fill(mcp_task_options *o)
{
    if (!o->ttl_ms) o->ttl_ms = 300000;
    if (!o->poll_interval_ms) o->poll_interval_ms = 1000;
    if (!o->lease_ms) o->lease_ms = 15000;
    if (!o->max_per_principal) o->max_per_principal = 10000;
    if (!o->max_result_bytes) o->max_result_bytes = 1u << 20;
}

void mcp_task_options_init(mcp_task_options *opts)
{
    if (!opts)
        return;
    *opts = (mcp_task_options){0};
    mcp__task_options_fill(opts);
}

mcp_task_options mcp__task_options(mcp__tasks *tk)
{
    pthread_mutex_lock(&tk->lock);
    mcp_task_options o = tk->opt;
    pthread_mutex_unlock(&tk->lock);
    return o;
}

int mcp_server_set_task_options(mcp_server *srv, const mcp_task_options *opts)
{
    if (!srv || !srv->tasks || !opts)
        return -MCP_EINVAL;
    mcp_task_options o = *opts;
    mcp__task_options_fill(&o);
    pthread_mutex_lock(&srv->tasks->lock);
    srv->tasks->opt = o;
    pthread_mutex_unlock(&srv->tasks->lock);
    return 0;
}
