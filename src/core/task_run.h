/* The owner side of a task (task_run.c): a run, its handler rounds and
 * the events that resume or cancel it. */
#ifndef MCP_CORE_TASK_RUN_H
#define MCP_CORE_TASK_RUN_H

#include <stdint.h>

#include "core/task_internal.h"

/* A run for a created task; moves call's arguments and input answers and
 * holds the tool entry until the run is freed. */
task_run *mcp__task_run_new(mcp__tasks *tk, mcp_call *call, const tool_entry *t, const char *id,
                            const char *principal, int64_t expire);
void mcp__task_run_unref(task_run *run);
void mcp__task_start_round(task_run *run);
/* "cancel" or "resume" for a task this instance runs (ignored otherwise). */
void mcp__task_event(mcp__tasks *tk, const char *id, const char *what);
/* Tell a record's owner: this instance directly, another through its inbox. */
void mcp__task_poke_owner(mcp__tasks *tk, task_store *ts, const char *owner, const char *id, const char *what);

#endif
