/* core/era: which protocol eras a server offers (mcp_server_set_eras).
 * The default offers 2026-07-28 except where the transport has sessions
 * while a session-scoped tool is registered; removing the last such tool
 * offers it again; MCP_ERAS_BOTH and MCP_ERAS_LEGACY override; bad values
 * are refused. mcp__era_classify, the one classification both transports
 * use, follows that decision. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <mcp/mcp.h>

#include "core/era.h"

static int noop(mcp_call *call, const cJSON *args, void *ud)
{
    (void)call; (void)args; (void)ud;
    return 0;
}

static mcp_server *server(void)
{
    mcp_server *srv = mcp_server_new(&(mcp_server_info){ .name = "t", .version = "1" });
    assert_non_null(srv);
    assert_int_equal(mcp_server_add_tool(srv, &(mcp_tool){ .name = "plain", .handler = noop }, NULL), 0);
    return srv;
}

static void test_default_offers_modern_without_session_tools(void **state)
{
    (void)state;
    mcp_server *srv = server();
    assert_true(mcp__era_modern_offered(srv, true));
    assert_true(mcp__era_modern_offered(srv, false));
    mcp_server_free(srv);
}

static void test_session_scoped_tool_withdraws_modern_where_sessions_exist(void **state)
{
    (void)state;
    mcp_server *srv = server();
    assert_int_equal(mcp_server_add_tool(srv, &(mcp_tool){ .name = "counter", .handler = noop,
                                                           .session_scoped = true }, NULL), 0);
    assert_false(mcp__era_modern_offered(srv, true));
    assert_true(mcp__era_modern_offered(srv, false));   /* stateless HTTP: nobody has a session */
    assert_int_equal(mcp_server_remove_tool(srv, "counter"), 0);
    assert_true(mcp__era_modern_offered(srv, true));
    mcp_server_free(srv);
}

static void test_explicit_eras_override(void **state)
{
    (void)state;
    mcp_server *srv = server();
    assert_int_equal(mcp_server_add_tool(srv, &(mcp_tool){ .name = "counter", .handler = noop,
                                                           .session_scoped = true }, NULL), 0);
    assert_int_equal(mcp_server_set_eras(srv, MCP_ERAS_BOTH), 0);
    assert_true(mcp__era_modern_offered(srv, true));
    assert_int_equal(mcp_server_set_eras(srv, MCP_ERAS_LEGACY), 0);
    assert_false(mcp__era_modern_offered(srv, false));
    assert_int_equal(mcp_server_set_eras(srv, (mcp_eras)7), -MCP_EINVAL);
    assert_int_equal(mcp_server_set_eras(NULL, MCP_ERAS_BOTH), -MCP_EINVAL);
    assert_false(mcp__era_modern_offered(srv, false));    /* unchanged by the refused call */
    mcp_server_free(srv);
}

/* A well-formed modern server/discover, and what the one classification
 * makes of it: modern where the era is offered, legacy where it is not. */
static int classify(mcp_server *srv, bool with_sessions)
{
    cJSON *msg = cJSON_Parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server/discover\",\"params\":{\"_meta\":{"
                             "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                             "\"io.modelcontextprotocol/clientCapabilities\":{}}}}");
    assert_non_null(msg);
    modern_error err = {0};
    mcp__revision v = MCP_V_2025_03_26;
    int era = mcp__era_classify(srv, msg, with_sessions, NULL, NULL, &v, &err);
    if (era == MCP_ERA_MODERN)
        assert_true(mcp__version_is_modern(v));
    mcp__modern_error_clear(&err);
    cJSON_Delete(msg);
    return era;
}

static const char *version_header(void *ctx, const char *name)
{
    return strcmp(name, "MCP-Protocol-Version") == 0 ? ctx : NULL;
}

static void test_classify_follows_the_decision(void **state)
{
    (void)state;
    mcp_server *srv = server();
    assert_int_equal(classify(srv, true), MCP_ERA_MODERN);
    assert_int_equal(mcp_server_add_tool(srv, &(mcp_tool){ .name = "counter", .handler = noop,
                                                           .session_scoped = true }, NULL), 0);
    assert_int_equal(classify(srv, true), MCP_ERA_LEGACY);    /* stdio, stateful HTTP */
    assert_int_equal(classify(srv, false), MCP_ERA_MODERN);   /* stateless HTTP */
    assert_int_equal(mcp_server_set_eras(srv, MCP_ERAS_BOTH), 0);
    assert_int_equal(classify(srv, true), MCP_ERA_MODERN);
    mcp_server_free(srv);
}

/* HTTP: a 2026-07-28 header on a message without the envelope is refused
 * where the modern era is offered, and just legacy (the transport then
 * calls the version unsupported) where it is not. */
static void test_modern_header_without_envelope(void **state)
{
    (void)state;
    mcp_server *srv = server();
    cJSON *msg = cJSON_Parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
    assert_non_null(msg);
    modern_error err = {0};
    mcp__revision v = MCP_V_2025_03_26;
    assert_int_equal(mcp__era_classify(srv, msg, true, version_header, "2026-07-28", &v, &err), -1);
    assert_int_equal(err.code, -32602);
    assert_int_equal(err.http_status, 400);
    assert_non_null(strstr(err.message, "lacks the protocol version envelope"));
    mcp__modern_error_clear(&err);
    assert_int_equal(mcp__era_classify(srv, msg, true, version_header, "2025-11-25", &v, &err), MCP_ERA_LEGACY);
    assert_int_equal(mcp_server_set_eras(srv, MCP_ERAS_LEGACY), 0);
    assert_int_equal(mcp__era_classify(srv, msg, false, version_header, "2026-07-28", &v, &err), MCP_ERA_LEGACY);
    cJSON_Delete(msg);
    mcp_server_free(srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_offers_modern_without_session_tools),
        cmocka_unit_test(test_session_scoped_tool_withdraws_modern_where_sessions_exist),
        cmocka_unit_test(test_explicit_eras_override),
        cmocka_unit_test(test_classify_follows_the_decision),
        cmocka_unit_test(test_modern_header_without_envelope),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
