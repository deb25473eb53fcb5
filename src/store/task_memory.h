/* The in-process task store (task_memory.c): the default for a server
 * whose transport has no external store. */
#ifndef MCP_STORE_TASK_MEMORY_H
#define MCP_STORE_TASK_MEMORY_H

#include "store/task_store.h"

task_store *mcp__task_memory_new(void);

#endif
