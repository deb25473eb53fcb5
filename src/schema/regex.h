/* Declarations of regex.c: ECMA-262 patterns compiled and run by PCRE2
 * under match and depth limits. */
#ifndef MCP_SCHEMA_REGEX_H
#define MCP_SCHEMA_REGEX_H

#include "schema/schema_internal.h"

/* NULL on a bad pattern, with the reason in why. */
mcp__regex *mcp__regex_compile(const char *ecma, char *why, size_t whylen);
/* 1 match, 0 no match, -1 limit hit or error. */
int mcp__regex_search(const mcp__regex *re, const char *text, size_t len);
void mcp__regex_free(mcp__regex *re);
/* Whether ecma is a valid ECMA-262 pattern (compiled without JIT, freed). */
int mcp__regex_is_valid(const char *ecma);

#endif
