/* Declarations of util.c: the schema engine's string buffer, JSON type
 * names, number text, UTF-8 decoding and JSON pointer building. */
#ifndef MCP_SCHEMA_UTIL_H
#define MCP_SCHEMA_UTIL_H

#include "schema/schema_internal.h"
#include <stdint.h>

/* JSON type bits and their names, for messages ("expected number, got string"). */
extern const struct mcp__type_name {
    unsigned bit;
    const char *name;
} mcp__type_names[MCP__TYPE_NAME_COUNT];

/* A growable string whose failures are sticky: after out_of_memory is
 * set, appends do nothing, so callers check once at the end. */
typedef struct {
    char *data;
    size_t len, cap;
    int out_of_memory;
} strbuf;

void mcp__sb_putn(strbuf *sb, const char *s, size_t n);
void mcp__sb_puts(strbuf *sb, const char *s);
void mcp__sb_putc(strbuf *sb, char c);
void mcp__sb_put_utf8(strbuf *sb, uint32_t cp);
char *mcp__copy_string(const char *s);
char *mcp__shorten_listing(char *text);
void mcp__format_number(double x, char *out, size_t outlen);
size_t mcp__utf8_decode(const char *s, uint32_t *cp);
const char *mcp__json_type_name(const cJSON *v);
size_t mcp__pointer_push(char *buf, size_t *len, const char *token);
void mcp__pointer_pop(char *buf, size_t *len, size_t saved);
int mcp__write_location(char *err, size_t errlen, const char *location);

#endif
