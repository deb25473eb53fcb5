/* The internal side of mcp_call: creating one for a request, the reply
 * that finishes it, and small accessors (the public side is
 * include/mcp/call.h). */
#ifndef MCP_CORE_CALL_H
#define MCP_CORE_CALL_H

#include "core/server_internal.h"

mcp_call *mcp__call_new(mcp_server *srv, mcp_exchange *ex, cJSON *msg_take);
void mcp__call_free(mcp_call *call);
/* The request's params.arguments moved out of the message (an empty object
 * when absent), for call->args. */
cJSON *mcp__call_take_arguments(mcp_call *call);
void mcp__call_reset_output(mcp_call *call);
/* Finish: send the response through the exchange and free the call. */
void mcp__call_reply_result(mcp_call *call, cJSON *result_take);
void mcp__call_reply_error(mcp_call *call, int code, const char *message);
void mcp__call_reply_error_data(mcp_call *call, int code, const char *message, cJSON *data_take);

/* A string member of the request's params, or NULL. */
const char *mcp__param_string(const mcp_call *call, const char *key);
/* "debug".."emergency" to MCP_LOG_*, or -1. */
int mcp__log_level_parse(const char *name);

#endif
