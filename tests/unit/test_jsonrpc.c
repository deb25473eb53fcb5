/* core/jsonrpc: framing rules shared by every transport (checklist §2.1,
 * §4.12): what is a parse error (-32700), how a parsed value is classified
 * (request / notification / response / invalid -32600), the id rules
 * (string or integer, never null, never a float or an object), params must
 * be an object, responses carry exactly one of result/error, and error
 * replies echo the request id when it can be read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_exchange.h"

#define DEPTH 64u

/* ---------------- helpers ---------------- */

static void expect_parse_error(const char *buf, size_t len)
{
    const char *why = NULL;
    cJSON *m = mcp__jsonrpc_parse(buf, len, DEPTH, &why);
    if (m) {
        cJSON_Delete(m);
        fail_msg("mcp__jsonrpc_parse accepted %zu bytes that must be a parse error", len);
    }
    assert_non_null(why);
    assert_non_null(strstr(why, "Parse error"));
}

static cJSON *expect_parse_ok(const char *buf, size_t len)
{
    const char *why = NULL;
    cJSON *m = mcp__jsonrpc_parse(buf, len, DEPTH, &why);
    if (!m)
        fail_msg("mcp__jsonrpc_parse rejected valid input (%s): %.*s", why ? why : "?", (int)len, buf);
    return m;
}

#define PARSE_ERR(lit) expect_parse_error((lit), sizeof(lit) - 1)

static msg_kind classify_text(const char *json, const char **why)
{
    cJSON *m = parse_or_fail(json);
    *why = NULL;
    msg_kind k = mcp__jsonrpc_classify(m, why);
    cJSON_Delete(m);
    return k;
}

static void expect_invalid(const char *json, const char *why_part)
{
    const char *why = NULL;
    msg_kind k = classify_text(json, &why);
    if (k != MSG_INVALID)
        fail_msg("classified as %d, expected MSG_INVALID: %s", (int)k, json);
    assert_non_null(why);
    assert_non_null(strstr(why, "Invalid Request"));
    if (why_part && !strstr(why, why_part))
        fail_msg("reason \"%s\" does not mention \"%s\"", why, why_part);
}

static void expect_kind(const char *json, msg_kind want)
{
    const char *why = NULL;
    msg_kind k = classify_text(json, &why);
    if (k != want)
        fail_msg("classified as %d (%s), expected %d: %s", (int)k, why ? why : "", (int)want, json);
}

static char *nested_arrays(unsigned depth)
{
    char *s = malloc(2 * depth + 1);
    assert_non_null(s);
    memset(s, '[', depth);
    memset(s + depth, ']', depth);
    s[2 * depth] = '\0';
    return s;
}

/* ---------------- parse errors (-32700) ---------------- */

static void test_invalid_json_is_parse_error(void **state)
{
    (void)state;
    PARSE_ERR("{");
    PARSE_ERR("{\"jsonrpc\":\"2.0\",}");
    PARSE_ERR("not json");
    PARSE_ERR("{'a':1}");
    PARSE_ERR("{\"a\":nan}");
}

static void test_empty_input_is_parse_error(void **state)
{
    (void)state;
    expect_parse_error("", 0);
    expect_parse_error("{}", 0);   /* length wins over the bytes behind it */
    PARSE_ERR("   ");
}

static void test_trailing_garbage_is_parse_error(void **state)
{
    (void)state;
    PARSE_ERR("{\"jsonrpc\":\"2.0\",\"method\":\"ping\"} x");
    PARSE_ERR("{}{}");
    PARSE_ERR("{}]");
    PARSE_ERR("[1] 2");
}

static void test_trailing_whitespace_is_accepted(void **state)
{
    (void)state;
    static const char in[] = "{\"a\":1} \r\n\t";
    cJSON *m = expect_parse_ok(in, sizeof in - 1);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(m, "a")->valueint, 1);
    cJSON_Delete(m);
}

static void test_parse_respects_length_not_nul(void **state)
{
    (void)state;
    /* Only the first 7 bytes are the message; the rest is outside it. */
    static const char in[] = "{\"a\":1}GARBAGE";
    cJSON *m = expect_parse_ok(in, 7);
    cJSON_Delete(m);
}

