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
#include <stdlib.h>

#include <mcp/mcp.h>

#include "core/dispatch.h"
#include "core/notify.h"
#include "core/server_internal.h"

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

static int noop_resource(mcp_call *call, const char *uri, const cJSON *vars, void *ud)
{
    (void)vars;
    (void)ud;
    return mcp_call_resource_text(call, uri, "text/plain", "x");
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

/* A modern exchange whose send checks that no listener lock is held: a
 * send is I/O (an SSE write), and it used to run under listeners_lock both
 * for the acknowledgement and for every delivery. */
typedef struct probe_ex {
    mcp_exchange ex;
    mcp_server *srv;
    int sends, sends_under_lock;
    char last_method[80];
    cJSON *response;
} probe_ex;

static int probe_send(mcp_exchange *ex, cJSON *msg)
{
    probe_ex *p = (probe_ex *)ex;
    if (pthread_mutex_trylock(&p->srv->listeners_lock) == 0)
        pthread_mutex_unlock(&p->srv->listeners_lock);
    else
        p->sends_under_lock++;
    p->sends++;
    snprintf(p->last_method, sizeof p->last_method, "%s", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(msg, "method")));
    cJSON_Delete(msg);
    return 0;
}

static void probe_complete(mcp_exchange *ex, cJSON *response)
{
    probe_ex *p = (probe_ex *)ex;
    cJSON_Delete(p->response);
    p->response = response;
}

static const mcp_exchange_ops probe_ops = { probe_send, probe_complete };

static void test_listen_sends_with_no_lock_held(void **state)
{
    (void)state;
    mcp_server *srv = mcp_server_new(&(mcp_server_info){ .name = "n", .version = "1" });
    mcp_tool t = { .name = "t0", .handler = noop };
    assert_int_equal(mcp_server_add_tool(srv, &t, NULL), 0);   /* so tools can be listened to */
    probe_ex p = { .ex = { .ops = &probe_ops, .era = MCP_ERA_MODERN, .version = MCP_V_2026_07_28, .stateless = true },
                   .srv = srv };
    atomic_init(&p.ex.cancelled, false);
    mcp__server_dispatch(srv, &p.ex, cJSON_Parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subscriptions/listen\","
                                                "\"params\":{\"notifications\":{\"toolsListChanged\":true}}}"));
    assert_int_equal(p.sends, 1);
    assert_string_equal(p.last_method, "notifications/subscriptions/acknowledged");
    mcp_tool t1 = { .name = "t1", .handler = noop };
    assert_int_equal(mcp_server_add_tool(srv, &t1, NULL), 0);
    assert_int_equal(p.sends, 2);
    assert_string_equal(p.last_method, "notifications/tools/list_changed");
    assert_int_equal(p.sends_under_lock, 0);
    mcp__server_close_listeners(srv, NULL);      /* ends the listen: its result */
    assert_non_null(p.response);
    cJSON_Delete(p.response);
    mcp_server_free(srv);
}

/* mcp_http_stop ended every listen stream of the mcp_server, also those of
 * another HTTP server or of stdio on the same server: now only its own. */
static void test_closing_one_transports_listeners_leaves_the_others(void **state)
{
    (void)state;
    mcp_server *srv = mcp_server_new(&(mcp_server_info){ .name = "n", .version = "1" });
    mcp_tool t = { .name = "t0", .handler = noop };
    assert_int_equal(mcp_server_add_tool(srv, &t, NULL), 0);
    int owner_a, owner_b;
    probe_ex a = { .ex = { .ops = &probe_ops, .era = MCP_ERA_MODERN, .version = MCP_V_2026_07_28, .stateless = true,
                           .owner = &owner_a }, .srv = srv };
    probe_ex b = { .ex = { .ops = &probe_ops, .era = MCP_ERA_MODERN, .version = MCP_V_2026_07_28, .stateless = true,
                           .owner = &owner_b }, .srv = srv };
    atomic_init(&a.ex.cancelled, false);
    atomic_init(&b.ex.cancelled, false);
    const char *listen = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subscriptions/listen\","
                         "\"params\":{\"notifications\":{\"toolsListChanged\":true}}}";
    mcp__server_dispatch(srv, &a.ex, cJSON_Parse(listen));
    mcp__server_dispatch(srv, &b.ex, cJSON_Parse(listen));
    assert_int_equal(srv->nlisteners, 2);
    mcp__server_close_listeners(srv, &owner_a);
    assert_non_null(a.response);                 /* a's stream ended */
    assert_null(b.response);                     /* b's did not */
    assert_int_equal(srv->nlisteners, 1);
    mcp_tool t1 = { .name = "t1", .handler = noop };
    assert_int_equal(mcp_server_add_tool(srv, &t1, NULL), 0);
    assert_string_equal(b.last_method, "notifications/tools/list_changed");
    assert_int_equal(a.sends, 1);                /* only its acknowledgement */
    mcp__server_close_listeners(srv, NULL);
    assert_non_null(b.response);
    cJSON_Delete(a.response);
    cJSON_Delete(b.response);
    mcp_server_free(srv);
}

