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
    unsigned busy;             /* deliveries sending to it outside the lock */
    struct listener *next;
} listener;

/* Send the acknowledgement (naming honored_take, the notifications
 * honoured) and register l. False when the listener cap is reached: then
 * nothing is taken. */
bool mcp__listener_add(mcp_server *srv, listener *l, cJSON *honored_take);

/* A transport's delivery of a server notification (list_changed,
 * resources/updated with its uri, else NULL) to its legacy sessions. The
 * notification is borrowed. Called with no lock held, from any thread. */
typedef void (*mcp__notify_fn)(void *ctx, const cJSON *notification, const char *resource_uri);
/* Add a subscriber; 0 or -MCP_ENOMEM. Every subscriber gets every notification. */
int mcp__notify_subscribe(mcp_server *srv, mcp__notify_fn fn, void *ctx);
/* Remove it; returns once no delivery to it is running (ctx may go then).
 * Removing one that is not subscribed does nothing. */
void mcp__notify_unsubscribe(mcp_server *srv, mcp__notify_fn fn, void *ctx);
/* How many transports are subscribed. */
unsigned mcp__notify_count(mcp_server *srv);
/* mcp_server_free: drop whatever is left. */
void mcp__notify_free_all(mcp_server *srv);

/* Deliver a server-originated notification (list_changed, resource
 * updated) to modern listeners and to every subscribed transport. Takes it. */
void mcp__server_broadcast(mcp_server *srv, cJSON *notification_take, const char *resource_uri);

/* Periodic upkeep (ends listen streams whose client left); call ~1/s. */
void mcp__server_housekeeping(mcp_server *srv);
/* End the listen streams of one transport (exchange owner), or every one
 * when owner is NULL (shutdown): stopping one HTTP server leaves the
 * listeners of another, and of stdio, open. */
void mcp__server_close_listeners(mcp_server *srv, const void *owner);

#endif
