/* base/json_parse: the one-pass message parser against its reference, the
 * checked cJSON path (mcp__jsonrpc_parse_checked). Whatever the fast parser
 * accepts the reference accepts, into the same tree (types, keys in order,
 * strings byte for byte, numbers bit for bit, cJSON's list shape); what it
 * refuses goes to the reference, so every valid message below must be
 * accepted by the fast parser itself (or the fast path would be dead), and
 * random input the reference accepts must be too.
 * Crafted cases, then seeded random mutations of valid messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_parse.h"
#include "core/jsonrpc.h"

#define DEPTH 8

/* Same tree, or the path where they differ in *where. */
static bool same_tree(const cJSON *a, const cJSON *b, const char **where)
{
    for (; a && b; a = a->next, b = b->next) {
        if ((a->type & 0xFF) != (b->type & 0xFF))
            return *where = "type", false;
        if ((a->string == NULL) != (b->string == NULL) || (a->string && strcmp(a->string, b->string) != 0))
            return *where = "key", false;
        if (cJSON_IsString(a) && strcmp(a->valuestring, b->valuestring) != 0)
            return *where = "string", false;
        if (cJSON_IsNumber(a) && (memcmp(&a->valuedouble, &b->valuedouble, sizeof(double)) != 0 || a->valueint != b->valueint))
            return *where = "number", false;
        if (cJSON_IsBool(a) && a->valueint != b->valueint)
            return *where = "bool", false;
        if ((a->child == NULL) != (b->child == NULL))
            return *where = "children", false;
        if (a->child) {
            const cJSON *last = a->child;
            while (last->next)
                last = last->next;
            if (a->child->prev != last)
                return *where = "first child's prev is not the last child", false;
            if (!same_tree(a->child, b->child, where))
                return false;
        }
    }
    if (a || b)
        return *where = "length", false;
    return true;
}

static int fast_accepted, both_refused, fast_only_refused;

/* The property for one input; expect_fast: it is valid and plain enough
 * that the fast parser must take it. */
static void check_input(const char *buf, size_t len, bool expect_fast)
{
    const char *why = NULL, *where = NULL;
    cJSON *fast = mcp__json_parse(buf, len, DEPTH);
    cJSON *ref = mcp__jsonrpc_parse_checked(buf, len, DEPTH, &why);
    if (fast && !ref)
        fail_msg("fast parser accepted what the reference refuses (%s): %.*s", why, (int)len, buf);
    if (fast && !same_tree(fast, ref, &where))
        fail_msg("trees differ (%s) for: %.*s", where, (int)len, buf);
    if (expect_fast && !fast)
        fail_msg("fast parser refused a valid message: %.*s", (int)len, buf);
    if (fast)
        fast_accepted++;
    else if (ref)
        fast_only_refused++;
    else
        both_refused++;
    cJSON_Delete(fast);
    cJSON_Delete(ref);
}

static void check(const char *text, bool expect_fast)
{
    check_input(text, strlen(text), expect_fast);
}

static const char *const valid[] = {
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"hello\"}}}",
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"},"
    "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{},"
    "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"wrk\",\"version\":\"4.1.0\"}}}}",
    " \t\r\n{ \"a\" : [ 1 , 2 , { } , [ ] , \"\" ] } \n",
    "[]", "{}", "[[[[[[[[]]]]]]]]", "\"just a string\"", "0", "-0", "-0.0", "1e5", "1E+5", "2.5e-3", "-12.75",
    "123456789012345", "1234567890123456", "-1234567890123456", "12345678901234567890", "9007199254740993",
    "2147483647", "2147483648", "-2147483648", "-2147483649", "1e400", "-1e400", "1e-400", "0.1", "3.141592653589793",
    "true", "false", "null", "[true,false,null]",
    "{\"dup\":1,\"dup\":2}",
    "{\"esc\":\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"}",
    "{\"u\":\"\\u00e9\\u20ac\\ud83d\\ude00\\u0041\\u07ff\\u0800\\uffff\"}",
    "{\"utf8\":\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf \xf4\x8f\xbf\xbf\"}",
    "{\"del\":\"\x7f\",\"long\":\"0123456789abcdef0123456789abcdef0123456789abcdef\"}",
    "{\"\":\"empty key\",\"k\":\"\"}",
    "[1,-1,0.5,-0.5,100,1e2,1.0e2]",
    "[\"a\\\\\",\"\\\\\",\"x\\\"y\"]",
    "{\"n\":123456789012345678901234567890123456789012345678901234567890123}",   /* 63 digits */
    "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
    "1.00000000000000000000000000000000000000000000000000000000000000000000000000005",
};

