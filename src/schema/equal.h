/* Declarations of equal.c: deep equality and hashing of JSON values for
 * enum, const and uniqueItems. */
#ifndef MCP_SCHEMA_EQUAL_H
#define MCP_SCHEMA_EQUAL_H

#include "schema/schema_internal.h"
#include <stdint.h>

/* 1 equal, 0 different, -1 nested too deep to decide. */
int mcp__json_equal(const cJSON *a, const cJSON *b);
uint64_t mcp__json_hash(const cJSON *v, int depth);

#endif
