/* The tools of mcp-everything: static-content tools (a table of content
 * blocks), tools that send logs or progress between short sleeps, tools
 * that ask the client for input (sampling, elicitation) through the
 * mcp_call_input / mcp_call_need_input pattern, the JSON Schema 2020-12
 * tool and the SEP-1699 reconnection tool. Names, texts and schemas are
 * those of the conformance suite's fixture list; see
 * /work/shared/spec/conformance.md §5. */
#define _POSIX_C_SOURCE 200809L
#include "fixtures.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* ---- static-content tools ---- */

typedef struct static_tool {
    const char *name;
    const char *description;
    bool is_error;              /* blocks[0].text becomes an isError result */
    block_spec blocks[4];       /* ended by BLOCK_END */
} static_tool;

static const static_tool static_tools[] = {
    { "test_simple_text", "Tests simple text content response", false,
      { { BLOCK_TEXT, "This is a simple text response for testing.", NULL, NULL } } },
    { "test_image_content", "Tests image content response", false,
      { { BLOCK_IMAGE, TEST_IMAGE_BASE64, "image/png", NULL } } },
    { "test_audio_content", "Tests audio content response", false,
      { { BLOCK_AUDIO, TEST_AUDIO_BASE64, "audio/wav", NULL } } },
    { "test_embedded_resource", "Tests embedded resource content response", false,
      { { BLOCK_EMBEDDED_TEXT, "This is an embedded resource content.", "text/plain",
          "test://embedded-resource" } } },
    { "test_multiple_content_types", "Tests response with multiple content types (text, image, resource)",
      false,
      { { BLOCK_TEXT, "Multiple content types test:", NULL, NULL },
        { BLOCK_IMAGE, TEST_IMAGE_BASE64, "image/png", NULL },
        { BLOCK_EMBEDDED_TEXT, "{\"test\":\"data\",\"value\":123}", "application/json",
          "test://mixed-content-resource" } } },
    { "test_error_handling", "Tests error response handling", true,
      { { BLOCK_TEXT, "This tool intentionally returns an error for testing", NULL, NULL } } },
};

static int static_tool_call(mcp_call *call, const cJSON *args, void *userdata)
{
    const static_tool *tool = userdata;
    (void)args;
    if (tool->is_error)
        return mcp_call_error(call, "%s", tool->blocks[0].text);
    for (const block_spec *b = tool->blocks; b->kind != BLOCK_END; b++) {
        int rc = mcp_call_content_take(call, fixture_block(b));
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ---- tools that notify while they run ---- */

#define STEP_DELAY_MS 50

static void sleep_ms(long ms)
{
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0) {
        /* interrupted by a signal: sleep for the remaining time */
    }
}

static int logging_tool(mcp_call *call, const cJSON *args, void *userdata)
{
    static const char *const steps[] = {
        "Tool execution started", "Tool processing data", "Tool execution completed",
    };
    (void)args; (void)userdata;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        if (i > 0)
            sleep_ms(STEP_DELAY_MS);
        mcp_call_log(call, MCP_LOG_INFO, "mcp-everything", "%s", steps[i]);
    }
    return mcp_call_text(call, "Tool with logging executed successfully");
}

static int progress_tool(mcp_call *call, const cJSON *args, void *userdata)
{
    static const double steps[] = { 0, 50, 100 };
    (void)args; (void)userdata;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        char message[64];
        if (i > 0)
            sleep_ms(STEP_DELAY_MS);
        snprintf(message, sizeof message, "Completed step %.0f of 100", steps[i]);
        mcp_call_progress(call, steps[i], 100, message);
    }
    return mcp_call_text(call, "Progress tool completed");
}

/* ---- tools that ask the client for input ---- */

/* Ask the client (params is taken); returns what the handler returns:
 * -MCP_EINPUT, or -MCP_EUNSUPPORTED where there is no back-channel. */
static int ask_client(mcp_call *call, const char *key, const char *method, cJSON *params)
{
    if (!params)
        return -MCP_ENOMEM;
    return mcp_call_need_input(call, key, method, params);
}

static cJSON *sampling_params(const char *prompt)
{
    cJSON *params = cJSON_CreateObject();
    cJSON *messages = cJSON_AddArrayToObject(params, "messages");
    cJSON *message = cJSON_CreateObject();
    cJSON_AddItemToArray(messages, message);
    cJSON_AddStringToObject(message, "role", "user");
    cJSON_AddItemToObject(message, "content", mcp_content_text(prompt));
    cJSON_AddNumberToObject(params, "maxTokens", 100);
    return params;
}

/* The text of a sampling result's content (one block or an array of them). */
static const char *sampling_text(const cJSON *result)
{
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(result, "content");
    if (cJSON_IsArray(content))
        content = cJSON_GetArrayItem(content, 0);
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(content, "text"));
    return text ? text : "";
}

