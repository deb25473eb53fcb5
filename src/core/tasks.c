/* Tasks (extension io.modelcontextprotocol/tasks, SEP-2663) on 2026-07-28
 * requests, the protocol side: the gating (who gets a task, who gets
 * -32021), creation (tools/call answers a flat CreateTaskResult once the
 * record is in the task store, then the run starts: task_run.c), and
 * tasks/get, tasks/update, tasks/cancel on the record from any instance,
 * for the principal that created it only. Update and cancel poke the
 * owner instance. Shared layout and helpers: task_internal.h. */
#include "core/tasks.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/json_write.h"
#include "base/util.h"
#include "core/call.h"
#include "core/jsonrpc.h"
#include "core/task_internal.h"
#include "core/task_house.h"
#include "core/task_options.h"
#include "core/task_record.h"
#include "core/task_run.h"

#define ERR_TASK_LIMIT (-32000)
#define MAX_LISTEN_TASKS 64     /* task ids one listen stream may follow */

static bool declared(const mcp_call *call)
{
    if (call->ex->era != MCP_ERA_MODERN)
        return false;
    const cJSON *ext = cJSON_GetObjectItemCaseSensitive(mcp_call_client_capabilities(call), "extensions");
    return cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(ext, MCP_EXT_TASKS));
}

static const char *bound_principal(const mcp_exchange *ex);

static void reply_not_declared(mcp_call *call)
{
    cJSON *data = cJSON_CreateObject();
    cJSON *caps = data ? cJSON_AddObjectToObject(data, "requiredCapabilities") : NULL;
    cJSON *ext = caps ? cJSON_AddObjectToObject(caps, "extensions") : NULL;
    if (ext)
        cJSON_AddObjectToObject(ext, MCP_EXT_TASKS);
    mcp__call_reply_error_data(call, MCP_ERR_MISSING_CAPABILITY,
                          "Missing required client capability: extensions[\"" MCP_EXT_TASKS "\"] "
                          "(declare it in this request's _meta clientCapabilities)", data);
}

void mcp__tasks_advertise(mcp_server *srv, cJSON *caps)
{
    bool any = false;
    pthread_rwlock_rdlock(&srv->lock);
    for (size_t i = 0; i < srv->tools.len && !any; i++)
        any = ((const tool_entry *)srv->tools.items[i])->task != MCP_TASK_FORBIDDEN;
    pthread_rwlock_unlock(&srv->lock);
    if (!any || !caps)
        return;
    cJSON *ext = cJSON_GetObjectItemCaseSensitive(caps, "extensions");
    if (!ext)
        ext = cJSON_AddObjectToObject(caps, "extensions");
    if (ext)
        cJSON_AddObjectToObject(ext, MCP_EXT_TASKS);
}

bool mcp__tasks_listen_check(mcp_call *call, const cJSON *filter, cJSON *honored)
{
    if (!cJSON_GetObjectItemCaseSensitive(filter, "taskIds"))
        return false;
    if (!declared(call)) {
        reply_not_declared(call);
        return true;
    }
    /* Honour the ids of live tasks this caller may read (the tasks/get
     * rule); unknown, expired and foreign ids are left out. */
    cJSON *ids = cJSON_AddArrayToObject(honored, "taskIds");
    const cJSON *asked = cJSON_GetObjectItemCaseSensitive(filter, "taskIds");
    mcp__tasks *tk = call->srv->tasks;
    if (!ids || !tk || !cJSON_IsArray(asked))
        return false;
    const char *principal = bound_principal(call->ex);
    task_store *ts = mcp__task_store_acquire(tk);
    int n = 0;
    for (const cJSON *a = asked->child; a && n < MAX_LISTEN_TASKS; a = a->next) {
        if (!cJSON_IsString(a) || strlen(a->valuestring) != 2 * ID_BYTES)
            continue;
        bool dup = false;
        for (const cJSON *h = ids->child; h && !dup; h = h->next)
            dup = strcmp(h->valuestring, a->valuestring) == 0;
        char *text = NULL;
        uint64_t v = 0;
        cJSON *rec = !dup && ts->ops->get(ts, a->valuestring, &text, &v) == 0 ? cJSON_Parse(text) : NULL;
        free(text);
        const char *owner_of = mcp__task_str(rec, "_p");
        const cJSON *expire = cJSON_GetObjectItemCaseSensitive(rec, "_x");
        bool expired = cJSON_IsNumber(expire) && expire->valuedouble <= (double)mcp__unix_ms();
        if (rec && owner_of && strcmp(owner_of, principal) == 0 && !expired) {
            cJSON_AddItemToArray(ids, cJSON_CreateString(a->valuestring));
            n++;
        }
        cJSON_Delete(rec);
    }
    mcp__task_store_release(tk);
    return false;
}

