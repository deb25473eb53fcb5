/*
 * routes.h - the todo REST API as a libmicrohttpd access handler.
 *
 * main.c passes a routes_config as the handler's closure and registers
 * routes_request_completed so the per-request state is always freed.
 * Endpoints: GET /healthz; GET|POST /todos; GET|PUT|PATCH|DELETE /todos/{id}
 * (HEAD is accepted wherever GET is).
 */
#ifndef TODO_API_ROUTES_H
#define TODO_API_ROUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <microhttpd.h>

#include "db.h"

typedef struct routes_config {
    todo_db *db;       /* borrowed; outlives the daemon */
    bool log_requests; /* one stderr line per request */
} routes_config;

enum MHD_Result routes_access_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **req_cls);

void routes_request_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                              enum MHD_RequestTerminationCode code);

#endif
