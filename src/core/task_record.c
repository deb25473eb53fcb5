/* Task records as JSON: field helpers, timestamps, the store handle that
 * a detach waits for, and the compare-and-set read-modify-write every
 * change of a record goes through (so concurrent writers on any instance
 * never lose an update and terminal states never change), which also
 * sends each visible change as notifications/tasks to the listen streams
 * of this instance that subscribed to the task. */
#include "core/task_record.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/json_write.h"
#include "base/util.h"
#include "core/call.h"
#include "core/jsonrpc.h"
#include "core/notify.h"
#include "core/task_internal.h"

/* ---------------- small helpers ---------------- */

void mcp__task_iso_time(int64_t ms, char out[32])
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(ms % 1000));
}

static bool task_is_terminal(const char *status)
{
    return status && (strcmp(status, "completed") == 0 || strcmp(status, "failed") == 0 ||
                      strcmp(status, "cancelled") == 0);
}

const char *mcp__task_str(const cJSON *rec, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, key));
}

void mcp__task_set(cJSON *rec, const char *key, cJSON *value_take)
{
    cJSON_DeleteItemFromObjectCaseSensitive(rec, key);
    if (value_take)
        cJSON_AddItemToObject(rec, key, value_take);
}

task_store *mcp__task_store_acquire(mcp__tasks *tk)
{
    pthread_mutex_lock(&tk->lock);
    task_store *ts = tk->store;
    tk->store_users++;
    pthread_mutex_unlock(&tk->lock);
    return ts;
}

void mcp__task_store_release(mcp__tasks *tk)
{
    pthread_mutex_lock(&tk->lock);
    if (--tk->store_users == 0)
        pthread_cond_broadcast(&tk->idle);
    pthread_mutex_unlock(&tk->lock);
}

cJSON *mcp__task_public_view(const cJSON *rec)
{
    cJSON *out = cJSON_CreateObject();
    for (const cJSON *f = rec ? rec->child : NULL; f && out; f = f->next)
        if (f->string[0] != '_')
            cJSON_AddItemToObject(out, f->string, cJSON_Duplicate(f, 1));
    return out;
}

/* notifications/tasks (tasks extension): the DetailedTask rec now shows,
 * to the listen streams that subscribed to its id on this instance. Called
 * with no lock held; notify.c sends with none held either. */
static void notify_listeners(mcp__tasks *tk, const char *id, const cJSON *rec)
{
    cJSON *n = mcp__jsonrpc_notification_take("notifications/tasks", mcp__task_public_view(rec));
    if (n)
        mcp__listeners_deliver(tk->srv, n, id);
    cJSON_Delete(n);
}

int mcp__task_edit(mcp__tasks *tk, task_store *ts, const char *id, edit_fn edit, void *ctx)
{
    for (int attempt = 0; attempt < 16; attempt++) {
        char *text = NULL;
        uint64_t version = 0;
        int rc = ts->ops->get(ts, id, &text, &version);
        if (rc < 0)
            return rc;
        cJSON *rec = cJSON_Parse(text);
        free(text);
        if (!rec)
            return -MCP_EINTERNAL;
        if (task_is_terminal(mcp__task_str(rec, "status"))) {
            cJSON_Delete(rec);
            return 1;
        }
        /* Only a change a client can see (not _c, _a) is notified. */
        cJSON *before = tk && mcp__listeners_want_task(tk->srv, id) ? mcp__task_public_view(rec) : NULL;
        if ((rc = edit(rec, ctx)) != 0) {
            cJSON_Delete(before);
            cJSON_Delete(rec);
            return rc < 0 ? rc : 1;
        }
        cJSON *after = before ? mcp__task_public_view(rec) : NULL;
        bool visible = before && after && !cJSON_Compare(before, after, 1);
        cJSON_Delete(before);
        cJSON_Delete(after);
        char now[32];
        mcp__task_iso_time((int64_t)mcp__unix_ms(), now);
        mcp__task_set(rec, "lastUpdatedAt", cJSON_CreateString(now));
        char *json = mcp__json_print(rec, NULL);
        bool finished = task_is_terminal(mcp__task_str(rec, "status"));
        rc = json ? ts->ops->put(ts, id, version, json, finished, mcp__task_str(rec, "_p"), mcp__task_str(rec, "_o"))
                  : -MCP_ENOMEM;
        free(json);
        if (rc == 0 && visible)
            notify_listeners(tk, id, rec);
        cJSON_Delete(rec);
        if (rc != TASK_STORE_CONFLICT)
            return rc;
    }
    return -MCP_EIO;
}

cJSON *mcp__task_error_object(int code, const char *message)
{
    cJSON *e = cJSON_CreateObject();
    if (e) {
        cJSON_AddNumberToObject(e, "code", code);
        cJSON_AddStringToObject(e, "message", message);
    }
    return e;
}
