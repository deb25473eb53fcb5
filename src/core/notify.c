/* Server-originated notifications (list_changed, resources/updated, and
 * notifications/tasks for the task ids a listener subscribed to): who
 * gets them and how. Modern subscriptions/listen streams are kept here
 * (filtered per listener, tagged with the listen request's id, reaped when
 * their client leaves); legacy sessions are reached through the transports
 * subscribed here (a list: stdio and every HTTP server on one mcp_server),
 * each called with no lock held. */
#include "core/notify.h"

#include <stdlib.h>
#include <string.h>

#include "base/picks.h"
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
    cJSON_Delete(l->task_ids);
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
    if (!full)
        srv->nlisteners++;          /* the place is taken before the ack goes out */
    pthread_mutex_unlock(&srv->listeners_lock);
    if (full)
        return false;
    /* The acknowledgement goes out (no lock held) before the listener is
     * linked, so it precedes anything the listener receives. */
    cJSON *params = cJSON_CreateObject();
    cJSON_AddItemToObject(params, "notifications", honored_take);
    cJSON *ack = tagged(mcp__jsonrpc_notification_take("notifications/subscriptions/acknowledged", params), l->call->id);
    l->call->ex->ops->send(l->call->ex, ack);
    pthread_mutex_lock(&srv->listeners_lock);
    l->next = srv->listeners;
    srv->listeners = l;
    pthread_mutex_unlock(&srv->listeners_lock);
    return true;
}

static bool has_string(const cJSON *array, const char *s)
{
    for (const cJSON *u = array && s ? array->child : NULL; u; u = u->next)
        if (cJSON_IsString(u) && strcmp(u->valuestring, s) == 0)
            return true;
    return false;
}

static bool listener_matches(const listener *l, const char *method, const char *uri)
{
    if (strcmp(method, "notifications/tasks") == 0)
        return has_string(l->task_ids, uri);
    if (strcmp(method, "notifications/tools/list_changed") == 0)
        return l->tools;
    if (strcmp(method, "notifications/prompts/list_changed") == 0)
        return l->prompts;
    if (strcmp(method, "notifications/resources/list_changed") == 0)
        return l->resources;
    if (strcmp(method, "notifications/resources/updated") == 0)
        return has_string(l->uris, uri);
    return false;
}

/* Remove listeners whose client went away (or all of them, or all of one
 * transport's when owner is set) and end them outside the lock. */
static void listeners_reap_owned(mcp_server *srv, bool all, const void *owner)
{
    listener *done = NULL;
    pthread_mutex_lock(&srv->listeners_lock);
    for (listener **pp = &srv->listeners; *pp;) {
        listener *l = *pp;
        if ((all && (!owner || l->call->ex->owner == owner)) || atomic_load(&l->call->ex->cancelled)) {
            *pp = l->next;
            l->next = done;
            done = l;
            srv->nlisteners--;
        } else {
            pp = &l->next;
        }
    }
    /* A delivery may still be sending to one of them (outside the lock). */
    for (bool busy = true; busy;) {
        busy = false;
        for (listener *l = done; l && !busy; l = l->next)
            busy = l->busy > 0;
        if (busy)
            pthread_cond_wait(&srv->listeners_idle, &srv->listeners_lock);
    }
    pthread_mutex_unlock(&srv->listeners_lock);
    while (done) {
        listener *next = done->next;
        listener_end(done);
        done = next;
    }
}

static void listeners_reap(mcp_server *srv, bool all)
{
    listeners_reap_owned(srv, all, NULL);
}

void mcp__listeners_deliver(mcp_server *srv, const cJSON *notification, const char *key)
{
    const char *method = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(notification, "method"));
    if (!method)
        return;
    /* Pick the matching listeners (marked busy so reaping waits), then send
     * with no lock held. */
    void *stack[16];
    mcp__picks pick;
    mcp__picks_init(&pick, stack, sizeof stack / sizeof stack[0]);
    pthread_mutex_lock(&srv->listeners_lock);
    for (listener *l = srv->listeners; l; l = l->next) {
        if (atomic_load(&l->call->ex->cancelled) || !listener_matches(l, method, key))
            continue;
        if (!mcp__picks_add(&pick, l))
            break;
        l->busy++;
    }
    pthread_mutex_unlock(&srv->listeners_lock);
    for (size_t i = 0; i < pick.n; i++) {
        listener *l = pick.items[i];
        l->call->ex->ops->send(l->call->ex, tagged(cJSON_Duplicate(notification, 1), l->call->id));
    }
    if (pick.n) {
        pthread_mutex_lock(&srv->listeners_lock);
        for (size_t i = 0; i < pick.n; i++)
            ((listener *)pick.items[i])->busy--;
        pthread_cond_broadcast(&srv->listeners_idle);
        pthread_mutex_unlock(&srv->listeners_lock);
    }
    mcp__picks_free(&pick);
    listeners_reap(srv, false);
}

