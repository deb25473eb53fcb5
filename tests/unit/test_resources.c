/* core/resources (checklist §4.2): direct URIs match before templates;
 * level-1 templates bind their variables; a missing resource is -32002 for
 * legacy clients and -32602 for modern ones; lists separate resources from
 * templates; legacy subscribe/unsubscribe keep the session's list. */
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
    int calls;
    cJSON *vars;          /* copy of the last vars, or NULL */
    bool vars_null;
    char uri[128];
} res_probe;

static int record_resource(mcp_call *call, const char *uri, const cJSON *vars, void *ud)
{
    res_probe *p = ud;
    p->calls++;
    cJSON_Delete(p->vars);
    p->vars = vars ? cJSON_Duplicate(vars, 1) : NULL;
    p->vars_null = vars == NULL;
    snprintf(p->uri, sizeof p->uri, "%s", uri);
    char text[160];
    snprintf(text, sizeof text, "content of %s", uri);
    return mcp_call_resource_text(call, uri, "text/plain", text);
}

static int missing_resource(mcp_call *call, const char *uri, const cJSON *vars, void *ud)
{
    (void)call; (void)uri; (void)vars; (void)ud;
    return -MCP_ENOTFOUND;
}

static int failing_resource(mcp_call *call, const char *uri, const cJSON *vars, void *ud)
{
    (void)call; (void)uri; (void)vars; (void)ud;
    return -MCP_EIO;
}

static int blob_resource(mcp_call *call, const char *uri, const cJSON *vars, void *ud)
{
    (void)vars; (void)ud;
    return mcp_call_resource_blob(call, uri, "application/octet-stream", "AAEC");
}

typedef struct {
    res_probe direct, tmpl, exact;
} probes;

static mcp_server *srv_with_resources(probes *p)
{
    mcp_server *srv = new_server();
    mcp_resource direct = { .uri = "test://static", .name = "static", .mime_type = "text/plain",
                            .handler = record_resource };
    mcp_resource tmpl = { .uri_template = "test://template/{id}/data", .name = "tmpl",
                          .handler = record_resource, .blocking = true };
    mcp_resource exact = { .uri = "test://template/9/data", .name = "nine", .handler = record_resource };
    mcp_resource gone = { .uri = "test://gone", .name = "gone", .handler = missing_resource };
    mcp_resource broken = { .uri = "test://broken", .name = "broken", .handler = failing_resource };
    mcp_resource blob = { .uri = "test://blob", .name = "blob", .handler = blob_resource };
    mcp_resource two = { .uri_template = "test://pair/{a}-{b}", .name = "pair", .handler = record_resource };
    assert_int_equal(mcp_server_add_resource(srv, &direct, &p->direct), 0);
    assert_int_equal(mcp_server_add_resource(srv, &tmpl, &p->tmpl), 0);
    assert_int_equal(mcp_server_add_resource(srv, &exact, &p->exact), 0);
    assert_int_equal(mcp_server_add_resource(srv, &gone, NULL), 0);
    assert_int_equal(mcp_server_add_resource(srv, &broken, NULL), 0);
    assert_int_equal(mcp_server_add_resource(srv, &blob, NULL), 0);
    assert_int_equal(mcp_server_add_resource(srv, &two, &p->tmpl), 0);
    return srv;
}

static void free_probes(probes *p)
{
    cJSON_Delete(p->direct.vars);
    cJSON_Delete(p->tmpl.vars);
    cJSON_Delete(p->exact.vars);
}

static cJSON *read_uri(mcp_server *srv, mcp_era era, const char *uri)
{
    char buf[512];
    snprintf(buf, sizeof buf, "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"resources/read\",\"params\":{\"uri\":\"%s\"}}", uri);
    return rpc(srv, NULL, era, era == MCP_ERA_MODERN ? MCP_V_2026_07_28 : MCP_V_2025_11_25, buf);
}

static void test_direct_uri_read_returns_contents(void **state)
{
    (void)state;
    probes p = {0};
    mcp_server *srv = srv_with_resources(&p);
    cJSON *resp = read_uri(srv, MCP_ERA_LEGACY, "test://static");
    const cJSON *contents = get(result_of(resp), "contents");
    assert_int_equal(cJSON_GetArraySize(contents), 1);
    const cJSON *c = cJSON_GetArrayItem(contents, 0);
    assert_string_equal(get_str(c, "uri"), "test://static");
    assert_string_equal(get_str(c, "mimeType"), "text/plain");
    assert_string_equal(get_str(c, "text"), "content of test://static");
    assert_int_equal(p.direct.calls, 1);
    assert_true(p.direct.vars_null);   /* a direct resource has no variables */
    cJSON_Delete(resp);
    free_probes(&p);
    mcp_server_free(srv);
}

