/* core/call: what a handler sends while it runs. Progress (checklist §3.6:
 * only with a progressToken, the token echoed with its JSON type, progress
 * strictly increasing), logging (§4.5: logging/setLevel sets the session
 * threshold; modern requests log only with a per-request level), no
 * messages after cancellation, per-session state and the call context. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_exchange.h"

/* ---------------- tools used below ---------------- */

typedef struct {
    int rc[4];
} progress_probe;

static int progress_tool(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args;
    progress_probe *p = ud;
    p->rc[0] = mcp_call_progress(call, 1, 10, "one");
    p->rc[1] = mcp_call_progress(call, 1, 10, "same again");   /* not increasing */
    p->rc[2] = mcp_call_progress(call, 0.5, -1, NULL);        /* going back */
    p->rc[3] = mcp_call_progress(call, 2.5, -1, NULL);
    return mcp_call_text(call, "done");
}

static int log_tool(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args;
    (void)ud;
    mcp_call_log(call, MCP_LOG_DEBUG, "unit", "d");
    mcp_call_log(call, MCP_LOG_INFO, "unit", "i=%d", 1);
    mcp_call_log(call, MCP_LOG_ERROR, "unit", "e");
    return mcp_call_text(call, "logged");
}

static int state_tool(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args;
    (void)ud;
    int64_t v = 0;
    int rc = mcp_call_state_incr(call, "n", 1, &v);
    if (rc < 0)
        return mcp_call_error(call, "rc=%d", rc);
    char *s = NULL;
    rc = mcp_call_state_get(call, "n", &s);
    mcp_call_text(call, "%lld/%s", (long long)v, rc == 0 ? s : "?");
    free(s);
    return 0;
}

static int context_tool(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args;
    (void)ud;
    const cJSON *id = mcp_call_request_id(call);
    const cJSON *info = mcp_call_client_info(call);
    const cJSON *caps = mcp_call_client_capabilities(call);
    const char *sid = mcp_call_session_id(call);
    return mcp_call_text(call, "v=%s id=%d sid=%s client=%s roots=%d caps_object=%d cancelled=%d",
                         mcp_call_protocol_version(call), id ? id->valueint : -1, sid ? sid : "none",
                         info ? get_str(info, "name") : "none",
                         cJSON_GetObjectItemCaseSensitive(caps, "roots") != NULL, cJSON_IsObject(caps),
                         mcp_call_cancelled(call));
}

/* Text content in its three shapes: a plain "%s", a short format, one
 * longer than any stack buffer. */
static int text_tool(mcp_call *call, const cJSON *args, void *ud)
{
    (void)ud;
    const char *shape = get_str(args, "shape");
    if (strcmp(shape, "plain") == 0)
        return mcp_call_text(call, "%s", get_str(args, "text"));
    if (strcmp(shape, "short") == 0)
        return mcp_call_text(call, "%s has %zu bytes", get_str(args, "text"), strlen(get_str(args, "text")));
    return mcp_call_text(call, "%s|%s|%s", get_str(args, "text"), get_str(args, "text"), get_str(args, "text"));
}

static mcp_server *srv_with(progress_probe *pp)
{
    mcp_server *srv = new_server();
    mcp_tool prog = { .name = "progress", .handler = progress_tool };
    mcp_tool logt = { .name = "log", .handler = log_tool };
    mcp_tool st = { .name = "state", .handler = state_tool };
    mcp_tool ctx = { .name = "context", .handler = context_tool };
    mcp_tool txt = { .name = "text", .handler = text_tool };
    assert_int_equal(mcp_server_add_tool(srv, &txt, NULL), 0);
    assert_int_equal(mcp_server_add_tool(srv, &prog, pp), 0);
    assert_int_equal(mcp_server_add_tool(srv, &logt, NULL), 0);
    assert_int_equal(mcp_server_add_tool(srv, &st, NULL), 0);
    assert_int_equal(mcp_server_add_tool(srv, &ctx, NULL), 0);
    return srv;
}

/* ---------------- progress ---------------- */

static fake_ex *run_progress(mcp_server *srv, mcp__revision v, const char *meta_json)
{
    char buf[512];
    snprintf(buf, sizeof buf,
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"progress\"%s%s}}",
             meta_json ? ",\"_meta\":" : "", meta_json ? meta_json : "");
    fake_ex *f = fake_legacy(NULL, v);
    const cJSON *resp = fake_roundtrip(srv, f, buf);
    assert_string_equal(content_text(result_of(resp), 0), "done");
    return f;
}

