/* A bounded, in-memory log of one SSE stream's framed events, kept for
 * Last-Event-ID replay. The ring starts empty and doubles on demand up to
 * its cap, so a stream that carries a priming event and one reply (most of
 * them) costs a few slots instead of event_retention of them; once full,
 * the oldest event is dropped. Not thread-safe: the stream's lock guards it. */
#ifndef MCP_TRANSPORT_EVENT_LOG_H
#define MCP_TRANSPORT_EVENT_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

typedef struct event_log_entry {
    uint64_t seq;
    char *frame;                   /* "event: ...\nid: ...\ndata: ...\n\n" */
} event_log_entry;

typedef struct event_log {
    event_log_entry *slots;
    unsigned len, head;
    unsigned size;                 /* slots allocated */
    unsigned cap;                  /* at most this many events; 0: keep none */
} event_log;

void mcp__event_log_init(event_log *log, unsigned cap);
/* Keep a copy of frame as event seq (seq grows with every call). Out of
 * memory loses this one event, never an older one. */
void mcp__event_log_append(event_log *log, uint64_t seq, const char *frame, size_t len);
/* Append every kept frame with a sequence number above after to out, oldest first. */
void mcp__event_log_replay_after(const event_log *log, uint64_t after, strbuf *out);
void mcp__event_log_free(event_log *log);

#endif