/* mcp_server_resource_updated (issue 14 item 2): every transport gets it
 * with the uri (it filters by its sessions' subscriptions); a 2026-07-28
 * listener gets it only for a URI in its resourceSubscriptions. */
static void test_resource_updated_reaches_transports_and_matching_listeners(void **state)
{
    (void)state;
    mcp_server *srv = mcp_server_new(&(mcp_server_info){ .name = "n", .version = "1" });
    assert_int_equal(mcp_server_add_tool(srv, &(mcp_tool){ .name = "t0", .handler = noop }, NULL), 0);
    seen tr = {0};
    assert_int_equal(mcp__notify_subscribe(srv, record, &tr), 0);
    probe_ex a = { .ex = { .ops = &probe_ops, .era = MCP_ERA_MODERN, .version = MCP_V_2026_07_28, .stateless = true },
                   .srv = srv };
    probe_ex b = a;
    atomic_init(&a.ex.cancelled, false);
    atomic_init(&b.ex.cancelled, false);
    /* Without resources the server cannot honour resourceSubscriptions. */
    mcp__server_dispatch(srv, &a.ex, cJSON_Parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subscriptions/listen\","
                         "\"params\":{\"notifications\":{\"resourceSubscriptions\":[\"todo://todos/1\"]}}}"));
    assert_int_equal(a.sends, 1);                /* the acknowledgement, honouring nothing */
    mcp_server_resource_updated(srv, "todo://todos/1");
    assert_int_equal(a.sends, 1);
    assert_int_equal(tr.count, 1);
    assert_string_equal(tr.method, "notifications/resources/updated");
    assert_string_equal(tr.uri, "todo://todos/1");
    mcp__server_close_listeners(srv, NULL);
    cJSON_Delete(a.response);
    a.response = NULL;
    a.sends = 0;
    /* With a resource: a listens to todo 1, b to todo 2. */
    assert_int_equal(mcp_server_add_resource(srv, &(mcp_resource){ .uri_template = "todo://todos/{id}", .name = "todo",
                                                                   .handler = noop_resource }, NULL), 0);
    mcp__server_dispatch(srv, &a.ex, cJSON_Parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subscriptions/listen\","
                         "\"params\":{\"notifications\":{\"resourceSubscriptions\":[\"todo://todos/1\"]}}}"));
    mcp__server_dispatch(srv, &b.ex, cJSON_Parse("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"subscriptions/listen\","
                         "\"params\":{\"notifications\":{\"resourceSubscriptions\":[\"todo://todos/2\"]}}}"));
    assert_int_equal(a.sends, 1);
    assert_int_equal(b.sends, 1);
    mcp_server_resource_updated(srv, "todo://todos/1");
    assert_int_equal(a.sends, 2);
    assert_string_equal(a.last_method, "notifications/resources/updated");
    assert_int_equal(b.sends, 1);                /* not its URI */
    mcp_server_resource_updated(srv, "todo://todos/3");
    assert_int_equal(a.sends, 2);
    assert_int_equal(b.sends, 1);
    assert_int_equal(a.sends_under_lock + b.sends_under_lock, 0);
    assert_int_equal(tr.count, 4);               /* 1 before, resources/list_changed, 2 updates */
    mcp__server_close_listeners(srv, NULL);
    cJSON_Delete(a.response);
    cJSON_Delete(b.response);
    mcp__notify_unsubscribe(srv, record, &tr);
    mcp_server_free(srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_subscriber_gets_every_notification),
        cmocka_unit_test(test_two_http_servers_on_one_server),
        cmocka_unit_test(test_listen_sends_with_no_lock_held),
        cmocka_unit_test(test_closing_one_transports_listeners_leaves_the_others),
        cmocka_unit_test(test_resource_updated_reaches_transports_and_matching_listeners),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
