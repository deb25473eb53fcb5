/* transport/body_buffer: request bodies on the heap while small, in their
 * own mapping once large; contents and NUL termination survive the move and
 * every growth, and freeing resets the buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "transport/body_buffer.h"

static void test_small_body_stays_on_the_heap(void **state)
{
    (void)state;
    body_buffer b = {0};
    assert_int_equal(mcp__body_buffer_append(&b, "{\"a\":", 5), 0);
    assert_int_equal(mcp__body_buffer_append(&b, "1}", 2), 0);
    assert_string_equal(b.data, "{\"a\":1}");
    assert_int_equal(b.len, 7);
    assert_false(b.mapped);
    mcp__body_buffer_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void test_large_body_moves_to_a_mapping_intact(void **state)
{
    (void)state;
    body_buffer b = {0};
    char chunk[4096];
    size_t total = 0;
    /* 3 MiB in 4 KiB chunks, each chunk filled with its own index byte. */
    for (unsigned i = 0; total < 3u * 1024 * 1024; i++) {
        memset(chunk, 'a' + (int)(i % 26), sizeof chunk);
        assert_int_equal(mcp__body_buffer_append(&b, chunk, sizeof chunk), 0);
        total += sizeof chunk;
        if (total < BODY_MAPPED_MIN / 2)
            assert_false(b.mapped);
    }
    assert_true(b.mapped);
    assert_int_equal(b.len, total);
    assert_int_equal(b.data[b.len], '\0');
    for (size_t off = 0; off < total; off += sizeof chunk)
        assert_int_equal(b.data[off], 'a' + (int)((off / sizeof chunk) % 26));
    mcp__body_buffer_free(&b);
    assert_null(b.data);
    assert_false(b.mapped);
}

static void test_reuse_after_free(void **state)
{
    (void)state;
    body_buffer b = {0};
    char *big = malloc(BODY_MAPPED_MIN * 2);
    memset(big, 'x', BODY_MAPPED_MIN * 2);
    assert_int_equal(mcp__body_buffer_append(&b, big, BODY_MAPPED_MIN * 2), 0);
    assert_true(b.mapped);
    mcp__body_buffer_free(&b);
    assert_int_equal(mcp__body_buffer_append(&b, "ok", 2), 0);
    assert_string_equal(b.data, "ok");
    assert_false(b.mapped);
    mcp__body_buffer_free(&b);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_body_stays_on_the_heap),
        cmocka_unit_test(test_large_body_moves_to_a_mapping_intact),
        cmocka_unit_test(test_reuse_after_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
