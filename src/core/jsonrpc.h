/* JSON-RPC 2.0 framing shared by every transport: parse bytes into a
 * message (UTF-8 and depth checked first), classify it, and build
 * responses, errors, notifications and requests. */
#ifndef MCP_CORE_JSONRPC_H
#define MCP_CORE_JSONRPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

enum {
    JSONRPC_PARSE_ERROR = -32700,
    JSONRPC_INVALID_REQUEST = -32600,
    JSONRPC_METHOD_NOT_FOUND = -32601,
    JSONRPC_INVALID_PARAMS = -32602,
    JSONRPC_INTERNAL_ERROR = -32603,
    MCP_ERR_GENERIC = -32000,            /* legacy transport-level errors */
    MCP_ERR_SESSION_NOT_FOUND = -32001,
    MCP_ERR_RESOURCE_NOT_FOUND = -32002, /* legacy only */
    MCP_ERR_HEADER_MISMATCH = -32020,
    MCP_ERR_MISSING_CAPABILITY = -32021,
    MCP_ERR_UNSUPPORTED_VERSION = -32022,
};

typedef enum {
    MSG_INVALID = 0,
    MSG_REQUEST,
    MSG_NOTIFICATION,
    MSG_RESPONSE,
} msg_kind;

/* Parse one message. NULL on failure with *why set to a static reason;
 * the caller answers -32700. Rejects invalid UTF-8 and nesting > max_depth. */
cJSON *mcp__jsonrpc_parse(const char *buf, size_t len, unsigned max_depth, const char **why);
/* The same through the byte checks (base/utf8.c) and cJSON's parser: the
 * path that words errors, and the reference mcp__json_parse is tested
 * against (it must accept nothing this refuses, and build the same tree). */
cJSON *mcp__jsonrpc_parse_checked(const char *buf, size_t len, unsigned max_depth, const char **why);

/* Classify a parsed value. MSG_INVALID sets *why (answer -32600). */
msg_kind mcp__jsonrpc_classify(const cJSON *msg, const char **why);

/* The message's id when it is a string or an integer, else NULL. */
const cJSON *mcp__jsonrpc_id(const cJSON *msg);

/* Builders. Arguments named *_take are owned by the result afterwards
 * (also on failure). id may be NULL (serialised as null). */
cJSON *mcp__jsonrpc_result_take(const cJSON *id, cJSON *result_take);
cJSON *mcp__jsonrpc_error(const cJSON *id, int code, const char *message);
cJSON *mcp__jsonrpc_error_data_take(const cJSON *id, int code, const char *message, cJSON *data_take);
cJSON *mcp__jsonrpc_notification_take(const char *method, cJSON *params_take);
cJSON *mcp__jsonrpc_request_take(int64_t id, const char *method, cJSON *params_take);

/* Compact serialisation into a malloc'd string. */
char *mcp__jsonrpc_print(const cJSON *msg);

#endif
