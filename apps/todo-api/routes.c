/*
 * routes.c - routing and handlers of the todo REST API.
 *
 * libmicrohttpd calls routes_access_handler several times per request: first
 * with the headers only, then once per body chunk, then a final time. The
 * checks that need only the headers (404 unknown path, 405 wrong method, 400
 * bad id, 415 wrong Content-Type) run on the first call; the verdict is sent
 * on the final call so the connection stays open for keep-alive, except a
 * Content-Length over 64 KiB, which is refused at once without reading it.
 * Bodies are collected in a per-request request_ctx (capped at 64 KiB as data
 * arrives). A handler fills an http_reply; one place sends it and logs.
 */
#include "routes.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_util.h"
#include "todo_json.h"

enum { LIST_DEFAULT_LIMIT = 100, LIST_MAX_LIMIT = 1000, LOG_URL_MAX = 200 };

typedef enum { ROUTE_UNKNOWN, ROUTE_HEALTH, ROUTE_COLLECTION, ROUTE_ITEM } route_kind;

typedef enum { METHOD_GET, METHOD_HEAD, METHOD_POST, METHOD_PUT, METHOD_PATCH,
               METHOD_DELETE, METHOD_OTHER } method_kind;

/* Per-request state, owned by MHD's req_cls slot; freed in
 * routes_request_completed. */
typedef struct request_ctx {
    route_kind route;
    method_kind method;
    int64_t id;   /* ROUTE_ITEM only, valid after the first call */
    bool refused; /* reply already holds a verdict from the headers */
    http_reply reply;
    request_body body;
} request_ctx;

static method_kind method_from_string(const char *method)
{
    static const struct { const char *name; method_kind kind; } methods[] = {
        { MHD_HTTP_METHOD_GET, METHOD_GET },     { MHD_HTTP_METHOD_HEAD, METHOD_HEAD },
        { MHD_HTTP_METHOD_POST, METHOD_POST },   { MHD_HTTP_METHOD_PUT, METHOD_PUT },
        { MHD_HTTP_METHOD_PATCH, METHOD_PATCH }, { MHD_HTTP_METHOD_DELETE, METHOD_DELETE },
    };
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(method, methods[i].name) == 0)
            return methods[i].kind;
    return METHOD_OTHER;
}

/* Maps a path to a route; for /todos/{id} *id_text points at the id segment. */
static route_kind route_from_path(const char *url, const char **id_text)
{
    static const char item_prefix[] = "/todos/";
    if (strcmp(url, "/healthz") == 0)
        return ROUTE_HEALTH;
    if (strcmp(url, "/todos") == 0)
        return ROUTE_COLLECTION;
    if (strncmp(url, item_prefix, sizeof item_prefix - 1) == 0 &&
        strchr(url + sizeof item_prefix - 1, '/') == NULL) {
        *id_text = url + sizeof item_prefix - 1;
        return ROUTE_ITEM;
    }
    return ROUTE_UNKNOWN;
}

static const char *allowed_methods(route_kind route)
{
    switch (route) {
    case ROUTE_HEALTH: return "GET, HEAD";
    case ROUTE_COLLECTION: return "GET, HEAD, POST";
    case ROUTE_ITEM: return "GET, HEAD, PUT, PATCH, DELETE";
    case ROUTE_UNKNOWN: break;
    }
    return "";
}

static bool method_allowed(route_kind route, method_kind method)
{
    if (method == METHOD_GET || method == METHOD_HEAD)
        return true;
    if (route == ROUTE_COLLECTION)
        return method == METHOD_POST;
    if (route == ROUTE_ITEM)
        return method == METHOD_PUT || method == METHOD_PATCH || method == METHOD_DELETE;
    return false;
}

static bool method_takes_body(method_kind method)
{
    return method == METHOD_POST || method == METHOD_PUT || method == METHOD_PATCH;
}

static void reply_db_failure(http_reply *reply, int rc)
{
    if (rc == TODO_DB_NOT_FOUND)
        http_reply_error(reply, MHD_HTTP_NOT_FOUND, "todo not found");
    else
        http_reply_error(reply, MHD_HTTP_INTERNAL_SERVER_ERROR, "database error");
}

/* Replies with the stored todo (consuming item) or with the db failure. */
static void reply_todo(http_reply *reply, unsigned status, int rc, todo_item *item)
{
    if (rc != TODO_DB_OK) {
        reply_db_failure(reply, rc);
        return;
    }
    http_reply_json_take(reply, status, todo_to_json(item));
    todo_item_clear(item);
}

/* ---- GET /todos ---- */

/* Looks up ?key; true when present. A key without "=value" reads as "". */
static bool query_arg(struct MHD_Connection *conn, const char *key, const char **value)
{
    size_t size = 0;
    if (MHD_lookup_connection_value_n(conn, MHD_GET_ARGUMENT_KIND, key, strlen(key), value,
                                      &size) != MHD_YES)
        return false;
    if (*value == NULL || strlen(*value) != size)
        *value = ""; /* missing or with an embedded NUL: invalid for every key */
    return true;
}

