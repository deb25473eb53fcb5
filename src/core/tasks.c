/* Tasks (extension io.modelcontextprotocol/tasks, SEP-2663) on 2026-07-28
 * requests: tools/call of a task-capable tool answers a CreateTaskResult
 * once the record is in the task store; the handler then runs in rounds on
 * the worker pool through its own exchange, and each outcome lands in the
 * record (completed with the CallToolResult, failed with a JSON-RPC error,
 * input_required with inputRequests, cancelled). tasks/get, tasks/update
 * and tasks/cancel work on the record from any instance; update and cancel
 * poke the owner instance (directly, or through its inbox in the store).
 * One housekeeping thread per server renews this instance's lease, reads
 * its inbox, fails tasks of dead instances and sweeps expired records.
 * Record = the DetailedTask JSON plus private keys: _p principal, _o owner
 * instance, _c cancel requested, _a answers received by tasks/update. */
#include "core/tasks.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mcp/tasks.h>

#include "core/json_write.h"
#include "core/jsonrpc.h"
#include "core/methods.h"
#include "core/modern.h"
#include "core/util.h"
#include "store/store.h"
#include "store/task_store.h"

#define ID_BYTES 16               /* 128-bit task ids from the CSPRNG */
#define ERR_TASK_LIMIT (-32000)

typedef enum { RUN_ACTIVE, RUN_WAITING, RUN_DONE } run_state;

typedef struct task_run {
    struct task_run *next;
    mcp__tasks *tk;
    unsigned refs;               /* guarded by tk->lock */
    char id[2 * ID_BYTES + 1];
    mcp_exchange ex;             /* the rounds' exchange; ex.cancelled = cancel requested */
    cJSON *msg;                  /* the tools/call request (owned) */
    const tool_entry *tool;
    cJSON *args;                 /* validated arguments (owned) */
    cJSON *answers;              /* input responses so far (owned) */
    char *principal;
    run_state state;             /* guarded by tk->lock */
    bool resume_pending;         /* a resume arrived while a round ran */
    char *status_message;        /* latest progress/log text, flushed by the tick */
    bool message_dirty;
    int64_t expire;
} task_run;

struct mcp__tasks {
    mcp_server *srv;
    pthread_mutex_t lock;        /* runs, store swap, thread state */
    pthread_cond_t wake, idle;
    task_store *memory;          /* default store */
    task_store *store;           /* current: memory or the attached backend's */
    unsigned store_users;
    mcp_task_options opt;
    char owner[17];
    task_run *runs;
    unsigned nruns;
    pthread_t thread;
    bool thread_started, stopping;
    _Atomic uint64_t last_heartbeat;
};

/* ---------------- small helpers ---------------- */

static void iso_time(int64_t ms, char out[32])
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(ms % 1000));
}

static bool is_terminal(const char *status)
{
    return status && (strcmp(status, "completed") == 0 || strcmp(status, "failed") == 0 ||
                      strcmp(status, "cancelled") == 0);
}

static const char *rec_str(const cJSON *rec, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, key));
}

static void rec_set(cJSON *rec, const char *key, cJSON *value_take)
{
    cJSON_DeleteItemFromObjectCaseSensitive(rec, key);
    if (value_take)
        cJSON_AddItemToObject(rec, key, value_take);
}

static bool declared(const mcp_call *call)
{
    if (call->ex->era != MCP_ERA_MODERN)
        return false;
    const cJSON *ext = cJSON_GetObjectItemCaseSensitive(mcp_call_client_capabilities(call), "extensions");
    return cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(ext, MCP_EXT_TASKS));
}

static void reply_not_declared(mcp_call *call)
{
    cJSON *data = cJSON_CreateObject();
    cJSON *caps = data ? cJSON_AddObjectToObject(data, "requiredCapabilities") : NULL;
    cJSON *ext = caps ? cJSON_AddObjectToObject(caps, "extensions") : NULL;
    if (ext)
        cJSON_AddObjectToObject(ext, MCP_EXT_TASKS);
    call_reply_error_data(call, MCP_ERR_MISSING_CAPABILITY,
                          "Missing required client capability: extensions[\"" MCP_EXT_TASKS "\"] "
                          "(declare it in this request's _meta clientCapabilities)", data);
}

