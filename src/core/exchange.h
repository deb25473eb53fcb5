/* The contract between a transport and the protocol layer. A transport
 * parses one inbound message, fills an mcp_exchange describing where it
 * came from (era, version, session, what the channel can carry) and hands
 * both to mcp__server_dispatch(). The protocol layer answers through the
 * exchange's ops, possibly later and from a worker thread. */
#ifndef MCP_CORE_EXCHANGE_H
#define MCP_CORE_EXCHANGE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <cjson/cJSON.h>

#include "core/session.h"
#include "core/trace.h"
#include "core/version.h"

typedef enum { MCP_ERA_LEGACY = 0, MCP_ERA_MODERN = 1 } mcp_era;

typedef struct mcp_exchange mcp_exchange;

typedef struct mcp_exchange_ops {
    /* A message related to the request: progress, log, or a server->client
     * request. Takes msg. Any thread. Returns 0, or -MCP_EUNSUPPORTED when
     * the channel cannot carry it (plain JSON response). */
    int (*send)(mcp_exchange *ex, cJSON *msg);
    /* The final response (NULL when there is none, e.g. a notification).
     * Takes response. Called exactly once per dispatched message. */
    void (*complete)(mcp_exchange *ex, cJSON *response);
} mcp_exchange_ops;

struct mcp_exchange {
    const mcp_exchange_ops *ops;
    mcp_session *session;      /* borrowed, NULL without a session */
    mcp_session *track;        /* where calls in flight are tracked for
                                  notifications/cancelled (stdio: the process);
                                  NULL means session */
    mcp_era era;
    mcp__revision version;       /* negotiated (session), header, or request _meta */
    bool back_channel;         /* server->client requests can reach the client */
    bool stateless;            /* no session can exist on this channel */
    bool replies_printed;      /* complete()'s response is only serialised,
                                  its tree never read or merged: a result may
                                  then carry parts printed once (call.c) */
    atomic_bool cancelled;     /* set by the transport on cancellation */
    const void *owner;         /* the transport instance (HTTP server, stdio
                                  connection): its listen streams end with it */
    /* Who calls (borrowed; read only while the method is dispatched):
     * "sub:<subject>" for a request authorized by a token, "ip:<address>"
     * for other HTTP requests, "stdio" on stdio, NULL when unknown. Rate
     * limits (core/limit.h) key their buckets on it; tasks (tasks.c) bind a
     * task to it when it is a "sub:" subject, and to no one otherwise. */
    const char *principal;
    struct mcp__limiter *limiter;    /* rate limits: NULL = off */
    /* Trace context (core/trace.h): the transport's own traceparent and
     * tracestate (HTTP headers; borrowed, read only inside
     * mcp__server_dispatch), used when params._meta has none; the protocol
     * layer fills trace for the request log line. */
    const char *http_traceparent;
    const char *http_tracestate;
    mcp__trace trace;
};

#endif