static const char *read_list_query(struct MHD_Connection *conn, todo_query *query)
{
    const char *value;
    query->completed = -1;
    query->limit = LIST_DEFAULT_LIMIT;
    query->offset = 0;
    if (query_arg(conn, "completed", &value)) {
        if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0)
            return "completed must be true or false";
        query->completed = strcmp(value, "true") == 0;
    }
    if (query_arg(conn, "limit", &value) &&
        (!http_parse_positive_id(value, &query->limit) || query->limit > LIST_MAX_LIMIT))
        return "limit must be an integer from 1 to 1000";
    if (query_arg(conn, "offset", &value) && !http_parse_non_negative(value, &query->offset))
        return "offset must be a non-negative integer";
    return NULL;
}

static int append_todo(const todo_item *item, void *array)
{
    cJSON *json = todo_to_json(item);
    if (json == NULL)
        return -1;
    if (!cJSON_AddItemToArray(array, json)) {
        cJSON_Delete(json);
        return -1;
    }
    return 0;
}

static void handle_list(struct MHD_Connection *conn, todo_db *db, http_reply *reply)
{
    todo_query query;
    const char *error = read_list_query(conn, &query);
    if (error != NULL) {
        http_reply_error(reply, MHD_HTTP_BAD_REQUEST, error);
        return;
    }
    cJSON *array = cJSON_CreateArray();
    int rc = array ? todo_db_list(db, &query, append_todo, array) : TODO_DB_ERROR;
    if (rc != TODO_DB_OK) {
        cJSON_Delete(array);
        reply_db_failure(reply, TODO_DB_ERROR);
        return;
    }
    http_reply_json_take(reply, MHD_HTTP_OK, array);
}

/* ---- bodyless requests ---- */

static void handle_without_body(struct MHD_Connection *conn, todo_db *db,
                                const request_ctx *ctx, http_reply *reply)
{
    if (ctx->route == ROUTE_HEALTH) {
        cJSON *json = cJSON_CreateObject();
        if (json != NULL && cJSON_AddStringToObject(json, "status", "ok") == NULL) {
            cJSON_Delete(json);
            json = NULL;
        }
        http_reply_json_take(reply, MHD_HTTP_OK, json);
    } else if (ctx->route == ROUTE_COLLECTION) {
        handle_list(conn, db, reply);
    } else if (ctx->method == METHOD_DELETE) {
        int rc = todo_db_delete(db, ctx->id);
        if (rc == TODO_DB_OK)
            reply->status = MHD_HTTP_NO_CONTENT;
        else
            reply_db_failure(reply, rc);
    } else {
        todo_item item;
        int rc = todo_db_get(db, ctx->id, &item);
        reply_todo(reply, MHD_HTTP_OK, rc, &item);
    }
}

/* ---- POST /todos, PUT and PATCH /todos/{id} ---- */

static void handle_create(todo_db *db, const todo_input *input, http_reply *reply)
{
    todo_item item;
    if (input->title == NULL) {
        http_reply_error(reply, MHD_HTTP_BAD_REQUEST, "title is required");
        return;
    }
    int rc = todo_db_create(db, input->title, input->completed == 1, &item);
    if (rc == TODO_DB_OK)
        snprintf(reply->location, sizeof reply->location, "/todos/%" PRId64, item.id);
    reply_todo(reply, MHD_HTTP_CREATED, rc, &item);
}

static void handle_replace(todo_db *db, int64_t id, const todo_input *input, http_reply *reply)
{
    todo_item item;
    if (input->title == NULL || input->completed < 0) {
        http_reply_error(reply, MHD_HTTP_BAD_REQUEST,
                         "PUT replaces the whole todo: title and completed are both required");
        return;
    }
    int rc = todo_db_replace(db, id, input->title, input->completed == 1, &item);
    reply_todo(reply, MHD_HTTP_OK, rc, &item);
}

static void handle_patch(todo_db *db, int64_t id, const todo_input *input, http_reply *reply)
{
    todo_item item;
    if (input->title == NULL && input->completed < 0) {
        http_reply_error(reply, MHD_HTTP_BAD_REQUEST,
                         "PATCH needs at least one of title or completed");
        return;
    }
    int rc = todo_db_patch(db, id, input->title, input->completed, &item);
    reply_todo(reply, MHD_HTTP_OK, rc, &item);
}

static void handle_with_body(todo_db *db, const request_ctx *ctx, http_reply *reply)
{
    const char *error = NULL;
    todo_input input;
    if (ctx->body.too_large) {
        http_reply_error(reply, MHD_HTTP_CONTENT_TOO_LARGE, "request body exceeds 64 KiB");
        return;
    }
    cJSON *json = http_parse_json_object(ctx->body.data, ctx->body.len, &error);
    if (json != NULL)
        error = todo_input_read(json, &input);
    if (error != NULL)
        http_reply_error(reply, MHD_HTTP_BAD_REQUEST, error);
    else if (ctx->method == METHOD_POST)
        handle_create(db, &input, reply);
    else if (ctx->method == METHOD_PUT)
        handle_replace(db, ctx->id, &input, reply);
    else
        handle_patch(db, ctx->id, &input, reply);
    cJSON_Delete(json); /* input borrowed from it until here */
}