static void test_invalid_utf8_is_parse_error(void **state)
{
    (void)state;
    PARSE_ERR("{\"a\":\"\xC0\xAF\"}");             /* overlong '/' (2 bytes) */
    PARSE_ERR("{\"a\":\"\xE0\x80\xAF\"}");         /* overlong '/' (3 bytes) */
    PARSE_ERR("{\"a\":\"\xF0\x80\x80\xAF\"}");     /* overlong '/' (4 bytes) */
    PARSE_ERR("{\"a\":\"\xED\xA0\x80\"}");         /* UTF-16 surrogate D800 */
    PARSE_ERR("{\"a\":\"\xED\xBF\xBF\"}");         /* surrogate DFFF */
    PARSE_ERR("{\"a\":\"\xE2\x82\"}");             /* truncated 3-byte sequence */
    PARSE_ERR("{\"a\":\"\xF0\x9F\x98\"}");         /* truncated 4-byte sequence */
    PARSE_ERR("{\"a\":\"x\"}\xE2\x82");            /* truncated at the very end */
    PARSE_ERR("{\"a\":\"\x80\"}");                 /* lone continuation byte */
    PARSE_ERR("{\"a\":\"\xF4\x90\x80\x80\"}");     /* above U+10FFFF */
    PARSE_ERR("{\"a\":\"\xFF\"}");                 /* never valid */
}

static void test_valid_utf8_is_accepted(void **state)
{
    (void)state;
    static const char in[] = "{\"a\":\"\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"}";   /* é € 😀 */
    cJSON *m = expect_parse_ok(in, sizeof in - 1);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(m, "a")->valuestring,
                        "\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
    cJSON_Delete(m);
}

static void test_nesting_deeper_than_limit_is_parse_error(void **state)
{
    (void)state;
    char *deep = nested_arrays(DEPTH + 1);
    expect_parse_error(deep, strlen(deep));
    free(deep);
    char *ok = nested_arrays(DEPTH);
    cJSON *m = expect_parse_ok(ok, strlen(ok));
    cJSON_Delete(m);
    free(ok);
}

static void test_nesting_limit_ignores_brackets_in_strings(void **state)
{
    (void)state;
    static const char in[] = "{\"a\":\"[[[[[[{{{{{{\\\"[[[[\"}";
    const char *why = NULL;
    cJSON *m = mcp__jsonrpc_parse(in, sizeof in - 1, 2, &why);
    assert_non_null(m);
    cJSON_Delete(m);
    static const char deep[] = "{\"a\":[[1]]}";   /* depth 3 */
    m = mcp__jsonrpc_parse(deep, sizeof deep - 1, 2, &why);
    assert_null(m);
    assert_non_null(strstr(why, "deep"));
}

/* cJSON alone accepts raw control characters inside strings; RFC 8259 §7
 * requires them escaped, so this is invalid JSON and must be -32700. */
static void test_raw_control_character_in_string_is_parse_error(void **state)
{
    (void)state;
    PARSE_ERR("{\"jsonrpc\":\"2.0\",\"method\":\"a\nb\"}");
    PARSE_ERR("{\"a\":\"tab\there\"}");
}

/* cJSON alone accepts numbers with leading zeros, which RFC 8259 §6 forbids. */
static void test_number_with_leading_zero_is_parse_error(void **state)
{
    (void)state;
    PARSE_ERR("{\"jsonrpc\":\"2.0\",\"id\":01,\"method\":\"ping\"}");
    PARSE_ERR("{\"jsonrpc\":\"2.0\",\"id\":-01,\"method\":\"ping\"}");
}

/* LIBRARY BUG (reported): JSON whitespace is only space, tab, LF and CR
 * (RFC 8259 §2), but cJSON skips every byte <= 0x20 between tokens, so
 * these invalid texts are accepted instead of answered with -32700. */
