/* The handler side of tools/call, shared by tools.c (a call answered now)
 * and the tasks rounds (task_run.c): run the tool's handler with input
 * rounds (run.c) and turn its outcome into a CallToolResult (output schema
 * check, content a client's version predates dropped) or an error reply. */
#include "core/tool_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_write.h"
#include "core/call.h"
#include "core/jsonrpc.h"
#include "core/run.h"

cJSON *mcp__tool_error_result(const char *text)
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
static void gate_content(cJSON *content, mcp__revision v)
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
    mcp__revision v = call->ex->version;
    if (t->output && !call->is_error) {
        if (!call->structured) {
            snprintf(err, errlen, "Output validation error: tool %s has an output schema but returned no structured content", t->name);
            return NULL;
        }
        char why[512];
        if (mcp__schema_validate(t->output, call->structured, why, sizeof why) < 0) {
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
        char *text = mcp__json_print(call->structured, NULL);
        cJSON_AddItemToArray(call->content, mcp_content_text(text));
        free(text);
    }
    gate_content(call->content, v);
    cJSON_AddItemToObjectCS(result, "content", call->content);
    call->content = NULL;
    /* 2025-06-18 and 2025-11-25 define structuredContent as an object;
     * 2026-07-28 allows any JSON value. */
    if (call->structured && mcp_v_structured(v) && (cJSON_IsObject(call->structured) || mcp__version_is_modern(v))) {
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
    if (mcp__run_input_outcome(call, rc, err, sizeof err)) {
        mcp__call_reply_result(call, mcp__tool_error_result(err));   /* a tool execution error */
        return;
    }
    if (rc < 0) {
        snprintf(err, sizeof err, "Internal error in tool %s: %s", ((const tool_entry *)call->entry)->name, mcp_strerror(rc));
        mcp__call_reply_error(call, JSONRPC_INTERNAL_ERROR, err);
        return;
    }
    err[0] = '\0';
    cJSON *result = build_tool_result(call, err, sizeof err);
    if (!result && err[0])
        result = mcp__tool_error_result(err);
    mcp__call_reply_result(call, result);
}

void mcp__tool_run(mcp_call *call, bool blocking)
{
    mcp__run_handler(call, blocking, invoke_tool, finish_tool);
}
