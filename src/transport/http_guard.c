/* The checks a request passes before MCP sees it (Host and Origin, the
 * DNS-rebinding rules, live in http_origin.c): Accept and Content-Type, the declared body size, the
 * MCP-Protocol-Version header, the bearer token and the scopes a request
 * needs (one 403 naming them all), and who owns a session. */
#include "transport/http_guard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/jsonrpc.h"
#include "core/registry.h"
#include "transport/http_common.h"
#include "transport/http_origin.h"

bool mcp__http_accepts(const char *accept, const char *type)
{
    return accept && (strstr(accept, type) || strstr(accept, "*/*"));
}

enum MHD_Result mcp__http_reply_auth_failure(http_req *req, struct MHD_Connection *conn, const char *method,
                                          const cJSON *id, const auth_result *res)
{
    mcp__http_log_request(req->hs, method, req->rpc, res->status, req->start_us, NULL);
    cJSON *body = mcp__jsonrpc_error(id, MCP_ERR_GENERIC, res->message);
    enum MHD_Result ret = mcp__http_reply_json_with(conn, res->status, body, NULL, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                               res->www_authenticate[0] ? res->www_authenticate : NULL);
    cJSON_Delete(body);
    return ret;
}

/* Scopes a request (or every element of a batch) needs beyond the ones
 * checked on arrival. False with *ret set when they are missing: one 403
 * naming every scope needed. */
bool mcp__http_authorize_scopes(http_req *req, struct MHD_Connection *conn, const cJSON *msg, const cJSON *id,
                             enum MHD_Result *ret)
{
    strbuf need = {0};
    const cJSON *one = cJSON_IsArray(msg) ? msg->child : msg;
    for (const cJSON *m = one; m; m = cJSON_IsArray(msg) ? m->next : NULL) {
        char *scopes = mcp__server_request_scopes(req->hs->srv, m);
        if (scopes)
            mcp__strbuf_printf(&need, "%s%s", need.len ? " " : "", scopes);
        free(scopes);
    }
    if (!need.len)
        return true;
    auth_result res;
    auth_check(req->hs->auth, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
               need.data, &res);
    mcp__strbuf_free(&need);
    if (!res.status)
        return true;
    *ret = mcp__http_reply_auth_failure(req, conn, "POST", id, &res);
    return false;
}

/* A session belongs to the subject that created it: another subject's
 * token on it gets 404, exactly like an unknown session. */
bool mcp__http_session_owned(const http_req *req, const mcp_session *s)
{
    if (!req->hs->auth)
        return true;
    return s->subject && strcmp(s->subject, req->subject) == 0;
}

int mcp__http_header_version(struct MHD_Connection *conn, bool *bad)
{
    const char *v = mcp__http_header(conn, "MCP-Protocol-Version");
    *bad = false;
    if (!v)
        return -1;
    int parsed = mcp__version_parse(v);
    if (parsed < 0 || mcp__version_is_modern((mcp__revision)parsed))
        *bad = true;
    return parsed;
}

/* First call for a POST: checks that need no body. MHD_YES with *refused
 * set when a response was queued. */
enum MHD_Result mcp__http_check_post_headers(http_req *req, struct MHD_Connection *conn, bool *refused)
{
    const char *accept = mcp__http_header(conn, MHD_HTTP_HEADER_ACCEPT);
    const char *ctype = mcp__http_header(conn, MHD_HTTP_HEADER_CONTENT_TYPE);
    const char *clen = mcp__http_header(conn, MHD_HTTP_HEADER_CONTENT_LENGTH);
    *refused = true;
    if (!mcp__http_accepts(accept, "application/json") || !mcp__http_accepts(accept, "text/event-stream"))
        return mcp__http_refuse(req, conn, "POST", MHD_HTTP_NOT_ACCEPTABLE, NULL, MCP_ERR_GENERIC,
                      "Not Acceptable: Accept must list application/json and text/event-stream");
    if (!ctype || strncasecmp(ctype, "application/json", 16) != 0)
        return mcp__http_refuse(req, conn, "POST", MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, NULL, MCP_ERR_GENERIC,
                      "Unsupported Media Type: Content-Type must be application/json");
    if (clen && strtoull(clen, NULL, 10) > req->hs->o.max_body)
        return mcp__http_refuse(req, conn, "POST", MHD_HTTP_CONTENT_TOO_LARGE, NULL, JSONRPC_INVALID_REQUEST,
                      "Request body too large");
    *refused = false;
    return MHD_YES;
}
