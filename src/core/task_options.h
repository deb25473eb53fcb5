/* Task options of a server (task_options.c): the consistent copy every
 * reader takes, and the defaults of mcp_task_options. */
#ifndef MCP_CORE_TASK_OPTIONS_H
#define MCP_CORE_TASK_OPTIONS_H

#include <mcp/tasks.h>

typedef struct mcp__tasks mcp__tasks;

/* 0 fields of o become their defaults. */
void mcp__task_options_fill(mcp_task_options *o);
/* A consistent copy of tk's options (they may change while serving). */
mcp_task_options mcp__task_options(mcp__tasks *tk);

#endif
