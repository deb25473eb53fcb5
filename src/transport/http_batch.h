/* JSON-RPC batches over HTTP (2025-03-26 only). */
#ifndef MCP_TRANSPORT_HTTP_BATCH_H
#define MCP_TRANSPORT_HTTP_BATCH_H

#include "transport/http_internal.h"

/* Start a batch: takes arr and the session ref; principal (copied; NULL
 * or "" when rate limits are off) is whom each element's limit counts. */
http_batch *mcp__http_batch_start(mcp_http_server *hs, struct MHD_Connection *conn, cJSON *arr, mcp_session *session,
                                  mcp__revision version, const char *principal);
/* Answer once every element is in (suspends the connection until then). */
enum MHD_Result mcp__http_batch_answer(http_batch *b, struct MHD_Connection *conn, uint64_t start_us);
/* The HTTP request is over (answered or the client left). */
void mcp__http_batch_request_done(http_batch *b);

#endif
