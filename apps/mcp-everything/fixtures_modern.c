/* The fixtures only the 2026-07-28 ("modern") conformance scenarios use:
 * the SEP-2575 diagnostic tools (test_missing_capability,
 * test_streaming_elicitation, test_logging_tool, the two list-mutation
 * triggers), the SEP-2322 multi-round (MRTR) tools and prompt
 * test_input_required_result_*, and a SEP-2243 tool with an x-mcp-header
 * property. Names and exact strings follow /work/modern-notes.md §3.1,
 * §3.8 and §5.
 *
 * MRTR is the library's: a handler asks for what it lacks with
 * mcp_call_need_input() and returns -MCP_EINPUT; the library answers
 * input_required with a sealed requestState holding the answers gathered
 * so far, and on the retry mcp_call_input() sees those answers merged
 * with the client's new inputResponses. The library verifies the seal (a
 * tampered requestState never reaches a handler) and binds it to the
 * method and tool/prompt name. The same handlers also run in legacy
 * sessions, where the library asks through real server->client requests.
 *
 * Every answer is checked for its shape before it is used; a malformed
 * one (not an object, wrong action, missing field) is asked for again
 * instead of being completed with a placeholder (SEP-2322 validate-input). */
#define _POSIX_C_SOURCE 200809L
#include "fixtures.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- building input requests (every builder returns a new object or NULL) ---- */

/* elicitation/create params asking for one property of the given type. */
static cJSON *elicit_one(const char *message, const char *property, const char *type)
{
    cJSON *params = cJSON_CreateObject();
    cJSON *schema = params ? cJSON_AddObjectToObject(params, "requestedSchema") : NULL;
    cJSON *props = schema ? cJSON_CreateObject() : NULL;
    cJSON *prop = props ? cJSON_AddObjectToObject(props, property) : NULL;
    cJSON *required = prop ? cJSON_CreateStringArray(&property, 1) : NULL;
    if (!required) {
        cJSON_Delete(props);
        cJSON_Delete(params);
        return NULL;
    }
    cJSON_AddStringToObject(params, "message", message);
    cJSON_AddStringToObject(schema, "type", "object");
    cJSON_AddStringToObject(prop, "type", type);
    cJSON_AddItemToObject(schema, "properties", props);
    cJSON_AddItemToObject(schema, "required", required);
    return params;
}

/* sampling/createMessage params with one user text message. */
static cJSON *sample_one(const char *text, int max_tokens)
{
    cJSON *params = cJSON_CreateObject();
    cJSON *messages = params ? cJSON_AddArrayToObject(params, "messages") : NULL;
    cJSON *message = messages ? cJSON_CreateObject() : NULL;
    cJSON *content = message ? mcp_content_text(text) : NULL;
    if (!content) {
        cJSON_Delete(message);
        cJSON_Delete(params);
        return NULL;
    }
    cJSON_AddItemToArray(messages, message);
    cJSON_AddStringToObject(message, "role", "user");
    cJSON_AddItemToObject(message, "content", content);
    cJSON_AddNumberToObject(params, "maxTokens", max_tokens);
    return params;
}

/* Record one input request; params is taken. Returns what
 * mcp_call_need_input returns (-MCP_EINPUT when recorded). */
static int ask(mcp_call *call, const char *key, const char *method, cJSON *params)
{
    if (!params)
        return -MCP_ENOMEM;
    return mcp_call_need_input(call, key, method, params);
}

static int ask_elicit(mcp_call *call, const char *key, const char *message, const char *property,
                      const char *type)
{
    return ask(call, key, "elicitation/create", elicit_one(message, property, type));
}

static int ask_sample(mcp_call *call, const char *key, const char *text, int max_tokens)
{
    return ask(call, key, "sampling/createMessage", sample_one(text, max_tokens));
}

static int ask_roots(mcp_call *call, const char *key)
{
    return ask(call, key, "roots/list", cJSON_CreateObject());
}

/* Several asks in one round: the first failure that is not -MCP_EINPUT
 * wins (a missing capability, ENOMEM), else -MCP_EINPUT. */
static int merge_ask(int so_far, int rc)
{
    if (so_far != -MCP_EINPUT && so_far != 0)
        return so_far;
    return rc;
}

/* ---- reading answers (NULL / false when the answer is absent or malformed) ---- */

typedef enum { ANSWER_MISSING, ANSWER_ACCEPTED, ANSWER_REFUSED } answer_state;

