/* Compact JSON serialisation of cJSON trees: every reply on every transport
 * goes through here. The text is cJSON_PrintUnformatted's (tests compare
 * the two) except for numbers cJSON prints inexactly or in exponent form:
 * here every number reads back as exactly the same double, and integers
 * below 2^53 print as plain digits without printf. */
#ifndef MCP_BASE_JSON_WRITE_H
#define MCP_BASE_JSON_WRITE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "base/util.h"

/* A malloc'd NUL-terminated serialisation (length in *len when len is not
 * NULL), or NULL. */
char *mcp__json_print(const cJSON *item, size_t *len);

/* Appends to object a member without a name that prints as the members
 * text holds, verbatim ("a":1,"b":2; not owned, outliving the node:
 * cJSON_Raw | cJSON_IsReference): for a tree that is only printed, since no
 * lookup finds what text holds. False when memory ran out or object is
 * NULL. */
bool mcp__json_add_raw_members(cJSON *object, const char *text);

#endif