static void check_progress_notification(const cJSON *n, double progress)
{
    assert_string_equal(get_str(n, "method"), "notifications/progress");
    assert_null(get(n, "id"));
    assert_true(get(get(n, "params"), "progress")->valuedouble == progress);
}

static void test_string_progress_token_is_echoed_as_string(void **state)
{
    (void)state;
    progress_probe pp = {{0}};
    mcp_server *srv = srv_with(&pp);
    fake_ex *f = run_progress(srv, MCP_V_2025_11_25, "{\"progressToken\":\"tok-1\"}");
    assert_int_equal(fake_sent_count(f), 2);
    for (int i = 0; i < 2; i++) {
        const cJSON *tok = get(get(fake_sent_at(f, i), "params"), "progressToken");
        assert_true(cJSON_IsString(tok));
        assert_string_equal(tok->valuestring, "tok-1");
    }
    fake_free(f);
    mcp_server_free(srv);
}

static void test_integer_progress_token_is_echoed_as_integer(void **state)
{
    (void)state;
    progress_probe pp = {{0}};
    mcp_server *srv = srv_with(&pp);
    fake_ex *f = run_progress(srv, MCP_V_2025_11_25, "{\"progressToken\":7}");
    assert_int_equal(fake_sent_count(f), 2);
    const cJSON *tok = get(get(fake_sent_at(f, 0), "params"), "progressToken");
    assert_true(cJSON_IsNumber(tok));
    assert_false(cJSON_IsString(tok));
    assert_int_equal(tok->valueint, 7);
    char *text = cJSON_PrintUnformatted(get(fake_sent_at(f, 0), "params"));
    assert_non_null(strstr(text, "\"progressToken\":7"));
    free(text);
    fake_free(f);
    mcp_server_free(srv);
}

