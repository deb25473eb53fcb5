/* The smallest useful libmcp server: two tools over stdio (default) or
 * Streamable HTTP (--http PORT [--quiet] [--rate-limit PER_SECOND]). `add`
 * reports progress when asked. */
#include <stdlib.h>
#include <string.h>
#include <mcp/mcp.h>

static int echo(mcp_call *call, const cJSON *args, void *app)
{
    return mcp_call_text(call, "%s", cJSON_GetObjectItem(args, "text")->valuestring);
}

static int add(mcp_call *call, const cJSON *args, void *app)
{
    double a = cJSON_GetObjectItem(args, "a")->valuedouble, b = cJSON_GetObjectItem(args, "b")->valuedouble;
    mcp_call_progress(call, 1, 2, "adding");
    cJSON *out = cJSON_CreateObject();
    cJSON_AddNumberToObject(out, "sum", a + b);
    mcp_call_progress(call, 2, 2, "done");
    return mcp_call_structured_take(call, out);
}

int main(int argc, char **argv)
{
    mcp_server *srv = mcp_server_new(&(mcp_server_info){ .name = "mcp-example", .version = MCP_VERSION });
    mcp_server_add_tool(srv, &(mcp_tool){ .name = "echo", .description = "Echo the text back",
        .input_schema = "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}",
        .annotations = { .read_only = MCP_HINT_TRUE }, .handler = echo }, NULL);
    mcp_server_add_tool(srv, &(mcp_tool){ .name = "add", .description = "Add two numbers",
        .input_schema = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"number\"},\"b\":{\"type\":\"number\"}},\"required\":[\"a\",\"b\"]}",
        .output_schema = "{\"type\":\"object\",\"properties\":{\"sum\":{\"type\":\"number\"}},\"required\":[\"sum\"]}",
        .handler = add }, NULL);
    mcp_http_options http = MCP_HTTP_DEFAULTS;        /* --quiet: no per-request log lines */
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--quiet") == 0)
            http.log_requests = false;
        else if (strcmp(argv[i], "--rate-limit") == 0 && i + 1 < argc)
            http.rate_limit = atof(argv[++i]);        /* tools/call per second per client */
    }
    int rc = argc > 2 && strcmp(argv[1], "--http") == 0
        ? (http.port = (unsigned)atoi(argv[2]), mcp_serve_http(srv, &http))
        : mcp_serve_stdio(srv, NULL);
    mcp_server_free(srv);
    return rc < 0 ? 1 : 0;
}
