/* core/skills and core/frontmatter (SEP-2640): a skills directory is served
 * as skill:// resources with digests and sizes of the exact bytes
 * resources/read returns; skills/list pages whole entries, skills/get
 * answers -32602 for what it does not serve, resources/directory/read lists
 * direct children (subfolders as inode/directory); the extension is
 * advertised in both eras with the resources capability; the limits and the
 * naming rules reject a skill at registration; the frontmatter subset
 * parses what skills use and rejects what it cannot read exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_exchange.h"
#include "core/frontmatter.h"

#define HELLO_DIGEST "sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"

static char root[256];

static void write_file(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    /* make parent folders */
    for (char *s = path + strlen(root) + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(path, 0755);
            *s = '/';
        }
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void rm_tree(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static int setup_root(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "%s/mcp-skills-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(root));
    return 0;
}

static int teardown_root(void **state)
{
    (void)state;
    rm_tree(root);
    return 0;
}

static const char demo_md[] =
    "---\n"
    "name: demo-skill\n"
    "description: Shows how skills are served\n"
    "license: MIT\n"
    "metadata:\n"
    "  author: libmcp\n"
    "  version: \"1.0\"\n"
    "---\n"
    "# Demo\n\nRead references/guide.md.\n";

static void make_demo(void)
{
    write_file("demo-skill/SKILL.md", demo_md);
    write_file("demo-skill/references/guide.md", "hello\n");
    write_file("demo-skill/references/empty/.keep", "");   /* hidden: skipped, folder stays */
    write_file("demo-skill/bin.dat", "\x01\x02\xff");
    write_file("demo-skill/.hidden", "not served");
    write_file("demo-skill/references/empty.txt", "");
}

static mcp_server *srv_with_demo(void)
{
    make_demo();
    mcp_server *srv = new_server();
    assert_int_equal(mcp_server_add_skills_dir(srv, root, NULL), 0);
    return srv;
}

static cJSON *call_json(mcp_server *srv, mcp_era era, const char *method, const char *params)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"%s\",\"params\":%s}", method, params);
    return rpc(srv, NULL, era, era == MCP_ERA_MODERN ? MCP_V_2026_07_28 : MCP_V_2025_11_25, buf);
}

static const cJSON *resource_named(const cJSON *arr, const char *uri)
{
    for (const cJSON *r = arr ? arr->child : NULL; r; r = r->next)
        if (strcmp(get_str(r, "uri"), uri) == 0)
            return r;
    return NULL;
}

/* ---- frontmatter ---- */

static cJSON *fm(const char *yaml, char *err, size_t errlen)
{
    return mcp__frontmatter_parse(yaml, strlen(yaml), err, errlen);
}

static void test_frontmatter_renders_the_yaml_subset_as_json(void **state)
{
    (void)state;
    char err[256];
    cJSON *v = fm("---\n"
                  "name: x   # a comment\n"
                  "quoted: \"a: b \\u00e9\\n\"\n"
                  "single: 'it''s'\n"
                  "num: 12\n"
                  "float: 1.5\n"
                  "yes: true\n"
                  "nothing: ~\n"
                  "empty:\n"
                  "map:\n"
                  "  inner:\n"
                  "    deep: v\n"
                  "list:\n"
                  "  - one\n"
                  "  - k: v\n"
                  "    k2: v2\n"
                  "compact:\n"
                  "- a\n"
                  "flow: [a, 'b', 3, {c: d}]\n"
                  "lit: |\n"
                  "  line 1\n"
                  "    indented\n"
                  "\n"
                  "  line 3\n"
                  "folded: >-\n"
                  "  one\n"
                  "  two\n"
                  "\n"
                  "  three\n"
                  "plain: continued\n"
                  "  on two lines\n"
                  "emptyq: \"\"\n"
                  "emptylit: |\n"
                  "---\nbody\n", err, sizeof err);
    if (!v)
        fail_msg("parse failed: %s", err);
    char *out = cJSON_PrintUnformatted(v);
    assert_string_equal(out,
        "{\"name\":\"x\",\"quoted\":\"a: b \xc3\xa9\\n\",\"single\":\"it's\",\"num\":12,\"float\":1.5,"
        "\"yes\":true,\"nothing\":null,\"empty\":null,\"map\":{\"inner\":{\"deep\":\"v\"}},"
        "\"list\":[\"one\",{\"k\":\"v\",\"k2\":\"v2\"}],\"compact\":[\"a\"],\"flow\":[\"a\",\"b\",3,{\"c\":\"d\"}],"
        "\"lit\":\"line 1\\n  indented\\n\\nline 3\\n\",\"folded\":\"one two\\nthree\",\"plain\":\"continued on two lines\",\"emptyq\":\"\",\"emptylit\":\"\"}");
    free(out);
    cJSON_Delete(v);
}

