/* Byte-level checks on untrusted text: UTF-8 and JSON lexical shape. */
#ifndef MCP_BASE_UTF8_H
#define MCP_BASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when buf[0..len) is well-formed UTF-8 (no overlongs, no surrogates). */
bool mcp__utf8_valid(const char *buf, size_t len);
/* Bytes of the well-formed UTF-8 sequence of two or more bytes at s (at
 * most avail readable), 0 when it is not one (overlong, surrogate, above
 * U+10FFFF, truncated, or an ASCII byte). */
size_t mcp__utf8_sequence_len(const unsigned char *s, size_t avail);

/* One linear pass over JSON text for what cJSON tolerates but JSON forbids
 * (raw control characters in strings, malformed numbers such as 01, NUL)
 * and for nesting deeper than limit, so hostile input never recurses the
 * parser deep. NULL when fine, else a static reason. */
const char *mcp__json_lex_check(const char *buf, size_t len, unsigned limit);

#endif
