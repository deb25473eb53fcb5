/* Server notifications reach every subscribed transport (issue 13, item 5):
 * the broadcast hook used to be one slot that only the HTTP server set, so
 * stdio never got list_changed, a second mcp_http_start on one server
 * overwrote the first and stopping either cleared it for both. Now a list:
 * every subscriber gets every notification, unsubscribing one leaves the
 * others, and two HTTP servers on one mcp_server are two subscribers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <mcp/mcp.h>

#include "core/notify.h"

typedef struct seen {
    int count;
    char method[64];
    char uri[64];
} seen;

static void record(void *ctx, const cJSON *n, const char *uri)
{
    seen *s = ctx;
    s->count++;
    snprintf(s->method, sizeof s->method, "%s", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(n, "method")));
    snprintf(s->uri, sizeof s->uri, "%s", uri ? uri : "");
}

static int noop(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args;
    (void)ud;
    return mcp_call_text(call, "x");
}

static void test_every_subscriber_gets_every_notification(void **state)
{
    (void)state;
    mcp_server *srv = mcp_server_new(&(mcp_server_info){ .name = "n", .version = "1" });
    seen a = {0}, b = {0};
    assert_int_equal(mcp__notify_subscribe(srv, record, &a), 0);
    assert_int_equal(mcp__notify_subscribe(srv, record, &b), 0);
    assert_int_equal(mcp__notify_count(srv), 2);
    mcp_tool t = { .name = "t1", .handler = noop };
    assert_int_equal(mcp_server_add_tool(srv, &t, NULL), 0);
    assert_int_equal(a.count, 1);
    assert_int_equal(b.count, 1);
    assert_string_equal(a.method, "notifications/tools/list_changed");
    mcp_server_resource_updated(srv, "test://r");
    assert_int_equal(b.count, 2);
    assert_string_equal(b.method, "notifications/resources/updated");
    assert_string_equal(b.uri, "test://r");
    assert_int_equal(a.count, 2);
    /* Unsubscribing one leaves the other. */
    mcp__notify_unsubscribe(srv, record, &a);
    mcp__notify_unsubscribe(srv, record, &a);   /* twice: nothing happens */
    assert_int_equal(mcp__notify_count(srv), 1);
    assert_int_equal(mcp_server_remove_tool(srv, "t1"), 0);
    assert_int_equal(a.count, 2);   /* nothing more after unsubscribing */
    assert_int_equal(b.count, 3);
    mcp_server_free(srv);   /* frees b's entry */
}

static void test_two_http_servers_on_one_server(void **state)
{
    (void)state;
    mcp_server *srv = mcp_server_new(&(mcp_server_info){ .name = "n", .version = "1" });
    mcp_http_options o;
    mcp_http_options_init(&o);
    o.port = 0;
    o.mode = MCP_STATEFUL;
    o.log_requests = false;
    o.handle_signals = false;
    mcp_http_server *h1 = NULL, *h2 = NULL;
    assert_int_equal(mcp_http_start(srv, &o, &h1), 0);
    assert_int_equal(mcp_http_start(srv, &o, &h2), 0);
    assert_int_equal(mcp__notify_count(srv), 2);   /* the second did not replace the first */
    mcp_http_stop(h1);
    assert_int_equal(mcp__notify_count(srv), 1);   /* stopping one left the other */
    seen s = {0};
    assert_int_equal(mcp__notify_subscribe(srv, record, &s), 0);
    mcp_tool t = { .name = "t1", .handler = noop };
    assert_int_equal(mcp_server_add_tool(srv, &t, NULL), 0);   /* delivered to h2 and s */
    assert_int_equal(s.count, 1);
    mcp_http_stop(h2);
    assert_int_equal(mcp__notify_count(srv), 1);
    mcp__notify_unsubscribe(srv, record, &s);
    mcp_server_free(srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_subscriber_gets_every_notification),
        cmocka_unit_test(test_two_http_servers_on_one_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
