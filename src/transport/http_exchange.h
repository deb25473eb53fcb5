/* One POST's exchange with the protocol layer, and its answer. */
#ifndef MCP_TRANSPORT_HTTP_EXCHANGE_H
#define MCP_TRANSPORT_HTTP_EXCHANGE_H

#include "transport/http_internal.h"

post_exchange *mcp__http_px_new(mcp_http_server *hs, struct MHD_Connection *conn);
void mcp__http_px_unref(post_exchange *px);
/* Dispatch msg (taken) on px; a request still unanswered afterwards joins
 * the active list. */
void mcp__http_px_dispatch(post_exchange *px, cJSON *msg);
/* Called with the first event or the answer ready (or at once in SSE mode). */
enum MHD_Result mcp__http_answer(http_req *req, struct MHD_Connection *conn);
/* edge: at max_sessions, make room by session_cap_policy (evict-lru ends
 * the least recently used idle session); false, counted as a rejection,
 * when the client must get 503. Call with no lock held. */
bool mcp__http_make_room(mcp_http_server *hs);
/* Shutdown: answer POSTs still waiting so no connection stays suspended. */
void mcp__http_abort_active(mcp_http_server *hs);

#endif
