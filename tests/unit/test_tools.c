/* core/tools: tools/call (checklist §4.1). Unknown tool is a protocol
 * error (-32602); arguments failing the inputSchema are a tool execution
 * error (isError) naming the field; structuredContent is checked against
 * outputSchema ("Output validation error"), mirrored as a text block when
 * the tool gave no text, and sent only to clients >= 2025-06-18. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_exchange.h"

typedef struct {
    atomic_int calls;
    pthread_t thread;
    bool saw_empty_args;
} tool_probe;

static int add_tool(mcp_call *call, const cJSON *args, void *ud)
{
    tool_probe *p = ud;
    atomic_fetch_add(&p->calls, 1);
    p->thread = pthread_self();
    const cJSON *a = get(args, "a"), *b = get(args, "b");
    return mcp_call_text(call, "%d", a->valueint + b->valueint);
}

static int empty_args_tool(mcp_call *call, const cJSON *args, void *ud)
{
    tool_probe *p = ud;
    atomic_fetch_add(&p->calls, 1);
    p->saw_empty_args = cJSON_IsObject(args) && args->child == NULL;
    return mcp_call_text(call, "ok");
}

/* args.mode picks what the handler returns */
static int structured_tool(mcp_call *call, const cJSON *args, void *ud)
{
    (void)ud;
    const char *mode = get_str(args, "mode");
    if (!mode || strcmp(mode, "good") == 0)
        return mcp_call_structured_take(call, cJSON_Parse("{\"n\":42,\"s\":\"x\"}"));
    if (strcmp(mode, "wrong_type") == 0)
        return mcp_call_structured_take(call, cJSON_Parse("{\"n\":\"forty-two\",\"s\":\"x\"}"));
    if (strcmp(mode, "missing") == 0)
        return mcp_call_text(call, "no structure");
    if (strcmp(mode, "with_text") == 0) {
        mcp_call_text(call, "custom text");
        return mcp_call_structured_take(call, cJSON_Parse("{\"n\":1,\"s\":\"y\"}"));
    }
    if (strcmp(mode, "array") == 0)
        return mcp_call_structured_take(call, cJSON_Parse("[1,2,3]"));
    if (strcmp(mode, "tool_error") == 0)
        return mcp_call_error(call, "upstream is down (%d)", 503);
    return -MCP_EINTERNAL;
}

static int failing_tool(mcp_call *call, const cJSON *args, void *ud)
{
    (void)call;
    (void)args;
    (void)ud;
    return -MCP_EIO;
}

static int media_tool(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args;
    (void)ud;
    mcp_call_text(call, "first");
    mcp_call_audio(call, "AAAA", "audio/wav");
    mcp_call_resource_link(call, "test://linked", "linked", "text/plain");
    mcp_call_image(call, "iVBORw0KGgo=", "image/png");
    return 0;
}

#define ADD_SCHEMA "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"},\"b\":{\"type\":\"integer\"}}," \
                   "\"required\":[\"a\",\"b\"],\"additionalProperties\":false}"
#define OUT_SCHEMA "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"},\"s\":{\"type\":\"string\"}}," \
                   "\"required\":[\"n\"]}"

static mcp_server *srv_with_tools(tool_probe *probe)
{
    mcp_server *srv = new_server();
    mcp_tool add = { .name = "add", .input_schema = ADD_SCHEMA, .handler = add_tool };
    mcp_tool add_blocking = { .name = "add_blocking", .input_schema = ADD_SCHEMA, .handler = add_tool, .blocking = true };
    mcp_tool empty = { .name = "empty", .handler = empty_args_tool };
    mcp_tool structured = { .name = "structured", .output_schema = OUT_SCHEMA, .handler = structured_tool };
    mcp_tool free_form = { .name = "free_form", .handler = structured_tool };
    mcp_tool fail = { .name = "fail", .handler = failing_tool };
    mcp_tool media = { .name = "media", .handler = media_tool };
    assert_int_equal(mcp_server_add_tool(srv, &add, probe), 0);
    assert_int_equal(mcp_server_add_tool(srv, &add_blocking, probe), 0);
    assert_int_equal(mcp_server_add_tool(srv, &empty, probe), 0);
    assert_int_equal(mcp_server_add_tool(srv, &structured, NULL), 0);
    assert_int_equal(mcp_server_add_tool(srv, &free_form, NULL), 0);
    assert_int_equal(mcp_server_add_tool(srv, &fail, NULL), 0);
    assert_int_equal(mcp_server_add_tool(srv, &media, NULL), 0);
    return srv;
}

