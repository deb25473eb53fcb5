/* The owner side of a task: its handler runs in rounds on the worker pool
 * through the run's own exchange, each outcome lands in the record
 * (completed, failed, input_required, cancelled), and events (cancel from
 * tasks/cancel, resume once tasks/update answered every input) act on the
 * run, from this instance or from another through its inbox. */
#include "core/task_run.h"

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
#include "core/entry.h"
#include "core/era.h"
#include "core/task_options.h"
#include "core/task_record.h"
#include "core/tool_run.h"

/* ---------------- runs (the owner side) ---------------- */

void mcp__task_run_unref(task_run *run)
{
    mcp__tasks *tk = run->tk;
    pthread_mutex_lock(&tk->lock);
    bool last = --run->refs == 0;
    pthread_mutex_unlock(&tk->lock);
    if (!last)
        return;
    mcp__entry_release(CALL_TOOL, run->tool);   /* a removed tool may go now */
    cJSON_Delete(run->msg);
    cJSON_Delete(run->args);
    cJSON_Delete(run->answers);
    free(run->principal);
    free(run->status_message);
    free(run);
}

static task_run *run_find(mcp__tasks *tk, const char *id)
{
    pthread_mutex_lock(&tk->lock);
    task_run *run = tk->runs;
    while (run && strcmp(run->id, id) != 0)
        run = run->next;
    if (run)
        run->refs++;
    pthread_mutex_unlock(&tk->lock);
    return run;
}

static void run_remove(task_run *run)
{
    mcp__tasks *tk = run->tk;
    bool found = false;
    pthread_mutex_lock(&tk->lock);
    run->state = RUN_DONE;
    for (task_run **pp = &tk->runs; *pp; pp = &(*pp)->next)
        if (*pp == run) {
            *pp = run->next;
            tk->nruns--;
            found = true;
            break;
        }
    pthread_mutex_unlock(&tk->lock);
    if (found)
        mcp__task_run_unref(run);   /* the list's reference */
}

void mcp__task_start_round(task_run *run)
{
    mcp__tasks *tk = run->tk;
    cJSON *msg = cJSON_Duplicate(run->msg, 1);
    mcp_call *c = msg ? mcp__call_new(tk->srv, &run->ex, msg) : NULL;
    cJSON *args = c ? cJSON_Duplicate(run->args, 1) : NULL;
    if (!args) {
        mcp__call_free(c);
        atomic_store(&run->ex.cancelled, true);
        run->ex.ops->complete(&run->ex, mcp__jsonrpc_error(NULL, JSONRPC_INTERNAL_ERROR, "Internal error: out of memory"));
        return;
    }
    c->kind = CALL_TOOL;
    c->entry = run->tool;
    mcp__entry_hold(CALL_TOOL, run->tool);   /* the round's call drops it in mcp__call_free */
    c->args = args;
    c->target = mcp__param_string(c, "name");
    c->input_responses = run->answers ? cJSON_Duplicate(run->answers, 1) : NULL;
    mcp__tool_run(c, true);
}

/* What a finished round leaves in the record. */
typedef struct outcome {
    task_run *run;
    const char *status;
    cJSON *result, *error, *input_requests;  /* borrowed from the response */
    bool cancel_seen;                        /* the record said cancel */
} outcome;

static int edit_outcome(cJSON *rec, void *ctx)
{
    outcome *o = ctx;
    const char *status = o->status;
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "_c")) || atomic_load(&o->run->ex.cancelled)) {
        status = "cancelled";
        o->cancel_seen = true;
    }
    mcp__task_set(rec, "result", NULL);
    mcp__task_set(rec, "error", NULL);
    mcp__task_set(rec, "inputRequests", NULL);
    mcp__task_set(rec, "statusMessage", NULL);
    mcp__task_set(rec, "status", cJSON_CreateString(status));
    if (strcmp(status, "completed") == 0) {
        mcp__task_set(rec, "result", cJSON_Duplicate(o->result, 1));
    } else if (strcmp(status, "failed") == 0) {
        mcp__task_set(rec, "error", cJSON_Duplicate(o->error, 1));
        const char *m = mcp__task_str(o->error, "message");
        if (m)
            mcp__task_set(rec, "statusMessage", cJSON_CreateString(m));
    } else if (strcmp(status, "input_required") == 0) {
        mcp__task_set(rec, "inputRequests", cJSON_Duplicate(o->input_requests, 1));
        mcp__task_set(rec, "_a", NULL);
    } else if (strcmp(status, "cancelled") == 0) {
        mcp__task_set(rec, "statusMessage", cJSON_CreateString("Cancelled at the client's request"));
    }
    return 0;
}