/* ---- dispatch ---- */

/* Copies url for logging with control bytes replaced and length capped. */
static void sanitize_for_log(const char *url, char *out, size_t out_size)
{
    size_t n = 0;
    for (; url[n] != '\0' && n + 1 < out_size; n++) {
        unsigned char c = (unsigned char)url[n];
        out[n] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    out[n] = '\0';
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, const routes_config *cfg,
                                  const char *method, const char *url, http_reply *reply)
{
    unsigned status = reply->status;
    enum MHD_Result result = http_reply_send(conn, reply);
    if (cfg->log_requests) {
        char safe_url[LOG_URL_MAX + 1], safe_method[16];
        sanitize_for_log(url, safe_url, sizeof safe_url);
        sanitize_for_log(method, safe_method, sizeof safe_method);
        fprintf(stderr, "todo-api: %s %s %u\n", safe_method, safe_url, status);
    }
    return result;
}

/* Checks everything that depends on headers only. Returns true when reply
 * now holds a refusal (404, 405, 400 bad id, 415). */
static bool refuse_from_headers(struct MHD_Connection *conn, request_ctx *ctx, const char *url,
                                http_reply *reply)
{
    const char *id_text = NULL;
    ctx->route = route_from_path(url, &id_text);
    if (ctx->route == ROUTE_UNKNOWN) {
        http_reply_error(reply, MHD_HTTP_NOT_FOUND,
                         "no such endpoint; try /todos, /todos/{id} or /healthz");
    } else if (!method_allowed(ctx->route, ctx->method)) {
        char message[96];
        reply->allow = allowed_methods(ctx->route);
        snprintf(message, sizeof message, "method not allowed on this path; allowed: %s",
                 reply->allow);
        http_reply_error(reply, MHD_HTTP_METHOD_NOT_ALLOWED, message);
    } else if (ctx->route == ROUTE_ITEM && !http_parse_positive_id(id_text, &ctx->id)) {
        http_reply_error(reply, MHD_HTTP_BAD_REQUEST,
                         "id must be a positive integer (1 to 9223372036854775807)");
    } else if (method_takes_body(ctx->method) && !http_content_type_is_json(conn)) {
        http_reply_error(reply, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
                         "Content-Type must be application/json");
    } else {
        return false;
    }
    return true;
}

/* First call (headers only). A verdict is normally kept until the final
 * call, because libmicrohttpd closes the connection after a response queued
 * this early; only an announced oversize body is refused at once, so that it
 * is never read. */
static enum MHD_Result start_request(struct MHD_Connection *conn, const routes_config *cfg,
                                     const char *method, const char *url, void **req_cls)
{
    request_ctx *ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL)
        return MHD_NO;
    *req_cls = ctx;
    ctx->method = method_from_string(method);
    ctx->refused = refuse_from_headers(conn, ctx, url, &ctx->reply);
    if (!http_content_length_exceeds(conn, HTTP_MAX_BODY))
        return MHD_YES;
    if (!ctx->refused)
        http_reply_error(&ctx->reply, MHD_HTTP_CONTENT_TOO_LARGE, "request body exceeds 64 KiB");
    return send_reply(conn, cfg, method, url, &ctx->reply);
}

/* Final call: the whole body (if any) has been collected. */
static enum MHD_Result finish_request(struct MHD_Connection *conn, const routes_config *cfg,
                                      request_ctx *ctx, const char *method, const char *url)
{
    if (!ctx->refused) {
        if (method_takes_body(ctx->method))
            handle_with_body(cfg->db, ctx, &ctx->reply);
        else
            handle_without_body(conn, cfg->db, ctx, &ctx->reply);
    }
    return send_reply(conn, cfg, method, url, &ctx->reply);
}

enum MHD_Result routes_access_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **req_cls)
{
    const routes_config *cfg = cls;
    request_ctx *ctx = *req_cls;
    if (ctx == NULL)
        return start_request(conn, cfg, method, url, req_cls);
    if (*upload_data_size == 0)
        return finish_request(conn, cfg, ctx, method, url);
    /* A body chunk; bodies of refused or bodyless requests are read and
     * dropped the same way, so the connection stays usable. */
    if (request_body_append(&ctx->body, upload_data, *upload_data_size) != 0)
        return MHD_NO; /* out of memory, or a client that will not stop */
    *upload_data_size = 0;
    return MHD_YES;
}

void routes_request_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                              enum MHD_RequestTerminationCode code)
{
    request_ctx *ctx = *req_cls;
    if (ctx == NULL)
        return;
    request_body_free(&ctx->body);
    free(ctx->reply.body); /* set only if the reply was never sent */
    free(ctx);
    *req_cls = NULL;
}
