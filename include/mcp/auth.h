/* OAuth 2.1 resource-server role for the HTTP transport (off by default).
 * Every request must carry "Authorization: Bearer <JWT>" signed with RS256
 * or ES256 by a key of the configured JWKS, with aud equal to the
 * canonical server URL, valid exp/nbf, and the scopes the request needs.
 * Failures answer 401/403 with a WWW-Authenticate challenge pointing at the
 * RFC 9728 metadata this server publishes at
 * /.well-known/oauth-protected-resource[/<path>]. Tokens are never logged
 * and never forwarded. */
#ifndef MCP_AUTH_H
#define MCP_AUTH_H

#include <mcp/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mcp_auth_options {
    const char *resource;              /* canonical URL, e.g. "https://mcp.example.com/mcp"; tokens' aud */
    const char *authorization_servers; /* comma list of issuer URLs for the metadata (required) */
    const char *issuer;                /* expected iss, or NULL to accept any listed server */
    const char *jwks_file;             /* JWKS JSON file with the signing keys, or */
    const char *jwks_url;              /* a URL to fetch it from (cached, refetched on unknown kid) */
    const char *scopes_supported;      /* space list for the metadata */
    const char *required_scopes;       /* space list every request needs, or NULL */
    unsigned leeway_s;                 /* clock skew allowed on exp/nbf, default 30 */
} mcp_auth_options;

/* The checker built from the options, for mcp_http_options.auth. The HTTP
 * server borrows it: free it after mcp_http_stop. NULL with a reason in err
 * when the options are unusable (no resource, no or two key sources, a bad
 * URL, an unreadable JWKS file...). Only programs that call this link the
 * token code and its libraries (libcrypto, libcurl). */
typedef struct mcp_auth mcp_auth;
/* Fill *opts with the defaults: every string NULL, leeway_s 30 (0 in
 * leeway_s means 30 too). Strings are copied by mcp_auth_new. */
MCP_EXTERN void mcp_auth_options_init(mcp_auth_options *opts);
MCP_EXTERN mcp_auth *mcp_auth_new(const mcp_auth_options *opts, char *err, size_t errlen);
MCP_EXTERN void mcp_auth_free(mcp_auth *auth);

#ifdef __cplusplus
}
#endif
#endif
