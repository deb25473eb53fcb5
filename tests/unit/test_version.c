/* core/version and legacy version negotiation (checklist §1.3): initialize
 * answers a supported legacy version as requested, anything else (unknown,
 * or the modern 2026-07-28 revision, which has no handshake) with the latest
 * legacy version 2025-11-25; the per-revision feature gates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_exchange.h"
#include "core/version.h"

/* ---------------- names ---------------- */

static void test_version_names_round_trip(void **state)
{
    (void)state;
    static const char *const expected[MCP_V_COUNT] = {
        "2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28",
    };
    for (int v = 0; v < MCP_V_COUNT; v++) {
        assert_string_equal(mcp__version_name((mcp__revision)v), expected[v]);
        assert_int_equal(mcp__version_parse(expected[v]), v);
    }
}

static void test_unknown_version_strings_do_not_parse(void **state)
{
    (void)state;
    assert_int_equal(mcp__version_parse(NULL), -1);
    assert_int_equal(mcp__version_parse(""), -1);
    assert_int_equal(mcp__version_parse("1999-01-01"), -1);
    assert_int_equal(mcp__version_parse("2025-11-25 "), -1);
    assert_int_equal(mcp__version_parse("2025-11-2"), -1);
    assert_string_equal(mcp__version_name(MCP_V_COUNT), "unknown");
    assert_string_equal(mcp__version_name((mcp__revision)-1), "unknown");
}

static void test_only_2026_07_28_is_modern(void **state)
{
    (void)state;
    for (int v = 0; v < MCP_V_COUNT; v++)
        assert_int_equal(mcp__version_is_modern((mcp__revision)v), v == MCP_V_2026_07_28);
    assert_int_equal(MCP_V_LEGACY_LATEST, MCP_V_2025_11_25);
    assert_int_equal(MCP_V_MODERN_LATEST, MCP_V_2026_07_28);
}

/* ---------------- feature gates (checklist §1.2/§1.3) ---------------- */

static void test_feature_gates_follow_the_changelogs(void **state)
{
    (void)state;
    /*                        11-05  03-26  06-18  11-25  07-28 */
    static const bool batching[]   = {0, 1, 0, 0, 0};
    static const bool structured[] = {0, 0, 1, 1, 1};
    static const bool titles[]     = {0, 0, 1, 1, 1};
    static const bool link[]       = {0, 0, 1, 1, 1};
    static const bool icons[]      = {0, 0, 0, 1, 1};
    static const bool priming[]    = {0, 0, 0, 1, 1};
    static const bool annots[]     = {0, 1, 1, 1, 1};
    static const bool audio[]      = {0, 1, 1, 1, 1};
    for (int v = 0; v < MCP_V_COUNT; v++) {
        mcp__revision mv = (mcp__revision)v;
        assert_int_equal(mcp_v_batching(mv), batching[v]);
        assert_int_equal(mcp_v_structured(mv), structured[v]);
        assert_int_equal(mcp_v_titles(mv), titles[v]);
        assert_int_equal(mcp_v_resource_link(mv), link[v]);
        assert_int_equal(mcp_v_icons(mv), icons[v]);
        assert_int_equal(mcp_v_sse_priming(mv), priming[v]);
        assert_int_equal(mcp_v_annotations(mv), annots[v]);
        assert_int_equal(mcp_v_audio(mv), audio[v]);
    }
}

/* ---------------- negotiation through initialize ---------------- */

static cJSON *initialize_with(mcp_server *srv, mcp_session *s, const char *requested)
{
    char buf[512];
    snprintf(buf, sizeof buf,
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"%s\","
             "\"capabilities\":{\"roots\":{}},\"clientInfo\":{\"name\":\"t\",\"version\":\"0\"}}}",
             requested);
    /* The exchange version before initialize is whatever the transport
     * guessed; pick one different from any expected answer. */
    return rpc(srv, s, MCP_ERA_LEGACY, MCP_V_2024_11_05, buf);
}

static void expect_negotiated(const char *requested, const char *answered, mcp__revision want)
{
    mcp_server *srv = new_server();
    mcp_session *s = mcp__session_new();
    s->version = MCP_V_2024_11_05;
    cJSON *resp = initialize_with(srv, s, requested);
    const cJSON *r = result_of(resp);
    if (strcmp(get_str(r, "protocolVersion"), answered) != 0)
        fail_msg("initialize %s answered %s, expected %s", requested, get_str(r, "protocolVersion"), answered);
    assert_int_equal(s->version, want);   /* the session remembers what was agreed */
    cJSON_Delete(resp);
    mcp__session_unref(s);
    mcp_server_free(srv);
}

static void test_initialize_2024_11_05_is_answered_as_requested(void **state)
{
    (void)state;
    expect_negotiated("2024-11-05", "2024-11-05", MCP_V_2024_11_05);
}

static void test_initialize_2025_03_26_is_answered_as_requested(void **state)
{
    (void)state;
    expect_negotiated("2025-03-26", "2025-03-26", MCP_V_2025_03_26);
}

static void test_initialize_2025_06_18_is_answered_as_requested(void **state)
{
    (void)state;
    expect_negotiated("2025-06-18", "2025-06-18", MCP_V_2025_06_18);
}

static void test_initialize_2025_11_25_is_answered_as_requested(void **state)
{
    (void)state;
    expect_negotiated("2025-11-25", "2025-11-25", MCP_V_2025_11_25);
}

