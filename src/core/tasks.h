/* Tasks (io.modelcontextprotocol/tasks, SEP-2663), the protocol side
 * (tasks.c): the hooks tools/call, server/discover and subscriptions/listen
 * call, and the tasks/get, tasks/update, tasks/cancel methods. The
 * lifecycle and the store swap are task_house.h's; the background runs
 * task_run.h's. */
#ifndef MCP_CORE_TASKS_H
#define MCP_CORE_TASKS_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "core/server_internal.h"

#define MCP_EXT_TASKS "io.modelcontextprotocol/tasks"

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

#endif
