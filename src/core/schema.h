/* JSON Schema (2020-12 subset used by MCP tool schemas) compiled once at
 * registration and applied to tool arguments and structured results.
 * Supported keywords: type, properties, required, additionalProperties,
 * items, prefixItems, enum, const, minimum, maximum, exclusiveMinimum,
 * exclusiveMaximum, multipleOf, minLength, maxLength, pattern (POSIX ERE
 * subset of ECMA-262), minItems, maxItems, uniqueItems, minProperties,
 * maxProperties, format (date-time, date, time, email, uri), anyOf, oneOf,
 * allOf, not, $ref to local "#/$defs/..." (and "#/definitions/..."), $defs,
 * default (annotation only). Unknown keywords are ignored (annotations). */
#ifndef MCP_CORE_SCHEMA_H
#define MCP_CORE_SCHEMA_H

#include <stddef.h>
#include <cjson/cJSON.h>

typedef struct mcp_schema mcp_schema;

/* Compile schema (borrowed; the compiled form keeps what it needs).
 * Returns NULL and writes a reason to err on an invalid or unsupported
 * schema (e.g. a remote $ref, a bad regex, an unknown $schema dialect). */
mcp_schema *mcp_schema_compile(const cJSON *schema, char *err, size_t errlen);

/* 0 when instance is valid; -1 otherwise, with a message naming the failing
 * location as a JSON pointer, e.g. "/id: expected number, got string". */
int mcp_schema_validate(const mcp_schema *schema, const cJSON *instance, char *err, size_t errlen);

void mcp_schema_free(mcp_schema *schema);

#endif
