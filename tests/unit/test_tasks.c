/* core/tasks driven through mcp__server_dispatch with an in-memory exchange
 * (extension io.modelcontextprotocol/tasks): gating for clients that do not
 * declare it, binding of tasks to the principal (another principal's id
 * reads as unknown), the per-principal limit, the stored-result limit,
 * expiry, cancellation reaching the handler, and the removed methods. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_exchange.h"
#include "core/entry.h"

#define CAPS_TASKS "{\"elicitation\":{},\"extensions\":{\"io.modelcontextprotocol/tasks\":{}}}"
#define META(caps) "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"," \
                   "\"io.modelcontextprotocol/clientCapabilities\":" caps "}"

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static cJSON *modern(mcp_server *srv, const char *principal, const char *json)
{
    fake_ex *f = fake_new(NULL, MCP_ERA_MODERN, MCP_V_MODERN_LATEST, false);
    f->ex.principal = principal;
    const cJSON *r = fake_roundtrip(srv, f, json);
    cJSON *copy = r ? cJSON_Duplicate(r, 1) : NULL;
    fake_free(f);
    return copy;
}

static cJSON *call_tool(mcp_server *srv, const char *principal, const char *tool, const char *caps)
{
    char json[512];
    snprintf(json, sizeof json,
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"%s\",\"arguments\":{},"
             "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
             "\"io.modelcontextprotocol/clientCapabilities\":%s}}}", tool, caps);
    return modern(srv, principal, json);
}

static cJSON *task_method(mcp_server *srv, const char *principal, const char *method, const char *id)
{
    char json[512];
    snprintf(json, sizeof json, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"%s\",\"params\":{\"taskId\":\"%s\","
             META(CAPS_TASKS) "}}", method, id);
    return modern(srv, principal, json);
}

/* tasks/get until status (or 3 s); returns the last result (caller deletes). */
static cJSON *wait_status(mcp_server *srv, const char *principal, const char *id, const char *status)
{
    cJSON *resp = NULL;
    for (int i = 0; i < 150; i++) {
        cJSON_Delete(resp);
        resp = task_method(srv, principal, "tasks/get", id);
        const char *s = get_str(get(resp, "result"), "status");
        if (s && strcmp(s, status) == 0)
            break;
        sleep_ms(20);
    }
    return resp;
}

static int quick(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args;
    (void)ud;
    return mcp_call_text(call, "quick done");
}

static int big(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args;
    (void)ud;
    char text[4096];
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    return mcp_call_text(call, "%s", text);
}

static int parks(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args;
    (void)ud;
    if (!mcp_call_input(call, "ok"))
        return mcp_call_need_input(call, "ok", "elicitation/create", cJSON_CreateObject());
    return mcp_call_text(call, "answered");
}

static int until_cancelled(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args;
    for (int i = 0; i < 500 && !mcp_call_cancelled(call); i++)
        sleep_ms(10);
    *(int *)ud = mcp_call_cancelled(call) ? 1 : -1;
    return mcp_call_text(call, "stopped");
}

static int reports(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args;
    (void)ud;
    mcp_call_progress(call, 1, 2, "half way");
    for (int i = 0; i < 500 && !mcp_call_cancelled(call); i++)
        sleep_ms(10);
    return mcp_call_text(call, "stopped");
}

static mcp_server *server_with_tools(int *flag)
{
    mcp_server *srv = new_server();
    const mcp_tool tools[] = {
        { .name = "quick", .handler = quick, .task = MCP_TASK_OPTIONAL },
        { .name = "only_task", .handler = quick, .task = MCP_TASK_REQUIRED },
        { .name = "big", .handler = big, .blocking = true, .task = MCP_TASK_REQUIRED },
        { .name = "parks", .handler = parks, .task = MCP_TASK_REQUIRED },
        { .name = "loops", .handler = until_cancelled, .blocking = true, .task = MCP_TASK_REQUIRED },
        { .name = "plain", .handler = quick },
        { .name = "reports", .handler = reports, .blocking = true, .task = MCP_TASK_REQUIRED },
    };
    for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++)
        assert_int_equal(mcp_server_add_tool(srv, &tools[i], flag), 0);
    return srv;
}

static char *task_id_of(const cJSON *resp)
{
    const cJSON *r = result_of(resp);
    assert_string_equal(get_str(r, "resultType"), "task");
    assert_string_equal(get_str(r, "status"), "working");
    const char *id = get_str(r, "taskId");
    assert_non_null(id);
    assert_true(strlen(id) >= 32);          /* >= 128 bits */
    return strdup(id);
}

