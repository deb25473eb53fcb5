/* The schema engine's internal API, used by the library's tool input and
 * output checks, elicitation and the public mcp_schema_* wrappers
 * (include/mcp/schema.h). JSON Schema 2020-12 by default, 2019-09 and
 * draft-07 when "$schema" names them: every keyword of the core,
 * applicator, unevaluated, validation, format and content vocabularies
 * ($id, $anchor, $dynamicAnchor/$dynamicRef, $recursiveRef in 2019-09,
 * references within a document and across registered ones). A known
 * keyword the engine cannot honour fails compilation naming it; unknown
 * keywords are annotations. Patterns are ECMA-262 run by PCRE2 under match
 * limits. "format" is asserted unless MCP__SCHEMA_NO_FORMAT.
 * Limits: 64 levels of schema nesting at compile time, 128 nested subschema
 * applications ($ref hops included) at validation, 10000 subschemas.
 * Errors: compile errors start with the schema location ("#/properties/x:
 * ..."); validation errors with the instance's JSON pointer or "(root)".
 * A compiled schema is immutable and owns everything it uses (the source
 * and registry may be freed): validate may run on several threads. */
#ifndef MCP_SCHEMA_SCHEMA_H
#define MCP_SCHEMA_SCHEMA_H

#include <stddef.h>
#include <cjson/cJSON.h>

typedef struct mcp_schema mcp_schema;
typedef struct mcp_schema_registry mcp_schema_registry;

enum {
    MCP__SCHEMA_NO_FORMAT = 1u << 0, /* "format" is an annotation only */
    MCP__SCHEMA_DRAFT07 = 1u << 1,   /* read a schema without $schema as draft-07 */
};

/* Compile schema (borrowed; the compiled form keeps what it needs).
 * Returns NULL and writes a reason to err on an invalid or unsupported
 * schema (e.g. an unregistered remote $ref, a bad regex, an unknown dialect). */
mcp_schema *mcp__schema_compile(const cJSON *schema, char *err, size_t errlen);

/* The same with a registry for references to other documents, the
 * document's own URI (NULL: none), and MCP__SCHEMA_* flags. */
mcp_schema *mcp__schema_compile_with(const cJSON *schema, const mcp_schema_registry *registry, const char *uri,
                                     unsigned flags, char *err, size_t errlen);

/* 0 when instance is valid; -1 otherwise, with a message naming the failing
 * location as a JSON pointer, e.g. "/id: expected number, got string". */
int mcp__schema_validate(const mcp_schema *schema, const cJSON *instance, char *err, size_t errlen);

/* Every error, as a cJSON array of {"instanceLocation", "error"} objects
 * (*errors is NULL when valid); 0 valid, -1 invalid or no memory. */
int mcp__schema_validate_all(const mcp_schema *schema, const cJSON *instance, cJSON **errors);

void mcp__schema_free(mcp_schema *schema);

#endif
