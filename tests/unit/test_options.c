/* Uniform options (issue 13, item 2): every *_options_init fills the
 * documented defaults, and 0 or NULL in a field passed to the library means
 * that default: a zeroed mcp_http_options (stateful) accepts a POST and an
 * initialize (max_body = 0 used to refuse every POST with 413 and
 * max_sessions = 0 every initialize with 503). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <mcp/mcp.h>

#include "http_pair.h"

#define INIT_BODY "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"," \
                  "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}"
#define POST_HEAD "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json, text/event-stream\r\n" \
                  "Content-Type: application/json"

static void test_http_options_init_matches_the_documented_defaults(void **state)
{
    (void)state;
    mcp_http_options o, d = MCP_HTTP_DEFAULTS;
    memset(&o, 0x5a, sizeof o);
    mcp_http_options_init(&o);
    assert_string_equal(o.host, "127.0.0.1");
    assert_string_equal(o.path, "/mcp");
    assert_int_equal(o.port, 3000);
    assert_int_equal(o.mode, MCP_STATELESS);
    assert_int_equal(o.threads, d.threads);
    assert_int_equal(o.max_body, 4u << 20);
    assert_int_equal(o.max_depth, 64);
    assert_int_equal(o.max_sessions, 10000);
    assert_int_equal(o.session_idle_ms, 30u * 60 * 1000);
    assert_int_equal(o.keepalive_ms, 15000);
    assert_int_equal(o.request_timeout_ms, 60000);
    assert_int_equal(o.event_retention, 256);
    assert_true(o.log_requests);
    assert_true(o.handle_signals);
    assert_true(o.health_endpoints);
    assert_null(o.store);
    assert_null(o.auth);
    assert_null(o.allowed_hosts);
    mcp_http_options_init(NULL);   /* harmless */
}

static void test_stdio_and_auth_options_init(void **state)
{
    (void)state;
    mcp_stdio_options s;
    memset(&s, 0x5a, sizeof s);
    mcp_stdio_options_init(&s);
    assert_int_equal(s.in_fd, 0);
    assert_int_equal(s.out_fd, 1);
    assert_int_equal(s.max_line, 4u << 20);
    assert_int_equal(s.max_depth, 64);
    mcp_auth_options a;
    memset(&a, 0x5a, sizeof a);
    mcp_auth_options_init(&a);
    assert_null(a.resource);
    assert_null(a.jwks_url);
    assert_null(a.required_scopes);
    assert_int_equal(a.leeway_s, 30);
}

/* Schema options: init gives the defaults, and those defaults assert
 * "format" (a zeroed struct and NULL behave the same). */
static void test_schema_options_init(void **state)
{
    (void)state;
    mcp_schema_options o;
    memset(&o, 0x5a, sizeof o);
    mcp_schema_options_init(&o);
    assert_null(o.registry);
    assert_null(o.uri);
    assert_int_equal(o.format_annotation, 0);
    assert_int_equal(o.default_draft07, 0);
    mcp_schema_options_init(NULL);   /* harmless */
    cJSON *schema = cJSON_Parse("{\"format\":\"uuid\"}");
    cJSON *nope = cJSON_CreateString("nope");
    char err[128];
    mcp_schema *with_init = mcp_schema_compile(schema, &o, err, sizeof err);
    mcp_schema *with_null = mcp_schema_compile(schema, NULL, err, sizeof err);
    assert_non_null(with_init);
    assert_non_null(with_null);
    assert_int_equal(mcp_schema_validate(with_init, nope, err, sizeof err), -1);
    assert_int_equal(mcp_schema_validate(with_null, nope, err, sizeof err), -1);
    mcp_schema_free(with_init);
    mcp_schema_free(with_null);
    cJSON_Delete(nope);
    cJSON_Delete(schema);
}

static void test_zero_http_options_mean_defaults(void **state)
{
    (void)state;
    mcp_server *srv = mcp_server_new(&(mcp_server_info){ .name = "opts", .version = "1" });
    assert_non_null(srv);
    mcp_http_options o;
    memset(&o, 0, sizeof o);       /* every field 0/NULL/false */
    o.mode = MCP_STATEFUL;
    mcp_http_server *hs = NULL;
    assert_int_equal(mcp_http_start(srv, &o, &hs), 0);
    assert_int_not_equal(mcp_http_port(hs), 0);   /* port 0: a free one */
    char *reply = http_pair_request(hs, POST_HEAD, INIT_BODY);
    assert_non_null(reply);
    assert_int_equal(http_pair_status(reply), 200);
    char sid[128];
    assert_true(strlen(http_pair_header(reply, "Mcp-Session-Id", sid, sizeof sid)) > 0);
    assert_non_null(strstr(reply, "\"protocolVersion\":\"2025-06-18\""));
    free(reply);
    mcp_http_stop(hs);
    mcp_server_free(srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http_options_init_matches_the_documented_defaults),
        cmocka_unit_test(test_stdio_and_auth_options_init),
        cmocka_unit_test(test_schema_options_init),
        cmocka_unit_test(test_zero_http_options_mean_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
