/* JSON Schema validation, the same engine libmcp uses for tool input and
 * output schemas and for elicitation: JSON Schema 2020-12 by default,
 * 2019-09 and draft-07 when "$schema" names them, every keyword of the
 * core, applicator, unevaluated, validation, format and content
 * vocabularies. Patterns are ECMA-262 (PCRE2, with match limits).
 *
 * A registry holds documents under URIs, so schemas can "$ref" shared
 * definitions ("https://example.com/defs.json#/$defs/id"); nothing is
 * ever fetched over the network. A compiled schema keeps no pointer into
 * its source or the registry (both may be freed after compiling), is
 * immutable, and may be used by several threads at once. A registry must
 * not be changed while a compile reads it. */
#ifndef MCP_SCHEMA_H
#define MCP_SCHEMA_H

#include <mcp/common.h>

#include <stddef.h>
#include <cjson/cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mcp_schema mcp_schema;
typedef struct mcp_schema_registry mcp_schema_registry;

typedef struct mcp_schema_options {
    const mcp_schema_registry *registry; /* documents "$ref" may name; NULL: none */
    const char *uri;      /* the schema's own URI, base of relative refs; NULL: none */
    int format_annotation; /* 1: "format" is an annotation only; 0 (default): asserted */
    int default_draft07;   /* 1: a schema without "$schema" is draft-07; 0 (default): 2020-12 */
} mcp_schema_options;

/* Fill *opts with the defaults (all zero/NULL: no registry, no URI,
 * "format" asserted, 2020-12 when "$schema" is absent). */
MCP_EXTERN void mcp_schema_options_init(mcp_schema_options *opts);

MCP_EXTERN mcp_schema_registry *mcp_schema_registry_new(void);

/* Copies document and registers it under uri (absolute, no fragment);
 * its "$id"s and anchors become reachable too. 0, or -MCP_EINVAL (bad
 * URI, not a schema, uri already registered) / -MCP_ENOMEM with a reason in err. */
MCP_EXTERN int mcp_schema_registry_add(mcp_schema_registry *registry, const char *uri, const cJSON *document,
                                       char *err, size_t errlen);

MCP_EXTERN void mcp_schema_registry_free(mcp_schema_registry *registry);

/* Compiles schema (borrowed); opts may be NULL. NULL on an invalid or
 * unsupported schema, with the reason (starting with the schema location,
 * e.g. "#/properties/x/pattern: ...") in err. */
MCP_EXTERN mcp_schema *mcp_schema_compile(const cJSON *schema, const mcp_schema_options *opts, char *err,
                                          size_t errlen);

/* 0 when instance is valid; -1 otherwise, with the first error in err as
 * "<JSON pointer>: <message>" ("(root)" for the whole instance). */
MCP_EXTERN int mcp_schema_validate(const mcp_schema *schema, const cJSON *instance, char *err, size_t errlen);

/* Like mcp_schema_validate, reporting every error: on -1, *errors is a new
 * array of {"instanceLocation": "<JSON pointer>", "error": "<message>"}
 * objects that the caller frees with cJSON_Delete; NULL when valid. */
MCP_EXTERN int mcp_schema_validate_all(const mcp_schema *schema, const cJSON *instance, cJSON **errors);

MCP_EXTERN void mcp_schema_free(mcp_schema *schema);

typedef struct mcp_server mcp_server;

/* How the server compiles the input and output schemas of tools added
 * after this call: opts->registry (borrowed; it must stay unchanged while
 * tools are added, and may be freed afterwards) lets them "$ref" shared
 * documents, and opts->format_annotation = 1 turns off the default
 * assertion of "format" (then "format": "uuid" accepts any string).
 * opts->uri is ignored. NULL restores the defaults. 0 or -MCP_EINVAL. */
MCP_EXTERN int mcp_server_set_schema_options(mcp_server *srv, const mcp_schema_options *opts);

#ifdef __cplusplus
}
#endif

#endif
