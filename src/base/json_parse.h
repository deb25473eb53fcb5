/* One-pass JSON parser for untrusted messages (json_parse.c): the same
 * tree cJSON builds, with the byte checks of utf8.c made on the way. */
#ifndef MCP_BASE_JSON_PARSE_H
#define MCP_BASE_JSON_PARSE_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* The value of the len bytes at buf (JSON whitespace around it allowed),
 * freed with cJSON_Delete; NULL when buf is not one valid JSON value of
 * UTF-8 text nested at most max_depth deep, without NUL (raw or \u0000),
 * or when memory ran out. Says nothing about why: mcp__jsonrpc_parse words
 * the error. */
cJSON *mcp__json_parse(const char *buf, size_t len, unsigned max_depth);

#endif