static task_store *store_acquire(mcp__tasks *tk)
{
    pthread_mutex_lock(&tk->lock);
    task_store *ts = tk->store;
    tk->store_users++;
    pthread_mutex_unlock(&tk->lock);
    return ts;
}

static void store_release(mcp__tasks *tk)
{
    pthread_mutex_lock(&tk->lock);
    if (--tk->store_users == 0)
        pthread_cond_broadcast(&tk->idle);
    pthread_mutex_unlock(&tk->lock);
}

/* Read-modify-write of one record with compare-and-set. edit returns 0 to
 * write, 1 to leave the record as it is; terminal records are never
 * changed (1). Returns 0 written, 1 unchanged, -MCP_ENOTFOUND, -MCP_EIO. */
typedef int (*edit_fn)(cJSON *rec, void *ctx);

static int record_edit(task_store *ts, const char *id, edit_fn edit, void *ctx)
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
        if (is_terminal(rec_str(rec, "status")) || (rc = edit(rec, ctx)) != 0) {
            cJSON_Delete(rec);
            return rc < 0 ? rc : 1;
        }
        char now[32];
        iso_time((int64_t)unix_ms(), now);
        rec_set(rec, "lastUpdatedAt", cJSON_CreateString(now));
        char *json = json_print(rec, NULL);
        bool finished = is_terminal(rec_str(rec, "status"));
        rc = json ? ts->ops->put(ts, id, version, json, finished, rec_str(rec, "_p"), rec_str(rec, "_o"))
                  : -MCP_ENOMEM;
        free(json);
        cJSON_Delete(rec);
        if (rc != TASK_STORE_CONFLICT)
            return rc;
    }
    return -MCP_EIO;
}

/* ---------------- runs (the owner side) ---------------- */

static void run_unref(task_run *run)
{
    mcp__tasks *tk = run->tk;
    pthread_mutex_lock(&tk->lock);
    bool last = --run->refs == 0;
    pthread_mutex_unlock(&tk->lock);
    if (!last)
        return;
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
        run_unref(run);   /* the list's reference */
}

static void start_round(task_run *run)
{
    mcp__tasks *tk = run->tk;
    cJSON *msg = cJSON_Duplicate(run->msg, 1);
    mcp_call *c = msg ? call_new(tk->srv, &run->ex, msg) : NULL;
    cJSON *args = c ? cJSON_Duplicate(run->args, 1) : NULL;
    if (!args) {
        call_free(c);
        atomic_store(&run->ex.cancelled, true);
        run->ex.ops->complete(&run->ex, jsonrpc_error(NULL, JSONRPC_INTERNAL_ERROR, "Internal error: out of memory"));
        return;
    }
    c->kind = CALL_TOOL;
    c->entry = run->tool;
    c->args = args;
    c->target = param_string(c, "name");
    c->input_responses = run->answers ? cJSON_Duplicate(run->answers, 1) : NULL;
    mcp__tools_run(c);
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
    rec_set(rec, "result", NULL);
    rec_set(rec, "error", NULL);
    rec_set(rec, "inputRequests", NULL);
    rec_set(rec, "statusMessage", NULL);
    rec_set(rec, "status", cJSON_CreateString(status));
    if (strcmp(status, "completed") == 0) {
        rec_set(rec, "result", cJSON_Duplicate(o->result, 1));
    } else if (strcmp(status, "failed") == 0) {
        rec_set(rec, "error", cJSON_Duplicate(o->error, 1));
        const char *m = rec_str(o->error, "message");
        if (m)
            rec_set(rec, "statusMessage", cJSON_CreateString(m));
    } else if (strcmp(status, "input_required") == 0) {
        rec_set(rec, "inputRequests", cJSON_Duplicate(o->input_requests, 1));
        rec_set(rec, "_a", NULL);
    } else if (strcmp(status, "cancelled") == 0) {
        rec_set(rec, "statusMessage", cJSON_CreateString("Cancelled at the client's request"));
    }
    return 0;
}