/* An elicitation answer: {action:"accept", content:{...}} is ACCEPTED
 * (content returned), {action:"decline"|"cancel"} REFUSED, anything else
 * MISSING (it is asked for again). */
static answer_state elicit_answer(const cJSON *answer, const cJSON **content)
{
    const char *action = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(answer, "action"));
    *content = NULL;
    if (!cJSON_IsObject(answer) || !action)
        return ANSWER_MISSING;
    if (strcmp(action, "decline") == 0 || strcmp(action, "cancel") == 0)
        return ANSWER_REFUSED;
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(answer, "content");
    if (strcmp(action, "accept") != 0 || !cJSON_IsObject(c))
        return ANSWER_MISSING;
    *content = c;
    return ANSWER_ACCEPTED;
}

/* An accepted elicitation's string field, or NULL (absent, malformed,
 * refused or not a string). */
static const char *elicit_string(mcp_call *call, const char *key, const char *field)
{
    const cJSON *content = NULL;
    if (elicit_answer(mcp_call_input(call, key), &content) != ANSWER_ACCEPTED)
        return NULL;
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(content, field));
}

/* A sampling answer's text: {role, content:{type:"text",text}} (content
 * may also be an array of blocks). NULL when malformed; "" when the
 * content holds no text block. */
static const char *sampling_answer_text(const cJSON *answer)
{
    if (!cJSON_IsObject(answer))
        return NULL;
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(answer, "content");
    if (cJSON_IsArray(content))
        content = cJSON_GetArrayItem(content, 0);
    if (!cJSON_IsObject(content))
        return NULL;
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(content, "text"));
    return text ? text : "";
}

/* A roots/list answer's root count, or -1 when malformed. */
static int roots_answer_count(const cJSON *answer)
{
    const cJSON *roots = cJSON_GetObjectItemCaseSensitive(answer, "roots");
    return cJSON_IsObject(answer) && cJSON_IsArray(roots) ? cJSON_GetArraySize(roots) : -1;
}

/* ---- SEP-2575 diagnostic tools ---- */

/* Needs the client's sampling capability. A client that declared it gets
 * "Success" at once (asking would be answered input_required); for one
 * that did not, asking fails with -MCP_EUNSUPPORTED, and returned as is
 * that makes the library answer -32021 with requiredCapabilities (modern)
 * or an isError result (legacy). */
static int missing_capability_tool(mcp_call *call, const cJSON *args, void *userdata)
{
    (void)args; (void)userdata;
    if (cJSON_GetObjectItemCaseSensitive(mcp_call_client_capabilities(call), "sampling"))
        return mcp_call_text(call, "Success");
    return ask_sample(call, "sampling", "This tool requires the sampling capability", 10);
}

/* Answers on its own response stream and never sends the client a request
 * there (SEP-2575: no independent requests on a response stream). */
static int streaming_elicitation_tool(mcp_call *call, const cJSON *args, void *userdata)
{
    (void)args; (void)userdata;
    return mcp_call_text(call, "Streaming complete");
}

/* Logs at info; the library sends notifications/message only when the
 * request's _meta carried io.modelcontextprotocol/logLevel (modern) or the
 * session's level allows it (legacy). */
static int modern_logging_tool(mcp_call *call, const cJSON *args, void *userdata)
{
    (void)args; (void)userdata;
    mcp_call_log(call, MCP_LOG_INFO, "mcp-everything", "test_logging_tool evaluated");
    return mcp_call_text(call, "Logging evaluated");
}

/* The list-mutation triggers toggle one dynamic tool / prompt: each call
 * adds it when absent and removes it when present, so every call changes
 * the list and the library sends list_changed to subscriptions/listen
 * streams (and legacy sessions). The mutex keeps concurrent triggers from
 * racing between the remove and the add. */
static pthread_mutex_t toggle_lock = PTHREAD_MUTEX_INITIALIZER;

static int dynamic_tool_call(mcp_call *call, const cJSON *args, void *userdata)
{
    (void)args; (void)userdata;
    return mcp_call_text(call, "Dynamic tool executed");
}

static int dynamic_prompt_get(mcp_call *call, const cJSON *args, void *userdata)
{
    (void)args; (void)userdata;
    return mcp_call_prompt_message_take(call, "user", mcp_content_text("This is a dynamically added prompt."));
}

