/* Method handlers of the server layer, one file per area (declarations of
 * method_* only; it includes what every method file uses). Each takes the
 * call and finishes it exactly once (call_reply_*), now or from a worker. */
#ifndef MCP_CORE_METHODS_H
#define MCP_CORE_METHODS_H

#include "core/call.h"
#include "core/registry.h"
#include "core/run.h"

void mcp__method_initialize(mcp_call *call);
void mcp__method_ping(mcp_call *call);
void mcp__method_logging_set_level(mcp_call *call);
void mcp__method_tools_list(mcp_call *call);
void mcp__method_tools_call(mcp_call *call);
void mcp__method_resources_list(mcp_call *call);
void mcp__method_resource_templates_list(mcp_call *call);
void mcp__method_resources_read(mcp_call *call);
void mcp__method_resources_subscribe(mcp_call *call);
void mcp__method_resources_unsubscribe(mcp_call *call);
void mcp__method_prompts_list(mcp_call *call);
void mcp__method_prompts_get(mcp_call *call);
void mcp__method_completion_complete(mcp_call *call);
void mcp__method_server_discover(mcp_call *call);
void mcp__method_subscriptions_listen(mcp_call *call);
/* skills.c: the Skills extension (SEP-2640) */
void mcp__method_skills_list(mcp_call *call);
void mcp__method_skills_get(mcp_call *call);
void mcp__method_resources_directory_read(mcp_call *call);

#endif
