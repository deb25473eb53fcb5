/* jsonecho - the ceiling for any stdio server that really reads JSON: for
 * every line on stdin it parses the request with cJSON, builds a
 * tools/call-shaped reply carrying the request's id and its "text"
 * argument, serialises it and writes it as one line. No validation, no MCP
 * semantics. Scenario h runs it next to line-echo (no parsing at all) and
 * libmcp: the gap between line-echo and this is the cost of JSON itself,
 * the gap between this and libmcp is libmcp's own. Exits when stdin closes. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int write_all(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(1, p, n);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int answer(const char *line, size_t len)
{
    cJSON *req = cJSON_ParseWithLength(line, len);
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(req, "params"), "arguments");
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(args, "text"));
    cJSON *resp = cJSON_CreateObject();
    cJSON_AddStringToObject(resp, "jsonrpc", "2.0");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "id");
    cJSON_AddItemToObject(resp, "id", id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull());
    cJSON *content = cJSON_AddArrayToObject(cJSON_AddObjectToObject(resp, "result"), "content");
    cJSON *block = cJSON_CreateObject();
    cJSON_AddStringToObject(block, "type", "text");
    cJSON_AddStringToObject(block, "text", text ? text : "");
    cJSON_AddItemToArray(content, block);
    char *out = cJSON_PrintUnformatted(resp);
    cJSON_Delete(resp);
    cJSON_Delete(req);
    if (!out)
        return -1;
    size_t n = strlen(out);
    out[n] = '\n';                        /* replaces the NUL: one write */
    int rc = write_all(out, n + 1);
    free(out);
    return rc;
}

int main(void)
{
    static char buf[1 << 16];
    size_t used = 0;
    for (;;) {
        ssize_t n = read(0, buf + used, sizeof buf - used);
        if (n <= 0)
            return 0;
        used += (size_t)n;
        char *start = buf, *nl;
        while ((nl = memchr(start, '\n', used - (size_t)(start - buf))) != NULL) {
            if (answer(start, (size_t)(nl - start)) < 0)
                return 1;
            start = nl + 1;
        }
        used -= (size_t)(start - buf);
        memmove(buf, start, used);
        if (used == sizeof buf)
            return 1;                     /* a line longer than the buffer */
    }
}
