/* core/dispatch driven through mcp__server_dispatch with an in-memory
 * exchange: routing (-32601 for unknown methods, no reply to
 * notifications), pagination (checklist §4.6), notifications/cancelled,
 * and the input pattern (mcp_call_input / mcp_call_need_input) served to a
 * legacy session as a real server->client request whose answer comes back
 * through dispatch as a JSON-RPC response, and to modern requests as an
 * input_required result with a sealed requestState. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_exchange.h"
#include "base/util.h"

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static int noop_tool(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args;
    (void)ud;
    return mcp_call_text(call, "ok");
}

/* ---------------- routing ---------------- */

static void test_unknown_method_is_method_not_found(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    cJSON *resp = rpc_legacy(srv, MCP_V_2025_11_25, "{\"jsonrpc\":\"2.0\",\"id\":\"q\",\"method\":\"foo/bar\"}");
    assert_int_equal(error_code_of(resp), JSONRPC_METHOD_NOT_FOUND);
    assert_non_null(strstr(error_message_of(resp), "foo/bar"));
    assert_string_equal(get_str(resp, "id"), "q");
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_feature_methods_without_registrations_still_answer(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    cJSON *resp = rpc_legacy(srv, MCP_V_2025_11_25, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
    assert_int_equal(cJSON_GetArraySize(get(result_of(resp), "tools")), 0);
    assert_null(get(result_of(resp), "nextCursor"));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_legacy_only_methods_are_not_found_for_modern_requests(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    static const char *const removed[] = {"initialize", "ping", "logging/setLevel", "resources/subscribe"};
    for (size_t i = 0; i < sizeof removed / sizeof removed[0]; i++) {
        char buf[256];
        snprintf(buf, sizeof buf, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\",\"params\":{\"level\":\"info\","
                                  "\"uri\":\"x://y\",\"protocolVersion\":\"2025-11-25\"}}", removed[i]);
        cJSON *resp = rpc(srv, NULL, MCP_ERA_MODERN, MCP_V_2026_07_28, buf);
        if (error_code_of(resp) != JSONRPC_METHOD_NOT_FOUND)
            fail_msg("%s answered for a modern request", removed[i]);
        cJSON_Delete(resp);
    }
    mcp_server_free(srv);
}

static void test_notification_gets_no_response(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    fake_ex *f = fake_legacy(NULL, MCP_V_2025_11_25);
    assert_null(fake_roundtrip(srv, f, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/whatever\",\"params\":{}}"));
    assert_int_equal(fake_sent_count(f), 0);
    fake_free(f);
    /* Even a notification naming a request method is never answered. */
    f = fake_legacy(NULL, MCP_V_2025_11_25);
    assert_null(fake_roundtrip(srv, f, "{\"jsonrpc\":\"2.0\",\"method\":\"ping\"}"));
    fake_free(f);
    mcp_server_free(srv);
}

static void test_response_from_client_gets_no_response(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    mcp_session *s = mcp__session_new();
    fake_ex *f = fake_legacy(NULL, MCP_V_2025_11_25);
    assert_null(fake_roundtrip(srv, f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}"));
    fake_free(f);
    f = fake_legacy(s, MCP_V_2025_11_25);   /* with a session but nobody waiting */
    assert_null(fake_roundtrip(srv, f, "{\"jsonrpc\":\"2.0\",\"id\":12345,\"error\":{\"code\":-1,\"message\":\"x\"}}"));
    fake_free(f);
    mcp__session_unref(s);
    mcp_server_free(srv);
}

/* ---------------- pagination ---------------- */

static mcp_server *srv_with_n_tools(int n, size_t page)
{
    mcp_server *srv = new_server();
    mcp_server_set_page_size(srv, page);
    for (int i = 0; i < n; i++) {
        char name[16];
        snprintf(name, sizeof name, "t%d", i);
        mcp_tool t = { .name = name, .handler = noop_tool };
        assert_int_equal(mcp_server_add_tool(srv, &t, NULL), 0);
    }
    return srv;
}

static cJSON *list_page(mcp_server *srv, const char *method, const char *cursor_json)
{
    char buf[256];
    if (cursor_json)
        snprintf(buf, sizeof buf, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\",\"params\":{\"cursor\":%s}}",
                 method, cursor_json);
    else
        snprintf(buf, sizeof buf, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\"}", method);
    return rpc_legacy(srv, MCP_V_2025_11_25, buf);
}

static void test_tools_list_pages_2_2_1_with_next_cursor(void **state)
{
    (void)state;
    mcp_server *srv = srv_with_n_tools(5, 2);
    static const int sizes[] = {2, 2, 1};
    char cursor[64] = "";
    int seen = 0;
    for (int page = 0; page < 3; page++) {
        char quoted[80];
        snprintf(quoted, sizeof quoted, "\"%s\"", cursor);
        cJSON *resp = list_page(srv, "tools/list", page == 0 ? NULL : quoted);
        const cJSON *r = result_of(resp);
        const cJSON *tools = get(r, "tools");
        assert_int_equal(cJSON_GetArraySize(tools), sizes[page]);
        for (const cJSON *t = tools->child; t; t = t->next) {
            char want[16];
            snprintf(want, sizeof want, "t%d", seen++);
            assert_string_equal(get_str(t, "name"), want);
        }
        const char *next = get_str(r, "nextCursor");
        if (page < 2) {
            assert_non_null(next);
            snprintf(cursor, sizeof cursor, "%s", next);
        } else {
            assert_null(get(r, "nextCursor"));
        }
        cJSON_Delete(resp);
    }
    assert_int_equal(seen, 5);
    mcp_server_free(srv);
}

static void test_exact_multiple_of_page_size_has_no_dangling_cursor(void **state)
{
    (void)state;
    mcp_server *srv = srv_with_n_tools(4, 2);
    cJSON *resp = list_page(srv, "tools/list", NULL);
    char next[64];
    snprintf(next, sizeof next, "\"%s\"", get_str(result_of(resp), "nextCursor"));
    cJSON_Delete(resp);
    resp = list_page(srv, "tools/list", next);
    assert_int_equal(cJSON_GetArraySize(get(result_of(resp), "tools")), 2);
    assert_null(get(result_of(resp), "nextCursor"));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_invalid_cursor_is_invalid_params(void **state)
{
    (void)state;
    mcp_server *srv = srv_with_n_tools(5, 2);
    static const char *const bad[] = {"\"bogus\"", "\"-1\"", "\"99\"", "\"2x\"", "2", "null", "{}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cJSON *resp = list_page(srv, "tools/list", bad[i]);
        if (error_code_of(resp) != JSONRPC_INVALID_PARAMS)
            fail_msg("cursor %s was accepted", bad[i]);
        cJSON_Delete(resp);
    }
    mcp_server_free(srv);
}

static int noop_prompt(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args;
    (void)ud;
    return mcp_call_prompt_message_take(call, "user", mcp_content_text("x"));
}

static void test_prompts_list_paginates_too(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    mcp_server_set_page_size(srv, 2);
    for (int i = 0; i < 3; i++) {
        char name[8];
        snprintf(name, sizeof name, "p%d", i);
        mcp_prompt p = { .name = name, .handler = noop_prompt };
        assert_int_equal(mcp_server_add_prompt(srv, &p, NULL), 0);
    }
    cJSON *resp = list_page(srv, "prompts/list", NULL);
    assert_int_equal(cJSON_GetArraySize(get(result_of(resp), "prompts")), 2);
    char next[64];
    snprintf(next, sizeof next, "\"%s\"", get_str(result_of(resp), "nextCursor"));
    cJSON_Delete(resp);
    resp = list_page(srv, "prompts/list", next);
    assert_int_equal(cJSON_GetArraySize(get(result_of(resp), "prompts")), 1);
    assert_string_equal(get_str(cJSON_GetArrayItem(get(result_of(resp), "prompts"), 0), "name"), "p2");
    assert_null(get(result_of(resp), "nextCursor"));
    cJSON_Delete(resp);
    resp = list_page(srv, "prompts/list", "\"zz\"");
    assert_int_equal(error_code_of(resp), JSONRPC_INVALID_PARAMS);
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

/* ---------------- notifications/cancelled ---------------- */

typedef struct {
    unsigned max_ms;
    atomic_bool started;
    atomic_bool saw_cancel;
} wait_probe;

/* Blocks (on a worker) until cancelled or max_ms passed. */
static int waiting_tool(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args;
    wait_probe *p = ud;
    atomic_store(&p->started, true);
    uint64_t end = mcp__now_ms() + p->max_ms;
    while (!mcp_call_cancelled(call) && mcp__now_ms() < end)
        sleep_ms(1);
    atomic_store(&p->saw_cancel, mcp_call_cancelled(call));
    return mcp_call_text(call, mcp_call_cancelled(call) ? "cancelled" : "finished");
}

static mcp_server *srv_with_waiting_tool(wait_probe *p)
{
    mcp_server *srv = new_server();
    mcp_tool t = { .name = "wait", .handler = waiting_tool, .blocking = true };
    assert_int_equal(mcp_server_add_tool(srv, &t, p), 0);
    return srv;
}

static void send_notification(mcp_server *srv, mcp_session *s, const char *json)
{
    fake_ex *f = fake_legacy(s, MCP_V_2025_11_25);
    assert_null(fake_roundtrip(srv, f, json));
    fake_free(f);
}

static void test_cancelled_notification_flags_the_running_call(void **state)
{
    (void)state;
    wait_probe p = { .max_ms = 5000 };
    mcp_server *srv = srv_with_waiting_tool(&p);
    mcp_session *s = mcp__session_new();
    fake_ex *f = fake_legacy(s, MCP_V_2025_11_25);
    uint64_t t0 = mcp__now_ms();
    fake_dispatch(srv, f, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"wait\"}}");
    send_notification(srv, s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
                              "\"params\":{\"requestId\":5,\"reason\":\"user\"}}");
    assert_true(fake_wait_complete(f, FAKE_WAIT_MS));
    assert_true(atomic_load(&p.saw_cancel));
    assert_true(mcp__now_ms() - t0 < 3000);
    mcp_server_free(srv);
    assert_int_equal(f->completions, 1);
    fake_free(f);
    mcp__session_unref(s);
}

static void test_cancelled_notification_for_another_id_does_not_cancel(void **state)
{
    (void)state;
    wait_probe p = { .max_ms = 150 };
    mcp_server *srv = srv_with_waiting_tool(&p);
    mcp_session *s = mcp__session_new();
    fake_ex *f = fake_legacy(s, MCP_V_2025_11_25);
    fake_dispatch(srv, f, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"wait\"}}");
    send_notification(srv, s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":6}}");
    send_notification(srv, s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"5\"}}");
    send_notification(srv, s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{}}");
    assert_true(fake_wait_complete(f, FAKE_WAIT_MS));
    assert_false(atomic_load(&p.saw_cancel));
    assert_string_equal(content_text(result_of(f->response), 0), "finished");
    mcp_server_free(srv);
    fake_free(f);
    mcp__session_unref(s);
}

static void test_cancelled_notification_from_another_session_does_not_cancel(void **state)
{
    (void)state;
    wait_probe p = { .max_ms = 150 };
    mcp_server *srv = srv_with_waiting_tool(&p);
    mcp_session *s = mcp__session_new(), *other = mcp__session_new();
    fake_ex *f = fake_legacy(s, MCP_V_2025_11_25);
    fake_dispatch(srv, f, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"wait\"}}");
    send_notification(srv, other, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":5}}");
    assert_true(fake_wait_complete(f, FAKE_WAIT_MS));
    assert_false(atomic_load(&p.saw_cancel));
    mcp_server_free(srv);
    fake_free(f);
    mcp__session_unref(s);
    mcp__session_unref(other);
}

/* ---------------- the input pattern (legacy back-channel) ---------------- */

typedef struct {
    atomic_int invocations;
    int need_rc;           /* what mcp_call_need_input returned last */
} input_probe;

static int confirm_tool(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args;
    input_probe *p = ud;
    atomic_fetch_add(&p->invocations, 1);
    const cJSON *answer = mcp_call_input(call, "confirm");
    if (!answer) {
        cJSON *params = cJSON_Parse("{\"message\":\"Proceed?\",\"requestedSchema\":{\"type\":\"object\","
                                    "\"properties\":{\"ok\":{\"type\":\"boolean\"}},\"required\":[\"ok\"]}}");
        p->need_rc = mcp_call_need_input(call, "confirm", "elicitation/create", params);
        return p->need_rc;
    }
    if (get(answer, "code"))
        return mcp_call_error(call, "client refused: %d", get(answer, "code")->valueint);
    return mcp_call_text(call, "action=%s ok=%s", get_str(answer, "action"),
                         cJSON_IsTrue(get(get(answer, "content"), "ok")) ? "true" : "false");
}

static int two_inputs_tool(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args;
    (void)ud;
    const cJSON *a = mcp_call_input(call, "first");
    const cJSON *b = mcp_call_input(call, "second");
    int rc = 0;
    if (!a)
        rc = mcp_call_need_input(call, "first", "elicitation/create", cJSON_Parse("{\"message\":\"one\"}"));
    if (!b)
        rc = mcp_call_need_input(call, "second", "roots/list", NULL);
    if (rc)
        return rc;
    return mcp_call_text(call, "%s+%d", get_str(get(a, "content"), "v"), cJSON_GetArraySize(get(b, "roots")));
}

static mcp_server *srv_with_input_tools(input_probe *p, bool blocking)
{
    mcp_server *srv = new_server();
    mcp_tool confirm = { .name = "confirm", .handler = confirm_tool, .blocking = blocking };
    mcp_tool two = { .name = "two", .handler = two_inputs_tool, .blocking = true };
    assert_int_equal(mcp_server_add_tool(srv, &confirm, p), 0);
    assert_int_equal(mcp_server_add_tool(srv, &two, NULL), 0);
    return srv;
}

static mcp_session *session_with_caps(const char *caps_json)
{
    mcp_session *s = mcp__session_new();
    s->version = MCP_V_2025_06_18;
    s->client_caps = cJSON_Parse(caps_json);
    assert_non_null(s->client_caps);
    return s;
}

#define CALL_CONFIRM "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"confirm\",\"arguments\":{}}}"

/* Wait for the index-th message sent on f, check it is a request for
 * method, return its id. */
static int64_t expect_request(fake_ex *f, int index, const char *method)
{
    if (!fake_wait_sent(f, index + 1, FAKE_WAIT_MS))
        fail_msg("no server->client request #%d within %u ms", index, FAKE_WAIT_MS);
    const cJSON *m = fake_sent_at(f, index);
    assert_string_equal(get_str(m, "jsonrpc"), "2.0");
    assert_string_equal(get_str(m, "method"), method);
    const cJSON *id = get(m, "id");
    assert_true(cJSON_IsNumber(id));
    return (int64_t)id->valuedouble;
}

/* The client's answer arrives as its own message on the same session. */
static void answer(mcp_server *srv, mcp_session *s, int64_t id, const char *member_json)
{
    char buf[512];
    snprintf(buf, sizeof buf, "{\"jsonrpc\":\"2.0\",\"id\":%lld,%s}", (long long)id, member_json);
    fake_ex *f = fake_legacy(s, s->version);
    assert_null(fake_roundtrip(srv, f, buf));   /* a response gets no response */
    assert_int_equal(fake_sent_count(f), 0);
    fake_free(f);
}

static void run_confirm_round_trip(bool blocking)
{
    input_probe p = {0};
    mcp_server *srv = srv_with_input_tools(&p, blocking);
    mcp_session *s = session_with_caps("{\"elicitation\":{}}");
    fake_ex *f = fake_new(s, MCP_ERA_LEGACY, MCP_V_2025_06_18, true);
    fake_dispatch(srv, f, CALL_CONFIRM);
    int64_t id = expect_request(f, 0, "elicitation/create");
    const cJSON *params = get(fake_sent_at(f, 0), "params");
    assert_string_equal(get_str(params, "message"), "Proceed?");
    assert_string_equal(get_str(get(params, "requestedSchema"), "type"), "object");
    assert_false(fake_wait_complete(f, 0));   /* still waiting for the answer */
    answer(srv, s, id, "\"result\":{\"action\":\"accept\",\"content\":{\"ok\":true}}");
    assert_true(fake_wait_complete(f, FAKE_WAIT_MS));
    const cJSON *r = result_of(f->response);
    assert_null(get(r, "isError"));
    assert_string_equal(content_text(r, 0), "action=accept ok=true");
    assert_int_equal(get(f->response, "id")->valueint, 1);
    assert_int_equal(fake_sent_count(f), 1);           /* one question, no more */
    assert_true(atomic_load(&p.invocations) >= 2);     /* asked, then ran with the answer */
    mcp_server_free(srv);
    assert_int_equal(f->completions, 1);
    fake_free(f);
    mcp__session_unref(s);
}

static void test_blocking_tool_input_is_asked_over_the_session_and_answered_through_dispatch(void **state)
{
    (void)state;
    run_confirm_round_trip(true);
}

static void test_non_blocking_tool_input_moves_to_a_worker_and_completes(void **state)
{
    (void)state;
    run_confirm_round_trip(false);
}

static void test_two_inputs_are_asked_in_turn(void **state)
{
    (void)state;
    input_probe p = {0};
    mcp_server *srv = srv_with_input_tools(&p, true);
    mcp_session *s = session_with_caps("{\"elicitation\":{},\"roots\":{}}");
    fake_ex *f = fake_new(s, MCP_ERA_LEGACY, MCP_V_2025_06_18, true);
    fake_dispatch(srv, f, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"two\"}}");
    int64_t id1 = expect_request(f, 0, "elicitation/create");
    answer(srv, s, id1, "\"result\":{\"action\":\"accept\",\"content\":{\"v\":\"A\"}}");
    int64_t id2 = expect_request(f, 1, "roots/list");
    assert_true(id2 != id1);
    answer(srv, s, id2, "\"result\":{\"roots\":[{\"uri\":\"file:///a\"},{\"uri\":\"file:///b\"}]}");
    assert_true(fake_wait_complete(f, FAKE_WAIT_MS));
    assert_string_equal(content_text(result_of(f->response), 0), "A+2");
    mcp_server_free(srv);
    fake_free(f);
    mcp__session_unref(s);
}

static void test_client_error_answer_reaches_the_handler(void **state)
{
    (void)state;
    input_probe p = {0};
    mcp_server *srv = srv_with_input_tools(&p, true);
    mcp_session *s = session_with_caps("{\"elicitation\":{}}");
    fake_ex *f = fake_new(s, MCP_ERA_LEGACY, MCP_V_2025_06_18, true);
    fake_dispatch(srv, f, CALL_CONFIRM);
    int64_t id = expect_request(f, 0, "elicitation/create");
    answer(srv, s, id, "\"error\":{\"code\":-32601,\"message\":\"no\"}");
    assert_true(fake_wait_complete(f, FAKE_WAIT_MS));
    const cJSON *r = result_of(f->response);
    assert_true(cJSON_IsTrue(get(r, "isError")));
    assert_string_equal(content_text(r, 0), "client refused: -32601");
    mcp_server_free(srv);
    fake_free(f);
    mcp__session_unref(s);
}

/* The input cannot be asked: the caller gets an isError result at once. */
static void expect_quick_input_error(mcp_session *s, bool back_channel, const char *why_part)
{
    input_probe p = {0};
    mcp_server *srv = srv_with_input_tools(&p, true);   /* default 60 s request timeout */
    fake_ex *f = fake_new(s, MCP_ERA_LEGACY, MCP_V_2025_06_18, back_channel);
    uint64_t t0 = mcp__now_ms();
    fake_dispatch(srv, f, CALL_CONFIRM);
    assert_true(fake_wait_complete(f, FAKE_WAIT_MS));
    assert_true(mcp__now_ms() - t0 < 1000);
    const cJSON *r = result_of(f->response);
    assert_true(cJSON_IsTrue(get(r, "isError")));
    if (why_part && !strstr(content_text(r, 0), why_part))
        fail_msg("\"%s\" does not mention \"%s\"", content_text(r, 0), why_part);
    assert_int_equal(fake_sent_count(f), 0);             /* nothing was asked */
    assert_int_equal(p.need_rc, -MCP_EUNSUPPORTED);
    mcp_server_free(srv);
    fake_free(f);
}

static void test_input_without_client_capability_is_a_quick_tool_error(void **state)
{
    (void)state;
    mcp_session *s = session_with_caps("{\"roots\":{}}");
    expect_quick_input_error(s, true, "capability");
    mcp__session_unref(s);
}

static void test_input_without_back_channel_is_a_quick_tool_error(void **state)
{
    (void)state;
    mcp_session *s = session_with_caps("{\"elicitation\":{}}");
    expect_quick_input_error(s, false, NULL);
    mcp__session_unref(s);
}

static void test_input_without_session_is_a_quick_tool_error(void **state)
{
    (void)state;
    expect_quick_input_error(NULL, false, NULL);
}

static void test_unanswered_input_request_times_out_as_tool_error(void **state)
{
    (void)state;
    input_probe p = {0};
    mcp_server *srv = srv_with_input_tools(&p, true);
    mcp__server_set_request_timeout(srv, 200);
    mcp_session *s = session_with_caps("{\"elicitation\":{}}");
    fake_ex *f = fake_new(s, MCP_ERA_LEGACY, MCP_V_2025_06_18, true);
    uint64_t t0 = mcp__now_ms();
    fake_dispatch(srv, f, CALL_CONFIRM);
    int64_t id = expect_request(f, 0, "elicitation/create");
    assert_true(fake_wait_complete(f, FAKE_WAIT_MS));
    uint64_t elapsed = mcp__now_ms() - t0;
    assert_true(elapsed >= 190);
    assert_true(elapsed < 3000);
    const cJSON *r = result_of(f->response);
    assert_true(cJSON_IsTrue(get(r, "isError")));
    assert_non_null(strstr(content_text(r, 0), "did not answer"));
    /* A late answer is dropped quietly. */
    answer(srv, s, id, "\"result\":{\"action\":\"accept\",\"content\":{\"ok\":true}}");
    mcp_server_free(srv);
    fake_free(f);
    mcp__session_unref(s);
}

/* Prompts and resources word an input round's failure as tools do (one
 * outcome mapping): they used to answer "Prompt failed: ..." / "Internal
 * error reading resource: ..." with no hint of the cause. */
static int confirm_prompt(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args;
    (void)ud;
    if (!mcp_call_input(call, "confirm"))
        return mcp_call_need_input(call, "confirm", "elicitation/create", cJSON_Parse("{\"message\":\"?\"}"));
    return mcp_call_prompt_message_take(call, "user", mcp_content_text("ok"));
}

static int confirm_resource(mcp_call *call, const char *uri, const cJSON *vars, void *ud)
{
    (void)vars;
    (void)ud;
    if (!mcp_call_input(call, "confirm"))
        return mcp_call_need_input(call, "confirm", "elicitation/create", cJSON_Parse("{\"message\":\"?\"}"));
    return mcp_call_resource_text(call, uri, "text/plain", "ok");
}

static void test_prompt_and_resource_input_failures_are_worded_like_tools(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    mcp_prompt pr = { .name = "ask", .handler = confirm_prompt, .blocking = true };
    mcp_resource rs = { .uri = "test://ask", .name = "ask", .handler = confirm_resource, .blocking = true };
    assert_int_equal(mcp_server_add_prompt(srv, &pr, NULL), 0);
    assert_int_equal(mcp_server_add_resource(srv, &rs, NULL), 0);
    mcp__server_set_request_timeout(srv, 100);
    /* No elicitation capability: unsupported. */
    mcp_session *s = session_with_caps("{\"roots\":{}}");
    fake_ex *f = fake_new(s, MCP_ERA_LEGACY, MCP_V_2025_06_18, true);
    fake_dispatch(srv, f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"prompts/get\",\"params\":{\"name\":\"ask\"}}");
    assert_true(fake_wait_complete(f, FAKE_WAIT_MS));
    const char *msg = error_message_of(f->response);
    if (!msg || !strstr(msg, "This prompt needs input from the client"))
        fail_msg("prompts/get without the capability said: %s", msg ? msg : "(no error)");
    fake_free(f);
    mcp__session_unref(s);
    /* With the capability but no answer: timed out. */
    s = session_with_caps("{\"elicitation\":{}}");
    f = fake_new(s, MCP_ERA_LEGACY, MCP_V_2025_06_18, true);
    fake_dispatch(srv, f, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"resources/read\",\"params\":{\"uri\":\"test://ask\"}}");
    assert_true(fake_wait_complete(f, FAKE_WAIT_MS));
    msg = error_message_of(f->response);
    if (!msg || !strstr(msg, "The client did not answer the resource's request for input"))
        fail_msg("resources/read with no answer said: %s", msg ? msg : "(no error)");
    fake_free(f);
    mcp__session_unref(s);
    mcp_server_free(srv);
}

static void test_input_request_on_closing_session_ends_as_tool_error(void **state)
{
    (void)state;
    input_probe p = {0};
    mcp_server *srv = srv_with_input_tools(&p, true);
    mcp_session *s = session_with_caps("{\"elicitation\":{}}");
    fake_ex *f = fake_new(s, MCP_ERA_LEGACY, MCP_V_2025_06_18, true);
    fake_dispatch(srv, f, CALL_CONFIRM);
    expect_request(f, 0, "elicitation/create");
    uint64_t t0 = mcp__now_ms();
    mcp__session_close(s);
    assert_true(fake_wait_complete(f, FAKE_WAIT_MS));
    assert_true(mcp__now_ms() - t0 < 1000);
    assert_true(cJSON_IsTrue(get(result_of(f->response), "isError")));
    mcp_server_free(srv);
    fake_free(f);
    mcp__session_unref(s);
}

static void test_input_request_the_channel_cannot_carry_is_tool_error(void **state)
{
    (void)state;
    input_probe p = {0};
    mcp_server *srv = srv_with_input_tools(&p, true);
    mcp_session *s = session_with_caps("{\"elicitation\":{}}");
    fake_ex *f = fake_new(s, MCP_ERA_LEGACY, MCP_V_2025_06_18, true);
    f->send_rc = -MCP_EUNSUPPORTED;   /* e.g. a plain JSON HTTP response */
    uint64_t t0 = mcp__now_ms();
    fake_dispatch(srv, f, CALL_CONFIRM);
    assert_true(fake_wait_complete(f, FAKE_WAIT_MS));
    assert_true(mcp__now_ms() - t0 < 1000);
    assert_true(cJSON_IsTrue(get(result_of(f->response), "isError")));
    /* Nothing stays registered as waiting for an answer. */
    pthread_mutex_lock(&s->lock);
    assert_null(s->pending);
    pthread_mutex_unlock(&s->lock);
    mcp_server_free(srv);
    fake_free(f);
    mcp__session_unref(s);
}

/* ---------------- the input pattern (modern MRTR) ---------------- */

#define MODERN_META(caps) "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"," \
                          "\"io.modelcontextprotocol/clientCapabilities\":" caps "}"

static void test_modern_input_is_an_input_required_result_and_the_retry_completes(void **state)
{
    (void)state;
    input_probe p = {0};
    mcp_server *srv = srv_with_input_tools(&p, true);
    fake_ex *f = fake_new(NULL, MCP_ERA_MODERN, MCP_V_2026_07_28, false);
    const cJSON *resp = fake_roundtrip(srv, f,
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"confirm\","
        "\"arguments\":{}," MODERN_META("{\"elicitation\":{}}") "}}");
    const cJSON *r = result_of(resp);
    assert_string_equal(get_str(r, "resultType"), "input_required");
    const cJSON *req = get(get(r, "inputRequests"), "confirm");
    assert_string_equal(get_str(req, "method"), "elicitation/create");
    assert_string_equal(get_str(get(req, "params"), "message"), "Proceed?");
    const char *token = get_str(r, "requestState");
    assert_non_null(token);
    assert_int_equal(fake_sent_count(f), 0);   /* modern servers never send requests */
    char retry[2048];
    snprintf(retry, sizeof retry,
             "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"confirm\",\"arguments\":{},"
             "\"inputResponses\":{\"confirm\":{\"action\":\"accept\",\"content\":{\"ok\":true}}},"
             "\"requestState\":\"%s\"," MODERN_META("{\"elicitation\":{}}") "}}", token);
    cJSON *resp2 = rpc(srv, NULL, MCP_ERA_MODERN, MCP_V_2026_07_28, retry);
    const cJSON *r2 = result_of(resp2);
    assert_string_equal(get_str(r2, "resultType"), "complete");
    assert_string_equal(content_text(r2, 0), "action=accept ok=true");
    cJSON_Delete(resp2);
    mcp_server_free(srv);
    fake_free(f);
}

static void test_modern_input_without_capability_is_missing_capability_error(void **state)
{
    (void)state;
    input_probe p = {0};
    mcp_server *srv = srv_with_input_tools(&p, true);
    cJSON *resp = rpc(srv, NULL, MCP_ERA_MODERN, MCP_V_2026_07_28,
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"confirm\","
        "\"arguments\":{}," MODERN_META("{}") "}}");
    assert_int_equal(error_code_of(resp), MCP_ERR_MISSING_CAPABILITY);
    const cJSON *data = get(get(resp, "error"), "data");
    assert_true(cJSON_IsObject(get(get(data, "requiredCapabilities"), "elicitation")));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_modern_tampered_or_misbound_request_state_is_invalid_params(void **state)
{
    (void)state;
    input_probe p = {0};
    mcp_server *srv = srv_with_input_tools(&p, true);
    cJSON *resp = rpc(srv, NULL, MCP_ERA_MODERN, MCP_V_2026_07_28,
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"confirm\","
        "\"arguments\":{}," MODERN_META("{\"elicitation\":{}}") "}}");
    char token[1024];
    snprintf(token, sizeof token, "%s", get_str(result_of(resp), "requestState"));
    cJSON_Delete(resp);
    size_t n = strlen(token);
    assert_true(n > 8);
    char tampered[1024];
    memcpy(tampered, token, n + 1);
    tampered[n / 2] = tampered[n / 2] == 'A' ? 'B' : 'A';
    static const char *const fmt[] = {
        /* a modified token */
        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"confirm\",\"arguments\":{},"
        "\"requestState\":\"%s\"," MODERN_META("{\"elicitation\":{}}") "}}",
        /* a valid token presented for another tool */
        "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"two\",\"arguments\":{},"
        "\"requestState\":\"%s\"," MODERN_META("{\"elicitation\":{},\"roots\":{}}") "}}",
    };
    const char *tokens[] = {tampered, token};
    for (int i = 0; i < 2; i++) {
        char buf[2048];
        snprintf(buf, sizeof buf, fmt[i], tokens[i]);
        resp = rpc(srv, NULL, MCP_ERA_MODERN, MCP_V_2026_07_28, buf);
        if (error_code_of(resp) != JSONRPC_INVALID_PARAMS)
            fail_msg("requestState case %d was accepted", i);
        cJSON_Delete(resp);
    }
    mcp_server_free(srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_method_is_method_not_found),
        cmocka_unit_test(test_feature_methods_without_registrations_still_answer),
        cmocka_unit_test(test_legacy_only_methods_are_not_found_for_modern_requests),
        cmocka_unit_test(test_notification_gets_no_response),
        cmocka_unit_test(test_response_from_client_gets_no_response),
        cmocka_unit_test(test_tools_list_pages_2_2_1_with_next_cursor),
        cmocka_unit_test(test_exact_multiple_of_page_size_has_no_dangling_cursor),
        cmocka_unit_test(test_invalid_cursor_is_invalid_params),
        cmocka_unit_test(test_prompts_list_paginates_too),
        cmocka_unit_test(test_cancelled_notification_flags_the_running_call),
        cmocka_unit_test(test_cancelled_notification_for_another_id_does_not_cancel),
        cmocka_unit_test(test_cancelled_notification_from_another_session_does_not_cancel),
        cmocka_unit_test(test_blocking_tool_input_is_asked_over_the_session_and_answered_through_dispatch),
        cmocka_unit_test(test_non_blocking_tool_input_moves_to_a_worker_and_completes),
        cmocka_unit_test(test_two_inputs_are_asked_in_turn),
        cmocka_unit_test(test_client_error_answer_reaches_the_handler),
        cmocka_unit_test(test_input_without_client_capability_is_a_quick_tool_error),
        cmocka_unit_test(test_input_without_back_channel_is_a_quick_tool_error),
        cmocka_unit_test(test_input_without_session_is_a_quick_tool_error),
        cmocka_unit_test(test_unanswered_input_request_times_out_as_tool_error),
        cmocka_unit_test(test_prompt_and_resource_input_failures_are_worded_like_tools),
        cmocka_unit_test(test_input_request_on_closing_session_ends_as_tool_error),
        cmocka_unit_test(test_input_request_the_channel_cannot_carry_is_tool_error),
        cmocka_unit_test(test_modern_input_is_an_input_required_result_and_the_retry_completes),
        cmocka_unit_test(test_modern_input_without_capability_is_missing_capability_error),
        cmocka_unit_test(test_modern_tampered_or_misbound_request_state_is_invalid_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
