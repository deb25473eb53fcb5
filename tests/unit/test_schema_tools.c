/* Tool schemas go through the same engine: a zod-style record with a key
 * pattern (propertyNames) and a pydantic UUID (format) are enforced on
 * tools/call; mcp_server_set_schema_options switches format assertion off
 * and lets tool schemas $ref documents of a registry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_exchange.h"

static int ok_tool(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args;
    (void)ud;
    return mcp_call_text(call, "ok");
}

static cJSON *call_tool(mcp_server *srv, const char *name, const char *args_json)
{
    char buf[1024];
    snprintf(buf, sizeof buf,
             "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"%s\",\"arguments\":%s}}",
             name, args_json);
    return rpc_legacy(srv, MCP_V_2025_11_25, buf);
}

/* NULL when the call succeeded, else the tool error text (static copy). */
static const char *tool_error(mcp_server *srv, const char *name, const char *args_json)
{
    static char text[512];
    cJSON *resp = call_tool(srv, name, args_json);
    const cJSON *r = result_of(resp);
    int is_error = cJSON_IsTrue(get(r, "isError"));
    snprintf(text, sizeof text, "%s", content_text(r, 0));
    cJSON_Delete(resp);
    return is_error ? text : NULL;
}

static const char *RECORD = "{\"type\":\"object\",\"properties\":{\"tags\":{\"type\":\"object\","
                            "\"propertyNames\":{\"pattern\":\"^[a-z]+$\"},\"additionalProperties\":{\"type\":\"string\"}},"
                            "\"id\":{\"type\":\"string\",\"format\":\"uuid\"}}}";

static void test_generated_schemas_are_enforced(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    mcp_tool tool = {.name = "tag", .input_schema = RECORD, .handler = ok_tool};
    assert_int_equal(mcp_server_add_tool(srv, &tool, NULL), 0);
    assert_null(tool_error(srv, "tag", "{\"tags\":{\"colour\":\"red\"},\"id\":\"123e4567-e89b-12d3-a456-426614174000\"}"));
    const char *why = tool_error(srv, "tag", "{\"tags\":{\"Bad Key\":\"red\"}}");
    assert_non_null(why);
    assert_non_null(strstr(why, "/tags/Bad Key"));
    why = tool_error(srv, "tag", "{\"id\":\"nope\"}");
    assert_non_null(why);
    assert_non_null(strstr(why, "must be a UUID"));
    mcp_server_free(srv);
}

static void test_format_switch_and_registry(void **state)
{
    (void)state;
    mcp_schema_registry *reg = mcp_schema_registry_new();
    cJSON *defs = cJSON_Parse("{\"$defs\":{\"sku\":{\"type\":\"string\",\"pattern\":\"^SKU-[0-9]+$\"}}}");
    char err[256];
    assert_int_equal(mcp_schema_registry_add(reg, "https://shop.example/defs.json", defs, err, sizeof err), 0);
    cJSON_Delete(defs);

    mcp_server *srv = new_server();
    mcp_tool early = {.name = "early", .input_schema = RECORD, .handler = ok_tool};
    assert_int_equal(mcp_server_add_tool(srv, &early, NULL), 0); /* compiled with the defaults */
    mcp_tool shared = {.name = "buy",
                       .input_schema = "{\"type\":\"object\",\"properties\":{\"sku\":"
                                       "{\"$ref\":\"https://shop.example/defs.json#/$defs/sku\"}}}",
                       .handler = ok_tool};
    assert_int_equal(mcp_server_add_tool(srv, &shared, NULL), -MCP_EINVAL); /* no registry yet */
    mcp_schema_options opts = {reg, NULL, 1, 0};
    assert_int_equal(mcp_server_set_schema_options(srv, &opts), 0);
    assert_int_equal(mcp_server_add_tool(srv, &shared, NULL), 0);
    mcp_tool late = {.name = "late", .input_schema = RECORD, .handler = ok_tool};
    assert_int_equal(mcp_server_add_tool(srv, &late, NULL), 0);
    mcp_schema_registry_free(reg); /* compiled tools keep no pointer into it */

    assert_null(tool_error(srv, "buy", "{\"sku\":\"SKU-12\"}"));
    assert_non_null(strstr(tool_error(srv, "buy", "{\"sku\":\"12\"}"), "/sku: must match the pattern"));
    assert_null(tool_error(srv, "late", "{\"id\":\"nope\"}"));     /* format is an annotation now */
    assert_non_null(tool_error(srv, "early", "{\"id\":\"nope\"}")); /* still asserted */
    assert_int_equal(mcp_server_set_schema_options(NULL, NULL), -MCP_EINVAL);
    mcp_server_free(srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generated_schemas_are_enforced),
        cmocka_unit_test(test_format_switch_and_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
