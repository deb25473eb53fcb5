/* Server-originated notifications (list_changed, resources/updated): who
 * gets them and how. Modern subscriptions/listen streams are kept here
 * (filtered per listener, tagged with the listen request's id, reaped when
 * their client leaves); legacy sessions are reached through the broadcast
 * hook a transport registers. */
#include "core/notify.h"

#include <stdlib.h>
#include <string.h>

#include "core/call.h"
#include "core/era.h"
#include "core/jsonrpc.h"

static void listener_end(listener *l)
{
    cJSON *result = cJSON_CreateObject();
    cJSON *meta = result ? cJSON_AddObjectToObject(result, "_meta") : NULL;
    if (meta)
        cJSON_AddItemToObject(meta, MCP_META_SUBSCRIPTION_ID, cJSON_Duplicate(l->call->id, 0));
    cJSON_Delete(l->uris);
    mcp__call_reply_result(l->call, result);
    free(l);
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

bool mcp__listener_add(mcp_server *srv, listener *l, cJSON *honored_take)
{
    pthread_mutex_lock(&srv->listeners_lock);
    bool full = srv->nlisteners >= srv->max_listeners;
    if (!full) {
        /* The acknowledgement goes out before the listener can receive anything. */
        cJSON *params = cJSON_CreateObject();
        cJSON_AddItemToObject(params, "notifications", honored_take);
        cJSON *ack = tagged(mcp__jsonrpc_notification_take("notifications/subscriptions/acknowledged", params), l->call->id);
        l->call->ex->ops->send(l->call->ex, ack);
        l->next = srv->listeners;
        srv->listeners = l;
        srv->nlisteners++;
    }
    pthread_mutex_unlock(&srv->listeners_lock);
    return !full;
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

void mcp__listeners_deliver(mcp_server *srv, const cJSON *notification, const char *resource_uri)
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

void mcp__listeners_close_all(mcp_server *srv)
{
    listeners_reap(srv, true);
}

void mcp__server_housekeeping(mcp_server *srv)
{
    listeners_reap(srv, false);
}
void mcp__server_set_broadcast(mcp_server *srv,
                              void (*fn)(void *ctx, cJSON *notification_take, const char *resource_uri),
                              void *ctx)
{
    srv->broadcast = fn;
    srv->broadcast_ctx = ctx;
}

void mcp__server_broadcast(mcp_server *srv, cJSON *notification, const char *resource_uri)
{
    if (!notification)
        return;
    mcp__listeners_deliver(srv, notification, resource_uri);
    if (srv->broadcast)
        srv->broadcast(srv->broadcast_ctx, notification, resource_uri);
    else
        cJSON_Delete(notification);
}

void mcp__server_close_listeners(mcp_server *srv)
{
    mcp__listeners_close_all(srv);
}