static cJSON *error_object(int code, const char *message)
{
    cJSON *e = cJSON_CreateObject();
    if (e) {
        cJSON_AddNumberToObject(e, "code", code);
        cJSON_AddStringToObject(e, "message", message);
    }
    return e;
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
    } else if (strcmp(rec_str(result, "resultType") ? rec_str(result, "resultType") : "", "input_required") == 0) {
        o.status = "input_required";
        o.input_requests = cJSON_GetObjectItemCaseSensitive(result, "inputRequests");
    } else {
        o.result = result;
    }
    size_t size = 0;
    char *text = json_print(o.result ? o.result : o.error, &size);
    free(text);
    if (size > tk->opt.max_result_bytes) {
        char msg[160];
        snprintf(msg, sizeof msg, "Task result too large to store: %zu bytes (limit %zu)", size, tk->opt.max_result_bytes);
        too_big = error_object(JSONRPC_INTERNAL_ERROR, msg);
        o.status = "failed";
        o.error = too_big;
        o.result = NULL;
    }
    task_store *ts = store_acquire(tk);
    int rc = record_edit(ts, run->id, edit_outcome, &o);
    store_release(tk);
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
    const char *text = rec_str(params, "message");
    if (!text)
        text = rec_str(params, "data");
    char buf[256];
    const cJSON *progress = cJSON_GetObjectItemCaseSensitive(params, "progress");
    if (!text && cJSON_IsNumber(progress)) {
        snprintf(buf, sizeof buf, "progress %g", progress->valuedouble);
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
    a->ready = strcmp(rec_str(rec, "status"), "working") == 0;
    a->cancelled = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "_c"));
    a->answers = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(rec, "_a"), 1);
    return 1;   /* read only */
}

static int edit_cancelled(cJSON *rec, void *ctx)
{
    (void)ctx;
    rec_set(rec, "inputRequests", NULL);
    rec_set(rec, "status", cJSON_CreateString("cancelled"));
    rec_set(rec, "statusMessage", cJSON_CreateString("Cancelled at the client's request"));
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
    task_store *ts = store_acquire(tk);
    int rc = record_edit(ts, run->id, edit_read_answers, &a);
    bool cancel = a.cancelled || atomic_load(&run->ex.cancelled) || stopping;
    if (rc >= 0 && cancel)
        record_edit(ts, run->id, edit_cancelled, NULL);
    store_release(tk);
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
    start_round(run);
}

static void local_event(mcp__tasks *tk, const char *id, const char *what)
{
    task_run *run = run_find(tk, id);
    if (!run)
        return;
    if (strcmp(what, "cancel") == 0)
        atomic_store(&run->ex.cancelled, true);   /* mcp_call_cancelled() sees it */
    resume_if_answered(run);                      /* a waiting run ends cancelled or goes on */
    run_unref(run);
}

/* Tell the owner of a record; the owner is this instance or another one. */
static void poke_owner(mcp__tasks *tk, task_store *ts, const char *owner, const char *id, const char *what)
{
    if (!owner || strcmp(owner, tk->owner) == 0)
        local_event(tk, id, what);
    else
        ts->ops->notify(ts, owner, id, what);
}

/* ---------------- housekeeping ---------------- */

static int edit_orphaned(cJSON *rec, void *ctx)
{
    const mcp__tasks *tk = ctx;
    char msg[200];
    snprintf(msg, sizeof msg,
             "Task failed: the server instance running it stopped (no lease renewal for %u ms); "
             "retry the tool call", tk->opt.lease_ms);
    rec_set(rec, "result", NULL);
    rec_set(rec, "inputRequests", NULL);
    rec_set(rec, "status", cJSON_CreateString("failed"));
    rec_set(rec, "statusMessage", cJSON_CreateString(msg));
    rec_set(rec, "error", error_object(JSONRPC_INTERNAL_ERROR, msg));
    return 0;
}

typedef struct message_ctx { const char *text; } message_ctx;

static int edit_message(cJSON *rec, void *ctx)
{
    message_ctx *m = ctx;
    if (strcmp(rec_str(rec, "status"), "working") != 0)
        return 1;
    rec_set(rec, "statusMessage", cJSON_CreateString(m->text));
    return 0;
}

