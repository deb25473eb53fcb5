/* The compiler's working state, shared by compile.c (passes, references,
 * dialects) and keywords.c (one handler per keyword). Lives only while
 * mcp__schema_compile_with runs. */
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

int mcp__compile_error(compiler *c, const char *fmt, ...) PRINTF_LIKE(2, 3);
size_t mcp__location_push(compiler *c, const char *token);
size_t mcp__location_push_index(compiler *c, size_t i);
void mcp__location_pop(compiler *c, size_t saved);
node *mcp__compile_schema(compiler *c, const cJSON *json, int depth);
int mcp__add_pending_ref(compiler *c, node *from, const char *ref, int kind);
node *mcp__resolve_reference(compiler *c, const char *base, const char *ref, const cJSON **target_out);
const char *mcp__find_duplicate_key(const cJSON *obj, int depth);

/* keywords.c: compiles every keyword of one schema object into n. */
int mcp__compile_keywords(compiler *c, node *n, const cJSON *json, int depth, unsigned dialect, unsigned vocab);

#endif
