/* SSE streams: event framing and ids, keep-alive, Last-Event-ID replay,
 * and the per-session stream list. */
#ifndef MCP_TRANSPORT_SSE_H
#define MCP_TRANSPORT_SSE_H

#include "transport/http_internal.h"

http_stream *mcp__stream_new(mcp_http_server *hs, mcp_session *s, bool standalone);
void mcp__stream_ref(http_stream *st);
void mcp__stream_unref(http_stream *st);
/* Queue one JSON-RPC message as an event (takes msg). */
void mcp__stream_push_message(http_stream *st, cJSON *msg_take);
void mcp__stream_push_priming(http_stream *st);             /* id + empty data + retry */
void mcp__stream_finish(http_stream *st, bool with_retry);  /* end after pending bytes */
/* Start the body on conn: queues an MHD response; returns MHD result. */
enum MHD_Result mcp__stream_respond(http_stream *st, struct MHD_Connection *conn, unsigned status);
/* Find a session stream by event id and queue the events after it. */
http_stream *mcp__stream_for_replay(mcp_http_server *hs, mcp_session *s, const char *last_event_id, strbuf *replay);
http_session *mcp__http_session_of(mcp_session *s, bool create);
void mcp__live_streams_keepalive(mcp_http_server *hs);
/* True (and the stream freed from its connection) when the client of st
 * has closed its socket, which MHD cannot see while the stream is parked. */
bool mcp__stream_detach_if_peer_gone(http_stream *st);
/* Sessions with an open stream are in use: keep them from expiring. */
void mcp__live_streams_touch_sessions(mcp_http_server *hs);
void mcp__live_streams_finish_all(mcp_http_server *hs);

#endif
