/* Task records as JSON (task_record.c): field helpers, timestamps, the
 * store handle and the compare-and-set edit. */
#ifndef MCP_CORE_TASK_RECORD_H
#define MCP_CORE_TASK_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "core/task_internal.h"

void mcp__task_iso_time(int64_t unix_ms, char out[32]);
const char *mcp__task_str(const cJSON *rec, const char *key);
void mcp__task_set(cJSON *rec, const char *key, cJSON *value_take);   /* NULL: remove */
cJSON *mcp__task_error_object(int code, const char *message);
/* The current store, held until release (a detach waits for holders). */
task_store *mcp__task_store_acquire(mcp__tasks *tk);
void mcp__task_store_release(mcp__tasks *tk);
/* Read-modify-write of one record with compare-and-set. edit returns 0 to
 * write, 1 to leave the record as it is; terminal records are never
 * changed. A visible change written is sent as notifications/tasks
 * to this instance's listen streams subscribed to id (tk may be NULL:
 * then none). Returns 0 written, 1 unchanged, -MCP_ENOTFOUND, -MCP_EIO. */
typedef int (*edit_fn)(cJSON *rec, void *ctx);
int mcp__task_edit(mcp__tasks *tk, task_store *ts, const char *id, edit_fn edit, void *ctx);
/* The public part of a record (the DetailedTask tasks/get returns):
 * everything but the private _ keys. A new object. */
cJSON *mcp__task_public_view(const cJSON *rec);

#endif
