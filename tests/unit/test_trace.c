/* core/trace and core/otel: W3C traceparent/tracestate validation, the
 * server span and child traceparent, and which JSON-RPC codes are errors
 * for error.type (production.md §7). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/otel.h"
#include "core/trace.h"

#define TID "4bf92f3577b34da6a3ce929d0e0e4736"
#define PID "00f067aa0ba902b7"

static void test_traceparent_valid_version_00(void **state)
{
    (void)state;
    mcp__trace_parent p;
    assert_true(mcp__traceparent_parse("00-" TID "-" PID "-01", &p));
    assert_string_equal(p.trace_id, TID);
    assert_string_equal(p.parent_id, PID);
    assert_int_equal(p.flags, 1);
    assert_true(mcp__traceparent_parse("00-" TID "-" PID "-00", &p));
    assert_int_equal(p.flags, 0);
}

static void test_traceparent_rejects_malformed(void **state)
{
    (void)state;
    mcp__trace_parent p;
    const char *bad[] = {
        NULL, "", "garbage",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-" PID "-01",      /* uppercase */
        "00-00000000000000000000000000000000-" PID "-01",      /* zero trace id */
        "00-" TID "-0000000000000000-01",                      /* zero parent id */
        "ff-" TID "-" PID "-01",                               /* version ff */
        "00-" TID "-" PID "-01-extra",                         /* 00 has four fields */
        "00-" TID "-" PID "-1",                                /* short flags */
        "00_" TID "-" PID "-01",
        "00-" TID "x" PID "-01",
        "0g-" TID "-" PID "-01",
        "00-" TID "-" PID "-0g",
        "01-" TID "-" PID "-01extra",                          /* future: a dash must follow */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(mcp__traceparent_parse(bad[i], &p));
}

static void test_traceparent_future_version_reads_four_fields(void **state)
{
    (void)state;
    mcp__trace_parent p;
    assert_true(mcp__traceparent_parse("01-" TID "-" PID "-01", &p));
    assert_true(mcp__traceparent_parse("cc-" TID "-" PID "-03-what-the-future-holds", &p));
    assert_string_equal(p.trace_id, TID);
    assert_int_equal(p.flags, 3);
}

static void test_tracestate_validation(void **state)
{
    (void)state;
    assert_true(mcp__tracestate_valid("congo=t61rcWkgMzE"));
    assert_true(mcp__tracestate_valid("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"));
    assert_true(mcp__tracestate_valid("tenant@vendor=x , other=y"));
    assert_true(mcp__tracestate_valid("a=b,,c=d"));               /* empty members are allowed */
    assert_false(mcp__tracestate_valid(NULL));
    assert_false(mcp__tracestate_valid("Bad Key=1"));
    assert_false(mcp__tracestate_valid("novalue"));
    assert_false(mcp__tracestate_valid("k="));
    assert_false(mcp__tracestate_valid("k=a=b"));
    assert_false(mcp__tracestate_valid("k=\x01"));
    char many[33 * 5 + 1] = "";
    for (int i = 0; i < 33; i++) {
        char m[8];
        snprintf(m, sizeof m, "%sk%c=v", i ? "," : "", 'a' + i % 26);
        strcat(many, m);
    }
    assert_false(mcp__tracestate_valid(many));                   /* 33 members > 32 */
    char longv[600];
    memset(longv, 'v', sizeof longv - 1);
    longv[0] = 'k';
    longv[1] = '=';
    longv[sizeof longv - 1] = '\0';
    assert_false(mcp__tracestate_valid(longv));                  /* > 512 bytes */
}

static void test_server_span_and_child(void **state)
{
    (void)state;
    mcp__trace_parent p;
    assert_true(mcp__traceparent_parse("00-" TID "-" PID "-01", &p));
    mcp__trace t = {0}, u = {0};
    char buf[64];
    assert_false(mcp__trace_child(&t, buf, sizeof buf));         /* unset */
    mcp__trace_begin(&t, &p);
    mcp__trace_begin(&u, &p);
    assert_string_equal(t.trace_id, TID);
    assert_string_equal(t.parent_id, PID);
    assert_int_equal(strlen(t.span_id), 16);
    assert_string_not_equal(t.span_id, PID);
    assert_string_not_equal(t.span_id, u.span_id);               /* every request its own span */
    assert_true(mcp__trace_child(&t, buf, sizeof buf));
    mcp__trace_parent c;
    assert_true(mcp__traceparent_parse(buf, &c));                 /* the child is valid W3C */
    assert_string_equal(c.trace_id, TID);
    assert_string_equal(c.parent_id, t.span_id);
    assert_int_equal(c.flags, 1);
    assert_false(mcp__trace_child(&t, buf, MCP_TRACEPARENT_LEN)); /* no room for the NUL */
    mcp__trace_begin(&t, NULL);                                   /* a new trace */
    assert_int_equal(strlen(t.trace_id), 32);
    assert_string_not_equal(t.trace_id, TID);
    assert_string_equal(t.parent_id, "");
    assert_true(mcp__trace_child(&t, buf, sizeof buf));
    assert_true(mcp__traceparent_parse(buf, &c));
    assert_int_equal(c.flags, 0);
}