static void resume_if_answered(task_run *run);

/* The exchange's complete: one round of the handler ended. */
static void task_complete(mcp_exchange *ex, cJSON *response)
{
    task_run *run = (task_run *)((char *)ex - offsetof(task_run, ex));
    mcp__tasks *tk = run->tk;
    outcome o = { .run = run, .status = "completed" };
    cJSON *result = cJSON_GetObjectItemCaseSensitive(response, "result");
    cJSON *error = cJSON_GetObjectItemCaseSensitive(response, "error");
    cJSON *too_big = NULL;
    if (error) {
        o.status = "failed";
        o.error = error;
    } else if (strcmp(mcp__task_str(result, "resultType") ? mcp__task_str(result, "resultType") : "", "input_required") == 0) {
        o.status = "input_required";
        o.input_requests = cJSON_GetObjectItemCaseSensitive(result, "inputRequests");
    } else {
        o.result = result;
    }
    size_t size = 0;
    char *text = mcp__json_print(o.result ? o.result : o.error, &size);
    free(text);
    size_t limit = mcp__task_options(tk).max_result_bytes;
    if (size > limit) {
        char msg[160];
        snprintf(msg, sizeof msg, "Task result too large to store: %zu bytes (limit %zu)", size, limit);
        too_big = mcp__task_error_object(JSONRPC_INTERNAL_ERROR, msg);
        o.status = "failed";
        o.error = too_big;
        o.result = NULL;
    }
    task_store *ts = mcp__task_store_acquire(tk);
    int rc = mcp__task_edit(ts, run->id, edit_outcome, &o);
    mcp__task_store_release(tk);
    cJSON_Delete(too_big);
    cJSON_Delete(response);
    bool waiting = rc == 0 && !o.cancel_seen && strcmp(o.status, "input_required") == 0;
    if (!waiting) {
        /* Terminal, gone (expired or detached store) or unwritable: the run ends. */
        run_remove(run);
        return;
    }
    pthread_mutex_lock(&tk->lock);
    run->state = RUN_WAITING;
    bool resume = run->resume_pending || tk->stopping;
    run->resume_pending = false;
    pthread_mutex_unlock(&tk->lock);
    if (resume)
        resume_if_answered(run);
}

/* Progress and log messages of a running task become its statusMessage. */
static int task_send(mcp_exchange *ex, cJSON *msg)
{
    task_run *run = (task_run *)((char *)ex - offsetof(task_run, ex));
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(msg, "params");
    const char *text = mcp__task_str(params, "message");
    if (!text)
        text = mcp__task_str(params, "data");   /* notifications/message */
    char buf[320];
    const cJSON *progress = cJSON_GetObjectItemCaseSensitive(params, "progress");
    const cJSON *total = cJSON_GetObjectItemCaseSensitive(params, "total");
    if (cJSON_IsNumber(progress)) {
        int n = cJSON_IsNumber(total) ? snprintf(buf, sizeof buf, "progress %g/%g", progress->valuedouble, total->valuedouble)
                                      : snprintf(buf, sizeof buf, "progress %g", progress->valuedouble);
        if (text && n > 0 && (size_t)n < sizeof buf)
            snprintf(buf + n, sizeof buf - (size_t)n, ": %.200s", text);
        text = buf;
    }
    char *copy = text ? strdup(text) : NULL;
    if (copy) {
        pthread_mutex_lock(&run->tk->lock);
        free(run->status_message);
        run->status_message = copy;
        run->message_dirty = true;
        pthread_mutex_unlock(&run->tk->lock);
    }
    cJSON_Delete(msg);
    return 0;
}

static const mcp_exchange_ops task_ops = { task_send, task_complete };

/* ---------------- events: resume after input, cancel ---------------- */

typedef struct answers_ctx {
    cJSON *answers;       /* out: the record's _a (duplicated) */
    bool seen, ready, cancelled;
} answers_ctx;

static int edit_read_answers(cJSON *rec, void *ctx)
{
    answers_ctx *a = ctx;
    a->seen = true;
    a->ready = strcmp(mcp__task_str(rec, "status"), "working") == 0;
    a->cancelled = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "_c"));
    a->answers = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(rec, "_a"), 1);
    return 1;   /* read only */
}

static int edit_cancelled(cJSON *rec, void *ctx)
{
    (void)ctx;
    mcp__task_set(rec, "inputRequests", NULL);
    mcp__task_set(rec, "status", cJSON_CreateString("cancelled"));
    mcp__task_set(rec, "statusMessage", cJSON_CreateString("Cancelled at the client's request"));
    return 0;
}

