/* Request checks before MCP sees a request: Host, Origin (http_origin.h), Accept,
 * Content-Type, body size, protocol version header, bearer token, scopes,
 * session owner. */
#ifndef MCP_TRANSPORT_HTTP_GUARD_H
#define MCP_TRANSPORT_HTTP_GUARD_H

#include "auth/auth.h"
#include "transport/http_internal.h"
#include "transport/http_origin.h"   /* Host/Origin checks and mcp__http_header */

bool mcp__http_accepts(const char *accept, const char *type);
enum MHD_Result mcp__http_reply_auth_failure(http_req *req, struct MHD_Connection *conn, const char *method,
                                        const cJSON *id, const auth_result *res);
/* Scopes a request (or every element of a batch) needs beyond the ones
 * checked on arrival. False with *ret set when they are missing. */
bool mcp__http_authorize_scopes(http_req *req, struct MHD_Connection *conn, const cJSON *msg, const cJSON *id,
                           enum MHD_Result *ret);
/* A session belongs to the subject that created it. */
bool mcp__http_session_owned(const http_req *req, const mcp_session *s);
/* The MCP-Protocol-Version header parsed (-1 when absent); *bad when it
 * names no revision or a modern one. */
int mcp__http_header_version(struct MHD_Connection *conn, bool *bad);
/* First call for a POST: checks that need no body. MHD_YES with *refused
 * set when a response was queued. */
enum MHD_Result mcp__http_check_post_headers(http_req *req, struct MHD_Connection *conn, bool *refused);

#endif
