/* The modern protocol (2026-07-28): every request carries its own version
 * and client capabilities in params._meta, with no handshake and no
 * session. These checks are shared by every transport; HTTP adds the
 * request-metadata headers (Mcp-Method, Mcp-Name, Mcp-Param-*). */
#ifndef MCP_CORE_ERA_H
#define MCP_CORE_ERA_H

#include <stdbool.h>
#include <cjson/cJSON.h>
#include <mcp/server.h>

#include "core/exchange.h"
#include "core/version.h"

#define MCP_META_PROTOCOL_VERSION "io.modelcontextprotocol/protocolVersion"
#define MCP_META_CLIENT_CAPS "io.modelcontextprotocol/clientCapabilities"
#define MCP_META_CLIENT_INFO "io.modelcontextprotocol/clientInfo"
#define MCP_META_SERVER_INFO "io.modelcontextprotocol/serverInfo"
#define MCP_META_LOG_LEVEL "io.modelcontextprotocol/logLevel"
#define MCP_META_SUBSCRIPTION_ID "io.modelcontextprotocol/subscriptionId"

typedef struct modern_error {
    unsigned http_status;     /* 400 for envelope and header problems */
    int code;                 /* JSON-RPC error code */
    char message[256];
    cJSON *data;              /* owned; NULL when none */
} modern_error;

/* True when the message claims the modern era (params._meta carries a
 * protocol version). */
bool mcp__modern_claims(const cJSON *msg);

/* The validation ladder of a modern request, in the spec's precedence:
 * MCP-Protocol-Version header present (-32020), _meta fields (-32602),
 * header equals body version (-32020), version supported (-32022), then
 * Mcp-Method / Mcp-Name / Mcp-Param-* (-32020). get(ctx, name) returns an
 * HTTP header value; pass get = NULL on stdio (no headers). 0 and
 * *version on success; -1 with err filled (HTTP status 400). */
typedef const char *(*header_get_fn)(void *ctx, const char *name);
int mcp__modern_validate_request(mcp_server *srv, const cJSON *msg, header_get_fn get, void *ctx,
                            mcp__revision *version, modern_error *err);

/* Decode "=?base64?...?=" header values (others are returned trimmed).
 * Returns a malloc'd string or NULL when the encoding is invalid. */
char *mcp__modern_decode_header(const char *value);

/* The supportedVersions array for errors and server/discover (new object). */
cJSON *mcp__modern_supported_versions(void);

void mcp__modern_error_clear(modern_error *err);

/* Which era msg belongs to: MCP_ERA_LEGACY, or MCP_ERA_MODERN with its
 * envelope valid and *version set; -1 for a modern message that fails
 * validation (*err filled as by mcp__modern_validate_request). get/ctx read
 * HTTP metadata headers (NULL on stdio). Both transports decide here. */
int mcp__era_classify(mcp_server *srv, const cJSON *msg, header_get_fn get, void *ctx,
                      mcp__revision *version, modern_error *err);

#endif