static void test_control_character_between_tokens_is_parse_error(void **state)
{
    (void)state;
    PARSE_ERR("{\x01\"jsonrpc\":\"2.0\",\"method\":\"ping\"}");
    PARSE_ERR("{\"jsonrpc\":\x0b\"2.0\",\"method\":\"ping\"}");
    PARSE_ERR("\x0c{\"jsonrpc\":\"2.0\",\"method\":\"ping\"}");
}

static void test_nul_byte_or_escaped_nul_is_parse_error(void **state)
{
    (void)state;
    static const char raw[] = "{\"jsonrpc\":\"2.0\",\"method\":\"a\0b\"}";
    expect_parse_error(raw, sizeof raw - 1);
    PARSE_ERR("{\"jsonrpc\":\"2.0\",\"method\":\"a\\u0000b\"}");
}

/* ---------------- classification ---------------- */

static void test_request_with_integer_id_is_request(void **state)
{
    (void)state;
    expect_kind("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", MSG_REQUEST);
    expect_kind("{\"jsonrpc\":\"2.0\",\"id\":-7,\"method\":\"ping\"}", MSG_REQUEST);
    expect_kind("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"ping\",\"params\":{}}", MSG_REQUEST);
    expect_kind("{\"jsonrpc\":\"2.0\",\"id\":9007199254740991,\"method\":\"ping\"}", MSG_REQUEST);
}

static void test_request_with_string_id_is_request(void **state)
{
    (void)state;
    expect_kind("{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"tools/list\"}", MSG_REQUEST);
    expect_kind("{\"jsonrpc\":\"2.0\",\"id\":\"\",\"method\":\"tools/list\"}", MSG_REQUEST);
}

static void test_message_without_id_is_notification(void **state)
{
    (void)state;
    expect_kind("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", MSG_NOTIFICATION);
    expect_kind("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":1}}",
                MSG_NOTIFICATION);
}

static void test_result_or_error_without_method_is_response(void **state)
{
    (void)state;
    expect_kind("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}", MSG_RESPONSE);
    expect_kind("{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"result\":null}", MSG_RESPONSE);
    expect_kind("{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":-1,\"message\":\"no\"}}", MSG_RESPONSE);
}

static void test_null_id_is_invalid_request(void **state)
{
    (void)state;
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", "null");
}

static void test_float_id_is_invalid_request(void **state)
{
    (void)state;
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}", "string or an integer");
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1e999,\"method\":\"ping\"}", NULL);   /* inf */
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":9007199254740993,\"method\":\"ping\"}", NULL);
}

static void test_object_array_or_bool_id_is_invalid_request(void **state)
{
    (void)state;
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}", "string or an integer");
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"ping\"}", NULL);
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}", NULL);
}

static void test_jsonrpc_member_must_be_2_0(void **state)
{
    (void)state;
    expect_invalid("{\"id\":1,\"method\":\"ping\"}", "jsonrpc");
    expect_invalid("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", "jsonrpc");
    expect_invalid("{\"jsonrpc\":2.0,\"id\":1,\"method\":\"ping\"}", "jsonrpc");
}

static void test_non_object_message_is_invalid_request(void **state)
{
    (void)state;
    expect_invalid("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", "object");
    expect_invalid("42", "object");
    expect_invalid("\"ping\"", "object");
}

static void test_method_must_be_non_empty_string(void **state)
{
    (void)state;
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":5}", "method");
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\"}", "method");
    expect_invalid("{\"jsonrpc\":\"2.0\",\"method\":null}", "method");
}

static void test_params_must_be_an_object(void **state)
{
    (void)state;
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":[]}", "params");
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":\"x\"}", "params");
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":null}", "params");
    expect_invalid("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\",\"params\":[1]}", "params");
}

static void test_message_without_method_or_id_is_invalid(void **state)
{
    (void)state;
    expect_invalid("{\"jsonrpc\":\"2.0\"}", "method");
    expect_invalid("{\"jsonrpc\":\"2.0\",\"result\":{}}", "method");
}

static void test_response_needs_exactly_one_of_result_and_error(void **state)
{
    (void)state;
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1}", "exactly one");
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{},\"error\":{\"code\":1,\"message\":\"x\"}}",
                   "exactly one");
}

