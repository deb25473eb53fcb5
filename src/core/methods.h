/* Method handlers of the server layer, one file per area. Each takes the
 * call and finishes it exactly once (call_reply_*), now or from a worker. */
#ifndef MCP_CORE_METHODS_H
#define MCP_CORE_METHODS_H

#include "core/server_internal.h"

void method_initialize(mcp_call *call);
void method_ping(mcp_call *call);
void method_logging_set_level(mcp_call *call);
void method_tools_list(mcp_call *call);
void method_tools_call(mcp_call *call);
void method_resources_list(mcp_call *call);
void method_resource_templates_list(mcp_call *call);
void method_resources_read(mcp_call *call);
void method_resources_subscribe(mcp_call *call);
void method_resources_unsubscribe(mcp_call *call);
void method_prompts_list(mcp_call *call);
void method_prompts_get(mcp_call *call);
void method_completion_complete(mcp_call *call);
void method_server_discover(mcp_call *call);
void method_subscriptions_listen(mcp_call *call);
/* Modern listen streams: deliver a broadcast notification to matching listeners. */
void listeners_deliver(mcp_server *srv, const cJSON *notification, const char *resource_uri);
void listeners_close_all(mcp_server *srv);

/* Run a handler-backed call (tool, resource, prompt) with input rounds:
 * invoke(call) runs the user handler once; finish(call, rc) turns the
 * outcome into the reply. Runs on the worker pool when blocking. */
typedef int (*invoke_fn)(mcp_call *call);
typedef void (*finish_fn)(mcp_call *call, int rc);
void run_handler(mcp_call *call, bool blocking, invoke_fn invoke, finish_fn finish);

int log_level_parse(const char *name);
const char *param_string(const mcp_call *call, const char *key);

#endif