static void flush_messages(mcp__tasks *tk, task_store *ts)
{
    for (;;) {
        char id[2 * ID_BYTES + 1] = "";
        char *text = NULL;
        pthread_mutex_lock(&tk->lock);
        for (task_run *r = tk->runs; r; r = r->next)
            if (r->message_dirty && r->status_message) {
                r->message_dirty = false;
                memcpy(id, r->id, sizeof id);
                text = strdup(r->status_message);
                break;
            }
        pthread_mutex_unlock(&tk->lock);
        if (!id[0])
            return;
        if (text)
            record_edit(ts, id, edit_message, &(message_ctx){text});
        free(text);
    }
}

static void handle_inbox(mcp__tasks *tk, task_store *ts)
{
    strbuf in = {0};
    if (ts->ops->drain(ts, tk->owner, &in) == 0 && in.data) {
        char *save = NULL;
        for (char *line = strtok_r(in.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            char *sp = strchr(line, ' ');
            if (sp) {
                *sp = '\0';
                local_event(tk, line, sp + 1);
            }
        }
    }
    strbuf_free(&in);
}

static void fail_orphans(mcp__tasks *tk, task_store *ts)
{
    strbuf ids = {0};
    if (ts->ops->orphans(ts, tk->owner, &ids) == 0 && ids.data) {
        char *save = NULL;
        for (char *id = strtok_r(ids.data, "\n", &save); id; id = strtok_r(NULL, "\n", &save))
            record_edit(ts, id, edit_orphaned, tk);
    }
    strbuf_free(&ids);
}

/* Past its ttl a run is cancelled: a running handler sees it, a waiting
 * one ends now (a few per sweep). */
static void end_expired_runs(mcp__tasks *tk, int64_t now)
{
    char ids[32][2 * ID_BYTES + 1];
    unsigned n = 0;
    pthread_mutex_lock(&tk->lock);
    for (task_run *r = tk->runs; r; r = r->next)
        if (r->expire <= now) {
            atomic_store(&r->ex.cancelled, true);
            if (r->state == RUN_WAITING && n < 32)
                memcpy(ids[n++], r->id, sizeof ids[0]);
        }
    pthread_mutex_unlock(&tk->lock);
    for (unsigned i = 0; i < n; i++)
        local_event(tk, ids[i], "cancel");
}

static void heartbeat(mcp__tasks *tk, task_store *ts, bool force)
{
    uint64_t now = now_ms();
    if (!ts->shared || (!force && now - tk->last_heartbeat < tk->opt.lease_ms / 3))
        return;
    if (ts->ops->heartbeat(ts, tk->owner, tk->opt.lease_ms) == 0)
        atomic_store(&tk->last_heartbeat, now);
}

static void *housekeeper(void *arg)
{
    mcp__tasks *tk = arg;
    uint64_t last_sweep = 0, last_orphans = 0;
    pthread_mutex_lock(&tk->lock);
    while (!tk->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        long step_ms = tk->nruns ? 100 : 500;
        until.tv_nsec += step_ms * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&tk->wake, &tk->lock, &until);
        if (tk->stopping)
            break;
        tk->store_users++;
        task_store *ts = tk->store;
        pthread_mutex_unlock(&tk->lock);

        heartbeat(tk, ts, false);
        handle_inbox(tk, ts);
        flush_messages(tk, ts);
        /* Orphans four times per lease (so detection takes at most 1.25
         * leases), expired records and runs every second. */
        uint64_t now = now_ms();
        unsigned orphan_every = tk->opt.lease_ms / 4 < 250 ? 250 : tk->opt.lease_ms / 4;
        if (ts->shared && now - last_orphans >= orphan_every) {
            last_orphans = now;
            fail_orphans(tk, ts);
        }
        if (now - last_sweep >= 1000) {
            last_sweep = now;
            int64_t wall = (int64_t)unix_ms();
            ts->ops->sweep(ts, wall);
            end_expired_runs(tk, wall);
        }
        store_release(tk);
        pthread_mutex_lock(&tk->lock);
    }
    pthread_mutex_unlock(&tk->lock);
    return NULL;
}

