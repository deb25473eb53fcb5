/* Declarations of uri.c: RFC 3986 reference resolution and fragment
 * splitting for $id and $ref. */
#ifndef MCP_SCHEMA_URI_H
#define MCP_SCHEMA_URI_H

#include "schema/schema_internal.h"

char *mcp__uri_resolve(const char *base, const char *ref);
char *mcp__uri_split_fragment(char *uri);

#endif
