/* tools/list and tools/call. Arguments are checked against the compiled
 * inputSchema before the handler runs; a mismatch is a tool execution
 * error (isError) naming the field, so a model can correct itself
 * (SEP-1303). A task-capable tool may be answered with a task instead
 * (tasks.c); the handler run and its result are tool_run.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonrpc.h"
#include "core/entry.h"
#include "core/methods.h"
#include "core/tasks.h"
#include "core/tool_run.h"
#include "base/util.h"

static const cJSON *tool_def(const void *entry)
{
    return ((const tool_entry *)entry)->def;
}

void mcp__method_tools_list(mcp_call *call)
{
    mcp__reply_list(call, &call->srv->tools, "tools", tool_def);
}

void mcp__method_tools_call(mcp_call *call)
{
    const char *name = mcp__param_string(call, "name");
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(call->params, "arguments");
    char msg[1024];
    if (!name) {
        mcp__call_reply_error(call, JSONRPC_INVALID_PARAMS, "Invalid params: tools/call needs a tool name");
        return;
    }
    if (args && !cJSON_IsObject(args)) {
        mcp__call_reply_error(call, JSONRPC_INVALID_PARAMS, "Invalid params: arguments must be an object");
        return;
    }
    pthread_rwlock_rdlock(&call->srv->lock);
    const tool_entry *t = mcp__registry_find_tool(call->srv, name);
    mcp__entry_hold(CALL_TOOL, t);        /* dropped in mcp__call_free */
    pthread_rwlock_unlock(&call->srv->lock);
    if (!t) {
        snprintf(msg, sizeof msg, "Unknown tool: %.200s", name);
        mcp__call_reply_error(call, JSONRPC_INVALID_PARAMS, msg);
        return;
    }
    call->kind = CALL_TOOL;
    call->entry = t;
    call->args = mcp__call_take_arguments(call);
    char why[512];
    if (t->input && mcp__schema_validate(t->input, call->args, why, sizeof why) < 0) {
        snprintf(msg, sizeof msg, "Invalid arguments for tool %s: %s", t->name, why);
        mcp__call_reply_result(call, mcp__tool_error_result(msg));
        return;
    }
    call->target = name;
    if (mcp__call_load_input(call) < 0) {
        mcp__call_reply_error(call, JSONRPC_INVALID_PARAMS, "Invalid params: requestState is invalid, expired or belongs to another request");
        return;
    }
    if (mcp__tasks_intercept(call, t))    /* tasks.c: answered with a task (or -32021) */
        return;
    mcp__tool_run(call, t->blocking);
}
