/* Tasks (io.modelcontextprotocol/tasks, SEP-2663) inside the server layer:
 * the hooks other core files and the HTTP transport call. tasks.c owns the
 * methods, task_run.c the background runs of task handlers, task_house.c
 * the housekeeping thread, the lifecycle and the task store in use. */
#ifndef MCP_CORE_TASKS_H
#define MCP_CORE_TASKS_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include <mcp/store.h>

#include "core/server_internal.h"

#define MCP_EXT_TASKS "io.modelcontextprotocol/tasks"

typedef struct mcp__tasks mcp__tasks;

mcp__tasks *mcp__tasks_new(mcp_server *srv);
/* Stop the housekeeping thread and cancel local runs (before the worker
 * pool drains); then free after it drained. */
void mcp__tasks_stop(mcp__tasks *tk);
void mcp__tasks_free(mcp__tasks *tk);

/* Keep task records in st's backend (when it has one) instead of this
 * process, until detach; st must outlive the attachment. */
void mcp__tasks_attach_store(mcp_server *srv, mcp_store *st);
void mcp__tasks_detach_store(mcp_server *srv);

/* tools/call of tool t after argument checks: true when tasks answered
 * the call (a CreateTaskResult, or -32021 for a task-only tool). */
bool mcp__tasks_intercept(mcp_call *call, const tool_entry *t);

/* capabilities.extensions for server/discover, only when a tool can run as a task. */
void mcp__tasks_advertise(mcp_server *srv, cJSON *caps);

/* subscriptions/listen with notifications.taskIds: true after replying
 * -32021 to a client without the extension; otherwise adds the honoured
 * ids to honored: none, since no notifications/tasks are sent (clients poll). */
bool mcp__tasks_listen_check(mcp_call *call, const cJSON *filter, cJSON *honored);

void mcp__method_tasks_get(mcp_call *call);
void mcp__method_tasks_update(mcp_call *call);
void mcp__method_tasks_cancel(mcp_call *call);

/* tools.c: run a prepared tools/call (entry, args, input set) on the worker pool. */
void mcp__tools_run(mcp_call *call);

#endif
