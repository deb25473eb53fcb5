/* base/clock: the one clock. Monotonic readings never go back, deadlines
 * normalise nanoseconds, and a condition variable made by
 * mcp__clock_cond_init really waits until a monotonic deadline: the HTTP
 * housekeeper used to wait on CLOCK_REALTIME, so a wall-clock step back
 * stalled session expiry and keep-alives. (A CLOCK_REALTIME condition
 * variable given a monotonic deadline - far in its past - returns at once,
 * which the last test would catch.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "base/clock.h"

static void test_monotonic_readings(void **state)
{
    (void)state;
    uint64_t a = mcp__now_ms(), b = mcp__now_ms();
    assert_true(b >= a);
    uint64_t ua = mcp__now_us(), ub = mcp__now_us();
    assert_true(ub >= ua);
    assert_true(mcp__unix_ms() > 1600000000000ull);   /* wall clock, after 2020 */
}

static void test_deadline_normalises_nanoseconds(void **state)
{
    (void)state;
    for (unsigned ms = 0; ms < 2500; ms += 123) {
        struct timespec ts;
        mcp__clock_deadline_ms(&ts, ms);
        assert_true(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000L);
    }
}

static void test_cond_waits_on_the_monotonic_clock(void **state)
{
    (void)state;
    pthread_cond_t cond;
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    assert_int_equal(mcp__clock_cond_init(&cond), 0);
    uint64_t start = mcp__now_ms();
    struct timespec ts;
    mcp__clock_deadline_ms(&ts, 200);
    pthread_mutex_lock(&lock);
    int rc = 0;
    while (rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&cond, &lock, &ts);
    pthread_mutex_unlock(&lock);
    /* A wait can end late under load, never early: at least most of it. */
    assert_true(mcp__now_ms() - start >= 150);
    pthread_cond_destroy(&cond);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_monotonic_readings),
        cmocka_unit_test(test_deadline_normalises_nanoseconds),
        cmocka_unit_test(test_cond_waits_on_the_monotonic_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
