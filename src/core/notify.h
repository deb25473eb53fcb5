/* Server-originated notifications: modern listen streams and the
 * transports' legacy broadcast hook. */
#ifndef MCP_CORE_NOTIFY_H
#define MCP_CORE_NOTIFY_H

#include <stdbool.h>

#include <cjson/cJSON.h>
#include <mcp/server.h>

/* One subscriptions/listen stream (a call that stays open). */
typedef struct listener {
    mcp_call *call;
    bool tools, prompts, resources;
    cJSON *uris;               /* owned array of resource URIs, or NULL */
    struct listener *next;
} listener;

/* Send the acknowledgement (naming honored_take, the notifications
 * honoured) and register l. False when the listener cap is reached: then
 * nothing is taken. */
bool mcp__listener_add(mcp_server *srv, listener *l, cJSON *honored_take);
/* Modern listen streams: deliver a broadcast notification to matching listeners. */
void mcp__listeners_deliver(mcp_server *srv, const cJSON *notification, const char *resource_uri);
void mcp__listeners_close_all(mcp_server *srv);

/* Transports register where list_changed and resource updates go. */
void mcp__server_set_broadcast(mcp_server *srv,
                              void (*fn)(void *ctx, cJSON *notification_take, const char *resource_uri),
                              void *ctx);

/* Deliver a server-originated notification (list_changed, resource
 * updated) to modern listeners and to the transport's legacy sessions. Takes it. */
void mcp__server_broadcast(mcp_server *srv, cJSON *notification_take, const char *resource_uri);

/* Periodic upkeep (ends listen streams whose client left); call ~1/s. */
void mcp__server_housekeeping(mcp_server *srv);
/* End every listen stream (shutdown). */
void mcp__server_close_listeners(mcp_server *srv);

#endif