static void test_without_progress_token_no_notification_is_sent(void **state)
{
    (void)state;
    progress_probe pp = {{-1, -1, -1, -1}};
    mcp_server *srv = srv_with(&pp);
    fake_ex *f = run_progress(srv, MCP_V_2025_11_25, NULL);
    assert_int_equal(fake_sent_count(f), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(pp.rc[i], 0);
    fake_free(f);
    f = run_progress(srv, MCP_V_2025_11_25, "{\"other\":1}");   /* _meta without a token */
    assert_int_equal(fake_sent_count(f), 0);
    fake_free(f);
    mcp_server_free(srv);
}

static void test_non_increasing_progress_is_dropped(void **state)
{
    (void)state;
    progress_probe pp = {{0}};
    mcp_server *srv = srv_with(&pp);
    fake_ex *f = run_progress(srv, MCP_V_2025_11_25, "{\"progressToken\":\"p\"}");
    assert_int_equal(pp.rc[0], 0);
    assert_true(pp.rc[1] < 0);
    assert_true(pp.rc[2] < 0);
    assert_int_equal(pp.rc[3], 0);
    assert_int_equal(fake_sent_count(f), 2);
    check_progress_notification(fake_sent_at(f, 0), 1);
    check_progress_notification(fake_sent_at(f, 1), 2.5);
    const cJSON *p0 = get(fake_sent_at(f, 0), "params");
    const cJSON *p1 = get(fake_sent_at(f, 1), "params");
    assert_int_equal(get(p0, "total")->valueint, 10);
    assert_string_equal(get_str(p0, "message"), "one");
    assert_null(get(p1, "total"));      /* unknown total is left out */
    assert_null(get(p1, "message"));
    fake_free(f);
    mcp_server_free(srv);
}

static void test_progress_message_only_for_2025_03_26_and_later(void **state)
{
    (void)state;
    progress_probe pp = {{0}};
    mcp_server *srv = srv_with(&pp);
    fake_ex *f = run_progress(srv, MCP_V_2024_11_05, "{\"progressToken\":\"p\"}");
    assert_int_equal(fake_sent_count(f), 2);
    assert_null(get(get(fake_sent_at(f, 0), "params"), "message"));
    fake_free(f);
    f = run_progress(srv, MCP_V_2025_03_26, "{\"progressToken\":\"p\"}");
    assert_string_equal(get_str(get(fake_sent_at(f, 0), "params"), "message"), "one");
    fake_free(f);
    mcp_server_free(srv);
}

static void test_no_progress_is_sent_after_cancellation(void **state)
{
    (void)state;
    progress_probe pp = {{0}};
    mcp_server *srv = srv_with(&pp);
    fake_ex *f = fake_legacy(NULL, MCP_V_2025_11_25);
    atomic_store(&f->ex.cancelled, true);
    fake_roundtrip(srv, f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
                           "\"params\":{\"name\":\"progress\",\"_meta\":{\"progressToken\":\"p\"}}}");
    assert_int_equal(fake_sent_count(f), 0);
    assert_int_equal(pp.rc[0], -MCP_ECANCELED);
    fake_free(f);
    mcp_server_free(srv);
}

/* ---------------- logging ---------------- */

static fake_ex *run_log(mcp_server *srv, mcp_session *s, mcp_era era, const char *meta_json)
{
    char buf[512];
    snprintf(buf, sizeof buf,
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"log\"%s%s}}",
             meta_json ? ",\"_meta\":" : "", meta_json ? meta_json : "");
    fake_ex *f = fake_new(s, era, era == MCP_ERA_MODERN ? MCP_V_2026_07_28 : MCP_V_2025_11_25, s != NULL);
    const cJSON *resp = fake_roundtrip(srv, f, buf);
    assert_string_equal(content_text(result_of(resp), 0), "logged");
    return f;
}

static cJSON *set_level(mcp_server *srv, mcp_session *s, const char *level_json)
{
    char buf[256];
    snprintf(buf, sizeof buf, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"logging/setLevel\",\"params\":{\"level\":%s}}",
             level_json);
    return rpc(srv, s, MCP_ERA_LEGACY, MCP_V_2025_11_25, buf);
}

static void test_legacy_session_without_set_level_gets_every_log(void **state)
{
    (void)state;
    mcp_server *srv = srv_with(NULL);
    mcp_session *s = mcp__session_new();
    fake_ex *f = run_log(srv, s, MCP_ERA_LEGACY, NULL);
    assert_int_equal(fake_sent_count(f), 3);
    const cJSON *n = fake_sent_at(f, 1);
    assert_string_equal(get_str(n, "method"), "notifications/message");
    assert_string_equal(get_str(get(n, "params"), "level"), "info");
    assert_string_equal(get_str(get(n, "params"), "logger"), "unit");
    assert_string_equal(get_str(get(n, "params"), "data"), "i=1");
    fake_free(f);
    mcp__session_unref(s);
    mcp_server_free(srv);
}

static void test_set_level_sets_the_session_threshold(void **state)
{
    (void)state;
    mcp_server *srv = srv_with(NULL);
    mcp_session *s = mcp__session_new();
    cJSON *resp = set_level(srv, s, "\"warning\"");
    const cJSON *r = result_of(resp);
    assert_true(cJSON_IsObject(r) && r->child == NULL);
    cJSON_Delete(resp);
    assert_int_equal(s->log_level, MCP_LOG_WARNING);

    fake_ex *f = run_log(srv, s, MCP_ERA_LEGACY, NULL);
    assert_int_equal(fake_sent_count(f), 1);   /* debug and info are below warning */
    assert_string_equal(get_str(get(fake_sent_at(f, 0), "params"), "level"), "error");
    assert_string_equal(get_str(get(fake_sent_at(f, 0), "params"), "data"), "e");
    fake_free(f);

    /* The threshold is per session: another session still gets everything. */
    mcp_session *other = mcp__session_new();
    f = run_log(srv, other, MCP_ERA_LEGACY, NULL);
    assert_int_equal(fake_sent_count(f), 3);
    fake_free(f);
    mcp__session_unref(other);

    resp = set_level(srv, s, "\"emergency\"");
    result_of(resp);
    cJSON_Delete(resp);
    f = run_log(srv, s, MCP_ERA_LEGACY, NULL);
    assert_int_equal(fake_sent_count(f), 0);
    fake_free(f);
    mcp__session_unref(s);
    mcp_server_free(srv);
}

static void test_set_level_accepts_every_rfc5424_level(void **state)
{
    (void)state;
    static const char *const names[] = {"debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"};
    mcp_server *srv = new_server();
    mcp_session *s = mcp__session_new();
    for (int i = 7; i >= 0; i--) {
        char q[32];
        snprintf(q, sizeof q, "\"%s\"", names[i]);
        cJSON *resp = set_level(srv, s, q);
        result_of(resp);
        cJSON_Delete(resp);
        assert_int_equal(s->log_level, i);
    }
    mcp__session_unref(s);
    mcp_server_free(srv);
}

static void test_invalid_log_level_is_invalid_params(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    mcp_session *s = mcp__session_new();
    static const char *const bad[] = {"\"verbose\"", "\"WARNING\"", "\"\"", "3", "null"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cJSON *resp = set_level(srv, s, bad[i]);
        if (error_code_of(resp) != JSONRPC_INVALID_PARAMS)
            fail_msg("level %s did not give -32602", bad[i]);
        cJSON_Delete(resp);
    }
    assert_int_equal(s->log_level, -1);   /* unchanged */
    cJSON *resp = rpc(srv, s, MCP_ERA_LEGACY, MCP_V_2025_11_25,
                      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"logging/setLevel\",\"params\":{}}");
    assert_int_equal(error_code_of(resp), JSONRPC_INVALID_PARAMS);
    cJSON_Delete(resp);
    mcp__session_unref(s);
    mcp_server_free(srv);
}

static void test_modern_request_without_log_level_gets_no_log(void **state)
{
    (void)state;
    mcp_server *srv = srv_with(NULL);
    fake_ex *f = run_log(srv, NULL, MCP_ERA_MODERN,
                         "{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                         "\"io.modelcontextprotocol/clientCapabilities\":{}}");
    assert_int_equal(fake_sent_count(f), 0);
    fake_free(f);
    mcp_server_free(srv);
}

static void test_modern_request_log_level_sets_its_threshold(void **state)
{
    (void)state;
    mcp_server *srv = srv_with(NULL);
    fake_ex *f = run_log(srv, NULL, MCP_ERA_MODERN,
                         "{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                         "\"io.modelcontextprotocol/clientCapabilities\":{},"
                         "\"io.modelcontextprotocol/logLevel\":\"info\"}");
    assert_int_equal(fake_sent_count(f), 2);
    assert_string_equal(get_str(get(fake_sent_at(f, 0), "params"), "level"), "info");
    assert_string_equal(get_str(get(fake_sent_at(f, 1), "params"), "level"), "error");
    fake_free(f);
    mcp_server_free(srv);
}

/* ---------------- text content ---------------- */

static char *text_of(mcp_server *srv, const char *shape, const char *text)
{
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "jsonrpc", "2.0");
    cJSON_AddNumberToObject(req, "id", 1);
    cJSON_AddStringToObject(req, "method", "tools/call");
    cJSON *params = cJSON_AddObjectToObject(req, "params");
    cJSON_AddStringToObject(params, "name", "text");
    cJSON *args = cJSON_AddObjectToObject(params, "arguments");
    cJSON_AddStringToObject(args, "shape", shape);
    cJSON_AddStringToObject(args, "text", text);
    char *line = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    cJSON *resp = rpc(srv, NULL, MCP_ERA_LEGACY, MCP_V_2025_11_25, line);
    free(line);
    char *out = strdup(content_text(result_of(resp), 0));
    cJSON_Delete(resp);
    return out;
}

