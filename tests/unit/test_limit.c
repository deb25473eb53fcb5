/* core/limit: token-bucket math (refill, cap at burst, wait until the next
 * token), the limiter per principal (independent buckets, tools/call only
 * unless every request, refusal counters) and the Retry-After mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/limit.h"
#include "store/store.h"

static void test_fresh_bucket_starts_full_and_drains(void **state)
{
    (void)state;
    mcp__bucket b = {0};
    for (int i = 0; i < 3; i++)
        assert_int_equal(mcp__bucket_take(&b, 1.0, 3.0, 1000000), 0);
    /* empty: one token per second, so the next is 1000 ms away */
    assert_int_equal(mcp__bucket_take(&b, 1.0, 3.0, 1000000), 1000);
}

static void test_refill_is_proportional_and_capped_at_burst(void **state)
{
    (void)state;
    mcp__bucket b = {0};
    assert_int_equal(mcp__bucket_take(&b, 2.0, 2.0, 1000000), 0);
    assert_int_equal(mcp__bucket_take(&b, 2.0, 2.0, 1000000), 0);
    /* 250 ms at 2/s = half a token: 250 ms more to wait */
    assert_int_equal(mcp__bucket_take(&b, 2.0, 2.0, 1250000), 250);
    /* 500 ms after empty: one token */
    assert_int_equal(mcp__bucket_take(&b, 2.0, 2.0, 1500000), 0);
    /* an hour idle refills to the burst, never beyond */
    uint64_t later = 1500000 + 3600ull * 1000000;
    assert_int_equal(mcp__bucket_take(&b, 2.0, 2.0, later), 0);
    assert_int_equal(mcp__bucket_take(&b, 2.0, 2.0, later), 0);
    assert_true(mcp__bucket_take(&b, 2.0, 2.0, later) > 0);
}

static void test_fractional_rate_per_minute(void **state)
{
    (void)state;
    mcp__bucket b = {0};
    double rate = 30.0 / 60.0;           /* 30/min */
    assert_int_equal(mcp__bucket_take(&b, rate, 1.0, 5000000), 0);
    assert_int_equal(mcp__bucket_take(&b, rate, 1.0, 5000000), 2000);
    assert_int_equal(mcp__bucket_take(&b, rate, 1.0, 6999000), 1);   /* 1 ms of refill left: rounds up to 1 */
    assert_int_equal(mcp__bucket_take(&b, rate, 1.0, 7000000), 0);
}

static void test_clock_going_back_does_not_refill(void **state)
{
    (void)state;
    mcp__bucket b = {0};
    assert_int_equal(mcp__bucket_take(&b, 1.0, 1.0, 9000000), 0);
    assert_true(mcp__bucket_take(&b, 1.0, 1.0, 1000000) >= 1000);
}

static void test_limiter_off_without_rate(void **state)
{
    (void)state;
    mcp__limit_config c = {0};
    assert_null(mcp__limiter_new(&c));
    c.rate = -1;
    assert_null(mcp__limiter_new(&c));
    assert_false(mcp__limiter_applies(NULL, "tools/call"));
    assert_int_equal(mcp__limiter_take(NULL, "x", "tools/call"), 0);
}

static void test_limiter_principals_are_independent(void **state)
{
    (void)state;
    mcp__limit_config c = { .rate = 0.001, .burst = 2 };
    mcp__limiter *lim = mcp__limiter_new(&c);
    assert_non_null(lim);
    assert_true(mcp__limiter_applies(lim, "tools/call"));
    assert_false(mcp__limiter_applies(lim, "tools/list"));
    assert_int_equal(mcp__limiter_take(lim, "ip:127.0.0.1", "tools/call"), 0);
    assert_int_equal(mcp__limiter_take(lim, "ip:127.0.0.1", "tools/call"), 0);
    assert_true(mcp__limiter_take(lim, "ip:127.0.0.1", "tools/call") > 0);
    assert_int_equal(mcp__limiter_take(lim, "ip:127.0.0.2", "tools/call"), 0);
    assert_int_equal(mcp__limiter_take(lim, "sub:alice", "tools/call"), 0);
    mcp__limit_stats st;
    mcp__limiter_stats(lim, &st);
    assert_string_equal(st.names[0], "tools/call");
    assert_int_equal(st.counts[0], 1);
    assert_int_equal(st.store_fallbacks, 0);
    mcp__limiter_free(lim);
}

