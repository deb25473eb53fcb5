/* Declarations of idn.c: host names, ASCII and internationalized (IDNA
 * labels, Punycode, the Bidi rule). */
#ifndef MCP_SCHEMA_IDN_H
#define MCP_SCHEMA_IDN_H

#include "schema/schema_internal.h"
#include <stddef.h>

/* 1 when s[0..n) is a host name (idn: internationalized); else 0. */
int mcp__is_hostname(const char *s, size_t n, int idn);

#endif
