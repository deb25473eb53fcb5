/* core/registry: what may be registered (tool names 1-128 chars of
 * [A-Za-z0-9_.-], unique; inputSchema an object schema; resource URIs and
 * level-1 templates), removal, and the version gating of listed
 * definitions (title/outputSchema from 2025-06-18, icons from 2025-11-25,
 * annotations from 2025-03-26). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_exchange.h"
#include "core/entry.h"

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
    return mcp_call_resource_text(call, uri, NULL, "x");
}

static int noop_prompt(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args;
    (void)ud;
    return mcp_call_prompt_message_take(call, "user", mcp_content_text("hi"));
}

static int add_named(mcp_server *srv, const char *name)
{
    mcp_tool t = { .name = name, .handler = noop_tool };
    return mcp_server_add_tool(srv, &t, NULL);
}

static cJSON *tools_list(mcp_server *srv, mcp__revision v)
{
    return rpc_legacy(srv, v, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
}

static const cJSON *find_by_name(const cJSON *arr, const char *name)
{
    for (const cJSON *t = arr ? arr->child : NULL; t; t = t->next)
        if (strcmp(get_str(t, "name"), name) == 0)
            return t;
    return NULL;
}

/* ---------------- tool names ---------------- */

static void test_tool_name_of_1_and_128_allowed_chars_is_accepted(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    char n128[129];
    memset(n128, 'a', 128);
    n128[128] = '\0';
    assert_int_equal(add_named(srv, "x"), 0);
    assert_int_equal(add_named(srv, n128), 0);
    assert_int_equal(add_named(srv, "Az09_.-"), 0);
    assert_int_equal(add_named(srv, "admin.tools.list"), 0);
    mcp_server_free(srv);
}

static void test_empty_tool_name_is_rejected(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    assert_int_equal(add_named(srv, ""), -MCP_EINVAL);
    assert_int_equal(add_named(srv, NULL), -MCP_EINVAL);
    mcp_server_free(srv);
}

static void test_tool_name_of_129_chars_is_rejected(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    char n129[130];
    memset(n129, 'a', 129);
    n129[129] = '\0';
    assert_int_equal(add_named(srv, n129), -MCP_EINVAL);
    mcp_server_free(srv);
}