static void ensure_thread(mcp__tasks *tk)
{
    pthread_mutex_lock(&tk->lock);
    if (!tk->thread_started && !tk->stopping)
        tk->thread_started = pthread_create(&tk->thread, NULL, housekeeper, tk) == 0;
    pthread_mutex_unlock(&tk->lock);
}

/* ---------------- lifecycle ---------------- */

static void options_fill(mcp_task_options *o)
{
    if (!o->ttl_ms) o->ttl_ms = 300000;
    if (!o->poll_interval_ms) o->poll_interval_ms = 1000;
    if (!o->lease_ms) o->lease_ms = 15000;
    if (!o->max_per_principal) o->max_per_principal = 10000;
    if (!o->max_result_bytes) o->max_result_bytes = 1u << 20;
}

mcp__tasks *mcp__tasks_new(mcp_server *srv)
{
    mcp__tasks *tk = calloc(1, sizeof *tk);
    if (!tk || !(tk->memory = task_memory_new()) || random_hex_id(tk->owner, 8) < 0) {
        if (tk && tk->memory)
            tk->memory->ops->free(tk->memory);
        free(tk);
        return NULL;
    }
    tk->srv = srv;
    tk->store = tk->memory;
    options_fill(&tk->opt);
    pthread_mutex_init(&tk->lock, NULL);
    pthread_cond_init(&tk->wake, NULL);
    pthread_cond_init(&tk->idle, NULL);
    return tk;
}

int mcp_server_set_task_options(mcp_server *srv, const mcp_task_options *opts)
{
    if (!srv || !srv->tasks || !opts)
        return -MCP_EINVAL;
    mcp_task_options o = *opts;
    options_fill(&o);
    pthread_mutex_lock(&srv->tasks->lock);
    srv->tasks->opt = o;
    pthread_mutex_unlock(&srv->tasks->lock);
    return 0;
}

void mcp__tasks_stop(mcp__tasks *tk)
{
    if (!tk)
        return;
    pthread_mutex_lock(&tk->lock);
    tk->stopping = true;
    pthread_cond_broadcast(&tk->wake);
    bool joined = tk->thread_started;
    tk->thread_started = false;
    for (task_run *r = tk->runs; r; r = r->next)
        atomic_store(&r->ex.cancelled, true);
    pthread_mutex_unlock(&tk->lock);
    if (joined)
        pthread_join(tk->thread, NULL);
}

void mcp__tasks_free(mcp__tasks *tk)
{
    if (!tk)
        return;
    mcp__tasks_stop(tk);
    /* The worker pool has drained: what is left waits for input. */
    while (tk->runs) {
        task_run *r = tk->runs;
        tk->runs = r->next;
        r->refs = 1;
        run_unref(r);
    }
    if (tk->store != tk->memory)
        mcp__tasks_detach_store(tk->srv);
    tk->memory->ops->free(tk->memory);
    pthread_mutex_destroy(&tk->lock);
    pthread_cond_destroy(&tk->wake);
    pthread_cond_destroy(&tk->idle);
    free(tk);
}

void mcp__tasks_attach_store(mcp_server *srv, mcp_store *st)
{
    mcp__tasks *tk = srv->tasks;
    task_store *ts = st && st->tasks_open ? st->tasks_open(st) : NULL;
    if (!tk || !ts)
        return;
    pthread_mutex_lock(&tk->lock);
    task_store *old = tk->store != tk->memory ? tk->store : NULL;
    while (tk->store_users)
        pthread_cond_wait(&tk->idle, &tk->lock);
    tk->store = ts;
    pthread_mutex_unlock(&tk->lock);
    if (old)
        old->ops->free(old);
    ensure_thread(tk);   /* leases and orphans matter before the first task */
}

