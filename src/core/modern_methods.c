/* Methods only the modern protocol has: server/discover (what this server
 * speaks and offers, cacheable) and subscriptions/listen (a long-lived
 * response stream for list_changed and resource updates: acknowledged
 * first, filtered exactly as asked, every notification tagged with the
 * listen request's id). */
#include <stdlib.h>
#include <string.h>

#include "core/dispatch.h"
#include "core/jsonrpc.h"
#include "core/methods.h"
#include "core/modern.h"
#include "core/tasks.h"

void method_server_discover(mcp_call *call)
{
    cJSON *result = cJSON_CreateObject();
    if (result) {
        cJSON_AddItemToObject(result, "supportedVersions", modern_supported_versions());
        cJSON *caps = mcp_server_capabilities(call->srv);
        mcp__tasks_advertise(call->srv, caps);   /* tasks.c: extensions, where delivered */
        cJSON_AddItemToObject(result, "capabilities", caps);
        if (call->srv->instructions)
            cJSON_AddStringToObject(result, "instructions", call->srv->instructions);
    }
    call_reply_result(call, result);
}

typedef struct listener {
    mcp_call *call;
    bool tools, prompts, resources;
    cJSON *uris;               /* owned array of resource URIs, or NULL */
    struct listener *next;
} listener;

static void listener_end(listener *l)
{
    cJSON *result = cJSON_CreateObject();
    cJSON *meta = result ? cJSON_AddObjectToObject(result, "_meta") : NULL;
    if (meta)
        cJSON_AddItemToObject(meta, MCP_META_SUBSCRIPTION_ID, cJSON_Duplicate(l->call->id, 0));
    cJSON_Delete(l->uris);
    call_reply_result(l->call, result);
    free(l);
}

static bool want(const cJSON *filter, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(filter, key));
}

/* Tag a notification (taken) with the listen request's id. */
static cJSON *tagged(cJSON *n, const cJSON *id)
{
    cJSON *params = n ? cJSON_GetObjectItemCaseSensitive(n, "params") : NULL;
    if (n && !params)
        params = cJSON_AddObjectToObject(n, "params");
    cJSON *meta = params ? cJSON_GetObjectItemCaseSensitive(params, "_meta") : NULL;
    if (params && !meta)
        meta = cJSON_AddObjectToObject(params, "_meta");
    if (meta)
        cJSON_AddItemToObject(meta, MCP_META_SUBSCRIPTION_ID, cJSON_Duplicate(id, 0));
    return n;
}

void method_subscriptions_listen(mcp_call *call)
{
    mcp_server *srv = call->srv;
    const cJSON *filter = cJSON_GetObjectItemCaseSensitive(call->params, "notifications");
    cJSON *caps = mcp_server_capabilities(srv);
    listener *l = calloc(1, sizeof *l);
    cJSON *honored = cJSON_CreateObject();
    if (!l || !honored || !caps) {
        free(l);
        cJSON_Delete(honored);
        cJSON_Delete(caps);
        call_reply_error(call, JSONRPC_INTERNAL_ERROR, "Internal error: out of memory");
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

    pthread_mutex_lock(&srv->listeners_lock);
    bool full = srv->nlisteners >= srv->max_listeners;
    if (!full) {
        /* The acknowledgement goes out before the listener can receive anything. */
        cJSON *params = cJSON_CreateObject();
        cJSON_AddItemToObject(params, "notifications", honored);
        cJSON *ack = tagged(jsonrpc_notification_take("notifications/subscriptions/acknowledged", params), call->id);
        call->ex->ops->send(call->ex, ack);
        l->next = srv->listeners;
        srv->listeners = l;
        srv->nlisteners++;
    }
    pthread_mutex_unlock(&srv->listeners_lock);
    if (full) {
        cJSON_Delete(honored);
        cJSON_Delete(l->uris);
        free(l);
        call_reply_error(call, JSONRPC_INTERNAL_ERROR, "Subscription limit reached");
    }
}

static bool listener_matches(const listener *l, const char *method, const char *uri)
{
    if (strcmp(method, "notifications/tools/list_changed") == 0)
        return l->tools;
    if (strcmp(method, "notifications/prompts/list_changed") == 0)
        return l->prompts;
    if (strcmp(method, "notifications/resources/list_changed") == 0)
        return l->resources;
    if (strcmp(method, "notifications/resources/updated") == 0 && uri && l->uris) {
        for (const cJSON *u = l->uris->child; u; u = u->next)
            if (cJSON_IsString(u) && strcmp(u->valuestring, uri) == 0)
                return true;
    }
    return false;
}

/* Remove listeners whose client went away (or all of them) and end them
 * outside the lock. */
static void listeners_reap(mcp_server *srv, bool all)
{
    listener *done = NULL;
    pthread_mutex_lock(&srv->listeners_lock);
    for (listener **pp = &srv->listeners; *pp;) {
        listener *l = *pp;
        if (all || atomic_load(&l->call->ex->cancelled)) {
            *pp = l->next;
            l->next = done;
            done = l;
            srv->nlisteners--;
        } else {
            pp = &l->next;
        }
    }
    pthread_mutex_unlock(&srv->listeners_lock);
    while (done) {
        listener *next = done->next;
        listener_end(done);
        done = next;
    }
}

void listeners_deliver(mcp_server *srv, const cJSON *notification, const char *resource_uri)
{
    const char *method = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(notification, "method"));
    if (!method)
        return;
    pthread_mutex_lock(&srv->listeners_lock);
    for (listener *l = srv->listeners; l; l = l->next)
        if (!atomic_load(&l->call->ex->cancelled) && listener_matches(l, method, resource_uri))
            l->call->ex->ops->send(l->call->ex, tagged(cJSON_Duplicate(notification, 1), l->call->id));
    pthread_mutex_unlock(&srv->listeners_lock);
    listeners_reap(srv, false);
}

void listeners_close_all(mcp_server *srv)
{
    listeners_reap(srv, true);
}

void mcp_server_housekeeping(mcp_server *srv)
{
    listeners_reap(srv, false);
}