static void test_tool_name_with_space_or_other_chars_is_rejected(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    static const char *const bad[] = {"a b", " a", "a/b", "a,b", "a:b", "caf\xC3\xA9", "a\tb", "a@b", "a+b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (add_named(srv, bad[i]) != -MCP_EINVAL)
            fail_msg("tool name \"%s\" was not rejected", bad[i]);
    cJSON *resp = tools_list(srv, MCP_V_2025_11_25);
    assert_int_equal(cJSON_GetArraySize(get(result_of(resp), "tools")), 0);
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_tool_without_handler_is_rejected(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    mcp_tool t = { .name = "nohandler" };
    assert_int_equal(mcp_server_add_tool(srv, &t, NULL), -MCP_EINVAL);
    mcp_server_free(srv);
}

static void test_duplicate_tool_name_is_eexist(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    assert_int_equal(add_named(srv, "dup"), 0);
    assert_int_equal(add_named(srv, "dup"), -MCP_EEXIST);
    assert_int_equal(add_named(srv, "Dup"), 0);   /* names are case-sensitive */
    cJSON *resp = tools_list(srv, MCP_V_2025_11_25);
    assert_int_equal(cJSON_GetArraySize(get(result_of(resp), "tools")), 2);
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

/* ---------------- schemas ---------------- */

static int add_with_schemas(mcp_server *srv, const char *name, const char *in, const char *out)
{
    mcp_tool t = { .name = name, .input_schema = in, .output_schema = out, .handler = noop_tool };
    return mcp_server_add_tool(srv, &t, NULL);
}

static void test_input_schema_must_be_an_object_schema(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    assert_int_equal(add_with_schemas(srv, "a", "{\"type\":\"string\"}", NULL), -MCP_EINVAL);
    assert_int_equal(add_with_schemas(srv, "b", "{}", NULL), -MCP_EINVAL);               /* no type */
    assert_int_equal(add_with_schemas(srv, "c", "[{\"type\":\"object\"}]", NULL), -MCP_EINVAL);
    assert_int_equal(add_with_schemas(srv, "d", "null", NULL), -MCP_EINVAL);
    assert_int_equal(add_with_schemas(srv, "e", "{\"type\":\"object\"", NULL), -MCP_EINVAL);  /* not JSON */
    assert_int_equal(add_with_schemas(srv, "f", "{\"type\":[\"object\",\"null\"]}", NULL), -MCP_EINVAL);
    assert_int_equal(add_with_schemas(srv, "ok", "{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"integer\"}}}", NULL), 0);
    cJSON *resp = tools_list(srv, MCP_V_2025_11_25);
    const cJSON *tools = get(result_of(resp), "tools");
    assert_int_equal(cJSON_GetArraySize(tools), 1);
    assert_string_equal(get_str(cJSON_GetArrayItem(tools, 0), "name"), "ok");
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_missing_input_schema_defaults_to_object(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    assert_int_equal(add_named(srv, "plain"), 0);
    cJSON *resp = tools_list(srv, MCP_V_2025_11_25);
    const cJSON *schema = get(cJSON_GetArrayItem(get(result_of(resp), "tools"), 0), "inputSchema");
    assert_string_equal(get_str(schema, "type"), "object");
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_invalid_output_schema_or_icons_is_rejected(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    assert_int_equal(add_with_schemas(srv, "o1", NULL, "\"x\""), -MCP_EINVAL);
    assert_int_equal(add_with_schemas(srv, "o2", NULL, "{bad"), -MCP_EINVAL);
    mcp_tool t = { .name = "i1", .icons = "{\"src\":\"x\"}", .handler = noop_tool };   /* not an array */
    assert_int_equal(mcp_server_add_tool(srv, &t, NULL), -MCP_EINVAL);
    mcp_server_free(srv);
}

static void test_uncompilable_input_schema_is_rejected(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    /* A remote $ref must never be fetched: the schema is refused. */
    assert_int_equal(add_with_schemas(srv, "r", "{\"type\":\"object\",\"properties\":{\"a\":"
                                                "{\"$ref\":\"https://example.com/s.json\"}}}", NULL),
                     -MCP_EINVAL);
    mcp_server_free(srv);
}

/* ---------------- removal ---------------- */

static void test_removed_tool_is_gone_from_tools_list(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    assert_int_equal(add_named(srv, "keep"), 0);
    assert_int_equal(add_named(srv, "drop"), 0);
    assert_int_equal(mcp_server_remove_tool(srv, "drop"), 0);
    cJSON *resp = tools_list(srv, MCP_V_2025_11_25);
    const cJSON *tools = get(result_of(resp), "tools");
    assert_int_equal(cJSON_GetArraySize(tools), 1);
    assert_non_null(find_by_name(tools, "keep"));
    assert_null(find_by_name(tools, "drop"));
    cJSON_Delete(resp);
    assert_int_equal(mcp_server_remove_tool(srv, "drop"), -MCP_ENOTFOUND);
    assert_int_equal(add_named(srv, "drop"), 0);   /* the name is free again */
    mcp_server_free(srv);
}

static void test_removed_tool_cannot_be_called(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    assert_int_equal(add_named(srv, "gone"), 0);
    assert_int_equal(mcp_server_remove_tool(srv, "gone"), 0);
    cJSON *resp = rpc_legacy(srv, MCP_V_2025_11_25,
                             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"gone\"}}");
    assert_int_equal(error_code_of(resp), JSONRPC_INVALID_PARAMS);
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static int notified;
static char last_note[64];
static void count_broadcast(void *ctx, const cJSON *n, const char *uri)
{
    (void)ctx;
    (void)uri;
    notified++;
    snprintf(last_note, sizeof last_note, "%s", get_str(n, "method"));
}

static void test_registry_changes_broadcast_list_changed(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    notified = 0;
    mcp__notify_subscribe(srv, count_broadcast, NULL);
    assert_int_equal(add_named(srv, "n1"), 0);
    assert_int_equal(notified, 1);
    assert_string_equal(last_note, "notifications/tools/list_changed");
    assert_int_equal(add_named(srv, "n1"), -MCP_EEXIST);
    assert_int_equal(notified, 1);   /* a failed add changes nothing */
    assert_int_equal(mcp_server_remove_tool(srv, "n1"), 0);
    assert_int_equal(notified, 2);
    mcp_prompt p = { .name = "p", .handler = noop_prompt };
    assert_int_equal(mcp_server_add_prompt(srv, &p, NULL), 0);
    assert_string_equal(last_note, "notifications/prompts/list_changed");
    mcp_resource r = { .uri = "test://r", .name = "r", .handler = noop_resource };
    assert_int_equal(mcp_server_add_resource(srv, &r, NULL), 0);
    assert_string_equal(last_note, "notifications/resources/list_changed");
    assert_int_equal(notified, 4);
    mcp_server_free(srv);
}

/* ---------------- version gating of tools/list ---------------- */

static mcp_server *server_with_rich_tool(void)
{
    mcp_server *srv = new_server();
    mcp_tool t = {
        .name = "rich",
        .title = "Rich Tool",
        .description = "has everything",
        .input_schema = "{\"type\":\"object\"}",
        .output_schema = "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}}}",
        .icons = "[{\"src\":\"https://example.com/i.png\",\"mimeType\":\"image/png\"}]",
        .annotations = { .title = "Rich", .read_only = MCP_HINT_TRUE, .destructive = MCP_HINT_FALSE },
        .handler = noop_tool,
    };
    assert_int_equal(mcp_server_add_tool(srv, &t, NULL), 0);
    return srv;
}

static const cJSON *only_tool(const cJSON *resp)
{
    const cJSON *tools = get(result_of(resp), "tools");
    assert_int_equal(cJSON_GetArraySize(tools), 1);
    return cJSON_GetArrayItem(tools, 0);
}

static void test_tools_list_for_2025_03_26_omits_title_output_schema_and_icons(void **state)
{
    (void)state;
    mcp_server *srv = server_with_rich_tool();
    cJSON *resp = tools_list(srv, MCP_V_2025_03_26);
    const cJSON *t = only_tool(resp);
    assert_null(get(t, "title"));
    assert_null(get(t, "outputSchema"));
    assert_null(get(t, "icons"));
    assert_string_equal(get_str(t, "description"), "has everything");
    assert_true(cJSON_IsObject(get(t, "inputSchema")));
    const cJSON *ann = get(t, "annotations");
    assert_true(cJSON_IsTrue(get(ann, "readOnlyHint")));
    assert_true(cJSON_IsFalse(get(ann, "destructiveHint")));
    assert_null(get(ann, "idempotentHint"));   /* unset hints are not sent */
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_tools_list_for_2024_11_05_also_omits_annotations(void **state)
{
    (void)state;
    mcp_server *srv = server_with_rich_tool();
    cJSON *resp = tools_list(srv, MCP_V_2024_11_05);
    const cJSON *t = only_tool(resp);
    assert_null(get(t, "annotations"));
    assert_null(get(t, "title"));
    assert_non_null(get(t, "inputSchema"));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_tools_list_for_2025_06_18_omits_only_icons(void **state)
{
    (void)state;
    mcp_server *srv = server_with_rich_tool();
    cJSON *resp = tools_list(srv, MCP_V_2025_06_18);
    const cJSON *t = only_tool(resp);
    assert_string_equal(get_str(t, "title"), "Rich Tool");
    assert_true(cJSON_IsObject(get(t, "outputSchema")));
    assert_null(get(t, "icons"));
    assert_non_null(get(t, "annotations"));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_tools_list_for_2025_11_25_has_every_field(void **state)
{
    (void)state;
    mcp_server *srv = server_with_rich_tool();
    cJSON *resp = tools_list(srv, MCP_V_2025_11_25);
    const cJSON *t = only_tool(resp);
    assert_string_equal(get_str(t, "name"), "rich");
    assert_string_equal(get_str(t, "title"), "Rich Tool");
    assert_true(cJSON_IsObject(get(t, "outputSchema")));
    assert_int_equal(cJSON_GetArraySize(get(t, "icons")), 1);
    assert_string_equal(get_str(get(t, "annotations"), "title"), "Rich");
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_tool_without_annotations_lists_none(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    assert_int_equal(add_named(srv, "bare"), 0);
    cJSON *resp = tools_list(srv, MCP_V_2025_11_25);
    const cJSON *t = only_tool(resp);
    assert_null(get(t, "annotations"));
    assert_null(get(t, "title"));
    assert_null(get(t, "outputSchema"));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_tools_list_keeps_registration_order(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    static const char *const names[] = {"zeta", "alpha", "mid"};
    for (int i = 0; i < 3; i++)
        assert_int_equal(add_named(srv, names[i]), 0);
    for (int round = 0; round < 2; round++) {   /* deterministic across calls */
        cJSON *resp = tools_list(srv, MCP_V_2025_11_25);
        const cJSON *tools = get(result_of(resp), "tools");
        for (int i = 0; i < 3; i++)
            assert_string_equal(get_str(cJSON_GetArrayItem(tools, i), "name"), names[i]);
        cJSON_Delete(resp);
    }
    mcp_server_free(srv);
}

/* ---------------- resources and prompts ---------------- */

static void test_resource_needs_exactly_one_of_uri_and_template(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    mcp_resource both = { .uri = "a://b", .uri_template = "a://{x}", .name = "n", .handler = noop_resource };
    mcp_resource none = { .name = "n", .handler = noop_resource };
    mcp_resource noname = { .uri = "a://b", .handler = noop_resource };
    mcp_resource nohandler = { .uri = "a://b", .name = "n" };
    assert_int_equal(mcp_server_add_resource(srv, &both, NULL), -MCP_EINVAL);
    assert_int_equal(mcp_server_add_resource(srv, &none, NULL), -MCP_EINVAL);
    assert_int_equal(mcp_server_add_resource(srv, &noname, NULL), -MCP_EINVAL);
    assert_int_equal(mcp_server_add_resource(srv, &nohandler, NULL), -MCP_EINVAL);
    mcp_server_free(srv);
}

static void test_resource_template_must_be_level_1(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    static const char *const bad[] = {
        "a://{+path}", "a://{#frag}", "a://{?q}", "a://{}", "a://{x", "a://x}", "a://{{x}}", "a://{/p}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mcp_resource r = { .uri_template = bad[i], .name = "n", .handler = noop_resource };
        if (mcp_server_add_resource(srv, &r, NULL) != -MCP_EINVAL)
            fail_msg("template \"%s\" was not rejected", bad[i]);
    }
    mcp_resource ok = { .uri_template = "a://{x}/b/{y}", .name = "n", .handler = noop_resource };
    assert_int_equal(mcp_server_add_resource(srv, &ok, NULL), 0);
    mcp_server_free(srv);
}

static void test_duplicate_resource_uri_is_eexist_and_removal_works(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    mcp_resource r = { .uri = "test://same", .name = "n", .handler = noop_resource };
    assert_int_equal(mcp_server_add_resource(srv, &r, NULL), 0);
    assert_int_equal(mcp_server_add_resource(srv, &r, NULL), -MCP_EEXIST);
    assert_int_equal(mcp_server_remove_resource(srv, "test://same"), 0);
    assert_int_equal(mcp_server_remove_resource(srv, "test://same"), -MCP_ENOTFOUND);
    cJSON *resp = rpc_legacy(srv, MCP_V_2025_11_25, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/list\"}");
    assert_int_equal(cJSON_GetArraySize(get(result_of(resp), "resources")), 0);
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_prompt_names_follow_tool_name_rules_and_are_unique(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    mcp_prompt bad = { .name = "has space", .handler = noop_prompt };
    mcp_prompt ok = { .name = "greet", .handler = noop_prompt };
    mcp_prompt nohandler = { .name = "x" };
    assert_int_equal(mcp_server_add_prompt(srv, &bad, NULL), -MCP_EINVAL);
    assert_int_equal(mcp_server_add_prompt(srv, &nohandler, NULL), -MCP_EINVAL);
    assert_int_equal(mcp_server_add_prompt(srv, &ok, NULL), 0);
    assert_int_equal(mcp_server_add_prompt(srv, &ok, NULL), -MCP_EEXIST);
    assert_int_equal(mcp_server_remove_prompt(srv, "greet"), 0);
    assert_int_equal(mcp_server_remove_prompt(srv, "greet"), -MCP_ENOTFOUND);
    mcp_server_free(srv);
}

static void test_server_needs_name_and_version(void **state)
{
    (void)state;
    mcp_server_info no_name = { .version = "1" };
    mcp_server_info no_version = { .name = "x" };
    assert_null(mcp_server_new(NULL));
    assert_null(mcp_server_new(&no_name));
    assert_null(mcp_server_new(&no_version));
}

/* Removed tools, resources and prompts are reclaimed once no call holds
 * them: they used to wait in a graveyard until mcp_server_free, so a server
 * that adds and removes tools grew without bound. */
static long live_during_call;

static int remove_myself(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args;
    mcp_server *srv = ud;
    int rc = mcp_server_remove_tool(srv, "self");
    live_during_call = mcp__entry_live_count();   /* the call still holds the entry */
    return rc < 0 ? rc : mcp_call_text(call, "removed while running");
}

static void test_removed_entries_are_reclaimed(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    long base = mcp__entry_live_count();
    for (int i = 0; i < 1000; i++) {
        char name[32];
        snprintf(name, sizeof name, "churn%d", i);
        mcp_tool t = { .name = name, .handler = noop_tool };
        assert_int_equal(mcp_server_add_tool(srv, &t, NULL), 0);
        assert_int_equal(mcp_server_remove_tool(srv, name), 0);
        mcp_prompt p = { .name = name, .handler = noop_prompt };
        assert_int_equal(mcp_server_add_prompt(srv, &p, NULL), 0);
        assert_int_equal(mcp_server_remove_prompt(srv, name), 0);
    }
    assert_int_equal(mcp__entry_live_count(), base);
    mcp_tool self = { .name = "self", .handler = remove_myself };
    assert_int_equal(mcp_server_add_tool(srv, &self, srv), 0);
    assert_int_equal(mcp__entry_live_count(), base + 1);
    fake_ex *f = fake_legacy(NULL, MCP_V_2025_06_18);
    fake_dispatch(srv, f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"self\"}}");
    assert_true(fake_wait_complete(f, FAKE_WAIT_MS));
    assert_int_equal(live_during_call, base + 1);     /* removed, still alive for its call */
    assert_string_equal(content_text(result_of(f->response), 0), "removed while running");
    assert_int_equal(mcp__entry_live_count(), base);  /* freed when the call ended */
    fake_free(f);
    mcp_server_free(srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_removed_entries_are_reclaimed),
        cmocka_unit_test(test_tool_name_of_1_and_128_allowed_chars_is_accepted),
        cmocka_unit_test(test_empty_tool_name_is_rejected),
        cmocka_unit_test(test_tool_name_of_129_chars_is_rejected),
        cmocka_unit_test(test_tool_name_with_space_or_other_chars_is_rejected),
        cmocka_unit_test(test_tool_without_handler_is_rejected),
        cmocka_unit_test(test_duplicate_tool_name_is_eexist),
        cmocka_unit_test(test_input_schema_must_be_an_object_schema),
        cmocka_unit_test(test_missing_input_schema_defaults_to_object),
        cmocka_unit_test(test_invalid_output_schema_or_icons_is_rejected),
        cmocka_unit_test(test_uncompilable_input_schema_is_rejected),
        cmocka_unit_test(test_removed_tool_is_gone_from_tools_list),
        cmocka_unit_test(test_removed_tool_cannot_be_called),
        cmocka_unit_test(test_registry_changes_broadcast_list_changed),
        cmocka_unit_test(test_tools_list_for_2025_03_26_omits_title_output_schema_and_icons),
        cmocka_unit_test(test_tools_list_for_2024_11_05_also_omits_annotations),
        cmocka_unit_test(test_tools_list_for_2025_06_18_omits_only_icons),
        cmocka_unit_test(test_tools_list_for_2025_11_25_has_every_field),
        cmocka_unit_test(test_tool_without_annotations_lists_none),
        cmocka_unit_test(test_tools_list_keeps_registration_order),
        cmocka_unit_test(test_resource_needs_exactly_one_of_uri_and_template),
        cmocka_unit_test(test_resource_template_must_be_level_1),
        cmocka_unit_test(test_duplicate_resource_uri_is_eexist_and_removal_works),
        cmocka_unit_test(test_prompt_names_follow_tool_name_rules_and_are_unique),
        cmocka_unit_test(test_server_needs_name_and_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