static void test_template_match_binds_variables(void **state)
{
    (void)state;
    probes p = {0};
    mcp_server *srv = srv_with_resources(&p);
    cJSON *resp = read_uri(srv, MCP_ERA_LEGACY, "test://template/123/data");
    const cJSON *c = cJSON_GetArrayItem(get(result_of(resp), "contents"), 0);
    assert_string_equal(get_str(c, "text"), "content of test://template/123/data");
    assert_int_equal(p.tmpl.calls, 1);
    assert_string_equal(p.tmpl.uri, "test://template/123/data");
    cJSON *want = cJSON_Parse("{\"id\":\"123\"}");
    assert_true(cJSON_Compare(p.tmpl.vars, want, true));
    cJSON_Delete(want);
    cJSON_Delete(resp);
    free_probes(&p);
    mcp_server_free(srv);
}

static void test_template_with_two_variables_binds_both(void **state)
{
    (void)state;
    probes p = {0};
    mcp_server *srv = srv_with_resources(&p);
    cJSON *resp = read_uri(srv, MCP_ERA_LEGACY, "test://pair/left-right");
    result_of(resp);
    cJSON *want = cJSON_Parse("{\"a\":\"left\",\"b\":\"right\"}");
    assert_true(cJSON_Compare(p.tmpl.vars, want, true));
    cJSON_Delete(want);
    cJSON_Delete(resp);
    free_probes(&p);
    mcp_server_free(srv);
}

static void test_direct_uri_wins_over_matching_template(void **state)
{
    (void)state;
    probes p = {0};
    mcp_server *srv = srv_with_resources(&p);
    cJSON *resp = read_uri(srv, MCP_ERA_LEGACY, "test://template/9/data");
    result_of(resp);
    assert_int_equal(p.exact.calls, 1);
    assert_int_equal(p.tmpl.calls, 0);
    cJSON_Delete(resp);
    free_probes(&p);
    mcp_server_free(srv);
}

static void expect_not_found(mcp_server *srv, mcp_era era, const char *uri, int code)
{
    cJSON *resp = read_uri(srv, era, uri);
    if (error_code_of(resp) != code)
        fail_msg("read %s gave %d, expected %d", uri, error_code_of(resp), code);
    assert_int_equal(get(resp, "id")->valueint, 8);
    const cJSON *data = get(get(resp, "error"), "data");
    assert_string_equal(get_str(data, "uri"), uri);
    cJSON_Delete(resp);
}

static void test_uri_matching_nothing_is_32002_for_legacy(void **state)
{
    (void)state;
    probes p = {0};
    mcp_server *srv = srv_with_resources(&p);
    expect_not_found(srv, MCP_ERA_LEGACY, "test://template/123/other", MCP_ERR_RESOURCE_NOT_FOUND);
    expect_not_found(srv, MCP_ERA_LEGACY, "test://nothing", MCP_ERR_RESOURCE_NOT_FOUND);
    expect_not_found(srv, MCP_ERA_LEGACY, "test://template//data", MCP_ERR_RESOURCE_NOT_FOUND);  /* empty var */
    expect_not_found(srv, MCP_ERA_LEGACY, "test://template/1/2/data", MCP_ERR_RESOURCE_NOT_FOUND); /* var spans '/' */
    expect_not_found(srv, MCP_ERA_LEGACY, "test://static/extra", MCP_ERR_RESOURCE_NOT_FOUND);
    assert_int_equal(p.tmpl.calls + p.direct.calls, 0);
    free_probes(&p);
    mcp_server_free(srv);
}

static void test_handler_not_found_is_32002_for_legacy(void **state)
{
    (void)state;
    probes p = {0};
    mcp_server *srv = srv_with_resources(&p);
    expect_not_found(srv, MCP_ERA_LEGACY, "test://gone", MCP_ERR_RESOURCE_NOT_FOUND);
    free_probes(&p);
    mcp_server_free(srv);
}

static void test_resource_not_found_is_32602_for_modern(void **state)
{
    (void)state;
    probes p = {0};
    mcp_server *srv = srv_with_resources(&p);
    expect_not_found(srv, MCP_ERA_MODERN, "test://nothing", JSONRPC_INVALID_PARAMS);
    expect_not_found(srv, MCP_ERA_MODERN, "test://gone", JSONRPC_INVALID_PARAMS);
    free_probes(&p);
    mcp_server_free(srv);
}