static int sampling_tool(mcp_call *call, const cJSON *args, void *userdata)
{
    (void)userdata;
    const cJSON *answer = mcp_call_input(call, "sampling");
    if (!answer) {
        const char *prompt = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(args, "prompt"));
        return ask_client(call, "sampling", "sampling/createMessage", sampling_params(prompt ? prompt : ""));
    }
    return mcp_call_text(call, "LLM response: %s", sampling_text(answer));
}

/* An elicitation fixture: the message (NULL: the tool's "message"
 * argument), the requestedSchema as JSON text and the result's prefix. */
typedef struct elicit_spec {
    const char *message;
    const char *schema;
    const char *result_prefix;
} elicit_spec;

static const elicit_spec elicit_user_info = {
    NULL,
    "{\"type\":\"object\",\"properties\":{"
      "\"username\":{\"type\":\"string\",\"description\":\"User's response\"},"
      "\"email\":{\"type\":\"string\",\"description\":\"User's email address\"}},"
    "\"required\":[\"username\",\"email\"]}",
    "User response",
};

static const elicit_spec elicit_defaults = {
    "Please review and update the form fields with defaults",
    "{\"type\":\"object\",\"properties\":{"
      "\"name\":{\"type\":\"string\",\"description\":\"User name\",\"default\":\"John Doe\"},"
      "\"age\":{\"type\":\"integer\",\"description\":\"User age\",\"default\":30},"
      "\"score\":{\"type\":\"number\",\"description\":\"User score\",\"default\":95.5},"
      "\"status\":{\"type\":\"string\",\"description\":\"User status\","
        "\"enum\":[\"active\",\"inactive\",\"pending\"],\"default\":\"active\"},"
      "\"verified\":{\"type\":\"boolean\",\"description\":\"Verification status\",\"default\":true}},"
    "\"required\":[]}",
    "Elicitation completed",
};

static const elicit_spec elicit_enums = {
    "Please select options from the enum fields",
    "{\"type\":\"object\",\"properties\":{"
      "\"untitledSingle\":{\"type\":\"string\",\"description\":\"Select one option\","
        "\"enum\":[\"option1\",\"option2\",\"option3\"]},"
      "\"titledSingle\":{\"type\":\"string\",\"description\":\"Select one option with titles\","
        "\"oneOf\":[{\"const\":\"value1\",\"title\":\"First Option\"},"
                  "{\"const\":\"value2\",\"title\":\"Second Option\"},"
                  "{\"const\":\"value3\",\"title\":\"Third Option\"}]},"
      "\"legacyEnum\":{\"type\":\"string\",\"description\":\"Select one option (legacy)\","
        "\"enum\":[\"opt1\",\"opt2\",\"opt3\"],"
        "\"enumNames\":[\"Option One\",\"Option Two\",\"Option Three\"]},"
      "\"untitledMulti\":{\"type\":\"array\",\"description\":\"Select multiple options\","
        "\"minItems\":1,\"maxItems\":3,"
        "\"items\":{\"type\":\"string\",\"enum\":[\"option1\",\"option2\",\"option3\"]}},"
      "\"titledMulti\":{\"type\":\"array\",\"description\":\"Select multiple options with titles\","
        "\"minItems\":1,\"maxItems\":3,"
        "\"items\":{\"anyOf\":[{\"const\":\"value1\",\"title\":\"First Choice\"},"
                            "{\"const\":\"value2\",\"title\":\"Second Choice\"},"
                            "{\"const\":\"value3\",\"title\":\"Third Choice\"}]}}},"
    "\"required\":[]}",
    "Elicitation completed",
};

static cJSON *elicit_params(const char *message, const char *schema_json)
{
    cJSON *schema = cJSON_Parse(schema_json);
    cJSON *params = cJSON_CreateObject();
    if (!schema || !params) {
        cJSON_Delete(schema);
        cJSON_Delete(params);
        return NULL;
    }
    cJSON_AddStringToObject(params, "message", message);
    cJSON_AddItemToObject(params, "requestedSchema", schema);
    return params;
}

static int elicit_result(mcp_call *call, const char *prefix, const cJSON *answer)
{
    const char *action = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(answer, "action"));
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(answer, "content");
    char *content_json = content ? cJSON_PrintUnformatted(content) : NULL;
    int rc = mcp_call_text(call, "%s: action=%s, content=%s", prefix, action ? action : "unknown",
                           content_json ? content_json : "null");
    free(content_json);
    return rc;
}

static int elicit_tool(mcp_call *call, const cJSON *args, void *userdata)
{
    const elicit_spec *spec = userdata;
    const cJSON *answer = mcp_call_input(call, "elicitation");
    if (answer)
        return elicit_result(call, spec->result_prefix, answer);
    const char *message = spec->message;
    if (!message)
        message = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(args, "message"));
    return ask_client(call, "elicitation", "elicitation/create",
                      elicit_params(message ? message : "", spec->schema));
}

/* ---- JSON Schema 2020-12 tool ---- */

static int json_schema_tool(mcp_call *call, const cJSON *args, void *userdata)
{
    (void)userdata;
    char *json = cJSON_PrintUnformatted(args);
    int rc = mcp_call_text(call, "JSON Schema 2020-12 tool called with: %s", json ? json : "{}");
    free(json);
    return rc;
}

