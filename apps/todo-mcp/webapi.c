/* webapi.c - libcurl client of todo-api.
 *
 * Tools run on libmcp's worker pool, so requests may run in parallel. Each
 * worker thread keeps one CURL easy handle (a pthread key, created on first
 * use, cleaned up when the thread exits): curl_easy_reset keeps the handle's
 * connection cache, so a thread's calls reuse keep-alive connections
 * instead of opening one per call. On shutdown a progress callback aborts
 * calls that outlive a grace period, so a hung todo-api cannot hold up the
 * exit for the whole 10 s timeout. Nothing of the MCP client's request
 * (headers, credentials) is forwarded: only Accept/Content-Type and, when
 * configured, todo-mcp's own bearer token. */
#include "webapi.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <curl/curl.h>

enum { MAX_RESPONSE_BYTES = 8 << 20, MAX_REASON = 256 };

struct webapi {
    char *base_url;      /* without a trailing '/' */
    char *auth_header;   /* "Authorization: Bearer ..." or NULL */
    long timeout_ms;
    long connect_timeout_ms;
    _Atomic int64_t abort_after_ms;   /* monotonic deadline for running calls; 0: none */
};

/* ---------------------------------------------------------------- per-thread handle */

static pthread_key_t handle_key;
static pthread_once_t handle_key_once = PTHREAD_ONCE_INIT;
static bool handle_key_ready;

static void destroy_handle(void *handle)
{
    curl_easy_cleanup(handle);
}

static void create_handle_key(void)
{
    handle_key_ready = pthread_key_create(&handle_key, destroy_handle) == 0;
}

/* The calling thread's easy handle, reset to defaults, or NULL on ENOMEM. */
static CURL *thread_handle(void)
{
    pthread_once(&handle_key_once, create_handle_key);
    if (!handle_key_ready)
        return NULL;
    CURL *handle = pthread_getspecific(handle_key);
    if (handle) {
        curl_easy_reset(handle);   /* keeps live connections and the DNS cache */
        return handle;
    }
    handle = curl_easy_init();
    if (handle && pthread_setspecific(handle_key, handle) != 0) {
        curl_easy_cleanup(handle);
        handle = NULL;
    }
    return handle;
}

static void release_thread_handle(void)
{
    pthread_once(&handle_key_once, create_handle_key);
    if (!handle_key_ready)
        return;
    CURL *handle = pthread_getspecific(handle_key);
    if (handle) {
        pthread_setspecific(handle_key, NULL);
        curl_easy_cleanup(handle);
    }
}

/* ---------------------------------------------------------------- lifecycle */

static bool is_http_url(const char *url)
{
    return strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0;
}

webapi *webapi_new(const webapi_config *config)
{
    if (!config || !config->base_url || !is_http_url(config->base_url))
        return NULL;
    webapi *api = calloc(1, sizeof *api);
    if (!api)
        return NULL;
    api->base_url = strdup(config->base_url);
    if (!api->base_url) {
        webapi_free(api);
        return NULL;
    }
    size_t len = strlen(api->base_url);
    while (len > 0 && api->base_url[len - 1] == '/')
        api->base_url[--len] = '\0';
    if (config->token && *config->token &&
        asprintf(&api->auth_header, "Authorization: Bearer %s", config->token) < 0) {
        api->auth_header = NULL;
        webapi_free(api);
        return NULL;
    }
    atomic_init(&api->abort_after_ms, 0);
    api->timeout_ms = config->timeout_ms;
    api->connect_timeout_ms = config->connect_timeout_ms;
    return api;
}

void webapi_free(webapi *api)
{
    release_thread_handle();
    if (!api)
        return;
    free(api->base_url);
    free(api->auth_header);
    free(api);
}

const char *webapi_base_url(const webapi *api)
{
    return api->base_url;
}

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void webapi_shutdown(webapi *api, unsigned grace_ms)
{
    atomic_store(&api->abort_after_ms, monotonic_ms() + grace_ms);
}

/* libcurl's progress callback (about once a second while idle): non-zero aborts. */
static int check_shutdown(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                          curl_off_t ultotal, curl_off_t ulnow)
{
    const webapi *api = userdata;
    int64_t deadline = atomic_load(&api->abort_after_ms);
    return deadline != 0 && monotonic_ms() >= deadline;
}

/* ---------------------------------------------------------------- one request */

typedef struct response_buffer {
    char *data;
    size_t len;
    size_t cap;
    bool too_big;
} response_buffer;

static size_t collect_body(char *ptr, size_t size, size_t count, void *userdata)
{
    response_buffer *buf = userdata;
    size_t n = size * count;
    if (buf->len + n > MAX_RESPONSE_BYTES) {
        buf->too_big = true;
        return 0;   /* makes curl fail with CURLE_WRITE_ERROR */
    }
    if (buf->len + n + 1 > buf->cap) {
        size_t cap = buf->cap ? buf->cap : 1024;
        while (cap < buf->len + n + 1)
            cap *= 2;
        char *grown = realloc(buf->data, cap);
        if (!grown)
            return 0;
        buf->data = grown;
        buf->cap = cap;
    }
    memcpy(buf->data + buf->len, ptr, n);
    buf->len += n;
    buf->data[buf->len] = '\0';
    return n;
}

/* curl_slist_append returns NULL on ENOMEM and leaves the list as it was. */
static bool append_header(struct curl_slist **list, const char *header)
{
    struct curl_slist *grown = curl_slist_append(*list, header);
    if (grown)
        *list = grown;
    return grown != NULL;
}