static void test_clients_without_the_extension_run_synchronously_or_get_32021(void **state)
{
    (void)state;
    mcp_server *srv = server_with_tools(NULL);
    cJSON *r = call_tool(srv, NULL, "quick", "{}");
    assert_string_equal(get_str(result_of(r), "resultType"), "complete");
    assert_string_equal(content_text(result_of(r), 0), "quick done");
    cJSON_Delete(r);
    r = call_tool(srv, NULL, "only_task", "{}");
    assert_int_equal(error_code_of(r), -32021);
    const cJSON *ext = get(get(get(get(r, "error"), "data"), "requiredCapabilities"), "extensions");
    assert_true(cJSON_IsObject(get(ext, "io.modelcontextprotocol/tasks")));
    cJSON_Delete(r);
    r = task_method(srv, NULL, "tasks/get", "x");   /* declares: unknown id */
    assert_int_equal(error_code_of(r), -32602);
    cJSON_Delete(r);
    r = modern(srv, NULL, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"x\","
                          META("{}") "}}");
    assert_int_equal(error_code_of(r), -32021);
    cJSON_Delete(r);
    r = call_tool(srv, NULL, "plain", CAPS_TASKS);   /* forbidden stays synchronous */
    assert_string_equal(get_str(result_of(r), "resultType"), "complete");
    cJSON_Delete(r);
    mcp_server_free(srv);
}

static void test_another_principal_reads_a_task_as_unknown(void **state)
{
    (void)state;
    mcp_server *srv = server_with_tools(NULL);
    cJSON *r = call_tool(srv, "sub:alice", "quick", CAPS_TASKS);
    char *id = task_id_of(r);
    cJSON_Delete(r);
    cJSON *done = wait_status(srv, "sub:alice", id, "completed");
    assert_string_equal(content_text(get(result_of(done), "result"), 0), "quick done");
    cJSON_Delete(done);
    cJSON *mine = task_method(srv, "sub:bob", "tasks/get", id);
    cJSON *unknown = task_method(srv, "sub:bob", "tasks/get", "0123456789abcdef0123456789abcdef");
    assert_int_equal(error_code_of(mine), -32602);
    assert_int_equal(error_code_of(unknown), -32602);
    cJSON *c = task_method(srv, "sub:bob", "tasks/cancel", id);
    assert_int_equal(error_code_of(c), -32602);
    cJSON *anon = task_method(srv, NULL, "tasks/get", id);
    assert_int_equal(error_code_of(anon), -32602);
    cJSON_Delete(mine);
    cJSON_Delete(unknown);
    cJSON_Delete(c);
    cJSON_Delete(anon);
    free(id);
    mcp_server_free(srv);
}

static void test_unfinished_tasks_per_principal_are_limited(void **state)
{
    (void)state;
    mcp_server *srv = server_with_tools(NULL);
    assert_int_equal(mcp_server_set_task_options(srv, &(mcp_task_options){ .max_per_principal = 2 }), 0);
    char *ids[2];
    for (int i = 0; i < 2; i++) {
        cJSON *r = call_tool(srv, "sub:alice", "parks", CAPS_TASKS);
        ids[i] = task_id_of(r);
        cJSON_Delete(r);
    }
    cJSON *r = call_tool(srv, "sub:alice", "parks", CAPS_TASKS);
    assert_int_equal(error_code_of(r), -32000);
    assert_non_null(strstr(error_message_of(r), "limit 2"));
    cJSON_Delete(r);
    r = call_tool(srv, "sub:bob", "parks", CAPS_TASKS);    /* another principal has its own count */
    free(task_id_of(r));
    cJSON_Delete(r);
    cJSON *w = wait_status(srv, "sub:alice", ids[0], "input_required");
    assert_non_null(get(get(result_of(w), "inputRequests"), "ok"));
    cJSON_Delete(w);
    cJSON *c = task_method(srv, "sub:alice", "tasks/cancel", ids[0]);   /* a finished task frees a slot */
    assert_non_null(result_of(c));
    cJSON_Delete(c);
    w = wait_status(srv, "sub:alice", ids[0], "cancelled");
    assert_string_equal(get_str(result_of(w), "status"), "cancelled");
    cJSON_Delete(w);
    r = call_tool(srv, "sub:alice", "parks", CAPS_TASKS);
    free(task_id_of(r));
    cJSON_Delete(r);
    free(ids[0]);
    free(ids[1]);
    mcp_server_free(srv);   /* parked tasks are freed with the server */
}

static void test_a_result_over_the_size_limit_fails_the_task(void **state)
{
    (void)state;
    mcp_server *srv = server_with_tools(NULL);
    mcp_server_set_task_options(srv, &(mcp_task_options){ .max_result_bytes = 1000 });
    cJSON *r = call_tool(srv, NULL, "big", CAPS_TASKS);
    char *id = task_id_of(r);
    cJSON_Delete(r);
    cJSON *w = wait_status(srv, NULL, id, "failed");
    const cJSON *res = result_of(w);
    assert_string_equal(get_str(res, "status"), "failed");
    assert_null(get(res, "result"));
    assert_non_null(strstr(get_str(get(res, "error"), "message"), "too large"));
    cJSON_Delete(w);
    free(id);
    mcp_server_free(srv);
}