static void test_error_response_needs_object_with_code(void **state)
{
    (void)state;
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":\"boom\"}", "error");
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"message\":\"no code\"}}", "error");
    expect_invalid("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":\"-1\"}}", "error");
}

static void test_jsonrpc_id_returns_only_string_or_integer(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"{\"id\":3}", "int"},  {"{\"id\":\"s\"}", "str"}, {"{\"id\":null}", NULL},
        {"{\"id\":2.5}", NULL}, {"{\"id\":{}}", NULL},      {"{}", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *m = parse_or_fail(cases[i][0]);
        const cJSON *id = mcp__jsonrpc_id(m);
        if (cases[i][1] == NULL)
            assert_null(id);
        else if (strcmp(cases[i][1], "int") == 0)
            assert_true(cJSON_IsNumber(id) && id->valueint == 3);
        else
            assert_true(cJSON_IsString(id) && strcmp(id->valuestring, "s") == 0);
        cJSON_Delete(m);
    }
}

/* ---------------- builders ---------------- */

static void test_result_builder_echoes_id_and_result(void **state)
{
    (void)state;
    cJSON *id = cJSON_CreateString("req-1");
    cJSON *res = cJSON_CreateObject();
    cJSON_AddNumberToObject(res, "x", 1);
    cJSON *m = mcp__jsonrpc_result_take(id, res);
    char *text = mcp__jsonrpc_print(m);
    assert_string_equal(text, "{\"jsonrpc\":\"2.0\",\"id\":\"req-1\",\"result\":{\"x\":1}}");
    free(text);
    cJSON_Delete(m);
    cJSON_Delete(id);
}

static void test_error_builder_with_unknown_id_uses_null(void **state)
{
    (void)state;
    cJSON *m = mcp__jsonrpc_error(NULL, JSONRPC_PARSE_ERROR, "Parse error");
    char *text = mcp__jsonrpc_print(m);
    assert_string_equal(text, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}");
    free(text);
    cJSON_Delete(m);
}

static void test_error_builder_carries_integer_id_and_data(void **state)
{
    (void)state;
    cJSON *id = cJSON_CreateNumber(42);
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "uri", "x://y");
    cJSON *m = mcp__jsonrpc_error_data_take(id, MCP_ERR_RESOURCE_NOT_FOUND, "Resource not found", data);
    char *text = mcp__jsonrpc_print(m);
    assert_string_equal(text, "{\"jsonrpc\":\"2.0\",\"id\":42,\"error\":{\"code\":-32002,"
                              "\"message\":\"Resource not found\",\"data\":{\"uri\":\"x://y\"}}}");
    free(text);
    cJSON_Delete(m);
    cJSON_Delete(id);
}

static void test_notification_builder_has_no_id(void **state)
{
    (void)state;
    cJSON *m = mcp__jsonrpc_notification_take("notifications/tools/list_changed", NULL);
    assert_null(cJSON_GetObjectItemCaseSensitive(m, "id"));
    const char *why = NULL;
    assert_int_equal(mcp__jsonrpc_classify(m, &why), MSG_NOTIFICATION);
    cJSON_Delete(m);
}

static void test_request_builder_has_integer_id_and_classifies_as_request(void **state)
{
    (void)state;
    cJSON *m = mcp__jsonrpc_request_take(17, "roots/list", cJSON_CreateObject());
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
    assert_true(cJSON_IsNumber(id));
    assert_int_equal(id->valueint, 17);
    const char *why = NULL;
    assert_int_equal(mcp__jsonrpc_classify(m, &why), MSG_REQUEST);
    cJSON_Delete(m);
}

/* ---------------- error replies through dispatch ---------------- */

static cJSON *dispatch_invalid(const char *json)
{
    mcp_server *srv = new_server();
    cJSON *resp = rpc_legacy(srv, MCP_V_2025_11_25, json);
    mcp_server_free(srv);
    return resp;
}