static void test_initialize_unknown_version_gets_latest_legacy(void **state)
{
    (void)state;
    expect_negotiated("1999-01-01", "2025-11-25", MCP_V_2025_11_25);
    expect_negotiated("", "2025-11-25", MCP_V_2025_11_25);
    expect_negotiated("2099-12-31", "2025-11-25", MCP_V_2025_11_25);
}

static void test_initialize_modern_version_gets_latest_legacy(void **state)
{
    (void)state;
    /* initialize never agrees to the handshake-less modern revision. */
    expect_negotiated("2026-07-28", "2025-11-25", MCP_V_2025_11_25);
}

static void test_initialize_without_protocol_version_is_invalid_params(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    cJSON *resp = rpc_legacy(srv, MCP_V_2025_11_25,
                             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"capabilities\":{}}}");
    assert_int_equal(error_code_of(resp), JSONRPC_INVALID_PARAMS);
    cJSON_Delete(resp);
    resp = rpc_legacy(srv, MCP_V_2025_11_25,
                      "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"initialize\",\"params\":{\"protocolVersion\":20251125}}");
    assert_int_equal(error_code_of(resp), JSONRPC_INVALID_PARAMS);
    cJSON_Delete(resp);
    resp = rpc_legacy(srv, MCP_V_2025_11_25, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"initialize\"}");
    assert_int_equal(error_code_of(resp), JSONRPC_INVALID_PARAMS);
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_initialize_records_client_capabilities_and_info(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    mcp_session *s = mcp__session_new();
    cJSON *resp = initialize_with(srv, s, "2025-06-18");
    result_of(resp);
    assert_true(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(s->client_caps, "roots")));
    assert_string_equal(get_str(s->client_info, "name"), "t");
    cJSON_Delete(resp);
    mcp__session_unref(s);
    mcp_server_free(srv);
}

static void test_initialize_without_capabilities_records_empty_object(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    mcp_session *s = mcp__session_new();
    cJSON *resp = rpc(srv, s, MCP_ERA_LEGACY, MCP_V_2025_11_25,
                      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\"}}");
    result_of(resp);
    assert_true(cJSON_IsObject(s->client_caps));
    assert_null(s->client_caps->child);
    assert_null(s->client_info);
    cJSON_Delete(resp);
    mcp__session_unref(s);
    mcp_server_free(srv);
}

/* Each feature has its own gate, at the revision that brought it: progress
 * "message" was gated on audio support, serverInfo description and
 * websiteUrl on icons (same revisions today, unrelated features). */
static void test_one_gate_per_feature(void **state)
{
    (void)state;
    static const struct { const char *name; bool (*gate)(mcp__revision); mcp__revision since; } gates[] = {
        { "batching", NULL, MCP_V_2025_03_26 },
        { "audio", mcp_v_audio, MCP_V_2025_03_26 },
        { "annotations", mcp_v_annotations, MCP_V_2025_03_26 },
        { "progress message", mcp_v_progress_message, MCP_V_2025_03_26 },
        { "structured", mcp_v_structured, MCP_V_2025_06_18 },
        { "titles", mcp_v_titles, MCP_V_2025_06_18 },
        { "resource_link", mcp_v_resource_link, MCP_V_2025_06_18 },
        { "icons", mcp_v_icons, MCP_V_2025_11_25 },
        { "sse priming", mcp_v_sse_priming, MCP_V_2025_11_25 },
        { "server description", mcp_v_server_description, MCP_V_2025_11_25 },
        { "website url", mcp_v_website_url, MCP_V_2025_11_25 },
    };
    for (size_t g = 0; g < sizeof gates / sizeof gates[0]; g++) {
        if (!gates[g].gate)
            continue;
        for (int v = 0; v < MCP_V_COUNT; v++)
            if (gates[g].gate((mcp__revision)v) != (v >= (int)gates[g].since))
                fail_msg("gate %s wrong for %s", gates[g].name, mcp__version_name((mcp__revision)v));
    }
    /* batching is the one revision-only feature */
    for (int v = 0; v < MCP_V_COUNT; v++)
        assert_int_equal(mcp_v_batching((mcp__revision)v), v == MCP_V_2025_03_26);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_gate_per_feature),
        cmocka_unit_test(test_version_names_round_trip),
        cmocka_unit_test(test_unknown_version_strings_do_not_parse),
        cmocka_unit_test(test_only_2026_07_28_is_modern),
        cmocka_unit_test(test_feature_gates_follow_the_changelogs),
        cmocka_unit_test(test_initialize_2024_11_05_is_answered_as_requested),
        cmocka_unit_test(test_initialize_2025_03_26_is_answered_as_requested),
        cmocka_unit_test(test_initialize_2025_06_18_is_answered_as_requested),
        cmocka_unit_test(test_initialize_2025_11_25_is_answered_as_requested),
        cmocka_unit_test(test_initialize_unknown_version_gets_latest_legacy),
        cmocka_unit_test(test_initialize_modern_version_gets_latest_legacy),
        cmocka_unit_test(test_initialize_without_protocol_version_is_invalid_params),
        cmocka_unit_test(test_initialize_records_client_capabilities_and_info),
        cmocka_unit_test(test_initialize_without_capabilities_records_empty_object),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
