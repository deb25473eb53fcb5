/* JSON Schema (2020-12 subset used by MCP tool schemas) compiled once at
 * registration and applied to tool arguments and structured results.
 * Supported keywords: type, properties, required, additionalProperties,
 * items, prefixItems, enum, const, minimum, maximum, exclusiveMinimum,
 * exclusiveMaximum, multipleOf, minLength, maxLength, pattern (POSIX ERE
 * subset of ECMA-262), minItems, maxItems, uniqueItems, minProperties,
 * maxProperties, format (date-time, date, time, email, uri), anyOf, oneOf,
 * allOf, not, $ref to local "#/$defs/..." (and "#/definitions/..."), $defs,
 * default (annotation only). Unknown keywords are ignored (annotations).
 *
 * Also: patternProperties; draft-07 array-form items/additionalItems (read
 * as prefixItems/items). $schema may be absent, 2020-12 or draft-07 (then a
 * $ref hides its sibling keywords, as draft-07 says); any other dialect is a
 * compile error. $ref must be a JSON pointer into the same document ("#",
 * "#/..."); remote, relative and anchor refs are compile errors, and $id is
 * not used for resolution. Patterns the POSIX translation cannot express
 * exactly (lookaround, backreferences, \b, \p{...}) are compile errors.
 * Limits: 64 levels of schema nesting at compile time, 128 nested subschema
 * applications ($ref hops included) at validation, 10000 subschemas.
 * Errors: compile errors start with the schema location ("#/properties/x:
 * ..."); validation errors with the instance's JSON pointer or "(root)".
 * A compiled schema is immutable: validate may run on several threads. */
#ifndef MCP_CORE_SCHEMA_H
#define MCP_CORE_SCHEMA_H

#include <stddef.h>
#include <cjson/cJSON.h>

typedef struct mcp_schema mcp_schema;

/* Compile schema (borrowed; the compiled form keeps what it needs).
 * Returns NULL and writes a reason to err on an invalid or unsupported
 * schema (e.g. a remote $ref, a bad regex, an unknown $schema dialect). */
mcp_schema *mcp__schema_compile(const cJSON *schema, char *err, size_t errlen);

/* 0 when instance is valid; -1 otherwise, with a message naming the failing
 * location as a JSON pointer, e.g. "/id: expected number, got string". */
int mcp__schema_validate(const mcp_schema *schema, const cJSON *instance, char *err, size_t errlen);

void mcp__schema_free(mcp_schema *schema);

#endif