bool mcp__listeners_want_task(mcp_server *srv, const char *id)
{
    bool want = false;
    pthread_mutex_lock(&srv->listeners_lock);
    for (listener *l = srv->listeners; l && !want; l = l->next)
        want = has_string(l->task_ids, id);
    pthread_mutex_unlock(&srv->listeners_lock);
    return want;
}

void mcp__server_housekeeping(mcp_server *srv)
{
    listeners_reap(srv, false);
}
/* One transport subscribed to server notifications. busy counts the
 * deliveries running outside the lock, so unsubscribing can wait for them. */
typedef struct notify_sub {
    mcp__notify_fn fn;
    void *ctx;
    unsigned busy;
    struct notify_sub *next;
} notify_sub;

int mcp__notify_subscribe(mcp_server *srv, mcp__notify_fn fn, void *ctx)
{
    notify_sub *s = calloc(1, sizeof *s);
    if (!s)
        return -MCP_ENOMEM;
    s->fn = fn;
    s->ctx = ctx;
    pthread_mutex_lock(&srv->subs_lock);
    s->next = srv->subs;
    srv->subs = s;
    pthread_mutex_unlock(&srv->subs_lock);
    return 0;
}

void mcp__notify_unsubscribe(mcp_server *srv, mcp__notify_fn fn, void *ctx)
{
    notify_sub *found = NULL;
    pthread_mutex_lock(&srv->subs_lock);
    for (notify_sub **pp = &srv->subs; *pp; pp = &(*pp)->next) {
        if ((*pp)->fn == fn && (*pp)->ctx == ctx) {
            found = *pp;
            *pp = found->next;
            break;
        }
    }
    /* A delivery to it may be running: after this returns ctx may go. */
    while (found && found->busy)
        pthread_cond_wait(&srv->subs_idle, &srv->subs_lock);
    pthread_mutex_unlock(&srv->subs_lock);
    free(found);
}

unsigned mcp__notify_count(mcp_server *srv)
{
    unsigned n = 0;
    pthread_mutex_lock(&srv->subs_lock);
    for (notify_sub *s = srv->subs; s; s = s->next)
        n++;
    pthread_mutex_unlock(&srv->subs_lock);
    return n;
}

void mcp__notify_free_all(mcp_server *srv)
{
    while (srv->subs) {
        notify_sub *next = srv->subs->next;
        free(srv->subs);
        srv->subs = next;
    }
}

void mcp__server_broadcast(mcp_server *srv, cJSON *notification, const char *resource_uri)
{
    if (!notification)
        return;
    mcp__listeners_deliver(srv, notification, resource_uri);
    /* Snapshot the subscribers (marked busy), deliver with no lock held. */
    void *stack[16];
    mcp__picks subs;
    mcp__picks_init(&subs, stack, sizeof stack / sizeof stack[0]);
    pthread_mutex_lock(&srv->subs_lock);
    for (notify_sub *s = srv->subs; s; s = s->next) {
        if (!mcp__picks_add(&subs, s))
            break;                 /* out of memory: the ones picked still get it */
        s->busy++;
    }
    pthread_mutex_unlock(&srv->subs_lock);
    for (size_t i = 0; i < subs.n; i++) {
        notify_sub *s = subs.items[i];
        s->fn(s->ctx, notification, resource_uri);
    }
    pthread_mutex_lock(&srv->subs_lock);
    for (size_t i = 0; i < subs.n; i++)
        ((notify_sub *)subs.items[i])->busy--;
    pthread_cond_broadcast(&srv->subs_idle);
    pthread_mutex_unlock(&srv->subs_lock);
    mcp__picks_free(&subs);
    cJSON_Delete(notification);
}

void mcp__server_close_listeners(mcp_server *srv, const void *owner)
{
    listeners_reap_owned(srv, true, owner);
}
