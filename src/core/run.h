/* Handler runs with input rounds, inline or on the worker pool. */
#ifndef MCP_CORE_RUN_H
#define MCP_CORE_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/server_internal.h"

/* Run a handler-backed call (tool, resource, prompt) with input rounds:
 * invoke(call) runs the user handler once; finish(call, rc) turns the
 * outcome into the reply. Runs on the worker pool when blocking. */
typedef int (*invoke_fn)(mcp_call *call);
typedef void (*finish_fn)(mcp_call *call, int rc);
void mcp__run_handler(mcp_call *call, bool blocking, invoke_fn invoke, finish_fn finish);

/* Load inputResponses/requestState of a modern retry; -1 when the state
 * was tampered with, expired or bound to another request (reply -32602). */
int mcp__call_load_input(mcp_call *call);

/* The reply text for a handler outcome that is an input round's failure
 * (-MCP_EUNSUPPORTED, -MCP_ETIMEDOUT, -MCP_ECANCELED), written into buf and
 * returned; NULL for any other rc. The wording names the call's kind. */
const char *mcp__run_input_outcome(const mcp_call *call, int rc, char *buf, size_t len);

#endif
