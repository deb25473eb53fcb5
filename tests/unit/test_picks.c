/* base/picks: the pointer list notify.c and streamable.c snapshot their
 * receivers into under a lock. Items stay in order in the caller's storage,
 * move to the heap (doubling) past it with every item kept, and free
 * returns the list to the caller's storage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/picks.h"

static void test_stays_in_caller_storage(void **state)
{
    (void)state;
    void *stack[4];
    int v[4];
    mcp__picks p;
    mcp__picks_init(&p, stack, 4);
    assert_int_equal(p.n, 0);
    for (int i = 0; i < 4; i++)
        assert_true(mcp__picks_add(&p, &v[i]));
    assert_ptr_equal(p.items, stack);
    assert_int_equal(p.n, 4);
    for (int i = 0; i < 4; i++)
        assert_ptr_equal(p.items[i], &v[i]);
    mcp__picks_free(&p);
    assert_int_equal(p.n, 0);
}

static void test_grows_on_the_heap_keeping_order(void **state)
{
    (void)state;
    void *stack[2];
    int v[100];
    mcp__picks p;
    mcp__picks_init(&p, stack, 2);
    for (int i = 0; i < 100; i++)
        assert_true(mcp__picks_add(&p, &v[i]));
    assert_ptr_not_equal(p.items, stack);
    assert_int_equal(p.n, 100);
    assert_true(p.cap >= 100);
    for (int i = 0; i < 100; i++)
        assert_ptr_equal(p.items[i], &v[i]);
    mcp__picks_free(&p);
    assert_ptr_equal(p.items, stack);
    assert_int_equal(p.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stays_in_caller_storage),
        cmocka_unit_test(test_grows_on_the_heap_keeping_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