/* ---- SEP-1699 reconnection tool ----
 * The suite's reference closes the request's SSE stream before answering so
 * that the client must resume with Last-Event-ID. A handler here cannot
 * close its stream (no such call in call.h), so this answers on the stream;
 * the pending server-sse-polling scenario then scores the resume step INFO. */

static int reconnection_tool(mcp_call *call, const cJSON *args, void *userdata)
{
    (void)args; (void)userdata;
    return mcp_call_text(call, "Reconnection test completed successfully. If you received this, "
                               "the client properly reconnected after stream closure.");
}

/* ---- registration ---- */

#define ARG_SCHEMA(arg, what) \
    "{\"type\":\"object\",\"properties\":{\"" arg "\":{\"type\":\"string\",\"description\":\"" \
    what "\"}},\"required\":[\"" arg "\"]}"

typedef struct tool_entry {
    mcp_tool tool;
    const void *userdata;
} tool_entry;

static const tool_entry behaviour_tools[] = {
    { { .name = "test_tool_with_logging", .description = "Tests tool that emits log messages during execution",
        .input_schema = EMPTY_OBJECT_SCHEMA, .handler = logging_tool, .blocking = true }, NULL },
    { { .name = "test_tool_with_progress", .description = "Tests tool that reports progress notifications",
        .input_schema = EMPTY_OBJECT_SCHEMA, .handler = progress_tool, .blocking = true }, NULL },
    { { .name = "test_sampling", .description = "Tests server-initiated sampling (LLM completion request)",
        .input_schema = ARG_SCHEMA("prompt", "The prompt to send to the LLM"),
        .handler = sampling_tool, .blocking = true }, NULL },
    { { .name = "test_elicitation", .description = "Tests server-initiated elicitation (user input request)",
        .input_schema = ARG_SCHEMA("message", "The message to show the user"),
        .handler = elicit_tool, .blocking = true }, &elicit_user_info },
    { { .name = "test_elicitation_sep1034_defaults",
        .description = "Tests elicitation with default values for all primitive types (SEP-1034)",
        .input_schema = EMPTY_OBJECT_SCHEMA, .handler = elicit_tool, .blocking = true }, &elicit_defaults },
    { { .name = "test_elicitation_sep1330_enums",
        .description = "Tests elicitation with enum schema variants (SEP-1330)",
        .input_schema = EMPTY_OBJECT_SCHEMA, .handler = elicit_tool, .blocking = true }, &elicit_enums },
    { { .name = "json_schema_2020_12_tool",
        .description = "Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613)",
        /* SEP-1613 ($schema, $defs, additionalProperties) plus the SEP-2106
         * keywords a 2026-07-28 server must pass through untouched: allOf with
         * a nested anyOf, if/then/else and $anchor (the library's validator
         * treats if/then/else and $anchor as annotations). None of them
         * rejects {} or {name, address}. */
        .input_schema = "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\","
            "\"$defs\":{\"address\":{\"$anchor\":\"address\",\"type\":\"object\",\"properties\":{"
              "\"street\":{\"type\":\"string\"},\"city\":{\"type\":\"string\"}}}},"
            "\"properties\":{\"name\":{\"type\":\"string\"},\"address\":{\"$ref\":\"#/$defs/address\"},"
              "\"contact\":{\"type\":\"string\",\"enum\":[\"email\",\"phone\"]},"
              "\"email\":{\"type\":\"string\"},\"phone\":{\"type\":\"string\"}},"
            "\"allOf\":[{\"anyOf\":[{\"properties\":{\"name\":{\"minLength\":1}}},"
                                    "{\"required\":[\"address\"]}]}],"
            "\"if\":{\"properties\":{\"contact\":{\"const\":\"email\"}},\"required\":[\"contact\"]},"
            "\"then\":{\"required\":[\"email\"]},"
            "\"else\":{\"properties\":{\"phone\":{\"type\":\"string\"}}},"
            "\"additionalProperties\":false}",
        .handler = json_schema_tool }, NULL },
    { { .name = "test_reconnection",
        .description = "Tests SSE stream disconnection and client reconnection (SEP-1699)",
        .input_schema = EMPTY_OBJECT_SCHEMA, .handler = reconnection_tool }, NULL },
};

int fixtures_register_tools(mcp_server *srv)
{
    for (size_t i = 0; i < sizeof static_tools / sizeof static_tools[0]; i++) {
        const static_tool *st = &static_tools[i];
        mcp_tool tool = { .name = st->name, .description = st->description,
                          .input_schema = EMPTY_OBJECT_SCHEMA, .handler = static_tool_call };
        int rc = mcp_server_add_tool(srv, &tool, (void *)st);
        if (rc < 0)
            return rc;
    }
    for (size_t i = 0; i < sizeof behaviour_tools / sizeof behaviour_tools[0]; i++) {
        int rc = mcp_server_add_tool(srv, &behaviour_tools[i].tool, (void *)behaviour_tools[i].userdata);
        if (rc < 0)
            return rc;
    }
    return 0;
}