/* The principal a task is bound to: the authorized subject ("sub:...",
 * core/exchange.h); without authorization "" (no one in particular: the
 * unguessable task id is the only key, and one per-principal count). */
static const char *bound_principal(const mcp_exchange *ex)
{
    return ex->principal && strncmp(ex->principal, "sub:", 4) == 0 ? ex->principal : "";
}

/* ---------------- creation (tools/call) ---------------- */

/* The task store could not be reached: a retryable internal error. */
static void reply_store_down(mcp_call *call)
{
    mcp__call_reply_error(call, JSONRPC_INTERNAL_ERROR, "Internal error: the task store cannot be reached, retry later");
}

static cJSON *new_record(mcp__tasks *tk, const mcp_task_options *opt, const char *id, const char *principal, int64_t now, int64_t *expire)
{
    char at[32];
    mcp__task_iso_time(now, at);
    *expire = now + opt->ttl_ms;
    cJSON *rec = cJSON_CreateObject();
    if (!rec)
        return NULL;
    cJSON_AddStringToObject(rec, "taskId", id);
    cJSON_AddStringToObject(rec, "status", "working");
    cJSON_AddStringToObject(rec, "createdAt", at);
    cJSON_AddStringToObject(rec, "lastUpdatedAt", at);
    cJSON_AddNumberToObject(rec, "ttlMs", opt->ttl_ms);
    cJSON_AddNumberToObject(rec, "pollIntervalMs", opt->poll_interval_ms);
    cJSON_AddStringToObject(rec, "_p", principal);
    cJSON_AddStringToObject(rec, "_o", tk->owner);
    cJSON_AddNumberToObject(rec, "_x", (double)*expire);
    return rec;
}

