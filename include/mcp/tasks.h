/* Tasks (extension io.modelcontextprotocol/tasks, SEP-2663): a tools/call
 * of a task-capable tool (mcp_tool.task) from a 2026-07-28 client that
 * declares the extension is answered at once with a task id; the handler
 * runs in the background and the client polls tasks/get, answers input
 * requests with tasks/update and may tasks/cancel. Task records live in
 * the server's task store: in this process by default, or in the HTTP
 * transport's external store (mcp_http_options.store), where every
 * instance serves every task and a task whose instance died ends failed. */
#ifndef MCP_TASKS_H
#define MCP_TASKS_H

#include <mcp/common.h>
#include <mcp/server.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mcp_task_options {
    unsigned ttl_ms;              /* record lifetime from creation, default 300000 (5 min) */
    unsigned poll_interval_ms;    /* pollIntervalMs suggested to clients, default 1000 */
    unsigned lease_ms;            /* an instance that has not renewed its lease for this
                                     long is dead; its tasks end failed, default 15000 */
    unsigned max_per_principal;   /* unfinished tasks per principal (one for all
                                     unauthenticated callers), default 10000 */
    size_t max_result_bytes;      /* largest stored result or error, default 1 MiB */
} mcp_task_options;

#define MCP_TASK_DEFAULTS { .ttl_ms = 300000, .poll_interval_ms = 1000, .lease_ms = 15000, \
                            .max_per_principal = 10000, .max_result_bytes = 1u << 20 }

/* Fill opts with the defaults above (the library's copy of
 * MCP_TASK_DEFAULTS). */
MCP_EXTERN void mcp_task_options_init(mcp_task_options *opts);

/* 0 in a field means its default. May be called while serving: new values
 * apply to tasks created and housekeeping done afterwards. -MCP_EINVAL
 * without srv or opts. */
MCP_EXTERN int mcp_server_set_task_options(mcp_server *srv, const mcp_task_options *opts);

#ifdef __cplusplus
}
#endif
#endif