static void test_invalid_request_error_echoes_string_id(void **state)
{
    (void)state;
    cJSON *resp = dispatch_invalid("{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"ping\",\"params\":[]}");
    assert_int_equal(error_code_of(resp), JSONRPC_INVALID_REQUEST);
    assert_string_equal(get_str(resp, "id"), "abc");
    assert_string_equal(get_str(resp, "jsonrpc"), "2.0");
    cJSON_Delete(resp);
}

static void test_invalid_request_error_echoes_integer_id(void **state)
{
    (void)state;
    cJSON *resp = dispatch_invalid("{\"jsonrpc\":\"1.0\",\"id\":77,\"method\":\"ping\"}");
    assert_int_equal(error_code_of(resp), JSONRPC_INVALID_REQUEST);
    const cJSON *id = get(resp, "id");
    assert_true(cJSON_IsNumber(id));
    assert_int_equal(id->valueint, 77);
    cJSON_Delete(resp);
}

static void test_invalid_request_with_unreadable_id_answers_null_id(void **state)
{
    (void)state;
    cJSON *resp = dispatch_invalid("{\"jsonrpc\":\"2.0\",\"id\":{\"x\":1},\"method\":\"ping\"}");
    assert_int_equal(error_code_of(resp), JSONRPC_INVALID_REQUEST);
    assert_true(cJSON_IsNull(get(resp, "id")));
    cJSON_Delete(resp);
    resp = dispatch_invalid("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}");
    assert_int_equal(error_code_of(resp), JSONRPC_INVALID_REQUEST);
    assert_true(cJSON_IsNull(get(resp, "id")));
    cJSON_Delete(resp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid_json_is_parse_error),
        cmocka_unit_test(test_empty_input_is_parse_error),
        cmocka_unit_test(test_trailing_garbage_is_parse_error),
        cmocka_unit_test(test_trailing_whitespace_is_accepted),
        cmocka_unit_test(test_parse_respects_length_not_nul),
        cmocka_unit_test(test_invalid_utf8_is_parse_error),
        cmocka_unit_test(test_valid_utf8_is_accepted),
        cmocka_unit_test(test_nesting_deeper_than_limit_is_parse_error),
        cmocka_unit_test(test_nesting_limit_ignores_brackets_in_strings),
        cmocka_unit_test(test_raw_control_character_in_string_is_parse_error),
        cmocka_unit_test(test_number_with_leading_zero_is_parse_error),
        cmocka_unit_test(test_nul_byte_or_escaped_nul_is_parse_error),
        cmocka_unit_test(test_control_character_between_tokens_is_parse_error),
        cmocka_unit_test(test_request_with_integer_id_is_request),
        cmocka_unit_test(test_request_with_string_id_is_request),
        cmocka_unit_test(test_message_without_id_is_notification),
        cmocka_unit_test(test_result_or_error_without_method_is_response),
        cmocka_unit_test(test_null_id_is_invalid_request),
        cmocka_unit_test(test_float_id_is_invalid_request),
        cmocka_unit_test(test_object_array_or_bool_id_is_invalid_request),
        cmocka_unit_test(test_jsonrpc_member_must_be_2_0),
        cmocka_unit_test(test_non_object_message_is_invalid_request),
        cmocka_unit_test(test_method_must_be_non_empty_string),
        cmocka_unit_test(test_params_must_be_an_object),
        cmocka_unit_test(test_message_without_method_or_id_is_invalid),
        cmocka_unit_test(test_response_needs_exactly_one_of_result_and_error),
        cmocka_unit_test(test_error_response_needs_object_with_code),
        cmocka_unit_test(test_jsonrpc_id_returns_only_string_or_integer),
        cmocka_unit_test(test_result_builder_echoes_id_and_result),
        cmocka_unit_test(test_error_builder_with_unknown_id_uses_null),
        cmocka_unit_test(test_error_builder_carries_integer_id_and_data),
        cmocka_unit_test(test_notification_builder_has_no_id),
        cmocka_unit_test(test_request_builder_has_integer_id_and_classifies_as_request),
        cmocka_unit_test(test_invalid_request_error_echoes_string_id),
        cmocka_unit_test(test_invalid_request_error_echoes_integer_id),
        cmocka_unit_test(test_invalid_request_with_unreadable_id_answers_null_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