static void test_cancel_reaches_the_running_handler(void **state)
{
    (void)state;
    int flag = 0;
    mcp_server *srv = server_with_tools(&flag);
    cJSON *r = call_tool(srv, NULL, "loops", CAPS_TASKS);
    char *id = task_id_of(r);
    cJSON_Delete(r);
    sleep_ms(50);
    cJSON *ack = task_method(srv, NULL, "tasks/cancel", id);
    const cJSON *a = result_of(ack);
    assert_string_equal(get_str(a, "resultType"), "complete");
    assert_null(get(a, "status"));
    cJSON_Delete(ack);
    cJSON *w = wait_status(srv, NULL, id, "cancelled");
    assert_string_equal(get_str(result_of(w), "status"), "cancelled");
    assert_null(get(result_of(w), "result"));
    cJSON_Delete(w);
    assert_int_equal(flag, 1);                    /* mcp_call_cancelled() saw it */
    ack = task_method(srv, NULL, "tasks/cancel", id);   /* idempotent on a terminal task */
    assert_string_equal(get_str(result_of(ack), "resultType"), "complete");
    cJSON_Delete(ack);
    free(id);
    mcp_server_free(srv);
}

static void test_expired_tasks_are_deleted(void **state)
{
    (void)state;
    mcp_server *srv = server_with_tools(NULL);
    mcp_server_set_task_options(srv, &(mcp_task_options){ .ttl_ms = 200 });
    cJSON *r = call_tool(srv, NULL, "quick", CAPS_TASKS);
    char *id = task_id_of(r);
    assert_int_equal(get(result_of(r), "ttlMs")->valueint, 200);
    cJSON_Delete(r);
    cJSON *g = NULL;
    for (int i = 0; i < 100; i++) {          /* unknown once past its ttl */
        cJSON_Delete(g);
        g = task_method(srv, NULL, "tasks/get", id);
        if (get(g, "error"))
            break;
        sleep_ms(20);
    }
    assert_int_equal(error_code_of(g), -32602);
    cJSON_Delete(g);
    free(id);
    mcp_server_free(srv);
}

static void test_removed_and_legacy_methods_are_not_found(void **state)
{
    (void)state;
    mcp_server *srv = server_with_tools(NULL);
    cJSON *r = modern(srv, NULL, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tasks/result\",\"params\":{\"taskId\":\"x\","
                                 META(CAPS_TASKS) "}}");
    assert_int_equal(error_code_of(r), JSONRPC_METHOD_NOT_FOUND);
    cJSON_Delete(r);
    r = modern(srv, NULL, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tasks/list\",\"params\":{" META(CAPS_TASKS) "}}");
    assert_int_equal(error_code_of(r), JSONRPC_METHOD_NOT_FOUND);
    cJSON_Delete(r);
    r = rpc_legacy(srv, MCP_V_2025_11_25, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"x\"}}");
    assert_int_equal(error_code_of(r), JSONRPC_METHOD_NOT_FOUND);
    cJSON_Delete(r);
    mcp_server_free(srv);
}

static void test_progress_of_a_running_task_is_its_status_message(void **state)
{
    (void)state;
    mcp_server *srv = server_with_tools(NULL);
    cJSON *r = call_tool(srv, NULL, "reports", CAPS_TASKS);
    char *id = task_id_of(r);
    cJSON_Delete(r);
    cJSON *g = NULL;
    for (int i = 0; i < 150; i++) {
        cJSON_Delete(g);
        g = task_method(srv, NULL, "tasks/get", id);
        if (get_str(result_of(g), "statusMessage"))
            break;
        sleep_ms(20);
    }
    assert_string_equal(get_str(result_of(g), "status"), "working");
    assert_string_equal(get_str(result_of(g), "statusMessage"), "progress 1/2: half way");
    cJSON_Delete(g);
    cJSON_Delete(task_method(srv, NULL, "tasks/cancel", id));
    free(id);
    mcp_server_free(srv);
}

