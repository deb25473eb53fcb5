/* Streamable HTTP routing: what the MHD glue in http_server.c calls. */
#ifndef MCP_TRANSPORT_STREAMABLE_H
#define MCP_TRANSPORT_STREAMABLE_H

#include "transport/http_internal.h"

enum MHD_Result mcp__streamable_handle(mcp_http_server *hs, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *upload_data, size_t *upload_data_size, void **con_cls);
void mcp__streamable_request_done(mcp_http_server *hs, void *con_cls);
void mcp__streamable_broadcast(void *ctx, const cJSON *notification, const char *resource_uri);
/* The store's bus (store_message_fn): "upd" from another instance goes to
 * the subscribed sessions whose GET stream this server holds. */
void mcp__streamable_on_bus(void *ctx, const char *kind, const char *from, const char *payload);

#endif
