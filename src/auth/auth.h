/* Bearer-token checks for the HTTP transport (see include/mcp/auth.h).
 * The transport calls auth_check once per request with the scopes that
 * request needs; the result carries the HTTP status and the exact
 * WWW-Authenticate value to send, or the authenticated principal.
 * It calls through the ops every mcp_auth starts with, so a program that
 * never creates an mcp_auth links none of the auth code and none of its
 * libraries (libcrypto, libcurl): a static link leaves them out. */
#ifndef MCP_AUTH_AUTH_H
#define MCP_AUTH_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include <mcp/auth.h>

typedef struct auth_result {
    unsigned status;               /* 0 when authorized; else 401, 403 or 400 */
    char www_authenticate[1024];   /* header value for 401/403 */
    char message[256];             /* human-readable reason (never the token) */
    char subject[256];             /* "sub" of an authorized token */
} auth_result;

typedef struct auth_ops {
    void (*check)(mcp_auth *auth, const char *authorization, const char *needed_scopes, auth_result *out);
    char *(*metadata)(mcp_auth *auth, const char *path);
} auth_ops;

/* The first member of every mcp_auth. */
typedef struct auth_head {
    const auth_ops *ops;
} auth_head;

/* authorization: the Authorization header or NULL. needed_scopes: space
 * list this request needs on top of the configured ones, or NULL. Scope
 * hierarchy: a granted scope G covers a needed N when G == N or N starts
 * with G followed by ':' (granted "todos" covers "todos:read"). A 403 names
 * every scope the request needs, not only the missing ones. */
static inline void auth_check(mcp_auth *auth, const char *authorization, const char *needed_scopes,
                              auth_result *out)
{
    ((const auth_head *)auth)->ops->check(auth, authorization, needed_scopes, out);
}

/* The RFC 9728 metadata document (malloc'd JSON) when path is
 * "/.well-known/oauth-protected-resource" or that plus the resource path;
 * NULL for any other path. */
static inline char *auth_metadata(mcp_auth *auth, const char *path)
{
    return ((const auth_head *)auth)->ops->metadata(auth, path);
}

#endif
