/* The task-record store (extension io.modelcontextprotocol/tasks): one JSON
 * record per task with a version for compare-and-set, an inbox per owner
 * instance for "cancel"/"update" pokes, owner leases, and the per-principal
 * count of unfinished tasks. Two backends: task_memory.c (this process) and
 * redis_tasks.c (shared by every instance on one Redis). Every call is
 * synchronous and bounded; store failures return -MCP_EIO. */
#ifndef MCP_STORE_TASK_STORE_H
#define MCP_STORE_TASK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/strbuf.h"

typedef struct task_store task_store;

#define TASK_STORE_CONFLICT 1

typedef struct task_store_ops {
    /* Store a new record (version 1), expiring at expire_unix_ms, counted
     * as unfinished for principal and owner. -MCP_ELIMIT when principal
     * already has max_active unfinished tasks (0: no limit), -MCP_EEXIST. */
    int (*create)(task_store *ts, const char *id, const char *principal, const char *owner,
                  const char *json, int64_t expire_unix_ms, unsigned max_active);
    /* *json_out (free it) and its version; -MCP_ENOTFOUND. */
    int (*get)(task_store *ts, const char *id, char **json_out, uint64_t *version);
    /* Replace the record if its version is still version: 0, or
     * TASK_STORE_CONFLICT when another writer came first (read again and
     * retry), -MCP_ENOTFOUND when gone. finished drops
     * it from the principal's and owner's unfinished sets. */
    int (*put)(task_store *ts, const char *id, uint64_t version, const char *json, bool finished,
               const char *principal, const char *owner);
    /* Drop an id that expired from the unfinished sets. */
    int (*forget)(task_store *ts, const char *id, const char *principal, const char *owner);
    /* Append "id what" to owner's inbox; drain takes every line ("\n" ended). */
    int (*notify)(task_store *ts, const char *owner, const char *id, const char *what);
    int (*drain)(task_store *ts, const char *owner, strbuf *out);
    /* Renew owner's lease for lease_ms. */
    int (*heartbeat)(task_store *ts, const char *owner, unsigned lease_ms);
    /* Unfinished task ids of owners other than self whose lease ran out,
     * as "id\n" lines. */
    int (*orphans)(task_store *ts, const char *self, strbuf *out);
    /* Delete records past their expiry (memory backend; Redis expires keys itself). */
    void (*sweep)(task_store *ts, int64_t now_unix_ms);
    void (*free)(task_store *ts);
} task_store_ops;

struct task_store {
    const task_store_ops *ops;
    bool shared;                   /* other instances may own tasks in it */
};

#endif
