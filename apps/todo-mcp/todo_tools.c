/* todo_tools.c - todo-mcp's tools, resource template and counter.
 *
 * Every handler that talks to todo-api is registered .blocking = true so
 * it runs on libmcp's worker pool: a slow or hung upstream (10 s timeout)
 * never stalls the transport loop or other clients. Upstream failures are
 * tool errors (isError) whose text starts "WebAPI call failed", as in the
 * seed, so the model sees why. CRUD tools pass todo-api's body through as
 * structuredContent; their outputSchema requires only what the WebAPI
 * contract guarantees ({id, title, completed}), so a todo that was created
 * never comes back as "Output validation error". Lists are wrapped as
 * {"todos": [...]} because structuredContent must be an object. Input
 * schemas state todo-api's own limits (title 1..1000 characters, not blank;
 * ids 1..2^53-1; limit 1..1000). OAuth scopes: reads need
 * todos:read, writes todos:write (see todo-mcp --help).
 * Changes are reported: create/update/delete send resources/updated for
 * todo://todos (the list), update/delete also for todo://todos/{id}, to
 * the clients subscribed to them (resources/subscribe, subscriptions/listen). */
#include "todo_tools.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { WHY_SIZE = 512, PATH_SIZE = 128 };

#define FAILED_PREFIX "WebAPI call failed"

/* Every todo-api request carries the MCP request's trace context: a child
 * traceparent (and the caller's tracestate), so the backend's logs join the
 * trace. The buffer is a compound literal living in the calling block. */
static const char *traceparent_of(const mcp_call *call, char *buf, size_t len)
{
    return mcp_call_traceparent(call, buf, len) == 0 ? buf : NULL;
}
#define TRACE_ARGS(call) traceparent_of((call), (char[64]){0}, 64), mcp_call_tracestate(call)

/* ---------------------------------------------------------------- schemas */

#define TODO_PROPERTIES                                                              \
    "\"id\":{\"type\":\"integer\",\"description\":\"ID of the todo\"},"               \
    "\"title\":{\"type\":\"string\"},"                                                \
    "\"completed\":{\"type\":\"boolean\"},"                                           \
    "\"createdAt\":{\"type\":\"string\",\"description\":\"ISO 8601 creation time\"}," \
    "\"updatedAt\":{\"type\":\"string\",\"description\":\"ISO 8601 last update time\"}"

/* todo-api always sends id, title and completed; the timestamps and any
 * other member are optional here, so an upstream that omits them (the
 * seed's minimal todo) still yields a valid result. */
#define TODO_SCHEMA                                                     \
    "{\"type\":\"object\",\"properties\":{" TODO_PROPERTIES "},"        \
    "\"required\":[\"id\",\"title\",\"completed\"]}"

/* 2^53 - 1: the largest integer a JSON number carries exactly. */
#define MAX_SAFE "9007199254740991"

#define ID_PROPERTY \
    "\"id\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":" MAX_SAFE ",\"description\":\"ID of the todo\"}"

/* todo-api's title rule: 1..1000 characters (code points, as maxLength
 * counts them), not all white space. */
#define TITLE_LIMITS "\"minLength\":1,\"maxLength\":1000,\"pattern\":\"\\\\S\""

/* The seed's get_todo takes any number (todo-api answers 400 for a
 * fraction); the range is todo-api's, capped where JSON stays exact. */
static const char get_todo_input[] =
    "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"number\",\"minimum\":1,\"maximum\":" MAX_SAFE ","
    "\"description\":\"ID of the todo\"}},"
    "\"required\":[\"id\"]}";

static const char list_todos_input[] =
    "{\"type\":\"object\",\"properties\":{"
    "\"completed\":{\"type\":\"boolean\",\"description\":\"Only todos whose completed flag has this value\"},"
    "\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1000,\"description\":\"At most this many todos (default 100)\"},"
    "\"offset\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":" MAX_SAFE ",\"description\":\"Skip this many todos first (default 0)\"}}}";

static const char list_todos_output[] =
    "{\"type\":\"object\",\"properties\":{\"todos\":{\"type\":\"array\",\"items\":" TODO_SCHEMA "}},"
    "\"required\":[\"todos\"]}";

static const char create_todo_input[] =
    "{\"type\":\"object\",\"properties\":{"
    "\"title\":{\"type\":\"string\"," TITLE_LIMITS ",\"description\":\"What there is to do (1-1000 characters)\"},"
    "\"completed\":{\"type\":\"boolean\",\"description\":\"Initial state (default false)\"}},"
    "\"required\":[\"title\"]}";