static void test_handler_failure_is_internal_error(void **state)
{
    (void)state;
    probes p = {0};
    mcp_server *srv = srv_with_resources(&p);
    cJSON *resp = read_uri(srv, MCP_ERA_LEGACY, "test://broken");
    assert_int_equal(error_code_of(resp), JSONRPC_INTERNAL_ERROR);
    cJSON_Delete(resp);
    free_probes(&p);
    mcp_server_free(srv);
}

static void test_blob_contents_are_returned(void **state)
{
    (void)state;
    probes p = {0};
    mcp_server *srv = srv_with_resources(&p);
    cJSON *resp = read_uri(srv, MCP_ERA_LEGACY, "test://blob");
    const cJSON *c = cJSON_GetArrayItem(get(result_of(resp), "contents"), 0);
    assert_string_equal(get_str(c, "blob"), "AAEC");
    assert_null(get(c, "text"));
    cJSON_Delete(resp);
    free_probes(&p);
    mcp_server_free(srv);
}

static void test_read_without_uri_is_invalid_params(void **state)
{
    (void)state;
    probes p = {0};
    mcp_server *srv = srv_with_resources(&p);
    cJSON *resp = rpc_legacy(srv, MCP_V_2025_11_25,
                             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/read\",\"params\":{\"uri\":5}}");
    assert_int_equal(error_code_of(resp), JSONRPC_INVALID_PARAMS);
    cJSON_Delete(resp);
    free_probes(&p);
    mcp_server_free(srv);
}

static void test_lists_separate_resources_from_templates(void **state)
{
    (void)state;
    probes p = {0};
    mcp_server *srv = srv_with_resources(&p);
    cJSON *resp = rpc_legacy(srv, MCP_V_2025_11_25, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/list\"}");
    const cJSON *list = get(result_of(resp), "resources");
    assert_int_equal(cJSON_GetArraySize(list), 5);
    for (const cJSON *r = list->child; r; r = r->next) {
        assert_non_null(get_str(r, "uri"));
        assert_null(get(r, "uriTemplate"));
    }
    assert_string_equal(get_str(cJSON_GetArrayItem(list, 0), "name"), "static");
    assert_string_equal(get_str(cJSON_GetArrayItem(list, 0), "mimeType"), "text/plain");
    cJSON_Delete(resp);
    resp = rpc_legacy(srv, MCP_V_2025_11_25, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"resources/templates/list\"}");
    list = get(result_of(resp), "resourceTemplates");
    assert_int_equal(cJSON_GetArraySize(list), 2);
    assert_string_equal(get_str(cJSON_GetArrayItem(list, 0), "uriTemplate"), "test://template/{id}/data");
    assert_null(get(cJSON_GetArrayItem(list, 0), "uri"));
    cJSON_Delete(resp);
    free_probes(&p);
    mcp_server_free(srv);
}

static void test_subscribe_and_unsubscribe_track_the_session(void **state)
{
    (void)state;
    probes p = {0};
    mcp_server *srv = srv_with_resources(&p);
    mcp_session *s = mcp__session_new();
    const char *sub = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/subscribe\",\"params\":{\"uri\":\"test://static\"}}";
    cJSON *resp = rpc(srv, s, MCP_ERA_LEGACY, MCP_V_2025_11_25, sub);
    result_of(resp);
    cJSON_Delete(resp);
    resp = rpc(srv, s, MCP_ERA_LEGACY, MCP_V_2025_11_25, sub);   /* twice: kept once */
    cJSON_Delete(resp);
    assert_int_equal(cJSON_GetArraySize(s->subscriptions), 1);
    assert_string_equal(cJSON_GetArrayItem(s->subscriptions, 0)->valuestring, "test://static");
    resp = rpc(srv, s, MCP_ERA_LEGACY, MCP_V_2025_11_25,
               "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"resources/unsubscribe\",\"params\":{\"uri\":\"test://static\"}}");
    result_of(resp);
    cJSON_Delete(resp);
    assert_int_equal(cJSON_GetArraySize(s->subscriptions), 0);
    resp = rpc(srv, s, MCP_ERA_LEGACY, MCP_V_2025_11_25,
               "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"resources/subscribe\",\"params\":{}}");
    assert_int_equal(error_code_of(resp), JSONRPC_INVALID_PARAMS);
    cJSON_Delete(resp);
    mcp__session_unref(s);
    free_probes(&p);
    mcp_server_free(srv);
}

