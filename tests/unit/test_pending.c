/* core/run: mcp_call_state_incr_then, a handler whose store answers later.
 * The call finishes exactly once, with then's result, whichever comes
 * first: the handler's return or the store's answer (from another thread).
 * Without a store, or when the store does not take the command, then runs
 * before the handler returns, like mcp_call_state_incr. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_exchange.h"
#include "store/store.h"

static const char call_json[] =
    "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"count\",\"arguments\":{}}}";

/* ---- a store whose increments are answered by the test ---- */

typedef enum { ANSWER_LATER, ANSWER_BEFORE_RETURN, REFUSE } store_mode;

static struct {
    store_mode mode;
    void (*done)(void *ctx, int rc, int64_t value);
    void *ctx;
    int64_t value;              /* what the store holds */
    int answer_rc;
    int async_calls, sync_calls;
} fake;

typedef struct answer_job {
    void (*done)(void *ctx, int rc, int64_t value);
    void *ctx;
    int rc;
    int64_t value;
} answer_job;

static void *answer_thread(void *arg)
{
    answer_job *j = arg;
    j->done(j->ctx, j->rc, j->value);
    return NULL;
}

/* Answer on a thread of its own, as the Redis pipeline does. */
static void answer_from_another_thread(void (*done)(void *, int, int64_t), void *ctx, int rc, int64_t value)
{
    answer_job j = { done, ctx, rc, value };
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, answer_thread, &j), 0);
    pthread_join(t, NULL);
}

static int fake_incr_async(mcp_store *st, const char *sid, const char *key, int64_t delta, unsigned ttl_ms,
                           void (*done)(void *ctx, int rc, int64_t value), void *ctx)
{
    (void)st; (void)sid; (void)key; (void)ttl_ms;
    fake.async_calls++;
    if (fake.mode == REFUSE)
        return -MCP_EIO;
    fake.value += delta;
    if (fake.mode == ANSWER_BEFORE_RETURN) {
        answer_from_another_thread(done, ctx, fake.answer_rc, fake.value);
        return 0;
    }
    fake.done = done;
    fake.ctx = ctx;
    return 0;
}

static int fake_incr(mcp_store *st, const char *sid, const char *key, int64_t delta, int64_t *out)
{
    (void)st; (void)sid; (void)key;
    fake.sync_calls++;
    fake.value += delta;
    *out = fake.value;
    return 0;
}

static const store_ops fake_store_ops = { .state_incr = fake_incr, .state_incr_async = fake_incr_async };
static mcp_store fake_store = { .ops = &fake_store_ops };

/* ---- the tool ---- */

static atomic_int then_calls, then_rc;

static int counted(mcp_call *call, int rc, int64_t value, void *userdata)
{
    assert_ptr_equal(userdata, &then_calls);
    atomic_store(&then_rc, rc);
    atomic_fetch_add(&then_calls, 1);
    if (rc < 0)
        return rc;
    return mcp_call_text(call, "count=%" PRId64, value);
}

static int count_tool(mcp_call *call, const cJSON *args, void *userdata)
{
    (void)args;
    (void)userdata;
    return mcp_call_state_incr_then(call, "count", 1, counted, &then_calls);
}

static int pending_without_operation(mcp_call *call, const cJSON *args, void *userdata)
{
    (void)call; (void)args; (void)userdata;
    return MCP_CALL_PENDING;
}

static mcp_server *server_with(mcp_tool_fn fn)
{
    mcp_server *srv = new_server();
    static const char schema[] = "{\"type\":\"object\"}";
    mcp_tool t = { .name = "count", .description = "adds one", .input_schema = schema, .handler = fn };
    assert_int_equal(mcp_server_add_tool(srv, &t, NULL), 0);
    return srv;
}

static mcp_session *stored_session(void)
{
    mcp_session *s = mcp__session_new();
    assert_non_null(s);
    s->store = &fake_store;
    s->ttl_ms = 60000;
    return s;
}

static void reset_fake(store_mode mode)
{
    memset(&fake, 0, sizeof fake);
    fake.mode = mode;
    atomic_store(&then_calls, 0);
}

static void test_in_process_state_answers_before_the_handler_returns(void **state)
{
    (void)state;
    reset_fake(ANSWER_LATER);
    mcp_server *srv = server_with(count_tool);
    mcp_session *s = mcp__session_new();
    for (int i = 1; i <= 3; i++) {
        fake_ex *f = fake_legacy(s, MCP_V_2025_11_25);
        fake_dispatch(srv, f, call_json);
        assert_int_equal(f->completions, 1);            /* finished inside dispatch */
        char want[16];
        snprintf(want, sizeof want, "count=%d", i);
        assert_string_equal(content_text(result_of(f->response), 0), want);
        fake_free(f);
    }
    assert_int_equal(atomic_load(&then_calls), 3);
    mcp__session_unref(s);
    mcp_server_free(srv);
}

