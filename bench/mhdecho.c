/* mhdecho - the ceiling for an MCP server built on libmicrohttpd + cJSON on
 * this machine: the daemon settings libmcp uses (epoll, internal pool of two
 * threads, suspend/resume, 8 KiB per-connection memory, timeout and
 * connection limit as in MCP_HTTP_DEFAULTS), the POSTed body parsed with
 * cJSON and a tools/call-shaped reply built and serialised with cJSON, and
 * nothing else: no validation, no MCP semantics, no body limit. Scenario a measures it next to nginx and libmcp,
 * so the gap between it and libmcp is libmcp's own cost and the gap between
 * it and nginx is libmicrohttpd's. Usage: mhdecho PORT (runs until killed). */
#include <sys/socket.h>
#include <netinet/in.h>
#include <microhttpd.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct body {
    char *data;
    size_t len;
} body;

static enum MHD_Result reply(struct MHD_Connection *conn, const body *b)
{
    cJSON *req = cJSON_ParseWithLength(b->data ? b->data : "", b->len);
    cJSON *resp = cJSON_CreateObject();
    cJSON_AddStringToObject(resp, "jsonrpc", "2.0");
    cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "id");
    cJSON_AddItemToObject(resp, "id", id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull());
    cJSON *content = cJSON_AddArrayToObject(cJSON_AddObjectToObject(resp, "result"), "content");
    cJSON *text = cJSON_CreateObject();
    cJSON_AddStringToObject(text, "type", "text");
    cJSON_AddStringToObject(text, "text", "hello");
    cJSON_AddItemToArray(content, text);
    char *out = cJSON_PrintUnformatted(resp);
    cJSON_Delete(resp);
    cJSON_Delete(req);
    if (!out)
        return MHD_NO;
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(out), out, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)cls, (void)url, (void)method, (void)version;
    body *b = *con_cls;
    if (!b)
        return (*con_cls = calloc(1, sizeof *b)) ? MHD_YES : MHD_NO;
    if (*upload_size) {
        char *grown = realloc(b->data, b->len + *upload_size);
        if (!grown)
            return MHD_NO;
        memcpy(grown + b->len, upload, *upload_size);
        b->data = grown;
        b->len += *upload_size;
        *upload_size = 0;
        return MHD_YES;
    }
    return reply(conn, b);
}

static void done(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode why)
{
    (void)cls, (void)conn, (void)why;
    body *b = *con_cls;
    if (b)
        free(b->data);
    free(b);
    *con_cls = NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME,
                                            (uint16_t)atoi(argv[1]), NULL, NULL, handle, NULL,
                                            MHD_OPTION_THREAD_POOL_SIZE, 2u,
                                            MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                                            MHD_OPTION_CONNECTION_LIMIT, 10000u,
                                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)8192,
                                            MHD_OPTION_CONNECTION_MEMORY_INCREMENT, (size_t)1024,
                                            MHD_OPTION_NOTIFY_COMPLETED, done, NULL, MHD_OPTION_END);
    if (!d)
        return 1;
    for (;;)
        pause();
}
