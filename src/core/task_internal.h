/* The structs the tasks files share (struct definitions only; tasks.c:
 * methods and creation; task_run.c: a task's handler rounds and the events
 * that resume or cancel them; task_house.c: the housekeeping thread and the
 * lifecycle; task_record.c: the record helpers; task_options.c: options).
 * A record is the DetailedTask JSON plus private keys: _p principal, _o owner instance, _x expiry (unix ms), _c cancel
 * requested, _a answers received by tasks/update. */
#ifndef MCP_CORE_TASK_INTERNAL_H
#define MCP_CORE_TASK_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <mcp/tasks.h>

#include "core/server_internal.h"
#include "core/call.h"
#include "core/registry.h"
#include "core/run.h"
#include "core/task_house.h"
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
    mcp_store *attached;         /* the mcp_store the store came from, or NULL */
    task_run *runs;
    unsigned nruns;
    pthread_t thread;
    bool thread_started, stopping;
    _Atomic uint64_t last_heartbeat;
};

#endif
