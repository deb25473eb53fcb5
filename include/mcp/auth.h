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

#ifdef __cplusplus
}
#endif
#endif
