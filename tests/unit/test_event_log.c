/* transport/event_log: the per-stream replay ring behind Last-Event-ID.
 * It starts small and grows to its cap; beyond the cap the oldest events
 * go; replay returns exactly the kept events after a sequence number, in
 * order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport/event_log.h"

static void append_n(event_log *log, uint64_t from, uint64_t to)
{
    char frame[64];
    for (uint64_t seq = from; seq <= to; seq++) {
        int n = snprintf(frame, sizeof frame, "id: 1_%llu\n\n", (unsigned long long)seq);
        mcp__event_log_append(log, seq, frame, (size_t)n);
    }
}

/* The ids replayed after `after`, as "a,b,c". */
static char *replayed(const event_log *log, uint64_t after)
{
    strbuf out = {0};
    mcp__event_log_replay_after(log, after, &out);
    strbuf ids = {0};
    mcp__strbuf_puts(&ids, "");
    for (const char *p = out.data; p && (p = strstr(p, "id: 1_")); ) {
        p += 6;
        size_t n = strcspn(p, "\n");
        if (ids.len)
            mcp__strbuf_puts(&ids, ",");
        mcp__strbuf_append(&ids, p, n);
    }
    mcp__strbuf_free(&out);
    return mcp__strbuf_take(&ids);
}

static void assert_replay(const event_log *log, uint64_t after, const char *want)
{
    char *got = replayed(log, after);
    assert_string_equal(got, want);
    free(got);
}

static void test_starts_empty_and_small(void **state)
{
    (void)state;
    event_log log;
    mcp__event_log_init(&log, 256);
    assert_int_equal(log.size, 0);            /* nothing allocated before the first event */
    assert_replay(&log, 0, "");
    append_n(&log, 1, 2);
    assert_true(log.size >= 2 && log.size < 256);
    assert_replay(&log, 0, "1,2");
    assert_replay(&log, 1, "2");
    assert_replay(&log, 2, "");
    mcp__event_log_free(&log);
}

static void test_grows_in_order_up_to_the_cap(void **state)
{
    (void)state;
    event_log log;
    mcp__event_log_init(&log, 10);
    append_n(&log, 1, 10);
    assert_int_equal(log.len, 10);
    assert_int_equal(log.size, 10);
    assert_replay(&log, 0, "1,2,3,4,5,6,7,8,9,10");
    assert_replay(&log, 7, "8,9,10");
    mcp__event_log_free(&log);
}

static void test_drops_the_oldest_beyond_the_cap(void **state)
{
    (void)state;
    event_log log;
    mcp__event_log_init(&log, 5);
    append_n(&log, 1, 13);                     /* wraps the ring twice */
    assert_int_equal(log.len, 5);
    assert_int_equal(log.size, 5);
    assert_replay(&log, 0, "9,10,11,12,13");
    assert_replay(&log, 11, "12,13");
    assert_replay(&log, 13, "");
    mcp__event_log_free(&log);
}

static void test_growth_keeps_order_across_sizes(void **state)
{
    (void)state;
    /* Every doubling copies the kept events over in order; then the cap
     * turns growth into dropping the oldest. */
    event_log log;
    mcp__event_log_init(&log, 100);
    append_n(&log, 1, 4);                      /* first allocation: 4 slots, full */
    append_n(&log, 5, 37);                     /* grows 8, 16, 32, 64 */
    assert_int_equal(log.len, 37);
    char *got = replayed(&log, 30);
    assert_string_equal(got, "31,32,33,34,35,36,37");
    free(got);
    append_n(&log, 38, 150);                   /* at the cap of 100: 51..150 kept */
    assert_int_equal(log.len, 100);
    got = replayed(&log, 0);
    assert_true(strncmp(got, "51,52,", 6) == 0);
    assert_true(strlen(got) > 6 && strcmp(got + strlen(got) - 8, ",149,150") == 0);
    free(got);
    mcp__event_log_free(&log);
}

static void test_cap_zero_keeps_nothing(void **state)
{
    (void)state;
    event_log log;
    mcp__event_log_init(&log, 0);                   /* external store: events live there */
    append_n(&log, 1, 3);
    assert_int_equal(log.len, 0);
    assert_null(log.slots);
    assert_replay(&log, 0, "");
    mcp__event_log_free(&log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_starts_empty_and_small),
        cmocka_unit_test(test_grows_in_order_up_to_the_cap),
        cmocka_unit_test(test_drops_the_oldest_beyond_the_cap),
        cmocka_unit_test(test_growth_keeps_order_across_sizes),
        cmocka_unit_test(test_cap_zero_keeps_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