static void test_frontmatter_rejects_what_it_cannot_read_exactly(void **state)
{
    (void)state;
    const char *bad[] = {
        "no frontmatter\n",
        "---\nname: x\n",                        /* never closed */
        "---\n---\n",                            /* empty */
        "---\nname: &a x\n---\n",                /* anchor */
        "---\nname: *a\n---\n",                  /* alias */
        "---\nname: !tag x\n---\n",              /* tag */
        "---\nname: x\nname: y\n---\n",          /* duplicate key */
        "---\nname: a: b\n---\n",                /* ": " in a plain value */
        "---\nname: \"open\n---\n",              /* unterminated quote */
        "---\nmap:\n\tk: v\n---\n",              /* tab indentation */
        "---\n- a\n---\n",                       /* not a mapping */
        "---\nname: x\n  bad: indent\n---\n",    /* continuation with a colon */
        "---\nflow: [a, b\n---\n",               /* flow over lines */
        "---\nv: .inf\n---\n",                   /* no JSON form */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[256] = "";
        cJSON *v = fm(bad[i], err, sizeof err);
        if (v)
            fail_msg("accepted #%zu: %s", i, bad[i]);
        assert_true(strlen(err) > 0);
        assert_non_null(strstr(err, "line"));
    }
}

/* ---- serving ---- */