static const mcp_tool dynamic_tool = {
    .name = "test_dynamic_tool",
    .description = "A tool that test_trigger_tool_change adds and removes",
    .input_schema = EMPTY_OBJECT_SCHEMA, .handler = dynamic_tool_call,
};

static const mcp_prompt dynamic_prompt = {
    .name = "test_dynamic_prompt",
    .description = "A prompt that test_trigger_prompt_change adds and removes",
    .handler = dynamic_prompt_get,
};

static int trigger_tool_change(mcp_call *call, const cJSON *args, void *userdata)
{
    mcp_server *srv = userdata;
    (void)args;
    pthread_mutex_lock(&toggle_lock);
    int rc = mcp_server_remove_tool(srv, dynamic_tool.name);
    if (rc == -MCP_ENOTFOUND)
        rc = mcp_server_add_tool(srv, &dynamic_tool, NULL);
    pthread_mutex_unlock(&toggle_lock);
    if (rc < 0)
        return rc;
    return mcp_call_text(call, "Mutation triggered");
}

static int trigger_prompt_change(mcp_call *call, const cJSON *args, void *userdata)
{
    mcp_server *srv = userdata;
    (void)args;
    pthread_mutex_lock(&toggle_lock);
    int rc = mcp_server_remove_prompt(srv, dynamic_prompt.name);
    if (rc == -MCP_ENOTFOUND)
        rc = mcp_server_add_prompt(srv, &dynamic_prompt, NULL);
    pthread_mutex_unlock(&toggle_lock);
    if (rc < 0)
        return rc;
    return mcp_call_text(call, "Mutation triggered");
}

/* ---- SEP-2243: a tool argument mirrored in an Mcp-Param-Region header ----
 * The library rejects a tools/call whose Mcp-Param-Region header is missing
 * or differs from arguments.region (400, -32020) before this runs. */
static int header_param_tool(mcp_call *call, const cJSON *args, void *userdata)
{
    (void)userdata;
    const char *region = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(args, "region"));
    return mcp_call_text(call, "Region: %s", region ? region : "");
}

/* ---- SEP-2322 multi-round (input_required) tools ---- */

/* A1, A7, A10, A14, A15: key user_name only; extra keys are ignored. */
static int mrtr_elicitation(mcp_call *call, const cJSON *args, void *userdata)
{
    (void)args; (void)userdata;
    const cJSON *content = NULL;
    switch (elicit_answer(mcp_call_input(call, "user_name"), &content)) {
    case ANSWER_ACCEPTED: {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(content, "name"));
        if (name)
            return mcp_call_text(call, "Hello, %s!", name);
        break;   /* accepted without a name: ask again */
    }
    case ANSWER_REFUSED:
        return mcp_call_text(call, "Hello, unknown!");
    case ANSWER_MISSING:
        break;
    }
    return ask_elicit(call, "user_name", "What is your name?", "name", "string");
}

/* A2 */
static int mrtr_sampling(mcp_call *call, const cJSON *args, void *userdata)
{
    (void)args; (void)userdata;
    const char *text = sampling_answer_text(mcp_call_input(call, "sample_request"));
    if (text)
        return mcp_call_text(call, "Sampling result: %s", *text ? text : "no response");
    return ask_sample(call, "sample_request", "What is the capital of France?", 100);
}

/* A3 */
static int mrtr_list_roots(mcp_call *call, const cJSON *args, void *userdata)
{
    (void)args; (void)userdata;
    int n = roots_answer_count(mcp_call_input(call, "roots_request"));
    if (n >= 0)
        return mcp_call_text(call, "Found %d root(s)", n);
    return ask_roots(call, "roots_request");
}

/* A4: completes once "confirm" was accepted with ok == true; the
 * library only lets the retry through with the requestState it sealed. */
static int mrtr_request_state(mcp_call *call, const cJSON *args, void *userdata)
{
    (void)args; (void)userdata;
    const cJSON *content = NULL;
    if (elicit_answer(mcp_call_input(call, "confirm"), &content) == ANSWER_ACCEPTED &&
        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(content, "ok")))
        return mcp_call_text(call, "state-ok: requestState validated");
    return ask_elicit(call, "confirm", "Please confirm", "ok", "boolean");
}

/* A5: three inputs of three kinds in one round; each missing one is asked
 * for (answers already given ride in the requestState). */
