/* core/prompts (checklist §4.3, §4.4): prompts/get checks required and
 * string-typed arguments before the handler runs (-32602 naming the
 * argument), returns the handler's messages; completion/complete returns
 * {completion: {values, total, hasMore}} and is -32601 without a handler. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_exchange.h"

static int greet_calls;

static int greet_prompt(mcp_call *call, const cJSON *args, void *ud)
{
    (void)ud;
    greet_calls++;
    const char *name = get_str(args, "name");
    const char *style = get_str(args, "style");
    mcp_call_prompt_description(call, "A greeting");
    char text[128];
    snprintf(text, sizeof text, "Hello, %s%s", name, style ? style : "");
    mcp_call_prompt_message_take(call, "user", mcp_content_text(text));
    return mcp_call_prompt_message_take(call, "assistant", mcp_content_text("Hi!"));
}

static int bad_prompt(mcp_call *call, const cJSON *args, void *ud)
{
    (void)call; (void)args; (void)ud;
    return -MCP_EINVAL;
}

static int broken_prompt(mcp_call *call, const cJSON *args, void *ud)
{
    (void)call; (void)args; (void)ud;
    return -MCP_EIO;
}

static mcp_server *srv_with_prompts(void)
{
    static const mcp_prompt_arg args[] = {
        { .name = "name", .description = "who", .required = true },
        { .name = "style", .description = "punctuation" },
        { 0 },
    };
    mcp_server *srv = new_server();
    mcp_prompt greet = { .name = "greet", .title = "Greeting", .description = "Say hello",
                         .arguments = args, .handler = greet_prompt };
    mcp_prompt bad = { .name = "bad", .handler = bad_prompt };
    mcp_prompt broken = { .name = "broken", .handler = broken_prompt, .blocking = true };
    assert_int_equal(mcp_server_add_prompt(srv, &greet, NULL), 0);
    assert_int_equal(mcp_server_add_prompt(srv, &bad, NULL), 0);
    assert_int_equal(mcp_server_add_prompt(srv, &broken, NULL), 0);
    greet_calls = 0;
    return srv;
}

static cJSON *get_prompt(mcp_server *srv, const char *name, const char *args_json)
{
    char buf[512];
    snprintf(buf, sizeof buf, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"prompts/get\",\"params\":{\"name\":\"%s\"%s%s}}",
             name, args_json ? ",\"arguments\":" : "", args_json ? args_json : "");
    return rpc_legacy(srv, MCP_V_2025_11_25, buf);
}

static void test_prompt_get_returns_messages_and_description(void **state)
{
    (void)state;
    mcp_server *srv = srv_with_prompts();
    cJSON *resp = get_prompt(srv, "greet", "{\"name\":\"Ada\",\"style\":\"!\"}");
    const cJSON *r = result_of(resp);
    assert_string_equal(get_str(r, "description"), "A greeting");
    const cJSON *msgs = get(r, "messages");
    assert_int_equal(cJSON_GetArraySize(msgs), 2);
    const cJSON *m0 = cJSON_GetArrayItem(msgs, 0);
    assert_string_equal(get_str(m0, "role"), "user");
    assert_string_equal(get_str(get(m0, "content"), "type"), "text");
    assert_string_equal(get_str(get(m0, "content"), "text"), "Hello, Ada!");
    assert_string_equal(get_str(cJSON_GetArrayItem(msgs, 1), "role"), "assistant");
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_optional_argument_may_be_omitted(void **state)
{
    (void)state;
    mcp_server *srv = srv_with_prompts();
    cJSON *resp = get_prompt(srv, "greet", "{\"name\":\"Bo\"}");
    const cJSON *m0 = cJSON_GetArrayItem(get(result_of(resp), "messages"), 0);
    assert_string_equal(get_str(get(m0, "content"), "text"), "Hello, Bo");
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_missing_required_argument_is_invalid_params_naming_it(void **state)
{
    (void)state;
    mcp_server *srv = srv_with_prompts();
    cJSON *resp = get_prompt(srv, "greet", "{\"style\":\"?\"}");
    assert_int_equal(error_code_of(resp), JSONRPC_INVALID_PARAMS);
    assert_non_null(strstr(error_message_of(resp), "name"));
    assert_non_null(strstr(error_message_of(resp), "required"));
    cJSON_Delete(resp);
    resp = get_prompt(srv, "greet", NULL);   /* no arguments object at all */
    assert_int_equal(error_code_of(resp), JSONRPC_INVALID_PARAMS);
    assert_non_null(strstr(error_message_of(resp), "name"));
    cJSON_Delete(resp);
    assert_int_equal(greet_calls, 0);
    mcp_server_free(srv);
}