static const char update_todo_input[] =
    "{\"type\":\"object\",\"properties\":{" ID_PROPERTY ","
    "\"title\":{\"type\":\"string\"," TITLE_LIMITS ",\"description\":\"New title (1-1000 characters)\"},"
    "\"completed\":{\"type\":\"boolean\",\"description\":\"New completed state\"}},"
    "\"required\":[\"id\"]}";

static const char delete_todo_input[] =
    "{\"type\":\"object\",\"properties\":{" ID_PROPERTY "},\"required\":[\"id\"]}";

static const char delete_todo_output[] =
    "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"deleted\":{\"type\":\"boolean\"}},"
    "\"required\":[\"id\",\"deleted\"]}";

static const char counter_output[] =
    "{\"type\":\"object\",\"properties\":{\"count\":{\"type\":\"integer\"}},\"required\":[\"count\"]}";

/* ---------------------------------------------------------------- helpers */

static int upstream_failed(mcp_call *call, const char *why)
{
    return mcp_call_error(call, FAILED_PREFIX ": %s", why);
}

/* Writes "/todos/<id>". get_todo's id is any JSON number (as in the seed):
 * a whole number is written without a fraction, anything else is passed
 * through for todo-api to reject with a 400. */
static void todo_path(const cJSON *args, char *path, size_t size)
{
    double id = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(args, "id"));
    if (id >= -9e15 && id <= 9e15 && (double)(long long)id == id)
        snprintf(path, size, "/todos/%lld", (long long)id);
    else
        snprintf(path, size, "/todos/%.17g", id);
}

/* Copies the optional members title/completed of args into a JSON body. */
static char *todo_body(const cJSON *args)
{
    cJSON *body = cJSON_CreateObject();
    const char *names[] = { "title", "completed" };
    for (size_t i = 0; body && i < sizeof names / sizeof names[0]; i++) {
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(args, names[i]);
        cJSON *copy = value ? cJSON_Duplicate(value, 1) : NULL;
        if (value && !(copy && cJSON_AddItemToObject(body, names[i], copy))) {
            cJSON_Delete(copy);
            cJSON_Delete(body);
            body = NULL;
        }
    }
    char *text = body ? cJSON_PrintUnformatted(body) : NULL;
    cJSON_Delete(body);
    return text;
}

/* Sends the request and replies with the todo object todo-api returned;
 * *written tells whether todo-api did the write. */
static int reply_with_todo(mcp_call *call, webapi *api, const char *method, const char *path,
                           const char *body, bool *written)
{
    *written = false;
    char why[WHY_SIZE];
    cJSON *todo = NULL;
    if (webapi_call_traced(api, TRACE_ARGS(call), method, path, body, &todo, NULL, why, sizeof why) != 0)
        return upstream_failed(call, why);
    *written = true;                   /* todo-api answered 2xx */
    if (!cJSON_IsObject(todo)) {
        cJSON_Delete(todo);
        return mcp_call_error(call, FAILED_PREFIX ": expected a todo object from %s %s", method, path);
    }
    return mcp_call_structured_take(call, todo);
}

/* ---------------------------------------------------------------- changes */

/* The write tools' userdata: the WebAPI and the server to tell. todo-mcp
 * runs one server per process, so one context (set at registration). */
typedef struct todo_ctx {
    webapi *api;
    mcp_server *srv;
} todo_ctx;
static todo_ctx write_ctx;

#define LIST_URI "todo://todos"

/* After a write: the list changed, and so did todo id (when id is a number). */
static void report_change(const todo_ctx *ctx, const cJSON *id)
{
    if (cJSON_IsNumber(id)) {
        char uri[64];
        snprintf(uri, sizeof uri, LIST_URI "/%" PRId64, (int64_t)id->valuedouble);
        mcp_server_resource_updated(ctx->srv, uri);
    }
    mcp_server_resource_updated(ctx->srv, LIST_URI);
}

/* ---------------------------------------------------------------- tools */