static void test_text_content_plain_formatted_and_long(void **state)
{
    (void)state;
    mcp_server *srv = srv_with(NULL);
    char *t = text_of(srv, "plain", "100% \"as is\" %s %d");   /* no formatting applied */
    assert_string_equal(t, "100% \"as is\" %s %d");
    free(t);
    t = text_of(srv, "short", "abc");
    assert_string_equal(t, "abc has 3 bytes");
    free(t);
    char big[400];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    t = text_of(srv, "long", big);                      /* 1,199 bytes: past the stack buffer */
    assert_int_equal(strlen(t), 3 * 399 + 2);
    assert_true(t[399] == '|' && t[799] == '|' && t[1198] == 'x');
    free(t);
    mcp_server_free(srv);
}

/* ---------------- state and context ---------------- */

static void test_call_state_persists_across_calls_of_one_session(void **state)
{
    (void)state;
    mcp_server *srv = srv_with(NULL);
    mcp_session *s = mcp__session_new();
    const char *req = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"state\"}}";
    cJSON *resp = rpc(srv, s, MCP_ERA_LEGACY, MCP_V_2025_11_25, req);
    assert_string_equal(content_text(result_of(resp), 0), "1/1");
    cJSON_Delete(resp);
    resp = rpc(srv, s, MCP_ERA_LEGACY, MCP_V_2025_11_25, req);
    assert_string_equal(content_text(result_of(resp), 0), "2/2");
    cJSON_Delete(resp);
    mcp_session *other = mcp__session_new();
    resp = rpc(srv, other, MCP_ERA_LEGACY, MCP_V_2025_11_25, req);
    assert_string_equal(content_text(result_of(resp), 0), "1/1");
    cJSON_Delete(resp);
    mcp__session_unref(other);
    mcp__session_unref(s);
    mcp_server_free(srv);
}