static void test_non_string_argument_is_invalid_params(void **state)
{
    (void)state;
    mcp_server *srv = srv_with_prompts();
    static const char *const bad[] = {"{\"name\":5}", "{\"name\":\"x\",\"style\":true}", "{\"name\":null}",
                                      "{\"name\":{\"a\":1}}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cJSON *resp = get_prompt(srv, "greet", bad[i]);
        if (error_code_of(resp) != JSONRPC_INVALID_PARAMS)
            fail_msg("arguments %s were accepted", bad[i]);
        assert_non_null(strstr(error_message_of(resp), "string"));
        cJSON_Delete(resp);
    }
    assert_int_equal(greet_calls, 0);
    mcp_server_free(srv);
}

static void test_non_object_arguments_are_invalid_params(void **state)
{
    (void)state;
    mcp_server *srv = srv_with_prompts();
    cJSON *resp = get_prompt(srv, "greet", "[\"Ada\"]");
    assert_int_equal(error_code_of(resp), JSONRPC_INVALID_PARAMS);
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_unknown_prompt_is_invalid_params(void **state)
{
    (void)state;
    mcp_server *srv = srv_with_prompts();
    cJSON *resp = get_prompt(srv, "nope", "{}");
    assert_int_equal(error_code_of(resp), JSONRPC_INVALID_PARAMS);
    assert_non_null(strstr(error_message_of(resp), "nope"));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_handler_einval_is_invalid_params_and_other_failures_internal(void **state)
{
    (void)state;
    mcp_server *srv = srv_with_prompts();
    cJSON *resp = get_prompt(srv, "bad", NULL);
    assert_int_equal(error_code_of(resp), JSONRPC_INVALID_PARAMS);
    cJSON_Delete(resp);
    resp = get_prompt(srv, "broken", NULL);
    assert_int_equal(error_code_of(resp), JSONRPC_INTERNAL_ERROR);
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_prompts_list_describes_arguments(void **state)
{
    (void)state;
    mcp_server *srv = srv_with_prompts();
    cJSON *resp = rpc_legacy(srv, MCP_V_2025_11_25, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"prompts/list\"}");
    const cJSON *p = cJSON_GetArrayItem(get(result_of(resp), "prompts"), 0);
    assert_string_equal(get_str(p, "name"), "greet");
    assert_string_equal(get_str(p, "title"), "Greeting");
    assert_string_equal(get_str(p, "description"), "Say hello");
    const cJSON *args = get(p, "arguments");
    assert_int_equal(cJSON_GetArraySize(args), 2);
    assert_string_equal(get_str(cJSON_GetArrayItem(args, 0), "name"), "name");
    assert_true(cJSON_IsTrue(get(cJSON_GetArrayItem(args, 0), "required")));
    assert_false(cJSON_IsTrue(get(cJSON_GetArrayItem(args, 1), "required")));
    cJSON_Delete(resp);
    /* Prompt titles are gated like tool titles. */
    resp = rpc_legacy(srv, MCP_V_2025_03_26, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"prompts/list\"}");
    assert_null(get(cJSON_GetArrayItem(get(result_of(resp), "prompts"), 0), "title"));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

/* ---------------- completion/complete ---------------- */

typedef struct {
    char ref_type[32], ref[64], arg[32], value[32];
    cJSON *context;
    int produce;   /* how many values to offer */
} complete_probe;

static int complete_fn(mcp_call *call, const char *ref_type, const char *ref, const char *arg_name,
                       const char *arg_value, const cJSON *context_args, void *ud)
{
    complete_probe *p = ud;
    snprintf(p->ref_type, sizeof p->ref_type, "%s", ref_type);
    snprintf(p->ref, sizeof p->ref, "%s", ref);
    snprintf(p->arg, sizeof p->arg, "%s", arg_name);
    snprintf(p->value, sizeof p->value, "%s", arg_value);
    cJSON_Delete(p->context);
    p->context = context_args ? cJSON_Duplicate(context_args, 1) : NULL;
    if (strcmp(ref, "unknown") == 0)
        return -MCP_ENOTFOUND;
    if (p->produce == 0) {
        static const char *const words[] = {"alpha", "alpine", "beta"};
        for (int i = 0; i < 3; i++)
            if (strncmp(words[i], arg_value, strlen(arg_value)) == 0)
                mcp_call_complete_value(call, words[i]);
        return 0;
    }
    for (int i = 0; i < p->produce; i++) {
        char v[16];
        snprintf(v, sizeof v, "v%d", i);
        int rc = mcp_call_complete_value(call, v);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static void test_completion_without_handler_is_method_not_found(void **state)
{
    (void)state;
    mcp_server *srv = srv_with_prompts();
    cJSON *resp = rpc_legacy(srv, MCP_V_2025_11_25,
                             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"completion/complete\",\"params\":"
                             "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"greet\"},\"argument\":{\"name\":\"name\",\"value\":\"A\"}}}");
    assert_int_equal(error_code_of(resp), JSONRPC_METHOD_NOT_FOUND);
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_completion_result_shape(void **state)
{
    (void)state;
    mcp_server *srv = srv_with_prompts();
    complete_probe p = {0};
    mcp_server_set_completion(srv, complete_fn, &p);
    cJSON *resp = rpc_legacy(srv, MCP_V_2025_11_25,
                             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"completion/complete\",\"params\":"
                             "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"greet\"},\"argument\":{\"name\":\"name\",\"value\":\"al\"},"
                             "\"context\":{\"arguments\":{\"style\":\"!\"}}}}");
    const cJSON *c = get(result_of(resp), "completion");
    const cJSON *values = get(c, "values");
    assert_int_equal(cJSON_GetArraySize(values), 2);
    assert_string_equal(cJSON_GetArrayItem(values, 0)->valuestring, "alpha");
    assert_string_equal(cJSON_GetArrayItem(values, 1)->valuestring, "alpine");
    assert_int_equal(get(c, "total")->valueint, 2);
    assert_true(cJSON_IsFalse(get(c, "hasMore")));
    assert_string_equal(p.ref_type, "ref/prompt");
    assert_string_equal(p.ref, "greet");
    assert_string_equal(p.arg, "name");
    assert_string_equal(p.value, "al");
    assert_string_equal(get_str(p.context, "style"), "!");
    cJSON_Delete(resp);
    cJSON_Delete(p.context);
    mcp_server_free(srv);
}

static void test_completion_for_resource_reference_passes_uri(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    complete_probe p = {0};
    mcp_server_set_completion(srv, complete_fn, &p);
    cJSON *resp = rpc_legacy(srv, MCP_V_2025_11_25,
                             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"completion/complete\",\"params\":"
                             "{\"ref\":{\"type\":\"ref/resource\",\"uri\":\"test://t/{id}\"},\"argument\":{\"name\":\"id\",\"value\":\"b\"}}}");
    const cJSON *values = get(get(result_of(resp), "completion"), "values");
    assert_int_equal(cJSON_GetArraySize(values), 1);
    assert_string_equal(p.ref_type, "ref/resource");
    assert_string_equal(p.ref, "test://t/{id}");
    assert_null(p.context);
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_completion_values_are_capped_at_100_with_has_more(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    complete_probe p = { .produce = 150 };
    mcp_server_set_completion(srv, complete_fn, &p);
    cJSON *resp = rpc_legacy(srv, MCP_V_2025_11_25,
                             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"completion/complete\",\"params\":"
                             "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"x\"},\"argument\":{\"name\":\"a\",\"value\":\"\"}}}");
    const cJSON *c = get(result_of(resp), "completion");
    assert_int_equal(cJSON_GetArraySize(get(c, "values")), 100);
    assert_true(cJSON_IsTrue(get(c, "hasMore")));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_completion_with_bad_params_or_unknown_ref_is_invalid_params(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    complete_probe p = {0};
    mcp_server_set_completion(srv, complete_fn, &p);
    static const char *const bad[] = {
        "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"g\"}}",                                  /* no argument */
        "{\"ref\":{\"type\":\"ref/other\",\"name\":\"g\"},\"argument\":{\"name\":\"a\",\"value\":\"\"}}",
        "{\"ref\":{\"type\":\"ref/resource\",\"name\":\"g\"},\"argument\":{\"name\":\"a\",\"value\":\"\"}}",
        "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"g\"},\"argument\":{\"name\":\"a\"}}",
        "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"unknown\"},\"argument\":{\"name\":\"a\",\"value\":\"\"}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char buf[400];
        snprintf(buf, sizeof buf, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"completion/complete\",\"params\":%s}", bad[i]);
        cJSON *resp = rpc_legacy(srv, MCP_V_2025_11_25, buf);
        if (error_code_of(resp) != JSONRPC_INVALID_PARAMS)
            fail_msg("params %s did not give -32602", bad[i]);
        cJSON_Delete(resp);
    }
    cJSON_Delete(p.context);
    mcp_server_free(srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prompt_get_returns_messages_and_description),
        cmocka_unit_test(test_optional_argument_may_be_omitted),
        cmocka_unit_test(test_missing_required_argument_is_invalid_params_naming_it),
        cmocka_unit_test(test_non_string_argument_is_invalid_params),
        cmocka_unit_test(test_non_object_arguments_are_invalid_params),
        cmocka_unit_test(test_unknown_prompt_is_invalid_params),
        cmocka_unit_test(test_handler_einval_is_invalid_params_and_other_failures_internal),
        cmocka_unit_test(test_prompts_list_describes_arguments),
        cmocka_unit_test(test_completion_without_handler_is_method_not_found),
        cmocka_unit_test(test_completion_result_shape),
        cmocka_unit_test(test_completion_for_resource_reference_passes_uri),
        cmocka_unit_test(test_completion_values_are_capped_at_100_with_has_more),
        cmocka_unit_test(test_completion_with_bad_params_or_unknown_ref_is_invalid_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