static void test_skills_list_entry_has_digests_sizes_and_frontmatter(void **state)
{
    (void)state;
    mcp_server *srv = srv_with_demo();
    cJSON *resp = call_json(srv, MCP_ERA_LEGACY, "skills/list", "{}");
    const cJSON *skills = get(result_of(resp), "skills");
    assert_int_equal(cJSON_GetArraySize(skills), 1);
    const cJSON *e = cJSON_GetArrayItem(skills, 0);
    assert_string_equal(get_str(e, "uri"), "skill://demo-skill/SKILL.md");
    const cJSON *fmj = get(e, "frontmatter");
    assert_string_equal(get_str(fmj, "name"), "demo-skill");
    assert_string_equal(get_str(get(fmj, "metadata"), "version"), "1.0");
    const cJSON *res = get(e, "resources");
    assert_int_equal(cJSON_GetArraySize(res), 4);   /* SKILL.md, bin.dat, empty.txt, guide.md: no hidden file */
    assert_string_equal(get_str(cJSON_GetArrayItem(res, 0), "uri"), "skill://demo-skill/SKILL.md");
    assert_int_equal(get(cJSON_GetArrayItem(res, 0), "size")->valueint, (int)strlen(demo_md));
    const cJSON *guide = resource_named(res, "skill://demo-skill/references/guide.md");
    assert_non_null(guide);
    assert_string_equal(get_str(guide, "digest"), HELLO_DIGEST);
    assert_int_equal(get(guide, "size")->valueint, 6);
    assert_null(resource_named(res, "skill://demo-skill/.hidden"));
    const cJSON *empty = resource_named(res, "skill://demo-skill/references/empty.txt");
    assert_non_null(empty);
    assert_string_equal(get_str(empty, "digest"),
                        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_int_equal(get(empty, "size")->valueint, 0);
    assert_null(get(result_of(resp), "nextCursor"));
    assert_null(get(result_of(resp), "ttlMs"));      /* cache fields are modern only */
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_skill_files_read_back_as_the_hashed_bytes(void **state)
{
    (void)state;
    mcp_server *srv = srv_with_demo();
    cJSON *resp = call_json(srv, MCP_ERA_LEGACY, "resources/read", "{\"uri\":\"skill://demo-skill/SKILL.md\"}");
    const cJSON *c = cJSON_GetArrayItem(get(result_of(resp), "contents"), 0);
    assert_string_equal(get_str(c, "mimeType"), "text/markdown");
    assert_string_equal(get_str(c, "text"), demo_md);
    cJSON_Delete(resp);
    resp = call_json(srv, MCP_ERA_LEGACY, "resources/read", "{\"uri\":\"skill://demo-skill/bin.dat\"}");
    c = cJSON_GetArrayItem(get(result_of(resp), "contents"), 0);
    assert_string_equal(get_str(c, "blob"), "AQL/");      /* base64 of 01 02 ff */
    assert_null(get(c, "text"));
    cJSON_Delete(resp);
    resp = call_json(srv, MCP_ERA_LEGACY, "resources/read", "{\"uri\":\"skill://demo-skill/references/empty.txt\"}");
    assert_string_equal(get_str(cJSON_GetArrayItem(get(result_of(resp), "contents"), 0), "text"), "");
    cJSON_Delete(resp);
    /* The manifest is listed with the frontmatter's name and description;
     * the rest of the frontmatter rides in _meta under the skills prefix. */
    resp = call_json(srv, MCP_ERA_LEGACY, "resources/list", "{}");
    const cJSON *md = resource_named(get(result_of(resp), "resources"), "skill://demo-skill/SKILL.md");
    assert_non_null(md);
    assert_string_equal(get_str(md, "name"), "demo-skill");
    assert_string_equal(get_str(md, "description"), "Shows how skills are served");
    const cJSON *extra = get(get(md, "_meta"), "io.modelcontextprotocol.skills/frontmatter");
    assert_string_equal(get_str(extra, "license"), "MIT");
    assert_null(get(extra, "name"));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_skills_get_returns_the_entry_or_32602(void **state)
{
    (void)state;
    mcp_server *srv = srv_with_demo();
    cJSON *resp = call_json(srv, MCP_ERA_MODERN, "skills/get", "{\"uri\":\"skill://demo-skill/SKILL.md\"}");
    const cJSON *r = result_of(resp);
    assert_string_equal(get_str(get(r, "skill"), "uri"), "skill://demo-skill/SKILL.md");
    assert_non_null(get(r, "ttlMs"));
    assert_string_equal(get_str(r, "cacheScope"), "private");
    assert_null(get(r, "nextCursor"));
    cJSON_Delete(resp);
    const char *unknown[] = { "{\"uri\":\"skill://nope/SKILL.md\"}", "{\"uri\":\"skill://demo-skill/references/guide.md\"}", "{}" };
    for (size_t i = 0; i < 3; i++) {
        resp = call_json(srv, MCP_ERA_MODERN, "skills/get", unknown[i]);
        assert_int_equal(error_code_of(resp), JSONRPC_INVALID_PARAMS);
        cJSON_Delete(resp);
    }
    mcp_server_free(srv);
}

static void test_skills_list_pages_whole_entries_with_cache_hints(void **state)
{
    (void)state;
    make_demo();
    write_file("acme/second-skill/SKILL.md", "---\nname: second-skill\ndescription: Another one\n---\n");
    mcp_server *srv = new_server();
    mcp_server_set_page_size(srv, 1);
    assert_int_equal(mcp_server_add_skills_dir(srv, root, NULL), 0);
    cJSON *resp = call_json(srv, MCP_ERA_MODERN, "skills/list", "{}");
    const cJSON *r = result_of(resp);
    assert_int_equal(cJSON_GetArraySize(get(r, "skills")), 1);
    /* folders without SKILL.md are URI prefix segments, sorted by name */
    assert_string_equal(get_str(cJSON_GetArrayItem(get(r, "skills"), 0), "uri"), "skill://acme/second-skill/SKILL.md");
    assert_non_null(get(r, "ttlMs"));
    assert_non_null(get(r, "cacheScope"));
    char params[128];
    snprintf(params, sizeof params, "{\"cursor\":\"%s\"}", get_str(r, "nextCursor"));
    cJSON *resp2 = call_json(srv, MCP_ERA_MODERN, "skills/list", params);
    assert_string_equal(get_str(cJSON_GetArrayItem(get(result_of(resp2), "skills"), 0), "uri"), "skill://demo-skill/SKILL.md");
    assert_null(get(result_of(resp2), "nextCursor"));
    cJSON_Delete(resp);
    cJSON_Delete(resp2);
    resp = call_json(srv, MCP_ERA_MODERN, "skills/list", "{\"cursor\":\"x\"}");
    assert_int_equal(error_code_of(resp), JSONRPC_INVALID_PARAMS);
    cJSON_Delete(resp);
    /* The organisational folder is a directory too: its child is the skill's folder. */
    resp = call_json(srv, MCP_ERA_LEGACY, "resources/directory/read", "{\"uri\":\"skill://acme\"}");
    const cJSON *kids = get(result_of(resp), "resources");
    assert_int_equal(cJSON_GetArraySize(kids), 1);
    assert_string_equal(get_str(cJSON_GetArrayItem(kids, 0), "uri"), "skill://acme/second-skill");
    assert_string_equal(get_str(cJSON_GetArrayItem(kids, 0), "mimeType"), "inode/directory");
    cJSON_Delete(resp);
    resp = call_json(srv, MCP_ERA_LEGACY, "resources/directory/read", "{\"uri\":\"skill://acm\"}");
    assert_int_equal(error_code_of(resp), JSONRPC_INVALID_PARAMS);
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_directory_read_lists_direct_children(void **state)
{
    (void)state;
    mcp_server *srv = srv_with_demo();
    cJSON *resp = call_json(srv, MCP_ERA_LEGACY, "resources/directory/read", "{\"uri\":\"skill://demo-skill\"}");
    const cJSON *res = get(result_of(resp), "resources");
    assert_int_equal(cJSON_GetArraySize(res), 3);    /* SKILL.md, bin.dat, references/ */
    const cJSON *refs = resource_named(res, "skill://demo-skill/references");
    assert_non_null(refs);
    assert_string_equal(get_str(refs, "mimeType"), "inode/directory");
    assert_null(resource_named(res, "skill://demo-skill/references/guide.md"));   /* not a direct child */
    cJSON_Delete(resp);
    resp = call_json(srv, MCP_ERA_LEGACY, "resources/directory/read", "{\"uri\":\"skill://demo-skill/references/empty\"}");
    assert_int_equal(cJSON_GetArraySize(get(result_of(resp), "resources")), 0);
    cJSON_Delete(resp);
    const char *bad[] = { "{\"uri\":\"skill://demo-skill/SKILL.md\"}", "{\"uri\":\"skill://demo-skill/\"}",
                          "{\"uri\":\"skill://nope\"}", "{}" };
    for (size_t i = 0; i < 4; i++) {
        resp = call_json(srv, MCP_ERA_LEGACY, "resources/directory/read", bad[i]);
        assert_int_equal(error_code_of(resp), JSONRPC_INVALID_PARAMS);
        cJSON_Delete(resp);
    }
    /* pagination */
    mcp_server_set_page_size(srv, 2);
    resp = call_json(srv, MCP_ERA_MODERN, "resources/directory/read", "{\"uri\":\"skill://demo-skill\"}");
    assert_int_equal(cJSON_GetArraySize(get(result_of(resp), "resources")), 2);
    assert_string_equal(get_str(result_of(resp), "nextCursor"), "2");
    assert_non_null(get(result_of(resp), "ttlMs"));
    cJSON_Delete(resp);
    resp = call_json(srv, MCP_ERA_MODERN, "resources/directory/read", "{\"uri\":\"skill://demo-skill\",\"cursor\":\"2\"}");
    assert_int_equal(cJSON_GetArraySize(get(result_of(resp), "resources")), 1);
    assert_null(get(result_of(resp), "nextCursor"));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_extension_is_advertised_in_both_eras_with_resources(void **state)
{
    (void)state;
    mcp_server *srv = srv_with_demo();
    cJSON *resp = rpc_legacy(srv, MCP_V_2025_11_25,
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
        "\"capabilities\":{},\"clientInfo\":{\"name\":\"c\",\"version\":\"1\"}}}");
    const cJSON *caps = get(result_of(resp), "capabilities");
    assert_non_null(get(caps, "resources"));
    assert_true(cJSON_IsTrue(get(get(get(caps, "extensions"), "io.modelcontextprotocol/skills"), "directoryRead")));
    cJSON_Delete(resp);
    resp = call_json(srv, MCP_ERA_MODERN, "server/discover", "{}");
    caps = get(result_of(resp), "capabilities");
    assert_non_null(get(caps, "resources"));
    assert_non_null(get(get(caps, "extensions"), "io.modelcontextprotocol/skills"));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_without_directory_read_the_flag_and_method_are_absent(void **state)
{
    (void)state;
    make_demo();
    mcp_server *srv = new_server();
    mcp_skills_options o = { .no_directory_read = true };
    assert_int_equal(mcp_server_add_skills_dir(srv, root, &o), 0);
    cJSON *resp = call_json(srv, MCP_ERA_MODERN, "server/discover", "{}");
    const cJSON *settings = get(get(get(result_of(resp), "capabilities"), "extensions"), "io.modelcontextprotocol/skills");
    assert_true(cJSON_IsObject(settings));
    assert_null(settings->child);
    cJSON_Delete(resp);
    resp = call_json(srv, MCP_ERA_MODERN, "resources/directory/read", "{\"uri\":\"skill://demo-skill\"}");
    assert_int_equal(error_code_of(resp), JSONRPC_METHOD_NOT_FOUND);
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void test_server_without_skills_has_no_skill_methods(void **state)
{
    (void)state;
    mcp_server *srv = new_server();
    const char *methods[] = { "skills/list", "skills/get", "resources/directory/read" };
    for (size_t i = 0; i < 3; i++) {
        cJSON *resp = call_json(srv, MCP_ERA_LEGACY, methods[i], "{\"uri\":\"skill://x\"}");
        assert_int_equal(error_code_of(resp), JSONRPC_METHOD_NOT_FOUND);
        cJSON_Delete(resp);
    }
    cJSON *resp = call_json(srv, MCP_ERA_MODERN, "server/discover", "{}");
    assert_null(get(get(result_of(resp), "capabilities"), "extensions"));
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

static void expect_rejected(int want, const char *why)
{
    mcp_server *srv = new_server();
    int rc = mcp_server_add_skills_dir(srv, root, NULL);
    if (rc != want)
        fail_msg("%s: got %d, want %d", why, rc, want);
    /* nothing half-registered */
    cJSON *resp = call_json(srv, MCP_ERA_LEGACY, "resources/list", "{}");
    assert_int_equal(cJSON_GetArraySize(get(result_of(resp), "resources")), 0);
    cJSON_Delete(resp);
    mcp_server_free(srv);
    rm_tree(root);
    mkdir(root, 0700);
}

static void test_bad_skills_are_rejected_at_registration(void **state)
{
    (void)state;
    write_file("ok-skill/SKILL.md", "---\nname: ok-skill\ndescription: fine\n---\n");
    write_file("other/SKILL.md", "---\nname: not-other\ndescription: d\n---\n");
    expect_rejected(-MCP_EINVAL, "folder name differs from frontmatter name");
    write_file("Bad--Name/SKILL.md", "---\nname: Bad--Name\ndescription: d\n---\n");
    expect_rejected(-MCP_EINVAL, "invalid name");
    write_file("no-desc/SKILL.md", "---\nname: no-desc\n---\n");
    expect_rejected(-MCP_EINVAL, "no description");
    write_file("bad-yaml/SKILL.md", "---\nname: bad-yaml\ndescription: a: b\n---\n");
    expect_rejected(-MCP_EINVAL, "unparsable frontmatter");
    write_file("nothing/README.md", "no skills here");
    expect_rejected(-MCP_ENOTFOUND, "no skill at all");
    write_file("many/SKILL.md", "---\nname: many\ndescription: d\n---\n");
    for (int i = 0; i < 512; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "many/f/%03d.txt", i);
        write_file(rel, "x");
    }
    expect_rejected(-MCP_ELIMIT, "513 files");
    mcp_server *srv = new_server();
    assert_int_equal(mcp_server_add_skills_dir(srv, "/nonexistent/skills", NULL), -MCP_ENOTFOUND);
    mcp_skills_options o = { .uri_prefix = "/bad/" };
    assert_int_equal(mcp_server_add_skills_dir(srv, root, &o), -MCP_EINVAL);
    mcp_server_free(srv);
}

static void test_total_size_limit_is_16_mib(void **state)
{
    (void)state;
    write_file("big/SKILL.md", "---\nname: big\ndescription: d\n---\n");
    char path[512];
    snprintf(path, sizeof path, "%s/big/blob.bin", root);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 16L * 1024 * 1024, SEEK_SET), 0);   /* 16 MiB + 1 byte with SKILL.md */
    fputc('x', f);
    fclose(f);
    expect_rejected(-MCP_ELIMIT, "over 16 MiB");
}

static void test_uri_prefix_and_single_skill_path(void **state)
{
    (void)state;
    make_demo();
    mcp_server *srv = new_server();
    char one[512];
    snprintf(one, sizeof one, "%s/demo-skill/", root);
    mcp_skills_options o = { .uri_prefix = "example.com/team" };
    assert_int_equal(mcp_server_add_skills_dir(srv, one, &o), 0);
    cJSON *resp = call_json(srv, MCP_ERA_LEGACY, "skills/get", "{\"uri\":\"skill://example.com/team/demo-skill/SKILL.md\"}");
    assert_string_equal(get_str(get(result_of(resp), "skill"), "uri"), "skill://example.com/team/demo-skill/SKILL.md");
    cJSON_Delete(resp);
    /* the same URIs again: refused, the first registration stays */
    assert_int_equal(mcp_server_add_skills_dir(srv, one, &o), -MCP_EEXIST);
    resp = call_json(srv, MCP_ERA_LEGACY, "skills/list", "{}");
    assert_int_equal(cJSON_GetArraySize(get(result_of(resp), "skills")), 1);
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

/* Uniform options: mcp_skills_options_init gives the documented defaults
 * (no prefix, directoryRead offered), the same as passing NULL. */
static void test_skills_options_init_is_the_default(void **state)
{
    (void)state;
    mcp_skills_options o;
    memset(&o, 0xA5, sizeof o);
    mcp_skills_options_init(&o);
    assert_null(o.uri_prefix);
    assert_false(o.no_directory_read);
    mcp_skills_options_init(NULL);   /* harmless */
    make_demo();
    mcp_server *srv = new_server();
    assert_int_equal(mcp_server_add_skills_dir(srv, root, &o), 0);
    cJSON *resp = call_json(srv, MCP_ERA_MODERN, "server/discover", "{}");
    const cJSON *settings = get(get(get(result_of(resp), "capabilities"), "extensions"), "io.modelcontextprotocol/skills");
    assert_true(cJSON_IsTrue(get(settings, "directoryRead")));
    cJSON_Delete(resp);
    resp = call_json(srv, MCP_ERA_LEGACY, "skills/get", "{\"uri\":\"skill://demo-skill/SKILL.md\"}");
    assert_string_equal(get_str(get(result_of(resp), "skill"), "uri"), "skill://demo-skill/SKILL.md");
    cJSON_Delete(resp);
    mcp_server_free(srv);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_root, teardown_root)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frontmatter_renders_the_yaml_subset_as_json),
        cmocka_unit_test(test_frontmatter_rejects_what_it_cannot_read_exactly),
        T(test_skills_list_entry_has_digests_sizes_and_frontmatter),
        T(test_skill_files_read_back_as_the_hashed_bytes),
        T(test_skills_get_returns_the_entry_or_32602),
        T(test_skills_list_pages_whole_entries_with_cache_hints),
        T(test_directory_read_lists_direct_children),
        T(test_extension_is_advertised_in_both_eras_with_resources),
        T(test_without_directory_read_the_flag_and_method_are_absent),
        T(test_server_without_skills_has_no_skill_methods),
        T(test_bad_skills_are_rejected_at_registration),
        T(test_total_size_limit_is_16_mib),
        T(test_uri_prefix_and_single_skill_path),
        T(test_skills_options_init_is_the_default),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