/* The seed's tool: the todo as JSON text. */
static int get_todo(mcp_call *call, const cJSON *args, void *userdata)
{
    char path[PATH_SIZE], why[WHY_SIZE];
    cJSON *todo = NULL;
    todo_path(args, path, sizeof path);
    if (webapi_call_traced(userdata, TRACE_ARGS(call), "GET", path, NULL, &todo, NULL, why, sizeof why) != 0)
        return upstream_failed(call, why);
    if (!todo)
        return mcp_call_error(call, FAILED_PREFIX ": empty response from GET %s", path);
    char *text = cJSON_PrintUnformatted(todo);
    cJSON_Delete(todo);
    return text ? mcp_call_text_take(call, text) : -MCP_ENOMEM;
}

/* Writes "/todos?completed=..&limit=..&offset=.." from the optional filters. */
static void list_path(const cJSON *args, char *path, size_t size)
{
    const cJSON *completed = cJSON_GetObjectItemCaseSensitive(args, "completed");
    const cJSON *limit = cJSON_GetObjectItemCaseSensitive(args, "limit");
    const cJSON *offset = cJSON_GetObjectItemCaseSensitive(args, "offset");
    int n = snprintf(path, size, "/todos");
    char sep = '?';
    if (cJSON_IsBool(completed)) {
        n += snprintf(path + n, size - (size_t)n, "%ccompleted=%s", sep, cJSON_IsTrue(completed) ? "true" : "false");
        sep = '&';
    }
    if (cJSON_IsNumber(limit)) {
        n += snprintf(path + n, size - (size_t)n, "%climit=%lld", sep, (long long)limit->valuedouble);
        sep = '&';
    }
    if (cJSON_IsNumber(offset))
        snprintf(path + n, size - (size_t)n, "%coffset=%lld", sep, (long long)offset->valuedouble);
}

static int list_todos(mcp_call *call, const cJSON *args, void *userdata)
{
    char path[PATH_SIZE], why[WHY_SIZE];
    cJSON *todos = NULL;
    list_path(args, path, sizeof path);
    if (webapi_call_traced(userdata, TRACE_ARGS(call), "GET", path, NULL, &todos, NULL, why, sizeof why) != 0)
        return upstream_failed(call, why);
    if (!cJSON_IsArray(todos)) {
        cJSON_Delete(todos);
        return mcp_call_error(call, FAILED_PREFIX ": expected a JSON array from GET %s", path);
    }
    cJSON *result = cJSON_CreateObject();
    if (!result || !cJSON_AddItemToObject(result, "todos", todos)) {
        cJSON_Delete(result);
        cJSON_Delete(todos);
        return -MCP_ENOMEM;
    }
    return mcp_call_structured_take(call, result);
}

static int create_todo(mcp_call *call, const cJSON *args, void *userdata)
{
    char *body = todo_body(args);
    if (!body)
        return -MCP_ENOMEM;
    const todo_ctx *ctx = userdata;
    bool written;
    int rc = reply_with_todo(call, ctx->api, "POST", "/todos", body, &written);
    free(body);
    if (written)
        report_change(ctx, NULL);
    return rc;
}

static int update_todo(mcp_call *call, const cJSON *args, void *userdata)
{
    if (!cJSON_GetObjectItemCaseSensitive(args, "title") &&
        !cJSON_GetObjectItemCaseSensitive(args, "completed"))
        return mcp_call_error(call, "update_todo needs at least one of title or completed");
    char path[PATH_SIZE];
    todo_path(args, path, sizeof path);
    char *body = todo_body(args);
    if (!body)
        return -MCP_ENOMEM;
    const todo_ctx *ctx = userdata;
    bool written;
    int rc = reply_with_todo(call, ctx->api, "PATCH", path, body, &written);
    free(body);
    if (written)
        report_change(ctx, cJSON_GetObjectItemCaseSensitive(args, "id"));
    return rc;
}

static int delete_todo(mcp_call *call, const cJSON *args, void *userdata)
{
    char path[PATH_SIZE], why[WHY_SIZE];
    cJSON *ignored = NULL;
    const todo_ctx *ctx = userdata;
    todo_path(args, path, sizeof path);
    if (webapi_call_traced(ctx->api, TRACE_ARGS(call), "DELETE", path, NULL, &ignored, NULL, why, sizeof why) != 0)
        return upstream_failed(call, why);
    cJSON_Delete(ignored);
    report_change(ctx, cJSON_GetObjectItemCaseSensitive(args, "id"));
    cJSON *result = cJSON_CreateObject();
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(args, "id");
    if (!result || !cJSON_AddNumberToObject(result, "id", cJSON_GetNumberValue(id)) ||
        !cJSON_AddTrueToObject(result, "deleted")) {
        cJSON_Delete(result);
        return -MCP_ENOMEM;
    }
    return mcp_call_structured_take(call, result);
}

