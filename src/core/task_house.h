/* The tasks module's lifecycle and housekeeping (task_house.c): what
 * server.c and the HTTP transport call, and the thread and lease helpers
 * tasks.c uses. */
#ifndef MCP_CORE_TASK_HOUSE_H
#define MCP_CORE_TASK_HOUSE_H

#include <stdbool.h>

#include <mcp/store.h>

#include "core/server_internal.h"

typedef struct mcp__tasks mcp__tasks;
struct task_store;

mcp__tasks *mcp__tasks_new(mcp_server *srv);
/* Stop the housekeeping thread and cancel local runs (before the worker
 * pool drains); then free after it drained. */
void mcp__tasks_stop(mcp__tasks *tk);
void mcp__tasks_free(mcp__tasks *tk);

/* Keep task records in st's backend (when it has one) instead of this
 * process, until detached; st must outlive the attachment. Detach acts
 * only when st is the store attached (so a transport that never attached,
 * or stopped twice, changes nothing). */
void mcp__tasks_attach_store(mcp_server *srv, mcp_store *st);
void mcp__tasks_detach_store(mcp_server *srv, mcp_store *st);

void mcp__task_ensure_thread(mcp__tasks *tk);
/* Renew this instance's lease when due (or now with force); shared stores only. */
void mcp__task_heartbeat(mcp__tasks *tk, struct task_store *ts, bool force);

#endif