static void test_store_answer_after_the_return_finishes_the_call(void **state)
{
    (void)state;
    reset_fake(ANSWER_LATER);
    fake.value = 41;
    mcp_server *srv = server_with(count_tool);
    mcp_session *s = stored_session();
    fake_ex *f = fake_legacy(s, MCP_V_2025_11_25);
    fake_dispatch(srv, f, call_json);
    assert_int_equal(f->completions, 0);                /* waits for the store */
    assert_int_equal(atomic_load(&then_calls), 0);
    assert_non_null(fake.done);
    answer_from_another_thread(fake.done, fake.ctx, 0, fake.value);
    assert_true(fake_wait_complete(f, FAKE_WAIT_MS));
    assert_int_equal(f->completions, 1);
    assert_string_equal(content_text(result_of(f->response), 0), "count=42");
    assert_int_equal(atomic_load(&then_calls), 1);
    assert_int_equal(fake.sync_calls, 0);
    fake_free(f);
    mcp__session_unref(s);
    mcp_server_free(srv);
}

static void test_store_answer_before_the_return_finishes_once(void **state)
{
    (void)state;
    reset_fake(ANSWER_BEFORE_RETURN);
    mcp_server *srv = server_with(count_tool);
    mcp_session *s = stored_session();
    for (int i = 1; i <= 50; i++) {
        fake_ex *f = fake_legacy(s, MCP_V_2025_11_25);
        fake_dispatch(srv, f, call_json);
        assert_true(fake_wait_complete(f, FAKE_WAIT_MS));
        assert_int_equal(f->completions, 1);
        char want[16];
        snprintf(want, sizeof want, "count=%d", i);
        assert_string_equal(content_text(result_of(f->response), 0), want);
        fake_free(f);
    }
    assert_int_equal(fake.async_calls, 50);
    mcp__session_unref(s);
    mcp_server_free(srv);
}

static void test_store_error_reaches_then_and_the_reply(void **state)
{
    (void)state;
    reset_fake(ANSWER_BEFORE_RETURN);
    fake.answer_rc = -MCP_EIO;
    mcp_server *srv = server_with(count_tool);
    mcp_session *s = stored_session();
    fake_ex *f = fake_legacy(s, MCP_V_2025_11_25);
    fake_dispatch(srv, f, call_json);
    assert_true(fake_wait_complete(f, FAKE_WAIT_MS));
    assert_int_equal(error_code_of(f->response), -32603);
    assert_non_null(strstr(error_message_of(f->response), "count"));
    assert_int_equal(atomic_load(&then_calls), 1);
    assert_int_equal(atomic_load(&then_rc), -MCP_EIO);
    fake_free(f);
    mcp__session_unref(s);
    mcp_server_free(srv);
}

static void test_store_refusing_the_command_falls_back_to_waiting(void **state)
{
    (void)state;
    reset_fake(REFUSE);
    fake.value = 9;
    mcp_server *srv = server_with(count_tool);
    mcp_session *s = stored_session();
    fake_ex *f = fake_legacy(s, MCP_V_2025_11_25);
    fake_dispatch(srv, f, call_json);
    assert_int_equal(f->completions, 1);
    assert_string_equal(content_text(result_of(f->response), 0), "count=10");
    assert_int_equal(fake.async_calls, 1);
    assert_int_equal(fake.sync_calls, 1);
    fake_free(f);
    mcp__session_unref(s);
    mcp_server_free(srv);
}

static void test_without_a_session_then_gets_unsupported(void **state)
{
    (void)state;
    reset_fake(ANSWER_LATER);
    mcp_server *srv = server_with(count_tool);
    fake_ex *f = fake_legacy(NULL, MCP_V_2025_11_25);
    fake_dispatch(srv, f, call_json);
    assert_int_equal(f->completions, 1);
    assert_int_equal(atomic_load(&then_calls), 1);
    assert_int_equal(atomic_load(&then_rc), -MCP_EUNSUPPORTED);   /* as mcp_call_state_incr returns */
    assert_true(cJSON_IsTrue(get(result_of(f->response), "isError")));
    fake_free(f);
    mcp_server_free(srv);
}

static void test_pending_without_an_operation_is_an_internal_error(void **state)
{
    (void)state;
    mcp_server *srv = server_with(pending_without_operation);
    fake_ex *f = fake_legacy(NULL, MCP_V_2025_11_25);
    fake_dispatch(srv, f, call_json);
    assert_int_equal(f->completions, 1);
    assert_int_equal(error_code_of(f->response), -32603);
    fake_free(f);
    mcp_server_free(srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_process_state_answers_before_the_handler_returns),
        cmocka_unit_test(test_store_answer_after_the_return_finishes_the_call),
        cmocka_unit_test(test_store_answer_before_the_return_finishes_once),
        cmocka_unit_test(test_store_error_reaches_then_and_the_reply),
        cmocka_unit_test(test_store_refusing_the_command_falls_back_to_waiting),
        cmocka_unit_test(test_without_a_session_then_gets_unsupported),
        cmocka_unit_test(test_pending_without_an_operation_is_an_internal_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