static void test_listen_for_task_ids_needs_the_extension_and_honours_none(void **state)
{
    (void)state;
    mcp_server *srv = server_with_tools(NULL);
    cJSON *r = modern(srv, NULL, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"subscriptions/listen\",\"params\":{"
                                 "\"notifications\":{\"taskIds\":[\"abc\"]}," META("{}") "}}");
    assert_int_equal(error_code_of(r), -32021);
    cJSON_Delete(r);
    fake_ex *f = fake_new(NULL, MCP_ERA_MODERN, MCP_V_MODERN_LATEST, false);
    fake_dispatch(srv, f, "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"subscriptions/listen\",\"params\":{"
                          "\"notifications\":{\"taskIds\":[\"abc\"]}," META(CAPS_TASKS) "}}");
    assert_true(fake_wait_sent(f, 1, FAKE_WAIT_MS));
    const cJSON *ack = fake_sent_at(f, 0);
    const cJSON *ids = get(get(get(ack, "params"), "notifications"), "taskIds");
    assert_true(cJSON_IsArray(ids));
    assert_int_equal(cJSON_GetArraySize(ids), 0);
    mcp__server_close_listeners(srv, NULL);
    assert_true(fake_wait_complete(f, FAKE_WAIT_MS));
    fake_free(f);
    mcp_server_free(srv);
}

static void test_task_options_init_fills_the_documented_defaults(void **state)
{
    (void)state;
    mcp_task_options o, d = MCP_TASK_DEFAULTS;
    memset(&o, 0x5a, sizeof o);
    mcp_task_options_init(&o);
    assert_int_equal(o.ttl_ms, 300000);
    assert_int_equal(o.poll_interval_ms, 1000);
    assert_int_equal(o.lease_ms, 15000);
    assert_int_equal(o.max_per_principal, 10000);
    assert_int_equal(o.max_result_bytes, 1u << 20);
    assert_memory_equal(&o, &d, sizeof o);
    mcp_task_options_init(NULL);   /* harmless */
    mcp_server *srv = server_with_tools(NULL);
    assert_int_equal(mcp_server_set_task_options(srv, NULL), -MCP_EINVAL);
    assert_int_equal(mcp_server_set_task_options(srv, &(mcp_task_options){0}), 0);   /* 0: defaults */
    cJSON *r = call_tool(srv, NULL, "quick", CAPS_TASKS);
    assert_int_equal(get(result_of(r), "ttlMs")->valueint, 300000);
    assert_int_equal(get(result_of(r), "pollIntervalMs")->valueint, 1000);
    cJSON_Delete(r);
    mcp_server_free(srv);
}

/* A task holds its tool's registry entry: removing the tool while the task
 * waits for input leaves the entry to the task, which still runs the
 * handler when the answer comes; the entry goes when the task ends. */
static void test_a_task_keeps_its_removed_tool_until_it_ends(void **state)
{
    (void)state;
    mcp_server *srv = server_with_tools(NULL);
    long before = mcp__entry_live_count();
    cJSON *r = call_tool(srv, NULL, "parks", CAPS_TASKS);
    char *id = task_id_of(r);
    cJSON_Delete(r);
    cJSON *w = wait_status(srv, NULL, id, "input_required");
    assert_string_equal(get_str(result_of(w), "status"), "input_required");
    cJSON_Delete(w);
    assert_int_equal(mcp_server_remove_tool(srv, "parks"), 0);
    assert_int_equal(mcp__entry_live_count(), before);   /* not freed: the task holds it */
    char json[512];
    snprintf(json, sizeof json, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tasks/update\",\"params\":{\"taskId\":\"%s\","
             "\"inputResponses\":{\"ok\":{\"action\":\"accept\",\"content\":{}}}," META(CAPS_TASKS) "}}", id);
    cJSON_Delete(modern(srv, NULL, json));
    w = wait_status(srv, NULL, id, "completed");
    assert_string_equal(get_str(result_of(w), "status"), "completed");
    const cJSON *content = get(get(result_of(w), "result"), "content");
    assert_non_null(content);
    assert_string_equal(get_str(content->child, "text"), "answered");   /* the removed tool's handler ran */
    cJSON_Delete(w);
    for (int i = 0; i < 100 && mcp__entry_live_count() != before - 1; i++)
        sleep_ms(10);                                     /* the run lets go after its last write */
    assert_int_equal(mcp__entry_live_count(), before - 1);
    free(id);
    mcp_server_free(srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clients_without_the_extension_run_synchronously_or_get_32021),
        cmocka_unit_test(test_another_principal_reads_a_task_as_unknown),
        cmocka_unit_test(test_unfinished_tasks_per_principal_are_limited),
        cmocka_unit_test(test_a_result_over_the_size_limit_fails_the_task),
        cmocka_unit_test(test_cancel_reaches_the_running_handler),
        cmocka_unit_test(test_expired_tasks_are_deleted),
        cmocka_unit_test(test_removed_and_legacy_methods_are_not_found),
        cmocka_unit_test(test_progress_of_a_running_task_is_its_status_message),
        cmocka_unit_test(test_listen_for_task_ids_needs_the_extension_and_honours_none),
        cmocka_unit_test(test_task_options_init_fills_the_documented_defaults),
        cmocka_unit_test(test_a_task_keeps_its_removed_tool_until_it_ends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
