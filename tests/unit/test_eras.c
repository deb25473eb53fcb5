/* core/eras: which protocol eras a server offers (mcp_server_set_eras).
 * The default offers 2026-07-28 except where the transport has sessions
 * while a session-scoped tool is registered; removing the last such tool
 * offers it again; MCP_ERAS_BOTH and MCP_ERAS_LEGACY override; bad values
 * are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <mcp/mcp.h>

#include "core/eras.h"

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
    assert_true(mcp__server_offers_modern(srv, true));
    assert_true(mcp__server_offers_modern(srv, false));
    mcp_server_free(srv);
}

static void test_session_scoped_tool_withdraws_modern_where_sessions_exist(void **state)
{
    (void)state;
    mcp_server *srv = server();
    assert_int_equal(mcp_server_add_tool(srv, &(mcp_tool){ .name = "counter", .handler = noop,
                                                           .session_scoped = true }, NULL), 0);
    assert_false(mcp__server_offers_modern(srv, true));
    assert_true(mcp__server_offers_modern(srv, false));   /* stateless HTTP: nobody has a session */
    assert_int_equal(mcp_server_remove_tool(srv, "counter"), 0);
    assert_true(mcp__server_offers_modern(srv, true));
    mcp_server_free(srv);
}

static void test_explicit_eras_override(void **state)
{
    (void)state;
    mcp_server *srv = server();
    assert_int_equal(mcp_server_add_tool(srv, &(mcp_tool){ .name = "counter", .handler = noop,
                                                           .session_scoped = true }, NULL), 0);
    assert_int_equal(mcp_server_set_eras(srv, MCP_ERAS_BOTH), 0);
    assert_true(mcp__server_offers_modern(srv, true));
    assert_int_equal(mcp_server_set_eras(srv, MCP_ERAS_LEGACY), 0);
    assert_false(mcp__server_offers_modern(srv, false));
    assert_int_equal(mcp_server_set_eras(srv, (mcp_eras)7), -MCP_EINVAL);
    assert_int_equal(mcp_server_set_eras(NULL, MCP_ERAS_BOTH), -MCP_EINVAL);
    assert_false(mcp__server_offers_modern(srv, false));    /* unchanged by the refused call */
    mcp_server_free(srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_offers_modern_without_session_tools),
        cmocka_unit_test(test_session_scoped_tool_withdraws_modern_where_sessions_exist),
        cmocka_unit_test(test_explicit_eras_override),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