static struct curl_slist *request_headers(const webapi *api, bool has_body, const char *traceparent,
                                         const char *tracestate)
{
    struct curl_slist *list = NULL;
    char tp[128], ts[600];
    if (traceparent)
        snprintf(tp, sizeof tp, "traceparent: %s", traceparent);
    if (tracestate)
        snprintf(ts, sizeof ts, "tracestate: %s", tracestate);
    bool ok = append_header(&list, "Accept: application/json") &&
              (!has_body || append_header(&list, "Content-Type: application/json")) &&
              append_header(&list, "Expect:") &&   /* no 100-continue round trip */
              (!api->auth_header || append_header(&list, api->auth_header)) &&
              (!traceparent || append_header(&list, tp)) &&
              (!traceparent || !tracestate || append_header(&list, ts));
    if (!ok) {
        curl_slist_free_all(list);
        return NULL;
    }
    return list;
}

static void set_request_options(CURL *h, const webapi *api, const char *method, const char *url,
                                const char *body, struct curl_slist *headers)
{
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, api->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, api->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "todo-mcp/1.0");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, check_shutdown);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, (void *)api);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    if (strcmp(method, "GET") == 0)
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    else
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
}

/* Writes why curl could not complete the request (without the URL). */
static void describe_transfer_failure(CURL *h, CURLcode rc, const response_buffer *buf,
                                      const char *errbuf, char *reason, size_t size)
{
    long os_errno = 0;
    double seconds = 0;
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
        curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
        if (os_errno == ECONNREFUSED)
            snprintf(reason, size, "connection refused");
        else
            snprintf(reason, size, "cannot connect: %s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
        return;
    case CURLE_OPERATION_TIMEDOUT:
        curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &seconds);
        snprintf(reason, size, "timed out after %.0f s", seconds);
        return;
    case CURLE_ABORTED_BY_CALLBACK:
        snprintf(reason, size, "cancelled: todo-mcp is shutting down");
        return;
    case CURLE_COULDNT_RESOLVE_HOST:
        snprintf(reason, size, "cannot resolve host");
        return;
    case CURLE_WRITE_ERROR:
        if (buf->too_big) {
            snprintf(reason, size, "response larger than %d MiB", MAX_RESPONSE_BYTES >> 20);
            return;
        }
        break;
    default:
        break;
    }
    snprintf(reason, size, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
}

/* Writes "HTTP 404: todo not found" using todo-api's {"error": "..."} body. */
static void describe_status(long status, const cJSON *body, char *reason, size_t size)
{
    const char *message = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "error"));
    if (message)
        snprintf(reason, size, "HTTP %ld: %.200s", status, message);
    else
        snprintf(reason, size, "HTTP %ld", status);
}

/* Turns a finished transfer into the parsed body, or a failure reason. */
static int interpret_response(long status, response_buffer *buf, cJSON **out_json,
                              char *reason, size_t size)
{
    cJSON *json = buf->len ? cJSON_ParseWithLength(buf->data, buf->len) : NULL;
    if (status < 200 || status > 299) {
        describe_status(status, json, reason, size);
        cJSON_Delete(json);
        return -1;
    }
    if (buf->len && !json) {
        snprintf(reason, size, "invalid JSON in the response (HTTP %ld)", status);
        return -1;
    }
    *out_json = json;
    return 0;
}

/* Runs one transfer on the thread's handle; 0 with *out_json, or -1 with reason. */
static int perform(CURL *h, const webapi *api, const char *method, const char *url, const char *body,
                   struct curl_slist *headers, cJSON **out_json, long *status, char *reason, size_t size)
{
    char errbuf[CURL_ERROR_SIZE] = "";
    response_buffer buf = {0};
    int rc = -1;
    set_request_options(h, api, method, url, body, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &buf);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode cc = curl_easy_perform(h);
    if (cc == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
        rc = interpret_response(*status, &buf, out_json, reason, size);
    } else {
        describe_transfer_failure(h, cc, &buf, errbuf, reason, size);
    }
    /* errbuf, buf and headers die with this call: unhook them from the handle. */
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, NULL);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    free(buf.data);
    return rc;
}

int webapi_call(const webapi *api, const char *method, const char *path, const char *body_json,
                cJSON **out_json, long *out_status, char *why, size_t why_size)
{
    return webapi_call_traced(api, NULL, NULL, method, path, body_json, out_json, out_status, why, why_size);
}

int webapi_call_traced(const webapi *api, const char *traceparent, const char *tracestate, const char *method,
                       const char *path, const char *body_json, cJSON **out_json, long *out_status, char *why,
                       size_t why_size)
{
    char reason[MAX_REASON] = "out of memory";
    long status = 0;
    int rc = -1;
    char *url = NULL;
    *out_json = NULL;
    if (asprintf(&url, "%s%s", api->base_url, path) < 0)
        url = NULL;
    CURL *h = thread_handle();
    struct curl_slist *headers = request_headers(api, body_json != NULL, traceparent, tracestate);
    if (url && h && headers)
        rc = perform(h, api, method, url, body_json, headers, out_json, &status, reason, sizeof reason);
    if (rc != 0)
        snprintf(why, why_size, "%s (%s)", reason, url ? url : path);
    if (out_status)
        *out_status = status;
    curl_slist_free_all(headers);
    free(url);
    return rc;
}
