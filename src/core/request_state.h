/* Sealed MRTR requestState (2026-07-28): the server keeps nothing between
 * the rounds of a multi-round request; the answers gathered so far travel
 * in requestState, integrity-protected with HMAC-SHA256 and bound to the
 * method, the target (tool/prompt name or resource URI) and an expiry. Any
 * instance holding the same key can continue the request. */
#ifndef MCP_CORE_REQUEST_STATE_H
#define MCP_CORE_REQUEST_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#define REQUEST_STATE_KEY_MIN 32
#define REQUEST_STATE_TTL_MS (10u * 60 * 1000)

typedef struct request_state_key {
    unsigned char bytes[64];
    size_t len;
} request_state_key;

int mcp__request_state_key_random(request_state_key *key);

/* Seal responses (borrowed) for method+target; malloc'd token or NULL. */
char *mcp__request_state_seal(const request_state_key *key, const char *method, const char *target,
                         const cJSON *responses, uint64_t now_unix_ms, uint64_t ttl_ms);

/* Verify and open a token; returns the responses object (caller frees) or
 * NULL when the token was tampered with, expired or is bound elsewhere. */
cJSON *mcp__request_state_open(const request_state_key *key, const char *token, const char *method,
                          const char *target, uint64_t now_unix_ms);

#endif
