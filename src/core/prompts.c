/* prompts/list, prompts/get and completion/complete. Required prompt
 * arguments are checked before the handler runs (-32602 naming the
 * argument), so handlers can rely on them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonrpc.h"
#include "core/entry.h"
#include "core/methods.h"

static const cJSON *prompt_def(const void *entry)
{
    return ((const prompt_entry *)entry)->def;
}

void mcp__method_prompts_list(mcp_call *call)
{
    mcp__reply_list(call, &call->srv->prompts, "prompts", prompt_def);
}

static int invoke_prompt(mcp_call *call)
{
    const prompt_entry *p = call->entry;
    return p->fn(call, call->args, p->userdata);
}

static void finish_prompt(mcp_call *call, int rc)
{
    char msg[512];
    if (mcp__run_input_outcome(call, rc, msg, sizeof msg)) {
        mcp__call_reply_error(call, JSONRPC_INTERNAL_ERROR, msg);   /* the same words as for tools */
        return;
    }
    if (rc < 0) {
        snprintf(msg, sizeof msg, "Prompt failed: %s", mcp_strerror(rc));
        mcp__call_reply_error(call, rc == -MCP_EINVAL ? JSONRPC_INVALID_PARAMS : JSONRPC_INTERNAL_ERROR, msg);
        return;
    }
    cJSON *result = cJSON_CreateObject();
    if (result) {
        if (call->description)
            cJSON_AddStringToObject(result, "description", call->description);
        cJSON_AddItemToObject(result, "messages", call->content ? call->content : cJSON_CreateArray());
        call->content = NULL;
    }
    mcp__call_reply_result(call, result);
}

/* 0 when every required argument is present as a string; else writes why. */
static int check_prompt_args(const prompt_entry *p, const cJSON *args, char *why, size_t len)
{
    for (const cJSON *a = args ? args->child : NULL; a; a = a->next) {
        if (!cJSON_IsString(a)) {
            snprintf(why, len, "Invalid params: prompt argument %.100s must be a string", a->string);
            return -1;
        }
    }
    const cJSON *decl = cJSON_GetObjectItemCaseSensitive(p->def, "arguments");
    for (const cJSON *d = decl ? decl->child : NULL; d; d = d->next) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "name"));
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "required")) &&
            !cJSON_GetObjectItemCaseSensitive(args, name)) {
            snprintf(why, len, "Invalid params: missing required argument %.100s for prompt %.100s", name, p->name);
            return -1;
        }
    }
    return 0;
}

void mcp__method_prompts_get(mcp_call *call)
{
    const char *name = mcp__param_string(call, "name");
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(call->params, "arguments");
    char why[300];
    if (!name || (args && !cJSON_IsObject(args))) {
        mcp__call_reply_error(call, JSONRPC_INVALID_PARAMS, "Invalid params: prompts/get needs a name and an arguments object");
        return;
    }
    pthread_rwlock_rdlock(&call->srv->lock);
    const prompt_entry *p = mcp__registry_find_prompt(call->srv, name);
    mcp__entry_hold(CALL_PROMPT, p);      /* dropped in mcp__call_free */
    pthread_rwlock_unlock(&call->srv->lock);
    call->kind = CALL_PROMPT;
    call->entry = p;
    if (!p) {
        snprintf(why, sizeof why, "Unknown prompt: %.200s", name);
        mcp__call_reply_error(call, JSONRPC_INVALID_PARAMS, why);
        return;
    }
    if (check_prompt_args(p, args, why, sizeof why) < 0) {
        mcp__call_reply_error(call, JSONRPC_INVALID_PARAMS, why);
        return;
    }
    call->args = mcp__call_take_arguments(call);
    call->target = name;
    if (mcp__call_load_input(call) < 0) {
        mcp__call_reply_error(call, JSONRPC_INVALID_PARAMS, "Invalid params: requestState is invalid, expired or belongs to another request");
        return;
    }
    mcp__run_handler(call, p->blocking, invoke_prompt, finish_prompt);
}

void mcp__method_completion_complete(mcp_call *call)
{
    mcp_server *srv = call->srv;
    const cJSON *ref = cJSON_GetObjectItemCaseSensitive(call->params, "ref");
    const cJSON *arg = cJSON_GetObjectItemCaseSensitive(call->params, "argument");
    const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ref, "type"));
    const char *target = NULL;
    if (type && strcmp(type, "ref/prompt") == 0)
        target = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ref, "name"));
    else if (type && strcmp(type, "ref/resource") == 0)
        target = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ref, "uri"));
    const char *arg_name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(arg, "name"));
    const char *arg_value = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(arg, "value"));
    if (!srv->complete_fn) {
        mcp__call_reply_error(call, JSONRPC_METHOD_NOT_FOUND, "Method not found: this server offers no completions");
        return;
    }
    if (!target || !arg_name || !arg_value) {
        mcp__call_reply_error(call, JSONRPC_INVALID_PARAMS,
                         "Invalid params: completion/complete needs ref {type, name|uri} and argument {name, value}");
        return;
    }
    const cJSON *context = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(call->params, "context"), "arguments");
    call->kind = CALL_COMPLETE;
    int rc = srv->complete_fn(call, type, target, arg_name, arg_value, context, srv->complete_ud);
    if (rc < 0 && rc != -MCP_ELIMIT) {
        mcp__call_reply_error(call, rc == -MCP_EINVAL || rc == -MCP_ENOTFOUND ? JSONRPC_INVALID_PARAMS : JSONRPC_INTERNAL_ERROR,
                         "Completion failed: invalid reference or argument");
        return;
    }
    cJSON *result = cJSON_CreateObject();
    cJSON *completion = result ? cJSON_AddObjectToObject(result, "completion") : NULL;
    if (completion) {
        int n = call->content ? cJSON_GetArraySize(call->content) : 0;
        cJSON_AddItemToObject(completion, "values", call->content ? call->content : cJSON_CreateArray());
        call->content = NULL;
        cJSON_AddNumberToObject(completion, "total", n);
        cJSON_AddBoolToObject(completion, "hasMore", rc == -MCP_ELIMIT);
    }
    mcp__call_reply_result(call, result);
}
