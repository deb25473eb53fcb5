/* TEMPORARY placeholder while the real implementation is written (not committed). */
#include <stdio.h>
#include <stdlib.h>
#include "auth/auth.h"
mcp_auth *auth_new(const mcp_auth_options *opts, char *err, size_t errlen) { (void)opts; snprintf(err, errlen, "authorization is not available yet"); return NULL; }
void auth_free(mcp_auth *auth) { (void)auth; }
void auth_check(mcp_auth *auth, const char *a, const char *n, auth_result *out) { (void)auth; (void)a; (void)n; out->status = 401; }
char *auth_metadata(mcp_auth *auth, const char *path) { (void)auth; (void)path; return NULL; }
