/*
 * http_util.h - HTTP plumbing for todo-api, independent of the todo routes.
 *
 * Owns the per-request body buffer (capped as data arrives), header checks
 * (Content-Type, Content-Length), strict JSON body parsing (UTF-8 and control
 * characters are checked before cJSON sees the text, since cJSON does not),
 * and the http_reply value that route handlers fill and http_reply_send
 * queues on the connection.
 */
#ifndef TODO_API_HTTP_UTIL_H
#define TODO_API_HTTP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <microhttpd.h>
#include <cjson/cJSON.h>

enum { HTTP_MAX_BODY = 64 * 1024 };

/* Request body collected across access-handler calls. data is owned, and
 * NUL-terminated whenever it is non-NULL. */
typedef struct request_body {
    char *data;
    size_t len;
    size_t cap;
    size_t seen;     /* every byte received, kept or not */
    bool too_large;  /* more than HTTP_MAX_BODY arrived; the excess is dropped */
} request_body;

/* Keeps up to HTTP_MAX_BODY bytes. Returns 0, or -1 when out of memory or when
 * the client keeps sending far beyond the cap (the caller drops the connection). */
int request_body_append(request_body *body, const char *data, size_t size);
void request_body_free(request_body *body);

/* True when the request's Content-Type is application/json (parameters such
 * as charset are allowed). */
bool http_content_type_is_json(struct MHD_Connection *conn);
/* True when a Content-Length header announces more than limit bytes. */
bool http_content_length_exceeds(struct MHD_Connection *conn, size_t limit);

/* Parses body text that must be one JSON object in valid UTF-8. Returns the
 * object (caller deletes) or NULL with *error set to a static message. */
cJSON *http_parse_json_object(const char *text, size_t len, const char **error);

/* Parses a positive decimal integer (digits only, 1..INT64_MAX). */
bool http_parse_positive_id(const char *text, int64_t *out);
/* Parses a non-negative decimal integer (digits only, 0..INT64_MAX). */
bool http_parse_non_negative(const char *text, int64_t *out);

/* What a route handler answers. body is owned JSON text (or NULL for none);
 * allow and location are copied into headers when set. */
typedef struct http_reply {
    unsigned status;
    char *body;
    const char *allow;
    char location[48];
} http_reply;

/* Sets status and a {"error": message} body. */
void http_reply_error(http_reply *reply, unsigned status, const char *message);
/* Sets status and takes ownership of json, which is printed and deleted. */
void http_reply_json_take(http_reply *reply, unsigned status, cJSON *json);
/* Queues the reply (freeing its body) and returns MHD's verdict. */
enum MHD_Result http_reply_send(struct MHD_Connection *conn, http_reply *reply);

#endif
