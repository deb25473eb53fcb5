/* Skills (SEP-2640, io.modelcontextprotocol/skills): the skill catalogue
 * loaded by mcp_server_add_skills_dir and the methods serving it. */
#ifndef MCP_CORE_SKILLS_H
#define MCP_CORE_SKILLS_H

#include "core/server_internal.h"

struct mcp__skills;
void mcp__skills_free(struct mcp__skills *sk);

void mcp__method_skills_list(mcp_call *call);
void mcp__method_skills_get(mcp_call *call);
void mcp__method_resources_directory_read(mcp_call *call);

#endif
