/* core/util: UTF-8 validation (MCP messages MUST be UTF-8), the linear
 * lexical pre-check (depth, control characters, numbers, NUL), base64 (RFC 4648), the growable string buffer, random
 * ids and the monotonic clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mcp/error.h>

#include "base/util.h"

#define U8_OK(lit) assert_true(mcp__utf8_valid((lit), sizeof(lit) - 1))
#define U8_BAD(lit) assert_false(mcp__utf8_valid((lit), sizeof(lit) - 1))

/* ---------------- mcp__utf8_valid ---------------- */

static void test_utf8_accepts_ascii_and_empty(void **state)
{
    (void)state;
    assert_true(mcp__utf8_valid("", 0));
    U8_OK("hello, world {}[]\t\r\n");
    assert_true(mcp__utf8_valid("a\0b", 3));   /* NUL is a valid code point */
}

static void test_utf8_accepts_each_sequence_length_at_its_boundaries(void **state)
{
    (void)state;
    U8_OK("\x7F");                  /* U+007F */
    U8_OK("\xC2\x80");              /* U+0080 smallest 2-byte */
    U8_OK("\xDF\xBF");              /* U+07FF */
    U8_OK("\xE0\xA0\x80");          /* U+0800 smallest 3-byte */
    U8_OK("\xED\x9F\xBF");          /* U+D7FF just below the surrogates */
    U8_OK("\xEE\x80\x80");          /* U+E000 just above them */
    U8_OK("\xEF\xBF\xBF");          /* U+FFFF */
    U8_OK("\xF0\x90\x80\x80");      /* U+10000 smallest 4-byte */
    U8_OK("\xF4\x8F\xBF\xBF");      /* U+10FFFF largest */
    U8_OK("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
}

static void test_utf8_rejects_overlong_encodings(void **state)
{
    (void)state;
    U8_BAD("\xC0\x80");             /* NUL, 2 bytes */
    U8_BAD("\xC1\xBF");             /* U+007F, 2 bytes */
    U8_BAD("\xE0\x80\x80");         /* NUL, 3 bytes */
    U8_BAD("\xE0\x9F\xBF");         /* U+07FF, 3 bytes */
    U8_BAD("\xF0\x80\x80\x80");     /* NUL, 4 bytes */
    U8_BAD("\xF0\x8F\xBF\xBF");     /* U+FFFF, 4 bytes */
}

static void test_utf8_rejects_surrogates(void **state)
{
    (void)state;
    U8_BAD("\xED\xA0\x80");         /* U+D800 */
    U8_BAD("\xED\xAF\xBF");         /* U+DBFF */
    U8_BAD("\xED\xB0\x80");         /* U+DC00 */
    U8_BAD("\xED\xBF\xBF");         /* U+DFFF */
    U8_BAD("\xED\xA0\xBD\xED\xB8\x80");   /* CESU-8 pair for U+1F600 */
}

static void test_utf8_rejects_truncated_sequences(void **state)
{
    (void)state;
    U8_BAD("\xC3");
    U8_BAD("\xE2\x82");
    U8_BAD("\xF0\x9F\x98");
    U8_BAD("ok\xE2\x82");           /* truncated at the end */
    U8_BAD("\xE2\x82" "A");         /* continuation replaced by ASCII */
    U8_BAD("\xF0\x9F" "AB");
    /* A correct sequence cut by the length argument is truncated too. */
    assert_false(mcp__utf8_valid("\xE2\x82\xAC", 2));
}

static void test_utf8_rejects_invalid_lead_and_stray_bytes(void **state)
{
    (void)state;
    U8_BAD("\x80");                 /* lone continuation */
    U8_BAD("a\xBF" "b");
    U8_BAD("\xF4\x90\x80\x80");     /* U+110000 */
    U8_BAD("\xF5\x80\x80\x80");
    U8_BAD("\xF8\x88\x80\x80\x80"); /* 5-byte form */
    U8_BAD("\xFE");
    U8_BAD("\xFF");
}

/* ---------------- mcp__json_lex_check ---------------- */

#define LEX(lit, limit) mcp__json_lex_check((lit), sizeof(lit) - 1, (limit))

static void expect_lex_error(const char *buf, size_t len, unsigned limit, const char *why_part)
{
    const char *why = mcp__json_lex_check(buf, len, limit);
    if (!why)
        fail_msg("mcp__json_lex_check accepted %.*s", (int)len, buf);
    if (why_part && !strstr(why, why_part))
        fail_msg("reason \"%s\" does not mention \"%s\"", why, why_part);
}

#define LEX_BAD(lit, limit, part) expect_lex_error((lit), sizeof(lit) - 1, (limit), (part))

static void test_lex_accepts_json_within_the_depth_limit(void **state)
{
    (void)state;
    assert_null(LEX("{}", 1));
    assert_null(LEX("[[[]]]", 3));
    assert_null(LEX("{\"a\":[1,{\"b\":2}],\"c\":[[]]}", 3));
    assert_null(LEX("123", 0));
    assert_null(LEX("{\"n\":[0,-0,1.5,-2e10,3E+2,4e-3,0.25]}", 2));
    assert_null(LEX("{\"s\":\"tab\\tnl\\n\\u00e9\\\"q\"}", 1));
}

static void test_lex_rejects_nesting_beyond_the_limit(void **state)
{
    (void)state;
    LEX_BAD("[[[]]]", 2, "deep");
    LEX_BAD("{}", 0, "deep");
    LEX_BAD("{\"a\":{\"b\":{\"c\":{}}}}", 3, "deep");
}

static void test_lex_ignores_brackets_inside_strings_and_escapes(void **state)
{
    (void)state;
    assert_null(LEX("[\"[[[[[[[[\"]", 1));
    assert_null(LEX("[\"\\\"[[[[\"]", 1));   /* escaped quote keeps the string open */
    assert_null(LEX("[\"\\\\\",[]]", 2));     /* escaped backslash ends at the quote */
    LEX_BAD("[\"\\\\\",[[]]]", 2, "deep");
}

static void test_lex_unbalanced_closers_do_not_hide_nesting(void **state)
{
    (void)state;
    /* Extra closers must not drive the counter negative and excuse depth. */
    LEX_BAD("]]]]]][[[", 2, "deep");
}

static void test_lex_handles_very_deep_input_linearly(void **state)
{
    (void)state;
    size_t n = 1000000;
    char *s = malloc(n);
    assert_non_null(s);
    memset(s, '[', n);
    assert_non_null(mcp__json_lex_check(s, n, 64));
    free(s);
}

static void test_lex_rejects_raw_control_characters_in_strings(void **state)
{
    (void)state;
    LEX_BAD("{\"a\":\"x\ny\"}", 64, "control");
    LEX_BAD("{\"a\":\"x\ty\"}", 64, "control");
    LEX_BAD("{\"a\x01\":1}", 64, "control");
    assert_null(LEX("{\"a\":\"x\\ny\"}", 64));   /* escaped is fine */
    assert_null(LEX("{\"a\":1}\n", 64));         /* whitespace outside strings is fine */
}

static void test_lex_rejects_malformed_numbers(void **state)
{
    (void)state;
    static const char *const bad[] = {"[01]", "[-]", "[1.]", "[1e]", "[1e+]", "[-01]", "[1x]", "[00]", "[--1]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_lex_error(bad[i], strlen(bad[i]), 64, "number");
}

static void test_lex_rejects_nul_bytes_and_escaped_nul(void **state)
{
    (void)state;
    expect_lex_error("{\"a\":1}\0", 8, 64, "NUL");
    expect_lex_error("{\"a\":\"x\0y\"}", 11, 64, NULL);
    LEX_BAD("{\"a\":\"\\u0000\"}", 64, "NUL");
    assert_null(LEX("{\"a\":\"\\u0001\"}", 64));
}

static void test_lex_rejects_unterminated_string(void **state)
{
    (void)state;
    LEX_BAD("{\"a\":\"abc", 64, "unterminated");
    LEX_BAD("[\"abc\\\"]", 64, "unterminated");   /* the quote is escaped */
}

/* ---------------- base64 ---------------- */

static void test_base64_encodes_rfc4648_vectors(void **state)
{
    (void)state;
    static const char *const vec[][2] = {
        {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
        char *enc = mcp__base64_encode((const unsigned char *)vec[i][0], strlen(vec[i][0]));
        assert_non_null(enc);
        assert_string_equal(enc, vec[i][1]);
        free(enc);
        size_t out_len = 99;
        unsigned char *dec = mcp__base64_decode(vec[i][1], strlen(vec[i][1]), &out_len);
        assert_non_null(dec);
        assert_int_equal(out_len, strlen(vec[i][0]));
        assert_memory_equal(dec, vec[i][0], out_len);
        free(dec);
    }
}

static void test_base64_round_trips_every_byte_value(void **state)
{
    (void)state;
    unsigned char buf[256 + 2];
    for (int i = 0; i < 256; i++)
        buf[i] = (unsigned char)i;
    buf[256] = 0xFF;
    buf[257] = 0x00;
    for (size_t len = 255; len <= sizeof buf; len++) {   /* all three padding cases */
        char *enc = mcp__base64_encode(buf, len);
        assert_non_null(enc);
        assert_int_equal(strlen(enc), 4 * ((len + 2) / 3));
        size_t out_len = 0;
        unsigned char *dec = mcp__base64_decode(enc, strlen(enc), &out_len);
        assert_non_null(dec);
        assert_int_equal(out_len, len);
        assert_memory_equal(dec, buf, len);
        free(dec);
        free(enc);
    }
}

static void test_base64_decode_rejects_invalid_input(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "Zg=",        /* length not a multiple of 4 */
        "Zm9",
        "Zm9*",       /* character outside the alphabet */
        "Zm 9",       /* whitespace */
        "Zm9v\n",
        "Zg==Zm9v",   /* padding before the end */
        "=Zg=",       /* padding in the first two positions */
        "Z===",
        "Zg=v",       /* data after padding */
        "Zm9-",       /* base64url alphabet is not accepted */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t out_len = 0;
        unsigned char *dec = mcp__base64_decode(bad[i], strlen(bad[i]), &out_len);
        if (dec) {
            free(dec);
            fail_msg("mcp__base64_decode accepted \"%s\"", bad[i]);
        }
    }
}

static void test_base64_decode_rejects_embedded_nul(void **state)
{
    (void)state;
    size_t out_len = 0;
    unsigned char *dec = mcp__base64_decode("Zm\0v", 4, &out_len);
    if (dec) {
        free(dec);
        fail_msg("mcp__base64_decode accepted a NUL byte");
    }
}

/* ---------------- strbuf ---------------- */

static void test_strbuf_appends_and_stays_nul_terminated(void **state)
{
    (void)state;
    strbuf sb = {0};
    assert_int_equal(mcp__strbuf_puts(&sb, "abc"), 0);
    assert_int_equal(mcp__strbuf_append(&sb, "defXYZ", 3), 0);
    assert_int_equal(mcp__strbuf_printf(&sb, "-%d-%s", 42, "x"), 0);
    assert_int_equal(sb.len, 11);
    assert_string_equal(sb.data, "abcdef-42-x");
    assert_int_equal(mcp__strbuf_append(&sb, "", 0), 0);
    assert_int_equal(sb.len, 11);
    mcp__strbuf_free(&sb);
    assert_null(sb.data);
    assert_int_equal(sb.len, 0);
}

static void test_strbuf_grows_across_many_appends(void **state)
{
    (void)state;
    strbuf sb = {0};
    for (int i = 0; i < 5000; i++)
        assert_int_equal(mcp__strbuf_printf(&sb, "%04d,", i % 10000), 0);
    assert_int_equal(sb.len, 5000 * 5);
    assert_int_equal(strlen(sb.data), sb.len);
    assert_memory_equal(sb.data, "0000,0001,", 10);
    assert_memory_equal(sb.data + sb.len - 5, "4999,", 5);
    assert_true(sb.cap > sb.len);
    mcp__strbuf_free(&sb);
}

static void test_strbuf_printf_of_long_text(void **state)
{
    (void)state;
    char big[3000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    strbuf sb = {0};
    assert_int_equal(mcp__strbuf_puts(&sb, "<"), 0);
    assert_int_equal(mcp__strbuf_printf(&sb, "%s>", big), 0);
    assert_int_equal(sb.len, 1 + 2999 + 1);
    assert_int_equal(sb.data[0], '<');
    assert_int_equal(sb.data[sb.len - 1], '>');
    assert_int_equal(sb.data[sb.len], '\0');
    mcp__strbuf_free(&sb);
}

static void test_strbuf_consume_drops_from_the_front(void **state)
{
    (void)state;
    strbuf sb = {0};
    mcp__strbuf_puts(&sb, "line1\nline2\n");
    mcp__strbuf_consume(&sb, 6);
    assert_string_equal(sb.data, "line2\n");
    assert_int_equal(sb.len, 6);
    mcp__strbuf_consume(&sb, 100);   /* more than there is */
    assert_int_equal(sb.len, 0);
    assert_string_equal(sb.data, "");
    mcp__strbuf_consume(&sb, 1);
    assert_int_equal(sb.len, 0);
    mcp__strbuf_free(&sb);
    strbuf empty = {0};
    mcp__strbuf_consume(&empty, 3);  /* no buffer yet: must not crash */
    assert_int_equal(empty.len, 0);
}

static void test_strbuf_take_hands_over_and_resets(void **state)
{
    (void)state;
    strbuf sb = {0};
    mcp__strbuf_puts(&sb, "payload");
    char *p = mcp__strbuf_take(&sb);
    assert_string_equal(p, "payload");
    assert_null(sb.data);
    assert_int_equal(sb.len, 0);
    assert_int_equal(sb.cap, 0);
    free(p);
    char *e = mcp__strbuf_take(&sb);   /* empty buffer gives an empty string */
    assert_non_null(e);
    assert_string_equal(e, "");
    free(e);
    mcp__strbuf_puts(&sb, "again");    /* usable after take */
    assert_string_equal(sb.data, "again");
    mcp__strbuf_free(&sb);
}

/* ---------------- ids, clock, mcp__xstrdup ---------------- */

static void test_random_hex_id_is_lowercase_hex_of_twice_the_length(void **state)
{
    (void)state;
    char a[33], b[33];
    assert_int_equal(mcp__random_hex_id(a, 16), 0);
    assert_int_equal(mcp__random_hex_id(b, 16), 0);
    assert_int_equal(strlen(a), 32);
    for (int i = 0; i < 32; i++)
        assert_true(isdigit((unsigned char)a[i]) || (a[i] >= 'a' && a[i] <= 'f'));
    assert_string_not_equal(a, b);
}

static void test_random_hex_id_rejects_oversized_request(void **state)
{
    (void)state;
    char out[200];
    assert_int_equal(mcp__random_hex_id(out, 65), -MCP_EINVAL);
    assert_int_equal(mcp__random_hex_id(out, 64), 0);
    assert_int_equal(strlen(out), 128);
}

static void test_random_bytes_fill_the_buffer(void **state)
{
    (void)state;
    unsigned char buf[4096] = {0};
    assert_int_equal(mcp__random_bytes(buf, sizeof buf), 0);
    size_t zeros = 0;
    for (size_t i = 0; i < sizeof buf; i++)
        zeros += buf[i] == 0;
    assert_true(zeros < 100);   /* ~16 expected; an unfilled buffer has 4096 */
}

static void test_now_ms_is_monotonic_in_milliseconds(void **state)
{
    (void)state;
    uint64_t t0 = mcp__now_ms();
    struct timespec ts = {0, 20 * 1000000L};
    nanosleep(&ts, NULL);
    uint64_t t1 = mcp__now_ms();
    assert_true(t1 >= t0 + 20);
    assert_true(t1 < t0 + 2000);
}

static void test_xstrdup_copies_and_accepts_null(void **state)
{
    (void)state;
    assert_null(mcp__xstrdup(NULL));
    const char *src = "copy me";
    char *c = mcp__xstrdup(src);
    assert_string_equal(c, src);
    assert_ptr_not_equal(c, src);
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_accepts_ascii_and_empty),
        cmocka_unit_test(test_utf8_accepts_each_sequence_length_at_its_boundaries),
        cmocka_unit_test(test_utf8_rejects_overlong_encodings),
        cmocka_unit_test(test_utf8_rejects_surrogates),
        cmocka_unit_test(test_utf8_rejects_truncated_sequences),
        cmocka_unit_test(test_utf8_rejects_invalid_lead_and_stray_bytes),
        cmocka_unit_test(test_lex_accepts_json_within_the_depth_limit),
        cmocka_unit_test(test_lex_rejects_nesting_beyond_the_limit),
        cmocka_unit_test(test_lex_ignores_brackets_inside_strings_and_escapes),
        cmocka_unit_test(test_lex_unbalanced_closers_do_not_hide_nesting),
        cmocka_unit_test(test_lex_handles_very_deep_input_linearly),
        cmocka_unit_test(test_lex_rejects_raw_control_characters_in_strings),
        cmocka_unit_test(test_lex_rejects_malformed_numbers),
        cmocka_unit_test(test_lex_rejects_nul_bytes_and_escaped_nul),
        cmocka_unit_test(test_lex_rejects_unterminated_string),
        cmocka_unit_test(test_base64_encodes_rfc4648_vectors),
        cmocka_unit_test(test_base64_round_trips_every_byte_value),
        cmocka_unit_test(test_base64_decode_rejects_invalid_input),
        cmocka_unit_test(test_base64_decode_rejects_embedded_nul),
        cmocka_unit_test(test_strbuf_appends_and_stays_nul_terminated),
        cmocka_unit_test(test_strbuf_grows_across_many_appends),
        cmocka_unit_test(test_strbuf_printf_of_long_text),
        cmocka_unit_test(test_strbuf_consume_drops_from_the_front),
        cmocka_unit_test(test_strbuf_take_hands_over_and_resets),
        cmocka_unit_test(test_random_hex_id_is_lowercase_hex_of_twice_the_length),
        cmocka_unit_test(test_random_hex_id_rejects_oversized_request),
        cmocka_unit_test(test_random_bytes_fill_the_buffer),
        cmocka_unit_test(test_now_ms_is_monotonic_in_milliseconds),
        cmocka_unit_test(test_xstrdup_copies_and_accepts_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