bool mcp__tasks_intercept(mcp_call *call, const tool_entry *t)
{
    mcp__tasks *tk = call->srv->tasks;
    if (!tk || t->task == MCP_TASK_FORBIDDEN || call->ex->era != MCP_ERA_MODERN)
        return false;
    if (!declared(call)) {
        if (t->task != MCP_TASK_REQUIRED)
            return false;              /* synchronous, as for any tool */
        reply_not_declared(call);
        return true;
    }
    if (t->task_after_input && !call->input_responses)
        return false;                  /* MRTR first: this round runs synchronously */

    char id[2 * ID_BYTES + 1];
    mcp_task_options opt = mcp__task_options(tk);
    const char *principal = bound_principal(call->ex);
    int64_t now = (int64_t)mcp__unix_ms(), expire = 0;
    cJSON *rec = mcp__random_hex_id(id, ID_BYTES) == 0 ? new_record(tk, &opt, id, principal, now, &expire) : NULL;
    char *json = rec ? mcp__json_print(rec, NULL) : NULL;
    task_run *run = json ? mcp__task_run_new(tk, call, t, id, principal, expire) : NULL;
    if (!run) {
        free(json);
        cJSON_Delete(rec);
        mcp__call_reply_error(call, JSONRPC_INTERNAL_ERROR, "Internal error: out of memory");
        return true;
    }
    mcp__task_ensure_thread(tk);
    task_store *ts = mcp__task_store_acquire(tk);
    mcp__task_heartbeat(tk, ts, atomic_load(&tk->last_heartbeat) == 0);
    /* Durable before the reply: tasks/get on any instance resolves it. */
    int rc = ts->ops->create(ts, id, principal, tk->owner, json, expire, opt.max_per_principal);
    mcp__task_store_release(tk);
    free(json);
    if (rc < 0) {
        call->args = run->args;
        run->args = NULL;
        mcp__task_run_unref(run);
        cJSON_Delete(rec);
        char msg[200];
        if (rc == -MCP_ELIMIT) {
            snprintf(msg, sizeof msg, "Too many unfinished tasks for this caller (limit %u): let some finish or cancel them",
                     opt.max_per_principal);
            mcp__call_reply_error(call, ERR_TASK_LIMIT, msg);
        } else {
            reply_store_down(call);
        }
        return true;
    }
    pthread_mutex_lock(&tk->lock);
    run->next = tk->runs;
    tk->runs = run;
    tk->nruns++;
    run->refs++;                     /* the round's */
    pthread_mutex_unlock(&tk->lock);

    cJSON *result = mcp__task_public_view(rec);
    cJSON_Delete(rec);
    if (result)
        cJSON_AddStringToObject(result, "resultType", "task");
    mcp__call_reply_result(call, result);
    mcp__task_start_round(run);
    mcp__task_run_unref(run);
    return true;
}

/* ---------------- tasks/get, tasks/update, tasks/cancel ---------------- */

/* The caller's record, or NULL after replying (-32602 for unknown ids and
 * for another principal's tasks alike). */
static cJSON *load_for_caller(mcp_call *call, task_store *ts, const char **id_out, uint64_t *version)
{
    if (!declared(call)) {
        reply_not_declared(call);
        return NULL;
    }
    const char *id = mcp__param_string(call, "taskId");
    if (!id) {
        mcp__call_reply_error(call, JSONRPC_INVALID_PARAMS, "Invalid params: taskId (a string) is required");
        return NULL;
    }
    char *text = NULL;
    uint64_t v = 0;
    int rc = ts->ops->get(ts, id, &text, &v);
    cJSON *rec = rc == 0 ? cJSON_Parse(text) : NULL;
    free(text);
    const char *principal = bound_principal(call->ex);
    const char *owner_of = mcp__task_str(rec, "_p");
    const cJSON *expire = cJSON_GetObjectItemCaseSensitive(rec, "_x");
    bool expired = cJSON_IsNumber(expire) && expire->valuedouble <= (double)mcp__unix_ms();
    if (rec && (!owner_of || strcmp(owner_of, principal) != 0 || expired)) {
        cJSON_Delete(rec);
        rec = NULL;
    }
    if (!rec) {
        if (rc == -MCP_EIO) {
            reply_store_down(call);
        } else {
            char msg[200];
            snprintf(msg, sizeof msg, "Invalid params: unknown task %.64s (never created, expired or not yours)", id);
            mcp__call_reply_error(call, JSONRPC_INVALID_PARAMS, msg);
        }
        return NULL;
    }
    *id_out = id;
    if (version)
        *version = v;
    return rec;
}

void mcp__method_tasks_get(mcp_call *call)
{
    mcp__tasks *tk = call->srv->tasks;
    task_store *ts = mcp__task_store_acquire(tk);
    const char *id = NULL;
    cJSON *rec = load_for_caller(call, ts, &id, NULL);
    mcp__task_store_release(tk);
    if (rec) {
        cJSON *view = mcp__task_public_view(rec);
        cJSON_Delete(rec);
        mcp__call_reply_result(call, view);
    }
}

