/* _meta on primitives and results: the `meta` JSON text of a tool,
 * resource, resource template or prompt is rendered as `_meta` in its list
 * entry; text that is not a JSON object fails registration with
 * -MCP_EINVAL; handlers add result `_meta` with mcp_call_meta_take and put
 * `_meta` on a content item with mcp_call_content_meta_take. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_write.h"
#include "fake_exchange.h"

static int noop_tool(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args; (void)ud;
    return mcp_call_text(call, "ok");
}

static int meta_tool(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args; (void)ud;
    mcp_call_text(call, "ok");
    assert_int_equal(mcp_call_content_meta_take(call, cJSON_Parse("{\"k\":\"block\"}")), 0);
    assert_int_equal(mcp_call_meta_take(call, cJSON_Parse("{\"a\":1,\"b\":\"first\"}")), 0);
    assert_int_equal(mcp_call_meta_take(call, cJSON_Parse("{\"b\":\"second\"}")), 0);
    assert_int_equal(mcp_call_meta_take(call, cJSON_CreateArray()), -MCP_EINVAL);
    return 0;
}

static int text_resource(mcp_call *call, const char *uri, const cJSON *vars, void *ud)
{
    (void)vars; (void)ud;
    assert_int_equal(mcp_call_content_meta_take(call, cJSON_Parse("{\"x\":1}")), -MCP_EINVAL); /* nothing yet */
    mcp_call_resource_text(call, uri, "text/plain", "hi");
    return mcp_call_content_meta_take(call, cJSON_Parse("{\"ui\":{\"prefersBorder\":true}}"));
}

static int noop_prompt(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args; (void)ud;
    return mcp_call_prompt_message_take(call, "user", mcp_content_text("hi"));
}

static mcp_server *srv_with_meta(void)
{
    mcp_server *srv = new_server();
    mcp_tool t = { .name = "t", .handler = meta_tool, .meta = "{\"ui\":{\"resourceUri\":\"ui://x/app.html\"}}" };
    mcp_resource r = { .uri = "test://r", .name = "r", .handler = text_resource, .meta = "{\"r\":true}" };
    mcp_resource rt = { .uri_template = "test://t/{id}", .name = "rt", .handler = text_resource, .meta = "{\"rt\":true}" };
    mcp_prompt p = { .name = "p", .handler = noop_prompt, .meta = "{\"p\":[1,2]}" };
    assert_int_equal(mcp_server_add_tool(srv, &t, NULL), 0);
    assert_int_equal(mcp_server_add_resource(srv, &r, NULL), 0);
    assert_int_equal(mcp_server_add_resource(srv, &rt, NULL), 0);
    assert_int_equal(mcp_server_add_prompt(srv, &p, NULL), 0);
    return srv;
}

static const cJSON *first_meta(const cJSON *resp, const char *key)
{
    const cJSON *item = cJSON_GetArrayItem(get(result_of(resp), key), 0);
    assert_non_null(item);
    const cJSON *m = get(item, "_meta");
    assert_true(cJSON_IsObject(m));
    return m;
}

