/* Methods only the modern protocol has: server/discover (what this server
 * speaks and offers, cacheable) and subscriptions/listen (a long-lived
 * response stream for list_changed and resource updates: acknowledged
 * first, filtered exactly as asked; notify.c delivers to it). */
#include <stdlib.h>
#include <string.h>

#include "core/era.h"
#include "core/jsonrpc.h"
#include "core/methods.h"
#include "core/notify.h"
#include "core/tasks.h"

void mcp__method_server_discover(mcp_call *call)
{
    cJSON *result = cJSON_CreateObject();
    if (result) {
        cJSON_AddItemToObject(result, "supportedVersions", mcp__modern_supported_versions());
        cJSON *caps = mcp__server_capabilities(call->srv);
        mcp__tasks_advertise(call->srv, caps);   /* tasks.c: extensions, where delivered */
        cJSON_AddItemToObject(result, "capabilities", caps);
        if (call->srv->instructions)
            cJSON_AddStringToObject(result, "instructions", call->srv->instructions);
    }
    mcp__call_reply_result(call, result);
}

static bool want(const cJSON *filter, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(filter, key));
}

void mcp__method_subscriptions_listen(mcp_call *call)
{
    mcp_server *srv = call->srv;
    const cJSON *filter = cJSON_GetObjectItemCaseSensitive(call->params, "notifications");
    cJSON *caps = mcp__server_capabilities(srv);
    listener *l = calloc(1, sizeof *l);
    cJSON *honored = cJSON_CreateObject();
    if (!l || !honored || !caps) {
        free(l);
        cJSON_Delete(honored);
        cJSON_Delete(caps);
        mcp__call_reply_error(call, JSONRPC_INTERNAL_ERROR, "Internal error: out of memory");
        return;
    }
    l->call = call;
    /* Honour only what was asked and what this server can ever send. */
    l->tools = want(filter, "toolsListChanged") && cJSON_HasObjectItem(caps, "tools");
    l->prompts = want(filter, "promptsListChanged") && cJSON_HasObjectItem(caps, "prompts");
    l->resources = want(filter, "resourcesListChanged") && cJSON_HasObjectItem(caps, "resources");
    const cJSON *uris = cJSON_GetObjectItemCaseSensitive(filter, "resourceSubscriptions");
    if (cJSON_IsArray(uris) && cJSON_GetArraySize(uris) > 0 && cJSON_HasObjectItem(caps, "resources"))
        l->uris = cJSON_Duplicate(uris, 1);
    cJSON_Delete(caps);
    if (mcp__tasks_listen_check(call, filter, honored)) {   /* tasks.c: taskIds */
        cJSON_Delete(honored);
        cJSON_Delete(l->uris);
        free(l);
        return;
    }
    if (l->tools) cJSON_AddTrueToObject(honored, "toolsListChanged");
    if (l->prompts) cJSON_AddTrueToObject(honored, "promptsListChanged");
    if (l->resources) cJSON_AddTrueToObject(honored, "resourcesListChanged");
    if (l->uris) cJSON_AddItemToObject(honored, "resourceSubscriptions", cJSON_Duplicate(l->uris, 1));

    if (!mcp__listener_add(srv, l, honored)) {
        cJSON_Delete(honored);
        cJSON_Delete(l->uris);
        free(l);
        mcp__call_reply_error(call, JSONRPC_INTERNAL_ERROR, "Subscription limit reached");
    }
}
