/* Bearer-token checks for the HTTP transport (see include/mcp/auth.h).
 * The transport calls auth_check once per request with the scopes that
 * request needs; the result carries the HTTP status and the exact
 * WWW-Authenticate value to send, or the authenticated principal. */
#ifndef MCP_AUTH_AUTH_H
#define MCP_AUTH_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include <mcp/auth.h>

typedef struct mcp_auth mcp_auth;

typedef struct auth_result {
    unsigned status;               /* 0 when authorized; else 401, 403 or 400 */
    char www_authenticate[1024];   /* header value for 401/403 */
    char message[256];             /* human-readable reason (never the token) */
    char subject[256];             /* "sub" of an authorized token */
} auth_result;

/* NULL with err filled when the options are unusable (no resource, no keys...). */
mcp_auth *auth_new(const mcp_auth_options *opts, char *err, size_t errlen);
void auth_free(mcp_auth *auth);

/* authorization: the Authorization header or NULL. needed_scopes: space
 * list this request needs on top of the configured ones, or NULL. Scope
 * hierarchy: a granted scope G covers a needed N when G == N or N starts
 * with G followed by ':' (granted "todos" covers "todos:read"). A 403 names
 * every scope the request needs, not only the missing ones. */
void auth_check(mcp_auth *auth, const char *authorization, const char *needed_scopes, auth_result *out);

/* The RFC 9728 metadata document (malloc'd JSON) when path is
 * "/.well-known/oauth-protected-resource" or that plus the resource path;
 * NULL for any other path. */
char *auth_metadata(mcp_auth *auth, const char *path);

#endif
