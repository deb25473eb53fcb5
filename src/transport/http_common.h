/* Plain replies, the request log line, /healthz, /readyz and /metrics, and the
 * server's reference count: what every part of the HTTP transport uses. */
#ifndef MCP_TRANSPORT_HTTP_COMMON_H
#define MCP_TRANSPORT_HTTP_COMMON_H

#include "transport/http_internal.h"

enum MHD_Result mcp__http_reply_json(struct MHD_Connection *conn, unsigned status, const cJSON *body,
                                const char *session_id);
/* The same with one more header (Allow, WWW-Authenticate ...). */
enum MHD_Result mcp__http_reply_json_with(struct MHD_Connection *conn, unsigned status, const cJSON *body,
                                     const char *session_id, const char *extra_name, const char *extra_value);
enum MHD_Result mcp__http_reply_empty(struct MHD_Connection *conn, unsigned status);
/* 405 with the methods this endpoint does allow, and a JSON-RPC error body. */
enum MHD_Result mcp__http_reply_not_allowed(struct MHD_Connection *conn, const char *allow);
/* /healthz and /metrics (GET). */
enum MHD_Result mcp__http_reply_health(mcp_http_server *hs, struct MHD_Connection *conn, bool metrics);
/* edge: GET /readyz, 503 while starting, draining or without the store. */
enum MHD_Result mcp__http_reply_ready(mcp_http_server *hs, struct MHD_Connection *conn);
void mcp__http_log_request(mcp_http_server *hs, const char *method, const char *rpc, unsigned status,
                      uint64_t start_us, const char *session_id);

/* The JSON-RPC method for the log line and metrics, cut to fit. */
void mcp__http_req_set_rpc(http_req *req, const char *rpc);
/* The POST log line, with the trace ids once the protocol layer set them. */
void mcp__http_log_post(http_req *req, const char *method, unsigned status, const char *sid);
/* Log, then reply with body (no error); a 429 also gets Retry-After. */
enum MHD_Result mcp__http_finish_plain(http_req *req, struct MHD_Connection *conn, unsigned status,
                                  const cJSON *body, const char *sid);
/* Log (when req), then reply status with a JSON-RPC error body. */
enum MHD_Result mcp__http_refuse(http_req *req, struct MHD_Connection *conn, const char *method, unsigned status,
                            const cJSON *id, int code, const char *message);

/* A blocking handler may finish after mcp_http_stop returned: each POST
 * exchange keeps the server's memory alive until it completes. */
void mcp__http_server_ref(mcp_http_server *hs);
void mcp__http_server_unref(mcp_http_server *hs);

/* The per-connection record (socket context) of conn, or NULL. */
conn_track *mcp__http_conn_track_of(struct MHD_Connection *conn);
/* The head of a request has arrived on conn. */
void mcp__http_conn_request_started(struct MHD_Connection *conn);

#endif
