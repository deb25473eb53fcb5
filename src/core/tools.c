/* tools/list and tools/call. Arguments are checked against the compiled
 * inputSchema before the handler runs; a mismatch is a tool execution
 * error (isError) naming the field, so a model can correct itself
 * (SEP-1303). structuredContent is checked against outputSchema. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_write.h"
#include "core/jsonrpc.h"
#include "core/methods.h"
#include "core/tasks.h"
#include "core/util.h"

static const cJSON *tool_def(const void *entry)
{
    return ((const tool_entry *)entry)->def;
}

void method_tools_list(mcp_call *call)
{
    reply_list(call, &call->srv->tools, "tools", tool_def);
}

static cJSON *tool_error_result(const char *text)
{
    cJSON *result = cJSON_CreateObject();
    cJSON *content = result ? cJSON_AddArrayToObject(result, "content") : NULL;
    if (!content) {
        cJSON_Delete(result);
        return NULL;
    }
    cJSON_AddItemToArray(content, mcp_content_text(text));
    cJSON_AddTrueToObject(result, "isError");
    return result;
}

static int invoke_tool(mcp_call *call)
{
    const tool_entry *t = call->entry;
    return t->fn(call, call->args, t->userdata);
}

/* Drop content a client's version predates (resource_link, audio). */
static void gate_content(cJSON *content, mcp_version v)
{
    cJSON *b = content ? content->child : NULL;
    while (b) {
        cJSON *next = b->next;
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "type"));
        if (type && ((strcmp(type, "resource_link") == 0 && !mcp_v_resource_link(v)) ||
                     (strcmp(type, "audio") == 0 && !mcp_v_audio(v))))
            cJSON_Delete(cJSON_DetachItemViaPointer(content, b));
        b = next;
    }
}

static cJSON *build_tool_result(mcp_call *call, char *err, size_t errlen)
{
    const tool_entry *t = call->entry;
    mcp_version v = call->ex->version;
    if (t->output && !call->is_error) {
        if (!call->structured) {
            snprintf(err, errlen, "Output validation error: tool %s has an output schema but returned no structured content", t->name);
            return NULL;
        }
        char why[512];
        if (mcp_schema_validate(t->output, call->structured, why, sizeof why) < 0) {
            snprintf(err, errlen, "Output validation error: %s", why);
            return NULL;
        }
    }
    cJSON *result = cJSON_CreateObject();
    if (!result)
        return NULL;
    if (!call->content)
        call->content = cJSON_CreateArray();
    if (call->structured && cJSON_GetArraySize(call->content) == 0) {
        /* Clients without structured output read the same data as text. */
        char *text = json_print(call->structured, NULL);
        cJSON_AddItemToArray(call->content, mcp_content_text(text));
        free(text);
    }
    gate_content(call->content, v);
    cJSON_AddItemToObjectCS(result, "content", call->content);
    call->content = NULL;
    /* 2025-06-18 and 2025-11-25 define structuredContent as an object;
     * 2026-07-28 allows any JSON value. */
    if (call->structured && mcp_v_structured(v) && (cJSON_IsObject(call->structured) || mcp_version_is_modern(v))) {
        cJSON_AddItemToObject(result, "structuredContent", call->structured);
        call->structured = NULL;
    }
    if (call->is_error)
        cJSON_AddTrueToObject(result, "isError");
    return result;
}

static void finish_tool(mcp_call *call, int rc)
{
    char err[1024];
    if (rc == -MCP_EUNSUPPORTED) {
        call_reply_result(call, tool_error_result(
            "This tool needs input from the client (elicitation, sampling or roots), which cannot be "
            "requested here: the client did not declare that capability, or the transport is "
            "stateless HTTP without a back-channel."));
        return;
    }
    if (rc == -MCP_ETIMEDOUT || rc == -MCP_ECANCELED) {
        snprintf(err, sizeof err, "The client did not answer the tool's request for input: %s", mcp_strerror(rc));
        call_reply_result(call, tool_error_result(err));
        return;
    }
    if (rc < 0) {
        snprintf(err, sizeof err, "Internal error in tool %s: %s", ((const tool_entry *)call->entry)->name, mcp_strerror(rc));
        call_reply_error(call, JSONRPC_INTERNAL_ERROR, err);
        return;
    }
    err[0] = '\0';
    cJSON *result = build_tool_result(call, err, sizeof err);
    if (!result && err[0])
        result = tool_error_result(err);
    call_reply_result(call, result);
}

void method_tools_call(mcp_call *call)
{
    const char *name = param_string(call, "name");
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(call->params, "arguments");
    char msg[1024];
    if (!name) {
        call_reply_error(call, JSONRPC_INVALID_PARAMS, "Invalid params: tools/call needs a tool name");
        return;
    }
    if (args && !cJSON_IsObject(args)) {
        call_reply_error(call, JSONRPC_INVALID_PARAMS, "Invalid params: arguments must be an object");
        return;
    }
    pthread_rwlock_rdlock(&call->srv->lock);
    const tool_entry *t = registry_find_tool(call->srv, name);
    pthread_rwlock_unlock(&call->srv->lock);
    if (!t) {
        snprintf(msg, sizeof msg, "Unknown tool: %.200s", name);
        call_reply_error(call, JSONRPC_INVALID_PARAMS, msg);
        return;
    }
    call->kind = CALL_TOOL;
    call->entry = t;
    call->args = call_take_arguments(call);
    char why[512];
    if (t->input && mcp_schema_validate(t->input, call->args, why, sizeof why) < 0) {
        snprintf(msg, sizeof msg, "Invalid arguments for tool %s: %s", t->name, why);
        call_reply_result(call, tool_error_result(msg));
        return;
    }
    call->target = name;
    if (call_load_input(call) < 0) {
        call_reply_error(call, JSONRPC_INVALID_PARAMS, "Invalid params: requestState is invalid, expired or belongs to another request");
        return;
    }
    if (mcp__tasks_intercept(call, t))    /* tasks.c: answered with a task (or -32021) */
        return;
    run_handler(call, t->blocking, invoke_tool, finish_tool);
}

void mcp__tools_run(mcp_call *call)
{
    run_handler(call, true, invoke_tool, finish_tool);
}
