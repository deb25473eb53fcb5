/* One-pass JSON parser for untrusted messages (json_parse.c): the same
 * tree cJSON builds, with the byte checks of utf8.c made on the way. */
#ifndef MCP_BASE_JSON_PARSE_H
#define MCP_BASE_JSON_PARSE_H

#include <stddef.h>
#include <string.h>

#include <cjson/cJSON.h>

/* The value of the len bytes at buf (JSON whitespace around it allowed),
 * freed with cJSON_Delete; NULL when buf is not one valid JSON value of
 * UTF-8 text nested at most max_depth deep, without NUL (raw or \u0000),
 * or when memory ran out. Says nothing about why: mcp__jsonrpc_parse words
 * the error. */
cJSON *mcp__json_parse(const char *buf, size_t len, unsigned max_depth);

/* The member of obj named key: what cJSON_GetObjectItemCaseSensitive
 * finds (the first of duplicates; NULL for NULL or a node without members),
 * for the lookups every request makes. Names are told apart by their first
 * byte before any strcmp, and a name the parser took from its table of
 * MCP's own members (known_key) is often, identical literals being merged
 * by the linker, the very text asked for: no strcmp at all. */
static inline cJSON *mcp__json_member(const cJSON *obj, const char *key)
{
    for (cJSON *c = obj ? obj->child : NULL; c; c = c->next)
        if (c->string && (c->string == key || (c->string[0] == key[0] && strcmp(c->string, key) == 0)))
            return c;
    return NULL;
}

#endif
