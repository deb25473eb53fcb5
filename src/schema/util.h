/* Declarations of util.c: JSON type names, number text, UTF-8 decoding
 * and JSON pointer building. Strings are built in base's strbuf. */
#ifndef MCP_SCHEMA_UTIL_H
#define MCP_SCHEMA_UTIL_H

#include "base/strbuf.h"
#include "schema/schema_internal.h"
#include <stdint.h>

/* JSON type bits and their names, for messages ("expected number, got string"). */
extern const struct mcp__type_name {
    unsigned bit;
    const char *name;
} mcp__type_names[MCP__TYPE_NAME_COUNT];

char *mcp__shorten_listing(char *text);
void mcp__format_number(double x, char *out, size_t outlen);
size_t mcp__utf8_decode(const char *s, uint32_t *cp);
const char *mcp__json_type_name(const cJSON *v);
size_t mcp__pointer_push(char *buf, size_t *len, const char *token);
void mcp__pointer_pop(char *buf, size_t *len, size_t saved);
int mcp__write_location(char *err, size_t errlen, const char *location);

#endif
