/* webapi: the libcurl client todo-mcp uses to reach todo-api (the REST
 * backend the seed articles call "the WebAPI"). One call = one HTTP
 * request with a JSON body in and a parsed JSON body out; every failure
 * (refused, timed out, non-2xx status, bad JSON) comes back as a short
 * human sentence ending with the URL, so tools can show it to the model.
 * Each worker thread keeps its own CURL easy handle for connection reuse. */
#ifndef TODO_MCP_WEBAPI_H
#define TODO_MCP_WEBAPI_H

#include <stddef.h>
#include <cjson/cJSON.h>

typedef struct webapi webapi;

typedef struct webapi_config {
    const char *base_url;      /* e.g. "http://localhost:3001"; a trailing '/' is dropped */
    const char *token;         /* sent as "Authorization: Bearer <token>" when not NULL/empty */
    long timeout_ms;           /* whole request, e.g. 10000 */
    long connect_timeout_ms;   /* TCP/TLS connect phase */
} webapi_config;

/* Call curl_global_init once before webapi_new, curl_global_cleanup after
 * webapi_free. Returns NULL on a bad base URL or ENOMEM. */
webapi *webapi_new(const webapi_config *config);
/* Frees the configuration and the calling thread's easy handle; worker
 * threads free theirs when they exit. */
void webapi_free(webapi *api);

const char *webapi_base_url(const webapi *api);

/* For shutdown: upstream calls still running grace_ms from now (and any
 * started later) are aborted and fail with "cancelled: todo-mcp is shutting
 * down", so a hung todo-api cannot hold the exit for the full timeout.
 * Safe to call from any thread. */
void webapi_shutdown(webapi *api, unsigned grace_ms);

/* Sends METHOD base_url+path with body_json (NULL: no body) and expects a
 * 2xx status. On success returns 0 and *out_json receives the parsed body
 * (NULL for an empty body such as 204; caller frees with cJSON_Delete).
 * On failure returns -1, *out_json is NULL, why holds a sentence such as
 * "connection refused (http://localhost:3001/todos/5)" and *out_status
 * the HTTP status when one was received (0 otherwise). */
int webapi_call(const webapi *api, const char *method, const char *path, const char *body_json,
                cJSON **out_json, long *out_status, char *why, size_t why_size);
/* The same, sending W3C trace context: traceparent (NULL: none) and
 * tracestate (NULL: none) as request headers, so todo-api's requests join
 * the MCP request's trace (mcp_call_traceparent). */
int webapi_call_traced(const webapi *api, const char *traceparent, const char *tracestate, const char *method,
                       const char *path, const char *body_json, cJSON **out_json, long *out_status, char *why,
                       size_t why_size);

#endif