/* A waiting run whose inputs may all be in: claim it, check the record,
 * then either run the next round or park it again. */
static void resume_if_answered(task_run *run)
{
    mcp__tasks *tk = run->tk;
    pthread_mutex_lock(&tk->lock);
    bool claimed = run->state == RUN_WAITING;
    if (claimed)
        run->state = RUN_ACTIVE;
    else if (run->state == RUN_ACTIVE)
        run->resume_pending = true;
    bool stopping = tk->stopping;
    pthread_mutex_unlock(&tk->lock);
    if (!claimed)
        return;
    answers_ctx a = {0};
    task_store *ts = mcp__task_store_acquire(tk);
    int rc = mcp__task_edit(ts, run->id, edit_read_answers, &a);
    bool cancel = a.cancelled || atomic_load(&run->ex.cancelled) || stopping;
    if (rc >= 0 && cancel)
        mcp__task_edit(ts, run->id, edit_cancelled, NULL);
    mcp__task_store_release(tk);
    if (rc < 0 || cancel || !a.seen) {   /* gone, cancelled, or ended elsewhere */
        cJSON_Delete(a.answers);
        run_remove(run);
        return;
    }
    if (!a.ready) {
        cJSON_Delete(a.answers);
        pthread_mutex_lock(&tk->lock);
        run->state = RUN_WAITING;
        pthread_mutex_unlock(&tk->lock);
        return;
    }
    for (cJSON *r = a.answers ? a.answers->child : NULL; r; r = r->next) {
        if (!run->answers)
            run->answers = cJSON_CreateObject();
        if (!run->answers)
            break;
        cJSON_DeleteItemFromObjectCaseSensitive(run->answers, r->string);
        cJSON_AddItemToObject(run->answers, r->string, cJSON_Duplicate(r, 1));
    }
    cJSON_Delete(a.answers);
    mcp__task_start_round(run);
}

void mcp__task_event(mcp__tasks *tk, const char *id, const char *what)
{
    task_run *run = run_find(tk, id);
    if (!run)
        return;
    if (strcmp(what, "cancel") == 0)
        atomic_store(&run->ex.cancelled, true);   /* mcp_call_cancelled() sees it */
    resume_if_answered(run);                      /* a waiting run ends cancelled or goes on */
    mcp__task_run_unref(run);
}

/* Tell the owner of a record; the owner is this instance or another one. */
void mcp__task_poke_owner(mcp__tasks *tk, task_store *ts, const char *owner, const char *id, const char *what)
{
    if (!owner || strcmp(owner, tk->owner) == 0)
        mcp__task_event(tk, id, what);
    else
        ts->ops->notify(ts, owner, id, what);
}

task_run *mcp__task_run_new(mcp__tasks *tk, mcp_call *call, const tool_entry *t, const char *id, const char *principal,
                         int64_t expire)
{
    task_run *run = calloc(1, sizeof *run);
    if (!run)
        return NULL;
    run->tk = tk;
    run->refs = 1;
    memcpy(run->id, id, sizeof run->id);
    run->ex.ops = &task_ops;
    run->ex.era = MCP_ERA_MODERN;
    run->ex.version = call->ex->version;
    run->ex.stateless = true;
    atomic_init(&run->ex.cancelled, false);
    run->msg = cJSON_Duplicate(call->msg, 1);
    /* Progress and info-level logs of the handler reach task_send, which
     * keeps the latest as the record's statusMessage. */
    cJSON *meta = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(run->msg, "params"), "_meta");
    if (cJSON_IsObject(meta) && !cJSON_HasObjectItem(meta, "progressToken"))
        cJSON_AddStringToObject(meta, "progressToken", id);
    if (cJSON_IsObject(meta) && !cJSON_HasObjectItem(meta, MCP_META_LOG_LEVEL))
        cJSON_AddStringToObject(meta, MCP_META_LOG_LEVEL, "info");
    run->tool = t;
    run->args = call->args;          /* moved */
    call->args = NULL;
    run->answers = call->input_responses;
    call->input_responses = NULL;
    run->principal = strdup(principal);
    run->ex.principal = run->principal;
    run->state = RUN_ACTIVE;
    run->expire = expire;
    if (!run->msg || !run->principal) {
        call->args = run->args;
        call->input_responses = run->answers;
        cJSON_Delete(run->msg);
        free(run->principal);
        free(run);
        return NULL;
    }
    mcp__entry_hold(CALL_TOOL, t);   /* the call holds it already: the run keeps it past the call */
    return run;
}