typedef struct update_ctx {
    const cJSON *responses;
    bool changed, all_answered;
} update_ctx;

static int edit_update(cJSON *rec, void *ctx)
{
    update_ctx *u = ctx;
    u->changed = u->all_answered = false;
    if (strcmp(mcp__task_str(rec, "status"), "input_required") != 0)
        return 1;   /* nothing is outstanding: responses are ignored */
    cJSON *pending = cJSON_GetObjectItemCaseSensitive(rec, "inputRequests");
    cJSON *answers = cJSON_GetObjectItemCaseSensitive(rec, "_a");
    for (const cJSON *r = u->responses ? u->responses->child : NULL; r; r = r->next) {
        if (!cJSON_GetObjectItemCaseSensitive(pending, r->string))
            continue;   /* never asked, already answered or superseded */
        if (!answers && !(answers = cJSON_AddObjectToObject(rec, "_a")))
            return -MCP_ENOMEM;
        cJSON_DeleteItemFromObjectCaseSensitive(pending, r->string);
        cJSON_AddItemToObject(answers, r->string, cJSON_Duplicate(r, 1));
        u->changed = true;
    }
    if (!u->changed)
        return 1;
    if (!pending || !pending->child) {
        mcp__task_set(rec, "inputRequests", NULL);
        mcp__task_set(rec, "status", cJSON_CreateString("working"));
        u->all_answered = true;
    }
    return 0;
}

/* tasks/update and tasks/cancel answer an edit with an empty result, or
 * with a retryable error when the store could not be reached. */
static void reply_edited(mcp_call *call, int rc)
{
    if (rc == -MCP_EIO)
        reply_store_down(call);
    else
        mcp__call_reply_result(call, cJSON_CreateObject());
}

void mcp__method_tasks_update(mcp_call *call)
{
    mcp__tasks *tk = call->srv->tasks;
    const cJSON *responses = cJSON_GetObjectItemCaseSensitive(call->params, "inputResponses");
    if (declared(call) && responses && !cJSON_IsObject(responses)) {
        mcp__call_reply_error(call, JSONRPC_INVALID_PARAMS, "Invalid params: inputResponses must be an object");
        return;
    }
    task_store *ts = mcp__task_store_acquire(tk);
    const char *id = NULL;
    cJSON *rec = load_for_caller(call, ts, &id, NULL);
    if (!rec) {
        mcp__task_store_release(tk);
        return;
    }
    char *owner = mcp__xstrdup(mcp__task_str(rec, "_o"));
    cJSON_Delete(rec);
    update_ctx u = { .responses = responses };
    int rc = mcp__task_edit(tk, ts, id, edit_update, &u);
    if (rc == 0 && u.all_answered)
        mcp__task_poke_owner(tk, ts, owner, id, "resume");
    mcp__task_store_release(tk);
    free(owner);
    reply_edited(call, rc);
}

static int edit_cancel_request(cJSON *rec, void *ctx)
{
    (void)ctx;
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "_c")))
        return 1;
    mcp__task_set(rec, "_c", cJSON_CreateTrue());
    return 0;
}

void mcp__method_tasks_cancel(mcp_call *call)
{
    mcp__tasks *tk = call->srv->tasks;
    task_store *ts = mcp__task_store_acquire(tk);
    const char *id = NULL;
    cJSON *rec = load_for_caller(call, ts, &id, NULL);
    if (!rec) {
        mcp__task_store_release(tk);
        return;
    }
    char *owner = mcp__xstrdup(mcp__task_str(rec, "_o"));
    cJSON_Delete(rec);
    /* Terminal tasks stay as they are and get the same ack (idempotent). */
    int rc = mcp__task_edit(tk, ts, id, edit_cancel_request, NULL);
    if (rc >= 0)
        mcp__task_poke_owner(tk, ts, owner, id, "cancel");
    mcp__task_store_release(tk);
    free(owner);
    reply_edited(call, rc);
}