void mcp__tasks_detach_store(mcp_server *srv)
{
    mcp__tasks *tk = srv->tasks;
    if (!tk)
        return;
    pthread_mutex_lock(&tk->lock);
    task_store *old = tk->store != tk->memory ? tk->store : NULL;
    for (task_run *r = tk->runs; r && old; r = r->next)
        atomic_store(&r->ex.cancelled, true);
    while (tk->store_users)
        pthread_cond_wait(&tk->idle, &tk->lock);
    tk->store = tk->memory;
    pthread_mutex_unlock(&tk->lock);
    if (old)
        old->ops->free(old);
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

/* ---------------- creation (tools/call) ---------------- */

static cJSON *new_record(mcp__tasks *tk, const char *id, const char *principal, int64_t now, int64_t *expire)
{
    char at[32];
    iso_time(now, at);
    *expire = now + tk->opt.ttl_ms;
    cJSON *rec = cJSON_CreateObject();
    if (!rec)
        return NULL;
    cJSON_AddStringToObject(rec, "taskId", id);
    cJSON_AddStringToObject(rec, "status", "working");
    cJSON_AddStringToObject(rec, "createdAt", at);
    cJSON_AddStringToObject(rec, "lastUpdatedAt", at);
    cJSON_AddNumberToObject(rec, "ttlMs", tk->opt.ttl_ms);
    cJSON_AddNumberToObject(rec, "pollIntervalMs", tk->opt.poll_interval_ms);
    cJSON_AddStringToObject(rec, "_p", principal);
    cJSON_AddStringToObject(rec, "_o", tk->owner);
    cJSON_AddNumberToObject(rec, "_x", (double)*expire);
    return rec;
}

/* The public part of a record: everything but the private _ keys. */
static cJSON *public_view(const cJSON *rec)
{
    cJSON *out = cJSON_CreateObject();
    for (const cJSON *f = rec ? rec->child : NULL; f && out; f = f->next)
        if (f->string[0] != '_')
            cJSON_AddItemToObject(out, f->string, cJSON_Duplicate(f, 1));
    return out;
}

static task_run *run_new(mcp__tasks *tk, mcp_call *call, const tool_entry *t, const char *id, const char *principal,
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
    return run;
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
    const char *principal = call->ex->principal ? call->ex->principal : "";
    int64_t now = (int64_t)unix_ms(), expire = 0;
    cJSON *rec = random_hex_id(id, ID_BYTES) == 0 ? new_record(tk, id, principal, now, &expire) : NULL;
    char *json = rec ? json_print(rec, NULL) : NULL;
    task_run *run = json ? run_new(tk, call, t, id, principal, expire) : NULL;
    if (!run) {
        free(json);
        cJSON_Delete(rec);
        call_reply_error(call, JSONRPC_INTERNAL_ERROR, "Internal error: out of memory");
        return true;
    }
    ensure_thread(tk);
    task_store *ts = store_acquire(tk);
    heartbeat(tk, ts, atomic_load(&tk->last_heartbeat) == 0);
    /* Durable before the reply: tasks/get on any instance resolves it. */
    int rc = ts->ops->create(ts, id, principal, tk->owner, json, expire, tk->opt.max_per_principal);
    store_release(tk);
    free(json);
    if (rc < 0) {
        call->args = run->args;
        run->args = NULL;
        run_unref(run);
        cJSON_Delete(rec);
        char msg[200];
        if (rc == -MCP_ELIMIT) {
            snprintf(msg, sizeof msg, "Too many unfinished tasks for this caller (limit %u): let some finish or cancel them",
                     tk->opt.max_per_principal);
            call_reply_error(call, ERR_TASK_LIMIT, msg);
        } else {
            call_reply_error(call, JSONRPC_INTERNAL_ERROR, "Internal error: the task store cannot be reached, retry later");
        }
        return true;
    }
    pthread_mutex_lock(&tk->lock);
    run->next = tk->runs;
    tk->runs = run;
    tk->nruns++;
    run->refs++;                     /* the round's */
    pthread_mutex_unlock(&tk->lock);

    cJSON *result = public_view(rec);
    cJSON_Delete(rec);
    if (result)
        cJSON_AddStringToObject(result, "resultType", "task");
    call_reply_result(call, result);
    start_round(run);
    run_unref(run);
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
    const char *id = param_string(call, "taskId");
    if (!id) {
        call_reply_error(call, JSONRPC_INVALID_PARAMS, "Invalid params: taskId (a string) is required");
        return NULL;
    }
    char *text = NULL;
    uint64_t v = 0;
    int rc = ts->ops->get(ts, id, &text, &v);
    cJSON *rec = rc == 0 ? cJSON_Parse(text) : NULL;
    free(text);
    const char *principal = call->ex->principal ? call->ex->principal : "";
    const char *owner_of = rec_str(rec, "_p");
    const cJSON *expire = cJSON_GetObjectItemCaseSensitive(rec, "_x");
    bool expired = cJSON_IsNumber(expire) && expire->valuedouble <= (double)unix_ms();
    if (rec && (!owner_of || strcmp(owner_of, principal) != 0 || expired)) {
        cJSON_Delete(rec);
        rec = NULL;
    }
    if (!rec) {
        if (rc == -MCP_EIO) {
            call_reply_error(call, JSONRPC_INTERNAL_ERROR, "Internal error: the task store cannot be reached, retry later");
        } else {
            char msg[200];
            snprintf(msg, sizeof msg, "Invalid params: unknown task %.64s (never created, expired or not yours)", id);
            call_reply_error(call, JSONRPC_INVALID_PARAMS, msg);
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
    task_store *ts = store_acquire(tk);
    const char *id = NULL;
    cJSON *rec = load_for_caller(call, ts, &id, NULL);
    store_release(tk);
    if (rec) {
        cJSON *view = public_view(rec);
        cJSON_Delete(rec);
        call_reply_result(call, view);
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
    if (strcmp(rec_str(rec, "status"), "input_required") != 0)
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
        rec_set(rec, "inputRequests", NULL);
        rec_set(rec, "status", cJSON_CreateString("working"));
        u->all_answered = true;
    }
    return 0;
}

static void reply_ack(mcp_call *call)
{
    call_reply_result(call, cJSON_CreateObject());
}

void mcp__method_tasks_update(mcp_call *call)
{
    mcp__tasks *tk = call->srv->tasks;
    const cJSON *responses = cJSON_GetObjectItemCaseSensitive(call->params, "inputResponses");
    if (declared(call) && responses && !cJSON_IsObject(responses)) {
        call_reply_error(call, JSONRPC_INVALID_PARAMS, "Invalid params: inputResponses must be an object");
        return;
    }
    task_store *ts = store_acquire(tk);
    const char *id = NULL;
    cJSON *rec = load_for_caller(call, ts, &id, NULL);
    if (!rec) {
        store_release(tk);
        return;
    }
    char *owner = xstrdup(rec_str(rec, "_o"));
    cJSON_Delete(rec);
    update_ctx u = { .responses = responses };
    int rc = record_edit(ts, id, edit_update, &u);
    if (rc == 0 && u.all_answered)
        poke_owner(tk, ts, owner, id, "resume");
    store_release(tk);
    free(owner);
    if (rc == -MCP_EIO)
        call_reply_error(call, JSONRPC_INTERNAL_ERROR, "Internal error: the task store cannot be reached, retry later");
    else
        reply_ack(call);
}

static int edit_cancel_request(cJSON *rec, void *ctx)
{
    (void)ctx;
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "_c")))
        return 1;
    rec_set(rec, "_c", cJSON_CreateTrue());
    return 0;
}

void mcp__method_tasks_cancel(mcp_call *call)
{
    mcp__tasks *tk = call->srv->tasks;
    task_store *ts = store_acquire(tk);
    const char *id = NULL;
    cJSON *rec = load_for_caller(call, ts, &id, NULL);
    if (!rec) {
        store_release(tk);
        return;
    }
    char *owner = xstrdup(rec_str(rec, "_o"));
    cJSON_Delete(rec);
    /* Terminal tasks stay as they are and get the same ack (idempotent). */
    int rc = record_edit(ts, id, edit_cancel_request, NULL);
    if (rc >= 0)
        poke_owner(tk, ts, owner, id, "cancel");
    store_release(tk);
    free(owner);
    if (rc == -MCP_EIO)
        call_reply_error(call, JSONRPC_INTERNAL_ERROR, "Internal error: the task store cannot be reached, retry later");
    else
        reply_ack(call);
}