static int mrtr_multiple_inputs(mcp_call *call, const cJSON *args, void *userdata)
{
    (void)args; (void)userdata;
    const char *name = elicit_string(call, "user_name", "name");
    const char *greeting = sampling_answer_text(mcp_call_input(call, "greeting"));
    int roots = roots_answer_count(mcp_call_input(call, "client_roots"));
    if (name && greeting && roots >= 0)
        return mcp_call_text(call, "Name: %s; Greeting: %s; Roots: %d", name, *greeting ? greeting : "Hello there!",
                             roots);
    int rc = 0;
    if (!name)
        rc = merge_ask(rc, ask_elicit(call, "user_name", "What is your name?", "name", "string"));
    if (!greeting)
        rc = merge_ask(rc, ask_sample(call, "greeting", "Generate a greeting", 50));
    if (roots < 0)
        rc = merge_ask(rc, ask_roots(call, "client_roots"));
    return rc;
}

/* A6: step1 (name), then step2 (color), then complete. The requestState
 * of round 2 carries the step1 answer, so it differs from round 1's. */
static int mrtr_multi_round(mcp_call *call, const cJSON *args, void *userdata)
{
    (void)args; (void)userdata;
    const char *name = elicit_string(call, "step1", "name");
    if (!name)
        return ask_elicit(call, "step1", "Step 1: What is your name?", "name", "string");
    const char *color = elicit_string(call, "step2", "color");
    if (!color)
        return ask_elicit(call, "step2", "Step 2: What is your favorite color?", "color", "string");
    return mcp_call_text(call, "Multi-round complete for %s who likes %s", name, color);
}

/* A12: the library seals the requestState with HMAC-SHA256 and answers
 * -32602 to a retry whose state was altered, before this handler runs. */
static int mrtr_tampered_state(mcp_call *call, const cJSON *args, void *userdata)
{
    (void)args; (void)userdata;
    const cJSON *content = NULL;
    if (elicit_answer(mcp_call_input(call, "confirm"), &content) == ANSWER_ACCEPTED &&
        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(content, "ok")))
        return mcp_call_text(call, "integrity-ok: state verified");
    return ask_elicit(call, "confirm", "Please confirm", "ok", "boolean");
}

/* A13: asks only for what this request's client declared it can do. */
static int mrtr_capabilities(mcp_call *call, const cJSON *args, void *userdata)
{
    (void)args; (void)userdata;
    static const char *const keys[] = { "elicit_input", "sample_input" };
    char received[64] = "";
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (mcp_call_input(call, keys[i])) {
            size_t len = strlen(received);
            snprintf(received + len, sizeof received - len, "%s%s", len ? ", " : "", keys[i]);
        }
    }
    if (received[0])
        return mcp_call_text(call, "capabilities-ok: received %s", received);
    const cJSON *caps = mcp_call_client_capabilities(call);
    bool elicitation = cJSON_GetObjectItemCaseSensitive(caps, "elicitation") != NULL;
    bool sampling = cJSON_GetObjectItemCaseSensitive(caps, "sampling") != NULL;
    if (!elicitation && !sampling)
        return mcp_call_text(call, "No supported capabilities declared");
    int rc = 0;
    if (elicitation)
        rc = merge_ask(rc, ask_elicit(call, "elicit_input", "Elicitation input", "value", "string"));
    if (sampling)
        rc = merge_ask(rc, ask_sample(call, "sample_input", "Sample request", 50));
    return rc;
}

/* A9: a prompt (not a tool) that needs input. */
static int mrtr_prompt(mcp_call *call, const cJSON *args, void *userdata)
{
    (void)args; (void)userdata;
    const char *context = elicit_string(call, "user_context", "context");
    if (!context)
        return ask_elicit(call, "user_context", "What context should the prompt use?", "context", "string");
    char *text = NULL;
    size_t size = strlen(context) + 32;
    if (!(text = malloc(size)))
        return -MCP_ENOMEM;
    snprintf(text, size, "Prompt with context: %s", context);
    cJSON *block = mcp_content_text(text);
    free(text);
    return mcp_call_prompt_message_take(call, "user", block);
}

/* ---- registration ---- */

typedef struct modern_tool {
    const char *name;
    const char *description;
    const char *input_schema;
    mcp_tool_fn handler;
    bool takes_server;         /* userdata = the server (list-mutation triggers) */
} modern_tool;

