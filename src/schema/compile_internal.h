/* The compiler's working state, shared by index.c (pass 1, errors,
 * dialects), keywords.c (pass 2, one handler per keyword) and compile.c
 * (references, entry point). Lives only while mcp__schema_compile_with
 * runs. Declares compile.c's one helper for registry.c. */
#ifndef MCP_SCHEMA_COMPILE_INTERNAL_H
#define MCP_SCHEMA_COMPILE_INTERNAL_H

#include "schema/schema_internal.h"

/* What the index knows about one subschema (keyed by its cJSON). */
typedef struct {
    const cJSON *json;
    const char *base; /* base URI in effect (kept by the compiler) */
    resource *res;
    unsigned dialect, vocab;
    node *compiled;
} entry;

typedef struct {
    char *uri; /* "base#name" */
    const cJSON *json;
    resource *res;
    int dynamic; /* $dynamicAnchor */
    int done;    /* compiled into res->dynamic_anchors */
} anchor;

enum { REF_STATIC, REF_DYNAMIC, REF_RECURSIVE };

typedef struct {
    node *from;
    const char *reference; /* borrowed from the schema document */
    const char *base;
    unsigned dialect; /* of the subschema holding the reference */
    int kind;
    char *location; /* for errors */
} pending_ref;

typedef struct {
    mcp_schema *out;
    const mcp_schema_registry *registry;
    unsigned default_dialect;
    entry *entries;
    size_t entry_count, entry_cap;
    char **strings;
    size_t string_count, string_cap;
    anchor *anchors;
    size_t anchor_count, anchor_cap;
    const cJSON **resource_roots; /* parallel to out->resources */
    pending_ref *refs;
    size_t ref_count, ref_cap;
    const entry *current; /* the subschema being compiled */
    unsigned referring_dialect; /* of the reference being resolved */
    int resources_pending;
    int failed;
    char location[MAX_POINTER_LENGTH]; /* "#/properties/x", for compile errors */
    size_t location_len;
    char *err;
    size_t errlen;
} compiler;

/* compile.c: the key of an object that occurs twice (cJSON keeps both),
 * searched depth levels down; NULL when none. */
const char *mcp__find_duplicate_key(const cJSON *obj, int depth);

#endif
