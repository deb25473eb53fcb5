/* base64, RFC 4648 standard alphabet. */
#ifndef MCP_BASE_BASE64_H
#define MCP_BASE_BASE64_H

#include <stddef.h>

/* Return malloc'd NUL-terminated strings; decode returns NULL on invalid
 * (or non-canonical) input and sets *out_len. */
char *mcp__base64_encode(const unsigned char *data, size_t len);
unsigned char *mcp__base64_decode(const char *text, size_t len, size_t *out_len);

#endif
