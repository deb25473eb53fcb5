/* The skill loader (skills_load.c): reads a skills directory into skill
 * objects once, at registration, and frees them with the server. */
#ifndef MCP_CORE_SKILLS_LOAD_H
#define MCP_CORE_SKILLS_LOAD_H

#include "core/skills_internal.h"

/* Load the skills under path (one skill, or a tree whose folders without
 * SKILL.md are URI prefix segments below base, e.g. "skill://acme" or "")
 * into found (skill*). Reasons for a refusal go to stderr. */
int mcp__skills_load(const char *path, const char *base, entry_list *found);
void mcp__skill_free(skill *s);
/* The whole catalogue (served skills and those of failed registrations);
 * NULL is a no-op. Called by mcp_server_free after the registries. */
void mcp__skills_free(struct mcp__skills *sk);
/* Print "libmcp: skill PATH rejected: WHY" and return rc. */
int mcp__skills_error(int rc, const char *path, const char *why);

#endif