static const char *const invalid[] = {
    "", " ", "{", "}", "[", "]", "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "[1,]", "[1 2]", "{1:2}", "{\"a\":1 \"b\":2}",
    "\"unterminated", "\"bad escape \\x\"", "\"\\u12\"", "\"\\uZZZZ\"", "\"\\u0000\"", "\"nul \\u0000 inside\"",
    "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\ud800x\"",
    "\"ctl \x01\"", "\"tab \t raw\"", "\"nl \n raw\"",
    "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf5\x80\x80\x80\"", "\"\xe2\x82\"", "\"\x80\"", "\"\xff\"", "\xc3\xa9",
    "01", "-", "-a", "+1", "1.", ".5", "1e", "1e+", "0x10", "1.5.3", "1-2", "NaN", "Infinity", "-Infinity",
    "tru", "truex", "nul", "nulll", "falsey", "True", "[true false]",
    "{} {}", "[] x", "1 2", "{\"a\":1}\x01", "\x0c{}",
    "[[[[[[[[[]]]]]]]]]",                           /* depth 9 > 8 */
};

static void test_valid_messages_take_the_fast_path_with_the_same_tree(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++)
        check(valid[i], true);
}

static void test_invalid_messages_are_refused_by_both(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        const char *why = NULL;
        if (mcp__json_parse(invalid[i], strlen(invalid[i]), DEPTH))
            fail_msg("fast parser accepted %s", invalid[i]);
        cJSON *ref = mcp__jsonrpc_parse_checked(invalid[i], strlen(invalid[i]), DEPTH, &why);
        if (ref)
            fail_msg("reference accepted %s", invalid[i]);
        assert_non_null(why);
    }
}

/* The one input the fast parser leaves to cJSON on purpose: a leading
 * UTF-8 byte order mark, which cJSON skips (RFC 8259 allows either). */
static void test_a_byte_order_mark_is_left_to_cjson(void **state)
{
    (void)state;
    static const char bom[] = "\xef\xbb\xbf{\"a\":1}";
    const char *why = NULL;
    assert_null(mcp__json_parse(bom, strlen(bom), DEPTH));
    cJSON *v = mcp__jsonrpc_parse(bom, strlen(bom), DEPTH, &why);
    assert_non_null(v);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(v, "a")->valueint, 1);
    cJSON_Delete(v);
}

static void test_errors_are_worded_by_the_reference(void **state)
{
    (void)state;
    static const struct { const char *in, *why; } cases[] = {
        { "", "Parse error: empty body" },
        { "\"\xff\"", "Parse error: message is not valid UTF-8" },
        { "[[[[[[[[[]]]]]]]]]", "Parse error: JSON nested too deeply" },
        { "\"\\u0000\"", "Parse error: strings must not contain NUL (\\u0000)" },
        { "{\"a\":1} x", "Parse error: trailing data after the JSON value" },
        { "{\"a\":}", "Parse error: invalid JSON" },
        { "01", "Parse error: malformed number" },
        /* cJSON alone would read these as U+0000 and cut the string short. */
        { "\"\\uZZZZ\"", "Parse error: malformed \\u escape in a string" },
        { "\"ab\\u12\"", "Parse error: malformed \\u escape in a string" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *why = NULL;
        assert_null(mcp__jsonrpc_parse(cases[i].in, strlen(cases[i].in), DEPTH, &why));
        assert_non_null(why);
        assert_string_equal(why, cases[i].why);
    }
}

/* Seeded mutations of the valid messages: byte flips, insertions of JSON's
 * special bytes, deletions and truncations. */
static void test_random_mutations_agree_with_the_reference(void **state)
{
    (void)state;
    static const char specials[] = "{}[]\",:\\0123456789-+.eEtrufalsn \t\n\x01\x7f\x80\xc3\xa9\xed\xf0";
    uint64_t seed = 0x9E3779B97F4A7C15u;
    char buf[512];
    fast_accepted = both_refused = fast_only_refused = 0;
    for (int round = 0; round < 200000; round++) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        const char *base = valid[seed % (sizeof valid / sizeof valid[0])];
        size_t len = strlen(base);
        memcpy(buf, base, len);
        int edits = 1 + (int)((seed >> 8) % 3);
        for (int e = 0; e < edits && len > 0 && len < sizeof buf - 1; e++) {
            uint64_t r = (seed >> (16 + 8 * e)) * 0x2545F4914F6CDD1Du;
            size_t at = (size_t)(r % len);
            char c = specials[(r >> 32) % (sizeof specials - 1)];
            switch ((r >> 40) % 4) {
            case 0: buf[at] = c; break;
            case 1: memmove(buf + at + 1, buf + at, len - at); buf[at] = c; len++; break;
            case 2: memmove(buf + at, buf + at + 1, len - at - 1); len--; break;
            default: len = at; break;
            }
        }
        check_input(buf, len, false);
    }
    print_message("fast accepted %d, both refused %d, left to the reference %d\n", fast_accepted, both_refused,
                  fast_only_refused);
    assert_true(fast_accepted > 1000);   /* the mutations keep many messages valid */
    assert_int_equal(fast_only_refused, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_messages_take_the_fast_path_with_the_same_tree),
        cmocka_unit_test(test_invalid_messages_are_refused_by_both),
        cmocka_unit_test(test_a_byte_order_mark_is_left_to_cjson),
        cmocka_unit_test(test_errors_are_worded_by_the_reference),
        cmocka_unit_test(test_random_mutations_agree_with_the_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