static void test_limiter_default_burst_is_one_second(void **state)
{
    (void)state;
    mcp__limit_config c = { .rate = 0.5, .all_requests = true };   /* burst max(1, ceil(0.5)) = 1 */
    mcp__limiter *lim = mcp__limiter_new(&c);
    assert_true(mcp__limiter_applies(lim, "tools/list"));
    assert_int_equal(mcp__limiter_take(lim, NULL, "tools/list"), 0);
    assert_true(mcp__limiter_take(lim, "", "tools/list") > 0);   /* NULL and "" are one anonymous principal */
    mcp__limiter_free(lim);
}

static void test_many_principals_stay_bounded(void **state)
{
    (void)state;
    mcp__limit_config c = { .rate = 0.001, .burst = 1 };
    mcp__limiter *lim = mcp__limiter_new(&c);
    char key[64];
    for (int i = 0; i < 40000; i++) {      /* more than the local table holds */
        snprintf(key, sizeof key, "ip:10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
        assert_int_equal(mcp__limiter_take(lim, key, "tools/call"), 0);
    }
    /* a recent principal is still tracked */
    assert_true(mcp__limiter_take(lim, key, "tools/call") > 0);
    mcp__limiter_free(lim);
}

static void test_retry_after_rounds_up_to_whole_seconds(void **state)
{
    (void)state;
    cJSON *resp = cJSON_Parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-31429,\"message\":\"x\","
                              "\"data\":{\"retryAfterMs\":1001}}}");
    assert_int_equal(mcp__limit_retry_after_s(resp), 2);
    cJSON_SetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(resp, "error"), "data"),
                                             "retryAfterMs"), 3);
    assert_int_equal(mcp__limit_retry_after_s(resp), 1);
    cJSON_Delete(resp);
    resp = cJSON_Parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32603,\"message\":\"x\"}}");
    assert_int_equal(mcp__limit_retry_after_s(resp), 0);
    cJSON_Delete(resp);
    assert_int_equal(mcp__limit_retry_after_s(NULL), 0);
    char msg[160];
    mcp__limit_message(msg, sizeof msg, 1500);
    assert_non_null(strstr(msg, "Rate limit exceeded"));
    assert_non_null(strstr(msg, "1500 ms"));
    cJSON *data = mcp__limit_data(1500);
    assert_int_equal(cJSON_GetObjectItem(data, "retryAfterMs")->valueint, 1500);
    cJSON_Delete(data);
}

/* A store whose shared bucket fails (as a stalled Redis times out) or
 * answers, counting how often it is asked. */
typedef struct fake_store {
    mcp_store base;
    int calls;
    bool failing;
} fake_store;

static int fake_limit_take(mcp_store *st, const char *principal, double rate, unsigned burst, uint64_t *retry_ms)
{
    (void)principal, (void)rate, (void)burst;
    fake_store *f = (fake_store *)st;
    f->calls++;
    if (f->failing)
        return -1;
    *retry_ms = 0;
    return 0;
}

static void test_a_failing_store_is_left_alone_for_a_second(void **state)
{
    (void)state;
    static const store_ops ops = { .limit_take = fake_limit_take };
    fake_store f = { .base = { .ops = &ops } };
    mcp__limit_config cfg = { .rate = 1000, .burst = 1000, .store = &f.base };
    mcp__limiter *lim = mcp__limiter_new(&cfg);
    assert_non_null(lim);
    assert_int_equal(mcp__limiter_take(lim, "a", "tools/call"), 0);
    assert_int_equal(f.calls, 1);                     /* healthy: the store decides */
    f.failing = true;
    assert_int_equal(mcp__limiter_take(lim, "a", "tools/call"), 0);   /* fail-open */
    assert_int_equal(f.calls, 2);
    for (int i = 0; i < 50; i++)                      /* within the second: local only */
        assert_int_equal(mcp__limiter_take(lim, "b", "tools/call"), 0);
    assert_int_equal(f.calls, 2);
    mcp__limit_stats st;
    mcp__limiter_stats(lim, &st);
    assert_int_equal(st.store_fallbacks, 51);
    mcp__limiter_free(lim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh_bucket_starts_full_and_drains),
        cmocka_unit_test(test_refill_is_proportional_and_capped_at_burst),
        cmocka_unit_test(test_fractional_rate_per_minute),
        cmocka_unit_test(test_clock_going_back_does_not_refill),
        cmocka_unit_test(test_limiter_off_without_rate),
        cmocka_unit_test(test_limiter_principals_are_independent),
        cmocka_unit_test(test_limiter_default_burst_is_one_second),
        cmocka_unit_test(test_many_principals_stay_bounded),
        cmocka_unit_test(test_retry_after_rounds_up_to_whole_seconds),
        cmocka_unit_test(test_a_failing_store_is_left_alone_for_a_second),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