static cJSON *call_tool(mcp_server *srv, mcp__revision v, const char *name, const char *args_json)
{
    char buf[1024];
    if (args_json)
        snprintf(buf, sizeof buf, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\","
                                  "\"params\":{\"name\":\"%s\",\"arguments\":%s}}", name, args_json);
    else
        snprintf(buf, sizeof buf, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\","
                                  "\"params\":{\"name\":\"%s\"}}", name);
    return rpc_legacy(srv, v, buf);
}

static void test_tool_call_returns_handler_content(void **state)
{
    (void)state;
    tool_probe probe = {0};
    mcp_server *srv = srv_with_tools(&probe);
    cJSON *resp = call_tool(srv, MCP_V_2025_11_25, "add", "{\"a\":2,\"b\":40}");
    assert_int_equal(get(resp, "id")->valueint, 3);
    const cJSON *r = result_of(resp);
    assert_string_equal(content_text(r, 0), "42");
    assert_null(get(r, "isError"));
    assert_null(get(r, "structuredContent"));
    assert_int_equal(atomic_load(&probe.calls), 1);
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_blocking_tool_runs_on_a_worker_and_completes(void **state)
{
    (void)state;
    tool_probe probe = {0};
    mcp_server *srv = srv_with_tools(&probe);
    cJSON *resp = call_tool(srv, MCP_V_2025_11_25, "add_blocking", "{\"a\":1,\"b\":1}");
    assert_string_equal(content_text(result_of(resp), 0), "2");
    assert_int_equal(atomic_load(&probe.calls), 1);
    assert_false(pthread_equal(probe.thread, pthread_self()));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_unknown_tool_is_invalid_params(void **state)
{
    (void)state;
    tool_probe probe = {0};
    mcp_server *srv = srv_with_tools(&probe);
    cJSON *resp = call_tool(srv, MCP_V_2025_11_25, "does_not_exist", "{}");
    assert_int_equal(error_code_of(resp), JSONRPC_INVALID_PARAMS);
    assert_non_null(strstr(error_message_of(resp), "does_not_exist"));
    assert_int_equal(get(resp, "id")->valueint, 3);
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_tool_call_without_name_is_invalid_params(void **state)
{
    (void)state;
    tool_probe probe = {0};
    mcp_server *srv = srv_with_tools(&probe);
    cJSON *resp = rpc_legacy(srv, MCP_V_2025_11_25,
                             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"arguments\":{}}}");
    assert_int_equal(error_code_of(resp), JSONRPC_INVALID_PARAMS);
    cJSON_Delete(resp);
    resp = rpc_legacy(srv, MCP_V_2025_11_25, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\"}");
    assert_int_equal(error_code_of(resp), JSONRPC_INVALID_PARAMS);
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_non_object_arguments_are_invalid_params(void **state)
{
    (void)state;
    tool_probe probe = {0};
    mcp_server *srv = srv_with_tools(&probe);
    cJSON *resp = call_tool(srv, MCP_V_2025_11_25, "add", "[1,2]");
    assert_int_equal(error_code_of(resp), JSONRPC_INVALID_PARAMS);
    cJSON_Delete(resp);
    assert_int_equal(atomic_load(&probe.calls), 0);
    mcp_server_free(srv);
}

static void test_invalid_arguments_are_a_tool_error_naming_the_field(void **state)
{
    (void)state;
    tool_probe probe = {0};
    mcp_server *srv = srv_with_tools(&probe);
    cJSON *resp = call_tool(srv, MCP_V_2025_11_25, "add", "{\"a\":\"two\",\"b\":1}");
    const cJSON *r = result_of(resp);
    assert_true(cJSON_IsTrue(get(r, "isError")));
    const char *text = content_text(r, 0);
    if (!strstr(text, "/a") && !strstr(text, "\"a\""))
        fail_msg("error text does not name the field a: %s", text);
    cJSON_Delete(resp);

    resp = call_tool(srv, MCP_V_2025_11_25, "add", "{\"a\":2}");   /* missing required b */
    r = result_of(resp);
    assert_true(cJSON_IsTrue(get(r, "isError")));
    assert_non_null(strstr(content_text(r, 0), "\"b\""));
    cJSON_Delete(resp);

    resp = call_tool(srv, MCP_V_2025_11_25, "add", "{\"a\":1,\"b\":2,\"zzz\":3}");   /* additional */
    r = result_of(resp);
    assert_true(cJSON_IsTrue(get(r, "isError")));
    assert_non_null(strstr(content_text(r, 0), "zzz"));
    cJSON_Delete(resp);

    assert_int_equal(atomic_load(&probe.calls), 0);   /* the handler never ran */
    mcp_server_free(srv);
}

static void test_missing_arguments_reach_the_handler_as_empty_object(void **state)
{
    (void)state;
    tool_probe probe = {0};
    mcp_server *srv = srv_with_tools(&probe);
    cJSON *resp = call_tool(srv, MCP_V_2025_11_25, "empty", NULL);
    result_of(resp);
    assert_int_equal(atomic_load(&probe.calls), 1);
    assert_true(probe.saw_empty_args);
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_handler_failure_is_internal_error(void **state)
{
    (void)state;
    tool_probe probe = {0};
    mcp_server *srv = srv_with_tools(&probe);
    cJSON *resp = call_tool(srv, MCP_V_2025_11_25, "fail", "{}");
    assert_int_equal(error_code_of(resp), JSONRPC_INTERNAL_ERROR);
    assert_int_equal(get(resp, "id")->valueint, 3);
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_tool_error_result_sets_is_error(void **state)
{
    (void)state;
    tool_probe probe = {0};
    mcp_server *srv = srv_with_tools(&probe);
    cJSON *resp = call_tool(srv, MCP_V_2025_11_25, "structured", "{\"mode\":\"tool_error\"}");
    const cJSON *r = result_of(resp);
    assert_true(cJSON_IsTrue(get(r, "isError")));
    assert_string_equal(content_text(r, 0), "upstream is down (503)");
    /* A tool error is not second-guessed by output validation. */
    assert_null(strstr(content_text(r, 0), "Output validation"));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_structured_content_mismatching_output_schema_is_output_validation_error(void **state)
{
    (void)state;
    tool_probe probe = {0};
    mcp_server *srv = srv_with_tools(&probe);
    cJSON *resp = call_tool(srv, MCP_V_2025_11_25, "structured", "{\"mode\":\"wrong_type\"}");
    const cJSON *r = result_of(resp);
    assert_true(cJSON_IsTrue(get(r, "isError")));
    assert_non_null(strstr(content_text(r, 0), "Output validation error"));
    assert_null(get(r, "structuredContent"));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_missing_structured_content_with_output_schema_is_output_validation_error(void **state)
{
    (void)state;
    tool_probe probe = {0};
    mcp_server *srv = srv_with_tools(&probe);
    cJSON *resp = call_tool(srv, MCP_V_2025_11_25, "structured", "{\"mode\":\"missing\"}");
    const cJSON *r = result_of(resp);
    assert_true(cJSON_IsTrue(get(r, "isError")));
    assert_non_null(strstr(content_text(r, 0), "Output validation error"));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_structured_content_without_text_gets_a_json_text_block(void **state)
{
    (void)state;
    tool_probe probe = {0};
    mcp_server *srv = srv_with_tools(&probe);
    cJSON *resp = call_tool(srv, MCP_V_2025_11_25, "structured", "{\"mode\":\"good\"}");
    const cJSON *r = result_of(resp);
    assert_null(get(r, "isError"));
    const cJSON *sc = get(r, "structuredContent");
    assert_int_equal(get(sc, "n")->valueint, 42);
    assert_int_equal(cJSON_GetArraySize(get(r, "content")), 1);
    cJSON *mirrored = cJSON_Parse(content_text(r, 0));
    assert_non_null(mirrored);
    assert_true(cJSON_Compare(mirrored, sc, true));
    cJSON_Delete(mirrored);
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_structured_content_with_own_text_is_not_mirrored(void **state)
{
    (void)state;
    tool_probe probe = {0};
    mcp_server *srv = srv_with_tools(&probe);
    cJSON *resp = call_tool(srv, MCP_V_2025_11_25, "structured", "{\"mode\":\"with_text\"}");
    const cJSON *r = result_of(resp);
    assert_int_equal(cJSON_GetArraySize(get(r, "content")), 1);
    assert_string_equal(content_text(r, 0), "custom text");
    assert_int_equal(get(get(r, "structuredContent"), "n")->valueint, 1);
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_structured_content_only_for_2025_06_18_and_later(void **state)
{
    (void)state;
    tool_probe probe = {0};
    mcp_server *srv = srv_with_tools(&probe);
    static const struct { mcp__revision v; bool has; } cases[] = {
        {MCP_V_2024_11_05, false}, {MCP_V_2025_03_26, false},
        {MCP_V_2025_06_18, true}, {MCP_V_2025_11_25, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *resp = call_tool(srv, cases[i].v, "structured", "{\"mode\":\"good\"}");
        const cJSON *r = result_of(resp);
        if ((get(r, "structuredContent") != NULL) != cases[i].has)
            fail_msg("structuredContent presence wrong for %s", mcp__version_name(cases[i].v));
        /* Every version gets the data as text. */
        cJSON *mirrored = cJSON_Parse(content_text(r, 0));
        assert_int_equal(get(mirrored, "n")->valueint, 42);
        cJSON_Delete(mirrored);
        cJSON_Delete(resp);
    }
    mcp_server_free(srv);
}

/* LIBRARY BUG (reported): in 2025-06-18 and 2025-11-25 CallToolResult.
 * structuredContent is a JSON object ({ [key: string]: unknown }); only
 * 2026-07-28 allows any JSON value. A tool without outputSchema that hands
 * an array to mcp_call_structured_take gets it sent as structuredContent to
 * legacy clients. Expected: no non-object structuredContent for legacy
 * versions (the data still reaches them as the JSON text block). */
static void test_non_object_structured_content_is_not_sent_to_legacy_clients(void **state)
{
    (void)state;
    tool_probe probe = {0};
    mcp_server *srv = srv_with_tools(&probe);
    static const mcp__revision legacy[] = {MCP_V_2025_06_18, MCP_V_2025_11_25};
    for (size_t i = 0; i < 2; i++) {
        cJSON *resp = call_tool(srv, legacy[i], "free_form", "{\"mode\":\"array\"}");
        const cJSON *r = result_of(resp);
        const cJSON *sc = get(r, "structuredContent");
        if (sc && !cJSON_IsObject(sc))
            fail_msg("%s client got a non-object structuredContent", mcp__version_name(legacy[i]));
        assert_string_equal(content_text(r, 0), "[1,2,3]");
        cJSON_Delete(resp);
    }
    /* The modern revision allows any JSON value. */
    cJSON *resp = rpc(srv, NULL, MCP_ERA_MODERN, MCP_V_2026_07_28,
                      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"free_form\","
                      "\"arguments\":{\"mode\":\"array\"},\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                      "\"io.modelcontextprotocol/clientCapabilities\":{}}}}");
    assert_true(cJSON_IsArray(get(result_of(resp), "structuredContent")));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static const cJSON *block_of_type(const cJSON *result, const char *type)
{
    for (const cJSON *b = get(result, "content")->child; b; b = b->next)
        if (strcmp(get_str(b, "type"), type) == 0)
            return b;
    return NULL;
}

static void test_content_types_are_gated_by_version(void **state)
{
    (void)state;
    tool_probe probe = {0};
    mcp_server *srv = srv_with_tools(&probe);
    cJSON *resp = call_tool(srv, MCP_V_2024_11_05, "media", "{}");
    const cJSON *r = result_of(resp);
    assert_null(block_of_type(r, "audio"));          /* audio arrived with 2025-03-26 */
    assert_null(block_of_type(r, "resource_link"));  /* resource_link with 2025-06-18 */
    assert_non_null(block_of_type(r, "image"));
    assert_string_equal(content_text(r, 0), "first");
    cJSON_Delete(resp);

    resp = call_tool(srv, MCP_V_2025_03_26, "media", "{}");
    r = result_of(resp);
    assert_non_null(block_of_type(r, "audio"));
    assert_null(block_of_type(r, "resource_link"));
    cJSON_Delete(resp);

    resp = call_tool(srv, MCP_V_2025_06_18, "media", "{}");
    r = result_of(resp);
    const cJSON *link = block_of_type(r, "resource_link");
    assert_non_null(link);
    assert_string_equal(get_str(link, "uri"), "test://linked");
    assert_string_equal(get_str(link, "name"), "linked");
    const cJSON *img = block_of_type(r, "image");
    assert_string_equal(get_str(img, "mimeType"), "image/png");
    assert_string_equal(get_str(img, "data"), "iVBORw0KGgo=");
    assert_int_equal(cJSON_GetArraySize(get(r, "content")), 4);
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_content_block_builders(void **state)
{
    (void)state;
    cJSON *b = mcp_content_embedded_text("test://e", "text/plain", "body");
    assert_string_equal(get_str(b, "type"), "resource");
    assert_string_equal(get_str(get(b, "resource"), "uri"), "test://e");
    assert_string_equal(get_str(get(b, "resource"), "text"), "body");
    assert_string_equal(get_str(get(b, "resource"), "mimeType"), "text/plain");
    cJSON_Delete(b);
    b = mcp_content_embedded_blob("test://b", NULL, "AAEC");
    assert_string_equal(get_str(get(b, "resource"), "blob"), "AAEC");
    assert_null(get(get(b, "resource"), "mimeType"));
    cJSON_Delete(b);
    b = mcp_content_text(NULL);
    assert_string_equal(get_str(b, "text"), "");
    cJSON_Delete(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tool_call_returns_handler_content),
        cmocka_unit_test(test_blocking_tool_runs_on_a_worker_and_completes),
        cmocka_unit_test(test_unknown_tool_is_invalid_params),
        cmocka_unit_test(test_tool_call_without_name_is_invalid_params),
        cmocka_unit_test(test_non_object_arguments_are_invalid_params),
        cmocka_unit_test(test_invalid_arguments_are_a_tool_error_naming_the_field),
        cmocka_unit_test(test_missing_arguments_reach_the_handler_as_empty_object),
        cmocka_unit_test(test_handler_failure_is_internal_error),
        cmocka_unit_test(test_tool_error_result_sets_is_error),
        cmocka_unit_test(test_structured_content_mismatching_output_schema_is_output_validation_error),
        cmocka_unit_test(test_missing_structured_content_with_output_schema_is_output_validation_error),
        cmocka_unit_test(test_structured_content_without_text_gets_a_json_text_block),
        cmocka_unit_test(test_structured_content_with_own_text_is_not_mirrored),
        cmocka_unit_test(test_structured_content_only_for_2025_06_18_and_later),
        cmocka_unit_test(test_non_object_structured_content_is_not_sent_to_legacy_clients),
        cmocka_unit_test(test_content_types_are_gated_by_version),
        cmocka_unit_test(test_content_block_builders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
