/* YAML frontmatter of Agent Skills SKILL.md files, rendered as JSON. A
 * small, strict subset of YAML 1.2: block mappings and sequences, plain,
 * quoted and block (| >) scalars, one-line flow collections, comments, and
 * core-schema resolution of plain scalars (null, booleans, numbers).
 * Anything else (anchors, aliases, tags, multi-document) is rejected with a
 * message naming the line, never guessed. */
#ifndef MCP_CORE_FRONTMATTER_H
#define MCP_CORE_FRONTMATTER_H

#include <stddef.h>
#include <cjson/cJSON.h>

/* Parse the frontmatter block that text (len bytes) must begin with:
 * "---" line, YAML, "---" line. Returns a new JSON object, or NULL with a
 * human-readable reason in err. */
cJSON *mcp__frontmatter_parse(const char *text, size_t len, char *err, size_t errlen);

#endif
