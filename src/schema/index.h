/* Declarations of index.c: compile errors and the schema location they
 * name, the subschema index, resources, and pass 1 over a document. */
#ifndef MCP_SCHEMA_INDEX_H
#define MCP_SCHEMA_INDEX_H

#include "schema/compile_internal.h"

/* Records a compile error at c->location (the first one wins); returns -1. */
int mcp__compile_error(compiler *c, const char *fmt, ...) PRINTF_LIKE(2, 3);
size_t mcp__location_push(compiler *c, const char *token);
size_t mcp__location_push_index(compiler *c, size_t i);
void mcp__location_pop(compiler *c, size_t saved);
void mcp__location_set(compiler *c, const char *text);

/* The index entry of a subschema (by its cJSON), or NULL. */
entry *mcp__entry_find(const compiler *c, const cJSON *json);
/* Index of the resource with this URI in c->out->resources, or (size_t)-1. */
size_t mcp__find_resource(const compiler *c, const char *uri);
/* The registry document registered under uri (its slot in *index), or NULL. */
const cJSON *mcp__registry_find(const compiler *c, const char *uri, size_t *index);
/* Pass 1 over one subschema and everything below it. 0 or -1 (error set). */
int mcp__index_schema(compiler *c, const cJSON *json, const char *base, resource *res, unsigned dialect,
                      unsigned vocab, int depth);
/* Pass 1 over a whole document under uri (a new resource). 0 or -1. */
int mcp__index_document(compiler *c, const cJSON *doc, const char *uri);

#endif