static const modern_tool modern_tools[] = {
    { "test_missing_capability",
      "SEP-2575: requires the client's sampling capability; without it the server answers -32021",
      EMPTY_OBJECT_SCHEMA, missing_capability_tool, false },
    { "test_streaming_elicitation",
      "SEP-2575: answers on its response stream without sending the client any request",
      EMPTY_OBJECT_SCHEMA, streaming_elicitation_tool, false },
    { "test_logging_tool",
      "SEP-2575: logs at info; the log is sent only when the request sets a logLevel",
      EMPTY_OBJECT_SCHEMA, modern_logging_tool, false },
    { "test_trigger_tool_change",
      "SEP-2575: adds or removes test_dynamic_tool, so the tool list changes",
      EMPTY_OBJECT_SCHEMA, trigger_tool_change, true },
    { "test_trigger_prompt_change",
      "SEP-2575: adds or removes test_dynamic_prompt, so the prompt list changes",
      EMPTY_OBJECT_SCHEMA, trigger_prompt_change, true },
    { "test_header_param",
      "SEP-2243: the region argument is mirrored in the Mcp-Param-Region header",
      "{\"type\":\"object\",\"properties\":{\"region\":{\"type\":\"string\","
      "\"description\":\"A region name, also sent as Mcp-Param-Region\",\"x-mcp-header\":\"Region\"}},"
      "\"required\":[\"region\"]}",
      header_param_tool, false },
    { "test_input_required_result_elicitation",
      "MRTR: asks for the user's name by elicitation (key user_name)",
      EMPTY_OBJECT_SCHEMA, mrtr_elicitation, false },
    { "test_input_required_result_sampling",
      "MRTR: asks the client for a sampling completion (key sample_request)",
      EMPTY_OBJECT_SCHEMA, mrtr_sampling, false },
    { "test_input_required_result_list_roots",
      "MRTR: asks the client for its roots (key roots_request)",
      EMPTY_OBJECT_SCHEMA, mrtr_list_roots, false },
    { "test_input_required_result_request_state",
      "MRTR: asks for confirmation and completes only with the sealed requestState",
      EMPTY_OBJECT_SCHEMA, mrtr_request_state, false },
    { "test_input_required_result_multiple_inputs",
      "MRTR: asks for an elicitation, a sampling and a roots answer in one round",
      EMPTY_OBJECT_SCHEMA, mrtr_multiple_inputs, false },
    { "test_input_required_result_multi_round",
      "MRTR: asks for a name, then a color, over two input rounds",
      EMPTY_OBJECT_SCHEMA, mrtr_multi_round, false },
    { "test_input_required_result_tampered_state",
      "MRTR: its integrity-protected requestState is rejected when altered",
      EMPTY_OBJECT_SCHEMA, mrtr_tampered_state, false },
    { "test_input_required_result_capabilities",
      "MRTR: asks only for the inputs the client's declared capabilities allow",
      EMPTY_OBJECT_SCHEMA, mrtr_capabilities, false },
};

static const mcp_prompt mrtr_prompt_def = {
    .name = "test_input_required_result_prompt",
    .description = "MRTR: prompt that requires elicitation input",
    .handler = mrtr_prompt,
};

/* The static resource of the reference's stateless path (no check needs
 * it); listed after the legacy resources. */
static int stateless_static_read(mcp_call *call, const char *uri, const cJSON *vars, void *userdata)
{
    (void)vars; (void)userdata;
    return mcp_call_resource_text(call, uri, "text/plain", "Static text content from the stateless draft path.");
}

static const mcp_resource stateless_static_resource = {
    .uri = "test://stateless-static-text", .name = "Stateless Static Text",
    .description = "A static text resource of the stateless (2026-07-28) fixture set",
    .mime_type = "text/plain", .handler = stateless_static_read,
};

int fixtures_register_modern_tools(mcp_server *srv)
{
    for (size_t i = 0; i < sizeof modern_tools / sizeof modern_tools[0]; i++) {
        const modern_tool *m = &modern_tools[i];
        mcp_tool tool = { .name = m->name, .description = m->description, .input_schema = m->input_schema,
                          .handler = m->handler };
        int rc = mcp_server_add_tool(srv, &tool, m->takes_server ? (void *)srv : NULL);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int fixtures_register_modern_rest(mcp_server *srv)
{
    int rc = mcp_server_add_resource(srv, &stateless_static_resource, NULL);
    if (rc == 0)
        rc = mcp_server_add_prompt(srv, &mrtr_prompt_def, NULL);
    return rc;
}