/* The seed's stateful demo: +1 per call, independent per session. The
 * result is built when the increment is answered: at once for sessions in
 * the process, on the store's thread for sessions in Redis (the transport
 * thread serves other requests during the round trip). */
static int counter_counted(mcp_call *call, int rc, int64_t count, void *userdata)
{
    (void)userdata;
    if (rc == -MCP_EUNSUPPORTED)
        return mcp_call_error(call, "counter needs a session: connect with a stateful (initialize) "
                                    "session to todo-mcp running in --mode stateful");
    if (rc < 0)
        return rc;
    cJSON *result = cJSON_CreateObject();
    if (!result || !cJSON_AddNumberToObject(result, "count", (double)count)) {
        cJSON_Delete(result);
        return -MCP_ENOMEM;
    }
    /* The text block carries the serialized structuredContent, as the
     * spec says it SHOULD (clients without structured output read it). */
    rc = mcp_call_text(call, "{\"count\":%" PRId64 "}", count);
    if (rc < 0) {
        cJSON_Delete(result);
        return rc;
    }
    return mcp_call_structured_take(call, result);
}

static int counter(mcp_call *call, const cJSON *args, void *userdata)
{
    (void)args;
    (void)userdata;
    return mcp_call_state_incr_then(call, "counter", 1, counter_counted, NULL);
}

/* ---------------------------------------------------------------- resource */

static bool is_todo_id(const char *text)
{
    size_t len = text ? strlen(text) : 0;
    if (len == 0 || len > 18 || text[0] == '0')
        return false;
    return strspn(text, "0123456789") == len;
}

/* todo://todos/{id}: the todo as application/json, -MCP_ENOTFOUND if missing. */
static int read_todo(mcp_call *call, const char *uri, const cJSON *vars, void *userdata)
{
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(vars, "id"));
    char path[PATH_SIZE], why[WHY_SIZE];
    long status = 0;
    cJSON *todo = NULL;
    if (!is_todo_id(id))
        return -MCP_ENOTFOUND;
    snprintf(path, sizeof path, "/todos/%s", id);
    if (webapi_call_traced(userdata, TRACE_ARGS(call), "GET", path, NULL, &todo, &status, why, sizeof why) != 0) {
        if (status == 404)
            return -MCP_ENOTFOUND;
        /* A resource error carries no message of ours: keep the reason in the log. */
        fprintf(stderr, "todo-mcp: resources/read %s: " FAILED_PREFIX ": %s\n", uri, why);
        return -MCP_EIO;
    }
    char *text = todo ? cJSON_PrintUnformatted(todo) : NULL;
    cJSON_Delete(todo);
    if (!text)
        return -MCP_EIO;
    int rc = mcp_call_resource_text(call, uri, "application/json", text);
    free(text);
    return rc;
}

/* todo://todos: every todo, {"todos": [...]} as application/json. */
static int read_todo_list(mcp_call *call, const char *uri, const cJSON *vars, void *userdata)
{
    (void)vars;
    char why[WHY_SIZE];
    cJSON *todos = NULL;
    if (webapi_call_traced(userdata, TRACE_ARGS(call), "GET", "/todos", NULL, &todos, NULL, why, sizeof why) != 0 ||
        !cJSON_IsArray(todos)) {
        fprintf(stderr, "todo-mcp: resources/read %s: " FAILED_PREFIX ": %s\n", uri,
                todos ? "expected a JSON array" : why);
        cJSON_Delete(todos);
        return -MCP_EIO;
    }
    cJSON *wrap = cJSON_CreateObject();
    char *text = NULL;
    if (wrap && cJSON_AddItemToObject(wrap, "todos", todos))
        text = cJSON_PrintUnformatted(wrap);
    else
        cJSON_Delete(todos);
    cJSON_Delete(wrap);
    if (!text)
        return -MCP_ENOMEM;
    int rc = mcp_call_resource_text(call, uri, "application/json", text);
    free(text);
    return rc;
}

/* ---------------------------------------------------------------- registration */