static void test_meta_is_rendered_in_every_list(void **state)
{
    (void)state;
    mcp_server *srv = srv_with_meta();
    cJSON *resp = rpc_legacy(srv, MCP_V_2025_11_25, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
    assert_string_equal(get_str(get(first_meta(resp, "tools"), "ui"), "resourceUri"), "ui://x/app.html");
    cJSON_Delete(resp);
    resp = rpc_legacy(srv, MCP_V_2025_11_25, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"resources/list\"}");
    assert_true(cJSON_IsTrue(get(first_meta(resp, "resources"), "r")));
    cJSON_Delete(resp);
    resp = rpc_legacy(srv, MCP_V_2025_11_25, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"resources/templates/list\"}");
    assert_true(cJSON_IsTrue(get(first_meta(resp, "resourceTemplates"), "rt")));
    cJSON_Delete(resp);
    resp = rpc_legacy(srv, MCP_V_2025_11_25, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"prompts/list\"}");
    assert_int_equal(cJSON_GetArraySize(get(first_meta(resp, "prompts"), "p")), 2);
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_meta_that_is_not_a_json_object_fails_registration(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    const char *bad[] = { "{", "[1]", "\"text\"", "3", "{\"a\":}" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mcp_tool t = { .name = "t", .handler = noop_tool, .meta = bad[i] };
        mcp_resource r = { .uri = "test://r", .name = "r", .handler = text_resource, .meta = bad[i] };
        mcp_resource rt = { .uri_template = "test://t/{id}", .name = "rt", .handler = text_resource, .meta = bad[i] };
        mcp_prompt p = { .name = "p", .handler = noop_prompt, .meta = bad[i] };
        assert_int_equal(mcp_server_add_tool(srv, &t, NULL), -MCP_EINVAL);
        assert_int_equal(mcp_server_add_resource(srv, &r, NULL), -MCP_EINVAL);
        assert_int_equal(mcp_server_add_resource(srv, &rt, NULL), -MCP_EINVAL);
        assert_int_equal(mcp_server_add_prompt(srv, &p, NULL), -MCP_EINVAL);
    }
    /* Nothing half-registered: the names are still free. */
    mcp_tool ok = { .name = "t", .handler = noop_tool };
    assert_int_equal(mcp_server_add_tool(srv, &ok, NULL), 0);
    mcp_server_free(srv);
}

static void test_no_meta_means_no_meta_key(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    mcp_tool t = { .name = "plain", .handler = noop_tool };
    assert_int_equal(mcp_server_add_tool(srv, &t, NULL), 0);
    cJSON *resp = rpc_legacy(srv, MCP_V_2025_11_25, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
    assert_null(get(cJSON_GetArrayItem(get(result_of(resp), "tools"), 0), "_meta"));
    cJSON_Delete(resp);
    resp = rpc_legacy(srv, MCP_V_2025_11_25,
                      "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"plain\"}}");
    assert_null(get(result_of(resp), "_meta"));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_handler_meta_lands_on_the_result_and_content(void **state)
{
    (void)state;
    mcp_server *srv = srv_with_meta();
    const char *call = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"t\"}}";
    cJSON *resp = rpc_legacy(srv, MCP_V_2025_11_25, call);
    const cJSON *meta = get(result_of(resp), "_meta");
    assert_int_equal(get(meta, "a")->valueint, 1);
    assert_string_equal(get_str(meta, "b"), "second");      /* later keys replace earlier ones */
    assert_string_equal(get_str(get(cJSON_GetArrayItem(get(result_of(resp), "content"), 0), "_meta"), "k"), "block");
    cJSON_Delete(resp);
    /* Modern results keep the library's own _meta keys next to the handler's. */
    resp = rpc(srv, NULL, MCP_ERA_MODERN, MCP_V_2026_07_28, call);
    meta = get(result_of(resp), "_meta");
    assert_string_equal(get_str(meta, "b"), "second");
    assert_non_null(get(meta, "io.modelcontextprotocol/serverInfo"));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_content_meta_on_resource_contents(void **state)
{
    (void)state;
    mcp_server *srv = srv_with_meta();
    cJSON *resp = rpc_legacy(srv, MCP_V_2025_11_25,
                             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/read\",\"params\":{\"uri\":\"test://r\"}}");
    const cJSON *c = cJSON_GetArrayItem(get(result_of(resp), "contents"), 0);
    assert_true(cJSON_IsTrue(get(get(get(c, "_meta"), "ui"), "prefersBorder")));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

/* A modern reply that is only printed carries serverInfo as text printed
 * once (call.c); printed, it must equal the reply built as a tree, with and
 * without the handler's own _meta keys, and a reply kept as a tree must
 * stay a tree (tasks read and merge them). */
static char *modern_reply_text(mcp_server *srv, bool printed, const char *json, bool *meta_is_object)
{
    fake_ex *f = fake_new(NULL, MCP_ERA_MODERN, MCP_V_2026_07_28, false);
    f->ex.replies_printed = printed;
    const cJSON *r = fake_roundtrip(srv, f, json);
    assert_non_null(r);
    *meta_is_object = cJSON_IsObject(get(result_of(r), "_meta"));
    char *text = mcp__json_print(r, NULL);
    assert_non_null(text);
    fake_free(f);
    return text;
}

static void test_printed_server_info_meta_equals_the_tree(void **state)
{
    (void)state;
    mcp_server *srv = srv_with_meta();
    mcp_tool plain = { .name = "plain", .handler = noop_tool };
    assert_int_equal(mcp_server_add_tool(srv, &plain, NULL), 0);
    const char *calls[] = {
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"plain\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"t\"}}",
        /* cacheable: ttlMs and cacheScope follow the printed members */
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{}}",
    };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        bool tree_object = false, printed_object = true;
        char *tree = modern_reply_text(srv, false, calls[i], &tree_object);
        char *printed = modern_reply_text(srv, true, calls[i], &printed_object);
        assert_string_equal(printed, tree);
        assert_true(tree_object);
        assert_true(printed_object == (i == 1));        /* the handler's keys: merged as a tree */
        cJSON *back = cJSON_Parse(printed);
        const cJSON *info = get(get(result_of(back), "_meta"), "io.modelcontextprotocol/serverInfo");
        assert_string_equal(get_str(info, "name"), "unit-server");
        assert_string_equal(get_str(info, "version"), "1.2.3");
        assert_true(i != 1 || get(get(result_of(back), "_meta"), "b"));
        assert_string_equal(get_str(result_of(back), "resultType"), "complete");
        assert_true(i != 2 || (get(result_of(back), "ttlMs") && get(result_of(back), "cacheScope")));
        cJSON_Delete(back);
        free(tree);
        free(printed);
    }
    mcp_server_free(srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_meta_is_rendered_in_every_list),
        cmocka_unit_test(test_meta_that_is_not_a_json_object_fails_registration),
        cmocka_unit_test(test_no_meta_means_no_meta_key),
        cmocka_unit_test(test_handler_meta_lands_on_the_result_and_content),
        cmocka_unit_test(test_content_meta_on_resource_contents),
        cmocka_unit_test(test_printed_server_info_meta_equals_the_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
