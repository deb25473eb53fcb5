/* core/session: eviction at the cap (mcp__session_table_evict_lru): the
 * least recently used session that nothing but the table holds goes; a
 * session with a holder (request, stream) or a call in flight never does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <mcp/error.h>

#include "core/session.h"

static mcp_session *add(session_table *t, uint64_t last_used_ms)
{
    mcp_session *s = mcp__session_new();
    assert_non_null(s);
    assert_int_equal(mcp__session_table_insert(t, s), 0);
    atomic_store(&s->last_used_ms, last_used_ms);
    return s;                      /* the caller's reference */
}

static void test_evicts_the_least_recently_used_idle_session(void **state)
{
    (void)state;
    session_table *t = mcp__session_table_new(3, NULL, 60000);
    mcp_session *a = add(t, 300), *b = add(t, 100), *c = add(t, 200);
    char bid[MCP_SESSION_ID_LEN + 1];
    memcpy(bid, b->id, sizeof bid);
    mcp__session_unref(a);
    mcp__session_unref(b);
    mcp__session_unref(c);
    assert_int_equal(mcp__session_table_count(t), 3);
    assert_int_equal(mcp__session_table_evict_lru(t), 0);
    assert_int_equal(mcp__session_table_count(t), 2);
    mcp_session *gone = NULL;
    assert_int_equal(mcp__session_table_lookup(t, bid, &gone), -MCP_ENOTFOUND);
    mcp__session_table_free(t);
}

static void test_never_evicts_a_held_or_busy_session(void **state)
{
    (void)state;
    session_table *t = mcp__session_table_new(2, NULL, 60000);
    mcp_session *held = add(t, 100);          /* we keep our reference: in use */
    mcp_session *busy = add(t, 200);
    mcp__session_unref(busy);
    atomic_bool cancel = false;
    active_call ac;
    mcp__session_track_call(busy, &ac, NULL, &cancel);   /* a call in flight */
    assert_int_equal(mcp__session_table_evict_lru(t), -MCP_ENOTFOUND);
    assert_int_equal(mcp__session_table_count(t), 2);
    mcp__session_untrack_call(busy, &ac);
    assert_int_equal(mcp__session_table_evict_lru(t), 0);   /* busy is idle now; held still held */
    assert_int_equal(mcp__session_table_count(t), 1);
    assert_false(atomic_load(&held->closed));
    assert_int_equal(mcp__session_table_evict_lru(t), -MCP_ENOTFOUND);
    mcp__session_unref(held);
    mcp__session_table_free(t);
}

static void test_empty_table_has_nothing_to_evict(void **state)
{
    (void)state;
    session_table *t = mcp__session_table_new(1, NULL, 60000);
    assert_int_equal(mcp__session_table_evict_lru(t), -MCP_ENOTFOUND);
    mcp__session_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evicts_the_least_recently_used_idle_session),
        cmocka_unit_test(test_never_evicts_a_held_or_busy_session),
        cmocka_unit_test(test_empty_table_has_nothing_to_evict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