static void test_error_type_excludes_caller_faults(void **state)
{
    (void)state;
    const int not_errors[] = { -32700, -32600, -32601, -32602, -32002 };
    for (size_t i = 0; i < sizeof not_errors / sizeof not_errors[0]; i++)
        assert_int_equal(mcp__otel_error_type(not_errors[i], true, false), MCP_OTEL_NO_ERROR);
    assert_int_equal(mcp__otel_error_type(-32603, true, false), -32603);
    assert_int_equal(mcp__otel_error_type(-31429, true, false), -31429);
    assert_int_equal(mcp__otel_error_type(0, false, true), MCP_OTEL_TOOL_ERROR);
    assert_int_equal(mcp__otel_error_type(0, false, false), MCP_OTEL_NO_ERROR);
}

static void test_otel_render_bounded_labels(void **state)
{
    (void)state;
    mcp__otel *o = mcp__otel_new();
    assert_non_null(o);
    mcp__otel_operation(o, "tools/call", MCP_V_2025_11_25, MCP_OTEL_TARGET_TOOL, "echo", 0, 1500);
    mcp__otel_operation(o, "tools/call", MCP_V_2025_11_25, MCP_OTEL_TARGET_TOOL, "echo", 0, 25000);
    mcp__otel_operation(o, "tools/call", MCP_V_2025_11_25, MCP_OTEL_TARGET_TOOL, NULL, 0, 10);
    mcp__otel_operation(o, "weird/method", MCP_V_2026_07_28, MCP_OTEL_TARGET_NONE, NULL, -32603, 10);
    for (int i = 0; i < 3000; i++) {                              /* more label sets than slots */
        char name[32];
        snprintf(name, sizeof name, "t%d", i);
        mcp__otel_operation(o, "tools/call", MCP_V_2025_06_18, MCP_OTEL_TARGET_TOOL, name, 0, 10);
    }
    mcp__otel_session_ended(o, MCP_V_2025_03_26, 2000000);
    strbuf sb = {0};
    mcp__otel_render(o, &sb);
    assert_non_null(strstr(sb.data, "mcp_server_operation_duration_seconds_count{mcp_method_name=\"tools/call\","
                                    "gen_ai_tool_name=\"echo\",mcp_protocol_version=\"2025-11-25\"} 2\n"));
    assert_non_null(strstr(sb.data, "mcp_server_operation_duration_seconds_bucket{mcp_method_name=\"tools/call\","
                                    "gen_ai_tool_name=\"echo\",mcp_protocol_version=\"2025-11-25\",le=\"0.01\"} 1\n"));
    assert_non_null(strstr(sb.data, "gen_ai_tool_name=\"_OTHER\""));
    assert_non_null(strstr(sb.data, "{mcp_method_name=\"_OTHER\",error_type=\"-32603\",mcp_protocol_version=\"2026-07-28\"} 1\n"));
    assert_non_null(strstr(sb.data, "mcp_server_session_duration_seconds_count{mcp_protocol_version=\"2025-03-26\",network_protocol_name=\"http\"} 1\n"));
    /* bounded: 1024 slots at most, the rest in one overflow series */
    size_t series = 0;
    for (const char *p = sb.data; (p = strstr(p, "mcp_server_operation_duration_seconds_count{")); p++)
        series++;
    assert_true(series <= 1025);
    mcp__strbuf_free(&sb);
    mcp__otel_free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_traceparent_valid_version_00),
        cmocka_unit_test(test_traceparent_rejects_malformed),
        cmocka_unit_test(test_traceparent_future_version_reads_four_fields),
        cmocka_unit_test(test_tracestate_validation),
        cmocka_unit_test(test_server_span_and_child),
        cmocka_unit_test(test_error_type_excludes_caller_faults),
        cmocka_unit_test(test_otel_render_bounded_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
