/* Registry entries and their reference counts (see entry.c). */
#ifndef MCP_CORE_ENTRY_H
#define MCP_CORE_ENTRY_H

#include "core/server_internal.h"

/* A zeroed entry holding the registry's reference. */
tool_entry *mcp__tool_entry_new(void);
resource_entry *mcp__resource_entry_new(void);
prompt_entry *mcp__prompt_entry_new(void);
/* Free at once (an entry never published, or the last reference). */
void mcp__tool_entry_free(tool_entry *t);
void mcp__resource_entry_free(resource_entry *r);
void mcp__prompt_entry_free(prompt_entry *p);

/* A call starts using entry (kind CALL_TOOL/RESOURCE/PROMPT; others are
 * ignored): take it under the registry's read lock. */
void mcp__entry_hold(call_kind kind, const void *entry);
/* ... and stops: the last reference frees the entry. */
void mcp__entry_release(call_kind kind, const void *entry);

/* Entries alive in the process (for tests). */
long mcp__entry_live_count(void);

#endif
