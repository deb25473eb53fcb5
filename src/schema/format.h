/* Declarations of format.c: the "format" vocabulary (lookup by name, the
 * checks, and the expectation named in error messages). */
#ifndef MCP_SCHEMA_FORMAT_H
#define MCP_SCHEMA_FORMAT_H

#include "schema/schema_internal.h"

format_kind mcp__format_lookup(const char *name);
int mcp__format_accepts(format_kind format, const char *s);
const char *mcp__format_expectation(format_kind format);

#endif