static const mcp_tool upstream_tools[] = {
    { .name = "get_todo", .title = "get_todo", .description = "Retrieve one todo item",
      .input_schema = get_todo_input, .handler = get_todo, .blocking = true, .task = MCP_TASK_OPTIONAL, .scopes = "todos:read",
      .annotations = { .read_only = MCP_HINT_TRUE, .idempotent = MCP_HINT_TRUE,
                       .open_world = MCP_HINT_FALSE } },
    { .name = "list_todos", .title = "List todos",
      .description = "List todo items, optionally only completed or open ones, with limit/offset paging",
      .input_schema = list_todos_input, .output_schema = list_todos_output,
      .handler = list_todos, .blocking = true, .task = MCP_TASK_OPTIONAL, .scopes = "todos:read",
      .annotations = { .read_only = MCP_HINT_TRUE, .idempotent = MCP_HINT_TRUE,
                       .open_world = MCP_HINT_FALSE } },
    { .name = "create_todo", .title = "Create todo", .description = "Create a todo item and return it",
      .input_schema = create_todo_input, .output_schema = TODO_SCHEMA,
      .handler = create_todo, .blocking = true, .task = MCP_TASK_OPTIONAL, .scopes = "todos:write",
      .annotations = { .read_only = MCP_HINT_FALSE, .destructive = MCP_HINT_FALSE,
                       .idempotent = MCP_HINT_FALSE, .open_world = MCP_HINT_FALSE } },
    { .name = "update_todo", .title = "Update todo",
      .description = "Change the title and/or completed state of a todo item and return it",
      .input_schema = update_todo_input, .output_schema = TODO_SCHEMA,
      .handler = update_todo, .blocking = true, .task = MCP_TASK_OPTIONAL, .scopes = "todos:write",
      .annotations = { .read_only = MCP_HINT_FALSE, .destructive = MCP_HINT_FALSE,
                       .idempotent = MCP_HINT_TRUE, .open_world = MCP_HINT_FALSE } },
    { .name = "delete_todo", .title = "Delete todo", .description = "Delete a todo item",
      .input_schema = delete_todo_input, .output_schema = delete_todo_output,
      .handler = delete_todo, .blocking = true, .task = MCP_TASK_OPTIONAL, .scopes = "todos:write",
      .annotations = { .read_only = MCP_HINT_FALSE, .destructive = MCP_HINT_TRUE,
                       .idempotent = MCP_HINT_TRUE, .open_world = MCP_HINT_FALSE } },
};

static const mcp_tool counter_tool = {
    .name = "counter", .title = "Counter",
    .description = "Add 1 to this session's counter and return it (each session counts on its own)",
    .output_schema = counter_output, .handler = counter, .session_scoped = true,
    .annotations = { .read_only = MCP_HINT_FALSE, .destructive = MCP_HINT_FALSE,
                     .idempotent = MCP_HINT_FALSE, .open_world = MCP_HINT_FALSE },
};

static const mcp_resource todo_list = {
    .uri = LIST_URI, .name = "todos", .title = "All todos",
    .description = "Every todo item from todo-api, as JSON {\"todos\": [...]}; updated on every create, "
                   "update and delete", .mime_type = "application/json",
    .handler = read_todo_list, .blocking = true, .scopes = "todos:read",
};

static const mcp_resource todo_template = {
    .uri_template = "todo://todos/{id}", .name = "todo", .title = "Todo item",
    .description = "One todo item from todo-api, as JSON", .mime_type = "application/json",
    .handler = read_todo, .blocking = true, .scopes = "todos:read",
};

int todo_tools_register(mcp_server *srv, webapi *api, bool with_counter, const char *app_uri)
{
    write_ctx.api = api;
    write_ctx.srv = srv;
    for (size_t i = 0; i < sizeof upstream_tools / sizeof upstream_tools[0]; i++) {
        mcp_tool tool = upstream_tools[i];
        if (strcmp(tool.name, "list_todos") == 0)
            tool.ui_resource_uri = app_uri;   /* hosts with MCP Apps show the todo list */
        bool writes = tool.handler == create_todo || tool.handler == update_todo || tool.handler == delete_todo;
        int rc = mcp_server_add_tool(srv, &tool, writes ? (void *)&write_ctx : (void *)api);
        if (rc < 0)
            return rc;
    }
    int rc = mcp_server_add_resource(srv, &todo_list, api);
    if (rc == 0)
        rc = mcp_server_add_resource(srv, &todo_template, api);
    if (rc == 0 && with_counter)
        rc = mcp_server_add_tool(srv, &counter_tool, NULL);
    return rc;
}
