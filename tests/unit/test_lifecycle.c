/* core/lifecycle: the initialize result (checklist §3.2) advertises exactly
 * the capabilities that have handlers, serverInfo (version-gated fields)
 * and instructions; ping answers {}; notifications/initialized marks the
 * session. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_exchange.h"

static int noop_tool(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args;
    (void)ud;
    return mcp_call_text(call, "ok");
}

static int noop_resource(mcp_call *call, const char *uri, const cJSON *vars, void *ud)
{
    (void)vars;
    (void)ud;
    return mcp_call_resource_text(call, uri, "text/plain", "x");
}

static int noop_prompt(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args;
    (void)ud;
    return mcp_call_prompt_message_take(call, "user", mcp_content_text("hi"));
}

static int noop_complete(mcp_call *call, const char *t, const char *r, const char *n, const char *v,
                         const cJSON *c, void *ud)
{
    (void)call; (void)t; (void)r; (void)n; (void)v; (void)c; (void)ud;
    return 0;
}

static cJSON *initialize(mcp_server *srv, const char *version)
{
    char buf[256];
    snprintf(buf, sizeof buf,
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"%s\","
             "\"capabilities\":{},\"clientInfo\":{\"name\":\"c\",\"version\":\"1\"}}}", version);
    return rpc_legacy(srv, MCP_V_2025_11_25, buf);
}

static void test_server_without_registrations_advertises_no_features(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    cJSON *resp = initialize(srv, "2025-11-25");
    const cJSON *caps = get(result_of(resp), "capabilities");
    assert_true(cJSON_IsObject(caps));
    assert_null(get(caps, "tools"));
    assert_null(get(caps, "resources"));
    assert_null(get(caps, "prompts"));
    assert_null(get(caps, "completions"));
    assert_true(cJSON_IsObject(get(caps, "logging")));   /* every handler may log */
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_registered_tool_advertises_tools_capability(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    mcp_tool t = { .name = "t", .handler = noop_tool };
    assert_int_equal(mcp_server_add_tool(srv, &t, NULL), 0);
    cJSON *resp = initialize(srv, "2025-11-25");
    const cJSON *caps = get(result_of(resp), "capabilities");
    assert_true(cJSON_IsTrue(get(get(caps, "tools"), "listChanged")));
    assert_null(get(caps, "resources"));
    assert_null(get(caps, "prompts"));
    cJSON_Delete(resp);
    /* Removing the last tool removes the capability again. */
    assert_int_equal(mcp_server_remove_tool(srv, "t"), 0);
    resp = initialize(srv, "2025-11-25");
    assert_null(get(get(result_of(resp), "capabilities"), "tools"));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_registered_resource_advertises_list_changed_and_subscribe_with_a_session(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    mcp_resource r = { .uri = "test://a", .name = "a", .handler = noop_resource };
    assert_int_equal(mcp_server_add_resource(srv, &r, NULL), 0);
    /* With a session (stateful HTTP, stdio) resources/updated has a channel. */
    mcp_session *s = mcp__session_new();
    cJSON *resp = rpc(srv, s, MCP_ERA_LEGACY, MCP_V_2025_11_25,
                      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                      "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"c\",\"version\":\"1\"}}}");
    const cJSON *res = get(get(result_of(resp), "capabilities"), "resources");
    assert_true(cJSON_IsTrue(get(res, "subscribe")));
    assert_true(cJSON_IsTrue(get(res, "listChanged")));
    assert_null(get(get(result_of(resp), "capabilities"), "tools"));
    cJSON_Delete(resp);
    mcp__session_unref(s);
    /* Without one (stateless HTTP) subscribe is not advertised. */
    resp = initialize(srv, "2025-11-25");
    res = get(get(result_of(resp), "capabilities"), "resources");
    assert_null(get(res, "subscribe"));
    assert_true(cJSON_IsTrue(get(res, "listChanged")));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_resource_template_alone_advertises_resources(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    mcp_resource r = { .uri_template = "test://t/{id}", .name = "t", .handler = noop_resource };
    assert_int_equal(mcp_server_add_resource(srv, &r, NULL), 0);
    cJSON *resp = initialize(srv, "2025-11-25");
    assert_true(cJSON_IsObject(get(get(result_of(resp), "capabilities"), "resources")));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_registered_prompt_advertises_prompts_capability(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    mcp_prompt p = { .name = "p", .handler = noop_prompt };
    assert_int_equal(mcp_server_add_prompt(srv, &p, NULL), 0);
    cJSON *resp = initialize(srv, "2025-11-25");
    assert_true(cJSON_IsTrue(get(get(get(result_of(resp), "capabilities"), "prompts"), "listChanged")));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_completion_handler_advertises_completions(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    mcp_server_set_completion(srv, noop_complete, NULL);
    cJSON *resp = initialize(srv, "2025-11-25");
    const cJSON *c = get(get(result_of(resp), "capabilities"), "completions");
    assert_true(cJSON_IsObject(c));
    assert_null(c->child);   /* completions: {} */
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_server_info_carries_name_and_version(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    cJSON *resp = initialize(srv, "2025-11-25");
    const cJSON *info = get(result_of(resp), "serverInfo");
    assert_string_equal(get_str(info, "name"), "unit-server");
    assert_string_equal(get_str(info, "version"), "1.2.3");
    assert_null(get(info, "title"));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static mcp_server *server_with_full_info(void)
{
    mcp_server_info info = {
        .name = "full", .version = "9", .title = "Full Server", .description = "does things",
        .website_url = "https://example.com", .instructions = "Call tools politely.",
    };
    mcp_server *srv = mcp_server_new(&info);
    assert_non_null(srv);
    return srv;
}

static void test_server_info_optional_fields_follow_the_version(void **state)
{
    (void)state;
    mcp_server *srv = server_with_full_info();
    /* title arrived with 2025-06-18, description and websiteUrl with 2025-11-25. */
    cJSON *resp = initialize(srv, "2025-03-26");
    const cJSON *info = get(result_of(resp), "serverInfo");
    assert_null(get(info, "title"));
    assert_null(get(info, "description"));
    assert_null(get(info, "websiteUrl"));
    cJSON_Delete(resp);

    resp = initialize(srv, "2025-06-18");
    info = get(result_of(resp), "serverInfo");
    assert_string_equal(get_str(info, "title"), "Full Server");
    assert_null(get(info, "description"));
    assert_null(get(info, "websiteUrl"));
    cJSON_Delete(resp);

    resp = initialize(srv, "2025-11-25");
    info = get(result_of(resp), "serverInfo");
    assert_string_equal(get_str(info, "title"), "Full Server");
    assert_string_equal(get_str(info, "description"), "does things");
    assert_string_equal(get_str(info, "websiteUrl"), "https://example.com");
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_instructions_are_sent_when_set(void **state)
{
    (void)state;
    mcp_server *srv = server_with_full_info();
    cJSON *resp = initialize(srv, "2024-11-05");
    assert_string_equal(get_str(result_of(resp), "instructions"), "Call tools politely.");
    cJSON_Delete(resp);
    mcp_server_free(srv);
    srv = new_server();
    resp = initialize(srv, "2025-11-25");
    assert_null(get(result_of(resp), "instructions"));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_initialize_response_echoes_request_id(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    cJSON *resp = rpc_legacy(srv, MCP_V_2025_11_25,
                             "{\"jsonrpc\":\"2.0\",\"id\":\"init-7\",\"method\":\"initialize\","
                             "\"params\":{\"protocolVersion\":\"2025-06-18\"}}");
    assert_string_equal(get_str(resp, "id"), "init-7");
    result_of(resp);
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_ping_answers_empty_object(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    cJSON *resp = rpc_legacy(srv, MCP_V_2025_11_25, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}");
    const cJSON *r = result_of(resp);
    assert_true(cJSON_IsObject(r));
    assert_null(r->child);
    assert_int_equal(get(resp, "id")->valueint, 9);
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_initialized_notification_marks_session_and_gets_no_response(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    mcp_session *s = mcp__session_new();
    fake_ex *f = fake_legacy(s, MCP_V_2025_11_25);
    const cJSON *resp = fake_roundtrip(srv, f, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    assert_null(resp);
    assert_true(s->initialized);
    assert_int_equal(fake_sent_count(f), 0);
    fake_free(f);
    mcp__session_unref(s);
    mcp_server_free(srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_without_registrations_advertises_no_features),
        cmocka_unit_test(test_registered_tool_advertises_tools_capability),
        cmocka_unit_test(test_registered_resource_advertises_list_changed_and_subscribe_with_a_session),
        cmocka_unit_test(test_resource_template_alone_advertises_resources),
        cmocka_unit_test(test_registered_prompt_advertises_prompts_capability),
        cmocka_unit_test(test_completion_handler_advertises_completions),
        cmocka_unit_test(test_server_info_carries_name_and_version),
        cmocka_unit_test(test_server_info_optional_fields_follow_the_version),
        cmocka_unit_test(test_instructions_are_sent_when_set),
        cmocka_unit_test(test_initialize_response_echoes_request_id),
        cmocka_unit_test(test_ping_answers_empty_object),
        cmocka_unit_test(test_initialized_notification_marks_session_and_gets_no_response),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
