/* The fixtures of the conformance tasks-* scenarios (extension
 * io.modelcontextprotocol/tasks, SEP-2663): greet (synchronous only),
 * slow_compute, failing_job, protocol_error_job, confirm_delete,
 * multi_input and test_tool_with_task. They are plain tool handlers: the
 * library decides from each tool's .task whether a call runs as a task,
 * turns their input requests into input_required, and their cancellation
 * (tasks/cancel) into mcp_call_cancelled(). */
#define _POSIX_C_SOURCE 200809L
#include "fixtures.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* Sleep up to ms in small steps; false when the call was cancelled. */
static bool wait_or_cancel(mcp_call *call, long ms)
{
    for (long waited = 0; waited < ms; waited += 50) {
        if (mcp_call_cancelled(call))
            return false;
        sleep_ms(ms - waited < 50 ? ms - waited : 50);
    }
    return !mcp_call_cancelled(call);
}

static int greet(mcp_call *call, const cJSON *args, void *ud)
{
    (void)ud;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(args, "name"));
    return mcp_call_text(call, "Hello, %s!", name ? name : "world");
}

static int slow_compute(mcp_call *call, const cJSON *args, void *ud)
{
    (void)ud;
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(args, "seconds");
    const char *label = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(args, "label"));
    double seconds = cJSON_IsNumber(s) ? s->valuedouble : 1;
    if (seconds < 0 || seconds > 3600)
        return mcp_call_error(call, "seconds must be between 0 and 3600");
    long total = (long)(seconds * 1000);
    for (long done = 0; done < total; done += 1000) {
        mcp_call_progress(call, (double)done / 1000, seconds, "computing");
        if (!wait_or_cancel(call, total - done < 1000 ? total - done : 1000))
            return -MCP_ECANCELED;
    }
    return mcp_call_text(call, "slow_compute %s done after %g s", label ? label : "", seconds);
}

static int failing_job(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args;
    (void)ud;
    if (!wait_or_cancel(call, 1000))
        return -MCP_ECANCELED;
    return mcp_call_error(call, "failing_job failed: the job always fails (a tool execution error)");
}

static int protocol_error_job(mcp_call *call, const cJSON *args, void *ud)
{
    (void)call;
    (void)args;
    (void)ud;
    return -MCP_EINTERNAL;   /* a protocol-level failure: the task ends failed */
}

/* elicitation/create params for one property. */
static cJSON *elicit(const char *message, const char *property, const char *type)
{
    cJSON *params = cJSON_CreateObject();
    cJSON *schema = params ? cJSON_AddObjectToObject(params, "requestedSchema") : NULL;
    cJSON *props = schema ? cJSON_AddObjectToObject(schema, "properties") : NULL;
    cJSON *prop = props ? cJSON_AddObjectToObject(props, property) : NULL;
    if (!prop) {
        cJSON_Delete(params);
        return NULL;
    }
    cJSON_AddStringToObject(params, "message", message);
    cJSON_AddStringToObject(schema, "type", "object");
    cJSON_AddStringToObject(prop, "type", type);
    cJSON_AddItemToObject(schema, "required", cJSON_CreateStringArray(&property, 1));
    return params;
}

/* The content of an accepted elicitation answer, or NULL. */
static const cJSON *accepted(const cJSON *answer)
{
    const char *action = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(answer, "action"));
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(answer, "content");
    return action && strcmp(action, "accept") == 0 && cJSON_IsObject(content) ? content : NULL;
}

static int confirm_delete(mcp_call *call, const cJSON *args, void *ud)
{
    (void)ud;
    const char *file = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(args, "filename"));
    const cJSON *answer = mcp_call_input(call, "confirm");
    if (!answer) {
        char msg[300];
        snprintf(msg, sizeof msg, "Delete %.200s?", file ? file : "the file");
        return mcp_call_need_input(call, "confirm", "elicitation/create", elicit(msg, "confirm", "boolean"));
    }
    const cJSON *content = accepted(answer);
    if (content && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(content, "confirm")))
        return mcp_call_text(call, "Deleted %s", file ? file : "the file");
    return mcp_call_text(call, "Kept %s: the deletion was not confirmed", file ? file : "the file");
}

static int multi_input(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args;
    (void)ud;
    const cJSON *name = mcp_call_input(call, "name");
    const cJSON *confirm = mcp_call_input(call, "confirm");
    if (!name)
        mcp_call_need_input(call, "name", "elicitation/create", elicit("Your name?", "name", "string"));
    if (!confirm)
        mcp_call_need_input(call, "confirm", "elicitation/create", elicit("Proceed?", "confirm", "boolean"));
    if (!name || !confirm)
        return -MCP_EINPUT;
    return mcp_call_text(call, "multi_input got both answers (name %s, confirm %s)",
                         accepted(name) ? "accepted" : "declined", accepted(confirm) ? "accepted" : "declined");
}

static int tool_with_task(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args;
    (void)ud;
    const cJSON *content = accepted(mcp_call_input(call, "user_name"));
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(content, "name"));
    if (!name)
        return mcp_call_need_input(call, "user_name", "elicitation/create", elicit("What is your name?", "name", "string"));
    if (!wait_or_cancel(call, 200))
        return -MCP_ECANCELED;
    return mcp_call_text(call, "Hello, %s! (from a task)", name);
}

static const mcp_tool task_tools[] = {
    { .name = "greet", .description = "Synchronous only: greets {name}",
      .input_schema = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}", .handler = greet },
    { .name = "slow_compute", .description = "Sleeps {seconds}, then returns; a task for clients declaring the tasks extension",
      .input_schema = "{\"type\":\"object\",\"properties\":{\"seconds\":{\"type\":\"number\"},\"label\":{\"type\":\"string\"}}}",
      .handler = slow_compute, .blocking = true, .task = MCP_TASK_OPTIONAL },
    { .name = "failing_job", .description = "Task only: ends with a tool execution error after about 1 s",
      .input_schema = EMPTY_OBJECT_SCHEMA, .handler = failing_job, .blocking = true, .task = MCP_TASK_REQUIRED },
    { .name = "protocol_error_job", .description = "Task-capable: ends with a protocol (JSON-RPC) error",
      .input_schema = EMPTY_OBJECT_SCHEMA, .handler = protocol_error_job, .blocking = true, .task = MCP_TASK_OPTIONAL },
    { .name = "confirm_delete", .description = "Task-capable: asks for confirmation (elicitation) before deleting {filename}",
      .input_schema = "{\"type\":\"object\",\"properties\":{\"filename\":{\"type\":\"string\"}}}",
      .handler = confirm_delete, .blocking = true, .task = MCP_TASK_OPTIONAL },
    { .name = "multi_input", .description = "Task-capable: asks for two inputs at once",
      .input_schema = EMPTY_OBJECT_SCHEMA, .handler = multi_input, .blocking = true, .task = MCP_TASK_OPTIONAL },
    { .name = "test_tool_with_task", .description = "Task only: asks for the user's name first (MRTR), then runs as a task",
      .input_schema = EMPTY_OBJECT_SCHEMA, .handler = tool_with_task, .blocking = true, .task = MCP_TASK_REQUIRED,
      .task_after_input = true },
};

int fixtures_register_task_tools(mcp_server *srv)
{
    for (size_t i = 0; i < sizeof task_tools / sizeof task_tools[0]; i++) {
        int rc = mcp_server_add_tool(srv, &task_tools[i], NULL);
        if (rc < 0)
            return rc;
    }
    return 0;
}