static void test_call_state_without_session_is_unsupported(void **state)
{
    (void)state;
    mcp_server *srv = srv_with(NULL);
    cJSON *resp = rpc_legacy(srv, MCP_V_2025_11_25,
                             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"state\"}}");
    const cJSON *r = result_of(resp);
    assert_true(cJSON_IsTrue(get(r, "isError")));
    char want[32];
    snprintf(want, sizeof want, "rc=%d", -MCP_EUNSUPPORTED);
    assert_string_equal(content_text(r, 0), want);
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_call_context_reports_session_version_and_client(void **state)
{
    (void)state;
    mcp_server *srv = srv_with(NULL);
    mcp_session *s = mcp__session_new();
    s->client_caps = cJSON_Parse("{\"roots\":{\"listChanged\":true}}");
    s->client_info = cJSON_Parse("{\"name\":\"cli\",\"version\":\"1\"}");
    cJSON *resp = rpc(srv, s, MCP_ERA_LEGACY, MCP_V_2025_06_18,
                      "{\"jsonrpc\":\"2.0\",\"id\":44,\"method\":\"tools/call\",\"params\":{\"name\":\"context\"}}");
    char want[200];
    snprintf(want, sizeof want, "v=2025-06-18 id=44 sid=%s client=cli roots=1 caps_object=1 cancelled=0", s->id);
    assert_string_equal(content_text(result_of(resp), 0), want);
    cJSON_Delete(resp);
    mcp__session_unref(s);
    mcp_server_free(srv);
}

static void test_call_context_without_session_has_empty_capabilities(void **state)
{
    (void)state;
    mcp_server *srv = srv_with(NULL);
    cJSON *resp = rpc_legacy(srv, MCP_V_2025_03_26,
                             "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"context\"}}");
    assert_string_equal(content_text(result_of(resp), 0),
                        "v=2025-03-26 id=2 sid=none client=none roots=0 caps_object=1 cancelled=0");
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_modern_call_context_reads_request_meta(void **state)
{
    (void)state;
    mcp_server *srv = srv_with(NULL);
    cJSON *resp = rpc(srv, NULL, MCP_ERA_MODERN, MCP_V_2026_07_28,
                      "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"context\","
                      "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                      "\"io.modelcontextprotocol/clientCapabilities\":{\"roots\":{}},"
                      "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"modern\"}}}}");
    assert_string_equal(content_text(result_of(resp), 0),
                        "v=2026-07-28 id=3 sid=none client=modern roots=1 caps_object=1 cancelled=0");
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_progress_token_is_echoed_as_string),
        cmocka_unit_test(test_integer_progress_token_is_echoed_as_integer),
        cmocka_unit_test(test_without_progress_token_no_notification_is_sent),
        cmocka_unit_test(test_non_increasing_progress_is_dropped),
        cmocka_unit_test(test_progress_message_only_for_2025_03_26_and_later),
        cmocka_unit_test(test_no_progress_is_sent_after_cancellation),
        cmocka_unit_test(test_legacy_session_without_set_level_gets_every_log),
        cmocka_unit_test(test_set_level_sets_the_session_threshold),
        cmocka_unit_test(test_set_level_accepts_every_rfc5424_level),
        cmocka_unit_test(test_invalid_log_level_is_invalid_params),
        cmocka_unit_test(test_modern_request_without_log_level_gets_no_log),
        cmocka_unit_test(test_modern_request_log_level_sets_its_threshold),
        cmocka_unit_test(test_text_content_plain_formatted_and_long),
        cmocka_unit_test(test_call_state_persists_across_calls_of_one_session),
        cmocka_unit_test(test_call_state_without_session_is_unsupported),
        cmocka_unit_test(test_call_context_reports_session_version_and_client),
        cmocka_unit_test(test_call_context_without_session_has_empty_capabilities),
        cmocka_unit_test(test_modern_call_context_reads_request_meta),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
