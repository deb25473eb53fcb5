/* Declarations of keywords.c: pass 2 of the compiler (subschema to node,
 * every keyword's handler) and the teardown of one node. */
#ifndef MCP_SCHEMA_KEYWORDS_H
#define MCP_SCHEMA_KEYWORDS_H

#include "schema/compile_internal.h"

/* The node for a subschema (compiled once, shared by every path to it);
 * NULL on error (set in c). */
node *mcp__compile_schema(compiler *c, const cJSON *json, int depth);

void mcp__schema_node_free(node *n);

#endif
