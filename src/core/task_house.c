/* Housekeeping and lifecycle of the tasks module: one thread per server
 * renews this instance's lease, reads its inbox, flushes status messages,
 * ends tasks of dead instances (failed) and past their ttl (cancelled),
 * and sweeps expired records; plus creation, teardown and the store swap. */
#include "core/task_house.h"

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
#include "core/task_options.h"
#include "core/task_record.h"
#include "core/task_run.h"
#include "store/task_memory.h"

/* ---------------- housekeeping ---------------- */

/* A task whose instance died: failed, or cancelled when the client had
 * asked for that (the handler can no longer settle it). */
static int edit_orphaned(cJSON *rec, void *ctx)
{
    mcp__tasks *tk = ctx;
    mcp__task_set(rec, "result", NULL);
    mcp__task_set(rec, "inputRequests", NULL);
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "_c"))) {
        mcp__task_set(rec, "status", cJSON_CreateString("cancelled"));
        mcp__task_set(rec, "statusMessage", cJSON_CreateString("Cancelled at the client's request"));
        return 0;
    }
    char msg[200];
    snprintf(msg, sizeof msg,
             "Task failed: the server instance running it stopped (no lease renewal for %u ms); "
             "retry the tool call", mcp__task_options(tk).lease_ms);
    mcp__task_set(rec, "status", cJSON_CreateString("failed"));
    mcp__task_set(rec, "statusMessage", cJSON_CreateString(msg));
    mcp__task_set(rec, "error", mcp__task_error_object(JSONRPC_INTERNAL_ERROR, msg));
    return 0;
}

typedef struct message_ctx { const char *text; } message_ctx;

static int edit_message(cJSON *rec, void *ctx)
{
    message_ctx *m = ctx;
    if (strcmp(mcp__task_str(rec, "status"), "working") != 0)
        return 1;
    mcp__task_set(rec, "statusMessage", cJSON_CreateString(m->text));
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
            mcp__task_edit(ts, id, edit_message, &(message_ctx){text});
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
                mcp__task_event(tk, line, sp + 1);
            }
        }
    }
    mcp__strbuf_free(&in);
}

static void fail_orphans(mcp__tasks *tk, task_store *ts)
{
    strbuf ids = {0};
    if (ts->ops->orphans(ts, tk->owner, &ids) == 0 && ids.data) {
        char *save = NULL;
        for (char *id = strtok_r(ids.data, "\n", &save); id; id = strtok_r(NULL, "\n", &save))
            mcp__task_edit(ts, id, edit_orphaned, tk);
    }
    mcp__strbuf_free(&ids);
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
        mcp__task_event(tk, ids[i], "cancel");
}

void mcp__task_heartbeat(mcp__tasks *tk, task_store *ts, bool force)
{
    uint64_t now = mcp__now_ms();
    unsigned lease_ms = mcp__task_options(tk).lease_ms;
    if (!ts->shared || (!force && now - atomic_load(&tk->last_heartbeat) < lease_ms / 3))
        return;
    if (ts->ops->heartbeat(ts, tk->owner, lease_ms) == 0)
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

        mcp__task_heartbeat(tk, ts, false);
        handle_inbox(tk, ts);
        flush_messages(tk, ts);
        /* Orphans four times per lease (so detection takes at most 1.25
         * leases), expired records and runs every second. */
        uint64_t now = mcp__now_ms();
        unsigned lease_ms = mcp__task_options(tk).lease_ms;
        unsigned orphan_every = lease_ms / 4 < 250 ? 250 : lease_ms / 4;
        if (ts->shared && now - last_orphans >= orphan_every) {
            last_orphans = now;
            fail_orphans(tk, ts);
        }
        if (now - last_sweep >= 1000) {
            last_sweep = now;
            int64_t wall = (int64_t)mcp__unix_ms();
            ts->ops->sweep(ts, wall);
            end_expired_runs(tk, wall);
        }
        mcp__task_store_release(tk);
        pthread_mutex_lock(&tk->lock);
    }
    pthread_mutex_unlock(&tk->lock);
    return NULL;
}

void mcp__task_ensure_thread(mcp__tasks *tk)
{
    pthread_mutex_lock(&tk->lock);
    if (!tk->thread_started && !tk->stopping)
        tk->thread_started = pthread_create(&tk->thread, NULL, housekeeper, tk) == 0;
    pthread_mutex_unlock(&tk->lock);
}

/* ---------------- lifecycle ---------------- */

mcp__tasks *mcp__tasks_new(mcp_server *srv)
{
    mcp__tasks *tk = calloc(1, sizeof *tk);
    if (!tk || !(tk->memory = mcp__task_memory_new()) || mcp__random_hex_id(tk->owner, 8) < 0) {
        if (tk && tk->memory)
            tk->memory->ops->free(tk->memory);
        free(tk);
        return NULL;
    }
    tk->srv = srv;
    tk->store = tk->memory;
    mcp__task_options_fill(&tk->opt);
    pthread_mutex_init(&tk->lock, NULL);
    pthread_cond_init(&tk->wake, NULL);
    pthread_cond_init(&tk->idle, NULL);
    return tk;
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
        mcp__task_run_unref(r);
    }
    if (tk->store != tk->memory)
        mcp__tasks_detach_store(tk->srv, tk->attached);
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
    tk->attached = st;
    pthread_mutex_unlock(&tk->lock);
    if (old)
        old->ops->free(old);
    mcp__task_ensure_thread(tk);   /* leases and orphans matter before the first task */
}

void mcp__tasks_detach_store(mcp_server *srv, mcp_store *st)
{
    mcp__tasks *tk = srv->tasks;
    if (!tk || !st)
        return;
    pthread_mutex_lock(&tk->lock);
    if (tk->attached != st) {
        pthread_mutex_unlock(&tk->lock);
        return;
    }
    task_store *old = tk->store != tk->memory ? tk->store : NULL;
    for (task_run *r = tk->runs; r && old; r = r->next)
        atomic_store(&r->ex.cancelled, true);
    while (tk->store_users)
        pthread_cond_wait(&tk->idle, &tk->lock);
    tk->store = tk->memory;
    tk->attached = NULL;
    pthread_mutex_unlock(&tk->lock);
    if (old)
        old->ops->free(old);
}
