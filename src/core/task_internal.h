/* What the tasks files share (tasks.c: methods and creation; task_run.c:
 * a task's handler rounds and the events that resume or cancel them;
 * task_house.c: the housekeeping thread and the lifecycle; task_record.c:
 * the record helpers). A record is the DetailedTask JSON plus private keys:
 * _p principal, _o owner instance, _x expiry (unix ms), _c cancel
 * requested, _a answers received by tasks/update. */
#ifndef MCP_CORE_TASK_INTERNAL_H
#define MCP_CORE_TASK_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <mcp/tasks.h>

#include "core/server_internal.h"
#include "core/tasks.h"
#include "store/task_store.h"

#define ID_BYTES 16               /* 128-bit task ids from the CSPRNG */

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

/* ---- task_record.c ---- */
void mcp__task_iso_time(int64_t unix_ms, char out[32]);
bool mcp__task_is_terminal(const char *status);
const char *mcp__task_str(const cJSON *rec, const char *key);
void mcp__task_set(cJSON *rec, const char *key, cJSON *value_take);   /* NULL: remove */
cJSON *mcp__task_error_object(int code, const char *message);
/* The current store, held until release (a detach waits for holders). */
task_store *mcp__task_store_acquire(mcp__tasks *tk);
void mcp__task_store_release(mcp__tasks *tk);
/* Read-modify-write of one record with compare-and-set. edit returns 0 to
 * write, 1 to leave the record as it is; terminal records are never
 * changed. Returns 0 written, 1 unchanged, -MCP_ENOTFOUND, -MCP_EIO. */
typedef int (*edit_fn)(cJSON *rec, void *ctx);
int mcp__task_edit(task_store *ts, const char *id, edit_fn edit, void *ctx);

/* ---- task_run.c ---- */
/* A run for a created task; moves call's arguments and input answers. */
task_run *mcp__task_run_new(mcp__tasks *tk, mcp_call *call, const tool_entry *t, const char *id,
                            const char *principal, int64_t expire);
void mcp__task_run_unref(task_run *run);
void mcp__task_start_round(task_run *run);
/* "cancel" or "resume" for a task this instance runs (ignored otherwise). */
void mcp__task_event(mcp__tasks *tk, const char *id, const char *what);
/* Tell a record's owner: this instance directly, another through its inbox. */
void mcp__task_poke_owner(mcp__tasks *tk, task_store *ts, const char *owner, const char *id, const char *what);

/* ---- task_house.c ---- */
mcp_task_options mcp__task_options(mcp__tasks *tk);   /* a consistent copy */
void mcp__task_ensure_thread(mcp__tasks *tk);
/* Renew this instance's lease when due (or now with force); shared stores only. */
void mcp__task_heartbeat(mcp__tasks *tk, task_store *ts, bool force);

#endif