/* Stateless: no session, no channel for resources/updated: a clear -32601. */
static void test_subscribe_without_a_session_is_method_not_found(void **state)
{
    (void)state;
    probes p = {0};
    mcp_server *srv = srv_with_resources(&p);
    cJSON *resp = rpc_legacy(srv, MCP_V_2025_11_25,
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/subscribe\",\"params\":{\"uri\":\"test://static\"}}");
    assert_int_equal(error_code_of(resp), JSONRPC_METHOD_NOT_FOUND);
    const char *msg = cJSON_GetStringValue(get(get(resp, "error"), "message"));
    assert_non_null(msg);
    assert_non_null(strstr(msg, "needs a session"));
    cJSON_Delete(resp);
    resp = rpc_legacy(srv, MCP_V_2025_11_25,
        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"resources/unsubscribe\",\"params\":{\"uri\":\"test://static\"}}");
    assert_int_equal(error_code_of(resp), JSONRPC_METHOD_NOT_FOUND);
    cJSON_Delete(resp);
    free_probes(&p);
    mcp_server_free(srv);
}

static void test_resource_definitions_are_gated_by_version(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    mcp_resource r = { .uri = "test://titled", .name = "titled", .title = "Titled", .description = "d",
                       .icons = "[{\"src\":\"https://example.com/r.png\"}]", .handler = record_resource };
    mcp_resource t = { .uri_template = "test://t/{x}", .name = "tt", .title = "Template",
                       .icons = "[{\"src\":\"https://example.com/t.png\"}]", .handler = record_resource };
    res_probe p = {0};
    assert_int_equal(mcp_server_add_resource(srv, &r, &p), 0);
    assert_int_equal(mcp_server_add_resource(srv, &t, &p), 0);
    static const struct { mcp__revision v; bool title, icons; } cases[] = {
        {MCP_V_2025_03_26, false, false}, {MCP_V_2025_06_18, true, false}, {MCP_V_2025_11_25, true, true},
    };
    for (size_t i = 0; i < 3; i++) {
        cJSON *resp = rpc_legacy(srv, cases[i].v, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/list\"}");
        const cJSON *d = cJSON_GetArrayItem(get(result_of(resp), "resources"), 0);
        assert_int_equal(get(d, "title") != NULL, cases[i].title);
        assert_int_equal(get(d, "icons") != NULL, cases[i].icons);
        assert_string_equal(get_str(d, "description"), "d");
        cJSON_Delete(resp);
        resp = rpc_legacy(srv, cases[i].v, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/templates/list\"}");
        d = cJSON_GetArrayItem(get(result_of(resp), "resourceTemplates"), 0);
        assert_int_equal(get(d, "title") != NULL, cases[i].title);
        assert_int_equal(get(d, "icons") != NULL, cases[i].icons);
        cJSON_Delete(resp);
    }
    mcp_server_free(srv);
}

static int updates;
static char updated_uri[64];
static void on_broadcast(void *ctx, const cJSON *n, const char *uri)
{
    (void)ctx;
    if (uri && strcmp(get_str(n, "method"), "notifications/resources/updated") == 0) {
        updates++;
        snprintf(updated_uri, sizeof updated_uri, "%s", get_str(get(n, "params"), "uri"));
    }
}

static void test_resource_updated_broadcasts_the_uri(void **state)
{
    (void)state;
    probes p = {0};
    mcp_server *srv = srv_with_resources(&p);
    updates = 0;
    mcp__notify_subscribe(srv, on_broadcast, NULL);
    mcp_server_resource_updated(srv, "test://static");
    assert_int_equal(updates, 1);
    assert_string_equal(updated_uri, "test://static");
    free_probes(&p);
    mcp_server_free(srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_direct_uri_read_returns_contents),
        cmocka_unit_test(test_template_match_binds_variables),
        cmocka_unit_test(test_template_with_two_variables_binds_both),
        cmocka_unit_test(test_direct_uri_wins_over_matching_template),
        cmocka_unit_test(test_uri_matching_nothing_is_32002_for_legacy),
        cmocka_unit_test(test_handler_not_found_is_32002_for_legacy),
        cmocka_unit_test(test_resource_not_found_is_32602_for_modern),
        cmocka_unit_test(test_handler_failure_is_internal_error),
        cmocka_unit_test(test_blob_contents_are_returned),
        cmocka_unit_test(test_read_without_uri_is_invalid_params),
        cmocka_unit_test(test_lists_separate_resources_from_templates),
        cmocka_unit_test(test_subscribe_and_unsubscribe_track_the_session),
        cmocka_unit_test(test_subscribe_without_a_session_is_method_not_found),
        cmocka_unit_test(test_resource_definitions_are_gated_by_version),
        cmocka_unit_test(test_resource_updated_broadcasts_the_uri),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
