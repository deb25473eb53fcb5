/* core/apps (MCP Apps, io.modelcontextprotocol/ui): mcp_server_add_app
 * serves a ui:// resource as text/html;profile=mcp-app with its _meta.ui
 * (csp domains, permissions, domain, prefersBorder) on the list entry and
 * the content item, from an HTML string or file; a tool's ui_resource_uri
 * becomes _meta.ui.resourceUri plus the flat "ui/resourceUri", with its
 * visibility; the extension is declared ({}) in both eras only then; bad
 * input is -MCP_EINVAL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_exchange.h"

static const char page[] = "<!doctype html>\n<html><body><p>hi</p></body></html>\n";

static int noop_tool(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args; (void)ud;
    return mcp_call_text(call, "ok");
}

static cJSON *call_json(mcp_server *srv, mcp_era era, const char *method, const char *params)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"%s\",\"params\":%s}", method, params);
    return rpc(srv, NULL, era, era == MCP_ERA_MODERN ? MCP_V_2026_07_28 : MCP_V_2025_11_25, buf);
}

static const cJSON *ui_extension(mcp_server *srv, mcp_era era, cJSON **resp)
{
    *resp = era == MCP_ERA_MODERN
        ? call_json(srv, era, "server/discover", "{}")
        : call_json(srv, era, "initialize", "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                                            "\"clientInfo\":{\"name\":\"c\",\"version\":\"1\"}}");
    return get(get(get(result_of(*resp), "capabilities"), "extensions"), "io.modelcontextprotocol/ui");
}

static void test_app_resource_has_mime_and_ui_meta_on_list_and_content(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    static const char *const connect[] = { "https://api.example.com", NULL };
    static const char *const res[] = { "https://cdn.example.com", NULL };
    mcp_app app = { .uri = "ui://todo/list.html", .name = "todo-list", .description = "Todo list", .html = page,
                    .csp = { .connect_domains = connect, .resource_domains = res },
                    .permissions = { .clipboard_write = true }, .prefers_border = MCP_HINT_TRUE };
    assert_int_equal(mcp_server_add_app(srv, &app), 0);

    cJSON *resp = call_json(srv, MCP_ERA_LEGACY, "resources/list", "{}");
    const cJSON *entry = cJSON_GetArrayItem(get(result_of(resp), "resources"), 0);
    assert_string_equal(get_str(entry, "uri"), "ui://todo/list.html");
    assert_string_equal(get_str(entry, "mimeType"), "text/html;profile=mcp-app");
    const cJSON *ui = get(get(entry, "_meta"), "ui");
    assert_string_equal(cJSON_GetArrayItem(get(get(ui, "csp"), "connectDomains"), 0)->valuestring, "https://api.example.com");
    cJSON_Delete(resp);

    resp = call_json(srv, MCP_ERA_LEGACY, "resources/read", "{\"uri\":\"ui://todo/list.html\"}");
    const cJSON *c = cJSON_GetArrayItem(get(result_of(resp), "contents"), 0);
    assert_string_equal(get_str(c, "mimeType"), "text/html;profile=mcp-app");
    assert_string_equal(get_str(c, "text"), page);
    ui = get(get(c, "_meta"), "ui");
    assert_non_null(ui);
    const cJSON *csp = get(ui, "csp");
    assert_string_equal(cJSON_GetArrayItem(get(csp, "resourceDomains"), 0)->valuestring, "https://cdn.example.com");
    assert_null(get(csp, "frameDomains"));              /* omitted list: none */
    assert_true(cJSON_IsObject(get(get(ui, "permissions"), "clipboardWrite")));
    assert_null(get(get(ui, "permissions"), "camera"));
    assert_true(cJSON_IsTrue(get(ui, "prefersBorder")));
    cJSON_Delete(resp);

    const cJSON *ext = ui_extension(srv, MCP_ERA_LEGACY, &resp);
    assert_true(cJSON_IsObject(ext));
    assert_null(ext->child);                            /* {} */
    cJSON_Delete(resp);
    ext = ui_extension(srv, MCP_ERA_MODERN, &resp);
    assert_true(cJSON_IsObject(ext));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_app_without_options_sends_no_ui_meta(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    mcp_app app = { .uri = "ui://plain", .name = "plain", .html = page };
    assert_int_equal(mcp_server_add_app(srv, &app), 0);
    cJSON *resp = call_json(srv, MCP_ERA_LEGACY, "resources/read", "{\"uri\":\"ui://plain\"}");
    assert_null(get(cJSON_GetArrayItem(get(result_of(resp), "contents"), 0), "_meta"));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_app_from_file_is_read_once(void **state)
{
    (void)state;
    char path[] = "/tmp/mcp-app-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, page, strlen(page)), (ssize_t)strlen(page));
    close(fd);
    mcp_server *srv = new_server();
    mcp_app app = { .uri = "ui://file", .name = "file", .html_file = path };
    assert_int_equal(mcp_server_add_app(srv, &app), 0);
    unlink(path);                                       /* served from memory */
    cJSON *resp = call_json(srv, MCP_ERA_MODERN, "resources/read", "{\"uri\":\"ui://file\"}");
    assert_string_equal(get_str(cJSON_GetArrayItem(get(result_of(resp), "contents"), 0), "text"), page);
    cJSON_Delete(resp);
    app.html_file = "/nonexistent/app.html";
    app.uri = "ui://missing";
    assert_int_equal(mcp_server_add_app(srv, &app), -MCP_EIO);
    mcp_server_free(srv);
}

static void test_bad_apps_are_rejected(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    static const char *const bad_domain[] = { "https://a.example.com; script-src *", NULL };
    mcp_app bad[] = {
        { .uri = "https://x/app", .name = "x", .html = page },           /* not ui:// */
        { .uri = "ui://", .name = "x", .html = page },
        { .uri = "ui://x", .html = page },                               /* no name */
        { .uri = "ui://x", .name = "x" },                                /* no HTML */
        { .uri = "ui://x", .name = "x", .html = page, .html_file = "/tmp/x" },   /* two sources */
        { .uri = "ui://x", .name = "x", .html = "just text" },           /* not HTML */
        { .uri = "ui://x", .name = "x", .html = "<html>\xff</html>" },   /* not UTF-8 */
        { .uri = "ui://x", .name = "x", .html = page, .csp = { .frame_domains = bad_domain } },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (mcp_server_add_app(srv, &bad[i]) != -MCP_EINVAL)
            fail_msg("bad app #%zu accepted", i);
    /* Nothing declared by failed registrations. */
    cJSON *resp;
    assert_null(ui_extension(srv, MCP_ERA_MODERN, &resp));
    cJSON_Delete(resp);
    mcp_app comment_first = { .uri = "ui://ok", .name = "ok", .html = "<!-- c -->\n<HTML></HTML>" };
    assert_int_equal(mcp_server_add_app(srv, &comment_first), 0);
    assert_int_equal(mcp_server_add_app(srv, &comment_first), -MCP_EEXIST);
    mcp_server_free(srv);
}

static void test_tool_ui_link_and_visibility(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    mcp_tool shown = { .name = "list", .handler = noop_tool, .ui_resource_uri = "ui://todo/list.html",
                       .meta = "{\"other\":1,\"ui\":{\"keep\":true}}" };
    mcp_tool app_only = { .name = "refresh", .handler = noop_tool, .ui_resource_uri = "ui://todo/list.html",
                          .ui_visibility = MCP_UI_VISIBILITY_APP_ONLY };
    mcp_tool both = { .name = "both", .handler = noop_tool, .ui_resource_uri = "ui://todo/list.html",
                      .ui_visibility = MCP_UI_VISIBILITY_MODEL_AND_APP };
    assert_int_equal(mcp_server_add_tool(srv, &shown, NULL), 0);
    assert_int_equal(mcp_server_add_tool(srv, &app_only, NULL), 0);
    assert_int_equal(mcp_server_add_tool(srv, &both, NULL), 0);
    cJSON *resp = call_json(srv, MCP_ERA_LEGACY, "tools/list", "{}");
    const cJSON *tools = get(result_of(resp), "tools");
    const cJSON *m = get(cJSON_GetArrayItem(tools, 0), "_meta");
    assert_string_equal(get_str(get(m, "ui"), "resourceUri"), "ui://todo/list.html");
    assert_string_equal(get_str(m, "ui/resourceUri"), "ui://todo/list.html");
    assert_true(cJSON_IsTrue(get(get(m, "ui"), "keep")));      /* merged with the tool's own _meta */
    assert_int_equal(get(m, "other")->valueint, 1);
    assert_null(get(get(m, "ui"), "visibility"));
    const cJSON *vis = get(get(get(cJSON_GetArrayItem(tools, 1), "_meta"), "ui"), "visibility");
    assert_int_equal(cJSON_GetArraySize(vis), 1);
    assert_string_equal(cJSON_GetArrayItem(vis, 0)->valuestring, "app");
    vis = get(get(get(cJSON_GetArrayItem(tools, 2), "_meta"), "ui"), "visibility");
    assert_int_equal(cJSON_GetArraySize(vis), 2);
    assert_string_equal(cJSON_GetArrayItem(vis, 0)->valuestring, "model");
    cJSON_Delete(resp);
    /* A tool with a UI declares the extension by itself. */
    assert_non_null(ui_extension(srv, MCP_ERA_LEGACY, &resp));
    cJSON_Delete(resp);

    mcp_tool bad_uri = { .name = "b1", .handler = noop_tool, .ui_resource_uri = "https://x" };
    mcp_tool vis_only = { .name = "b2", .handler = noop_tool, .ui_visibility = MCP_UI_VISIBILITY_APP_ONLY };
    mcp_tool bad_ui_meta = { .name = "b3", .handler = noop_tool, .ui_resource_uri = "ui://x", .meta = "{\"ui\":3}" };
    assert_int_equal(mcp_server_add_tool(srv, &bad_uri, NULL), -MCP_EINVAL);
    assert_int_equal(mcp_server_add_tool(srv, &vis_only, NULL), -MCP_EINVAL);
    assert_int_equal(mcp_server_add_tool(srv, &bad_ui_meta, NULL), -MCP_EINVAL);
    mcp_server_free(srv);
}

static void test_plain_server_declares_no_ui_extension(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    mcp_tool t = { .name = "t", .handler = noop_tool };
    assert_int_equal(mcp_server_add_tool(srv, &t, NULL), 0);
    cJSON *resp;
    assert_null(ui_extension(srv, MCP_ERA_LEGACY, &resp));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_app_resource_has_mime_and_ui_meta_on_list_and_content),
        cmocka_unit_test(test_app_without_options_sends_no_ui_meta),
        cmocka_unit_test(test_app_from_file_is_read_once),
        cmocka_unit_test(test_bad_apps_are_rejected),
        cmocka_unit_test(test_tool_ui_link_and_visibility),
        cmocka_unit_test(test_plain_server_declares_no_ui_extension),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
