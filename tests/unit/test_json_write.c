/* base/json_write (mcp__json_print): the compact serialiser every reply goes through. Its
 * text must read back as exactly the tree it printed, and be the text
 * cJSON_PrintUnformatted produces except where cJSON loses precision or
 * picks exponent form for an integer: hand-picked edge cases and every JSON
 * document in the fuzz corpora. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_write.h"

/* Same shape, same keys in the same order, numbers bit-for-bit equal. */
static bool exactly_equal(const cJSON *a, const cJSON *b)
{
    if ((a->type & 0xFF) != (b->type & 0xFF))
        return false;
    if (cJSON_IsNumber(a))
        return a->valuedouble == b->valuedouble && signbit(a->valuedouble) == signbit(b->valuedouble);
    if (cJSON_IsString(a) || cJSON_IsRaw(a))
        return strcmp(a->valuestring, b->valuestring) == 0;
    if (!cJSON_IsArray(a) && !cJSON_IsObject(a))
        return true;
    const cJSON *x = a->child, *y = b->child;
    for (; x && y; x = x->next, y = y->next)
        if ((cJSON_IsObject(a) && strcmp(x->string, y->string) != 0) || !exactly_equal(x, y))
            return false;
    return !x && !y;
}

static unsigned differing;           /* texts that differ from cJSON's (numbers only) */

/* mcp__json_print(item) reads back as item exactly, and is cJSON's text or,
 * where it is not, a text cJSON considers equal to its own. */
static void assert_equivalent_to_cjson(const cJSON *item)
{
    char *want = cJSON_PrintUnformatted(item);
    size_t len = 0;
    char *got = mcp__json_print(item, &len);
    assert_non_null(want);
    assert_non_null(got);
    assert_int_equal(len, strlen(got));
    if (strcmp(got, want) != 0) {
        differing++;
        cJSON *mine = cJSON_Parse(got), *theirs = cJSON_Parse(want);
        assert_non_null(mine);
        assert_non_null(theirs);
        if (!cJSON_IsRaw(item))
            assert_true(exactly_equal(mine, item));
        assert_true(cJSON_Compare(mine, theirs, true));
        cJSON_Delete(mine);
        cJSON_Delete(theirs);
    }
    free(got);
    cJSON_free(want);
}

static void assert_same_as_cjson(const cJSON *item)
{
    char *want = cJSON_PrintUnformatted(item);
    size_t len = 0;
    char *got = mcp__json_print(item, &len);
    assert_non_null(want);
    assert_non_null(got);
    assert_string_equal(got, want);
    assert_int_equal(len, strlen(want));
    free(got);
    cJSON_free(want);
}

static void assert_number(double d, const char *want)
{
    cJSON *n = cJSON_CreateNumber(d);
    char *got = mcp__json_print(n, NULL);
    assert_string_equal(got, want);
    if (!isnan(d) && !isinf(d)) {
        cJSON *back = cJSON_Parse(got);
        assert_true(back && back->valuedouble == d);     /* exact round trip */
        cJSON_Delete(back);
    }
    assert_equivalent_to_cjson(n);
    free(got);
    cJSON_Delete(n);
}

static void test_numbers(void **state)
{
    (void)state;
    assert_number(0, "0");
    assert_number(-0.0, "-0");
    assert_number(1, "1");
    assert_number(-1, "-1");
    assert_number(2147483647.0, "2147483647");
    assert_number(2147483648.0, "2147483648");
    assert_number(-2147483649.0, "-2147483649");
    assert_number(999999999999999.0, "999999999999999");
    assert_number(1e15, "1000000000000000");               /* cJSON: 1e+15 */
    assert_number(9007199254740991.0, "9007199254740991");  /* cJSON: 9.00719925474099e+15, another number */
    assert_number(9007199254740992.0, "9007199254740992");
    assert_number(18014398509481984.0, "18014398509481984");
    assert_number(0.5, "0.5");
    assert_number(0.1, "0.1");
    assert_number(1.0 / 3, "0.33333333333333331");
    assert_number(-2.5e-7, "-2.5e-07");
    assert_number(1e300, "1e+300");
    assert_number(DBL_MIN, "2.2250738585072014e-308");
    assert_number(DBL_MAX, "1.7976931348623157e+308");
    assert_number(NAN, "null");
    assert_number(INFINITY, "null");
    assert_number(-INFINITY, "null");
}

static void test_strings_and_escapes(void **state)
{
    (void)state;
    const char *cases[] = {
        "", "plain", "quote \" backslash \\ slash /", "\b\f\n\r\t", "\x01\x02\x1f\x7f",
        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "</script>", "\\u0000 literal",
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cJSON *s = cJSON_CreateString(cases[i]);
        assert_same_as_cjson(s);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, cases[i], cases[i]);     /* keys are escaped too */
        assert_same_as_cjson(o);
        cJSON_Delete(o);
        cJSON_Delete(s);
    }
}

static void test_structures(void **state)
{
    (void)state;
    const char *docs[] = {
        "{}", "[]", "[[],{},[{}]]", "null", "true", "false",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"hello\"}]}}",
        "{\"a\":[1,2.5,-3e-5,true,false,null,\"x\"],\"b\":{\"c\":{\"d\":[]}}}",
        "{\"dup\":1,\"dup\":2}",
    };
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
        cJSON *v = cJSON_Parse(docs[i]);
        assert_non_null(v);
        assert_same_as_cjson(v);
        cJSON_Delete(v);
    }
    cJSON *raw = cJSON_CreateObject();
    cJSON_AddRawToObject(raw, "id", "12345678901234567890");
    assert_same_as_cjson(raw);
    cJSON_Delete(raw);
}

static void test_invalid_item(void **state)
{
    (void)state;
    assert_null(mcp__json_print(NULL, NULL));
    cJSON bad = { 0 };                        /* cJSON_Invalid */
    assert_null(mcp__json_print(&bad, NULL));
}

/* Every parseable document of the fuzz corpora. */
static void test_fuzz_corpora(void **state)
{
    (void)state;
    const char *top = getenv("MCP_SOURCE_DIR");
    if (!top)
        skip();
    const char *dirs[] = { "tests/fuzz/corpus/fuzz_jsonrpc", "tests/fuzz/corpus/fuzz_schema" };
    unsigned compared = 0;
    for (size_t d = 0; d < 2; d++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", top, dirs[d]);
        DIR *dir = opendir(path);
        assert_non_null(dir);
        for (struct dirent *e; (e = readdir(dir));) {
            if (e->d_name[0] == '.')
                continue;
            char file[8192];
            snprintf(file, sizeof file, "%s/%s", path, e->d_name);
            FILE *f = fopen(file, "rb");
            if (!f)
                continue;
            static char buf[1 << 20];
            size_t n = fread(buf, 1, sizeof buf - 1, f);
            fclose(f);
            buf[n] = '\0';
            cJSON *v = cJSON_ParseWithLength(buf, n);
            if (!v)
                continue;
            assert_equivalent_to_cjson(v);
            cJSON_Delete(v);
            compared++;
        }
        closedir(dir);
    }
    assert_true(compared >= 20);
    assert_true(differing < compared / 4);      /* numbers only: most texts are cJSON's */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_strings_and_escapes),
        cmocka_unit_test(test_structures),
        cmocka_unit_test(test_invalid_item),
        cmocka_unit_test(test_fuzz_corpora),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
