/* Runs the official JSON-Schema-Test-Suite (Debian package
 * json-schema-test-suite) against the schema engine (src/schema/): every
 * file of the draft, optional/ and optional/format/ included, with the
 * package's remotes/ registered under http://localhost:1234/. Every case
 * runs unless the explicit SKIPS table below names it (file + group
 * description + test description) with a reason; any other mismatch fails
 * the test. draft7 data is read as draft-07 (its $ref rule); draft2020-12
 * data is used too whenever a newer package ships it. */
#define _DEFAULT_SOURCE /* scandir, strdup */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include <mcp/schema.h>

#include "schema/schema.h"

#define DEFAULT_SUITE_ROOT "/usr/share/json-schema-test-suite/tests"
#define DRAFT07_URI        "http://json-schema.org/draft-07/schema#"

/* Every file of a draft runs: the draft directory, optional/ and
 * optional/format/ (found by listing them). */
#define MAX_SUITE_FILES 256

/* test == NULL skips every case of the group. */
typedef struct {
    const char *draft;
    const char *file;
    const char *group;
    const char *test;
    const char *reason;
} skip_entry;

/* Entries cover Debian 12's suite (2.0.0) and the upstream layout a newer
 * package would ship; an entry that matches nothing is only noted. */
#define METASCHEMA    "the dialect metaschema is not registered here"
#define NUL_IN_STRING "NUL inside strings (cJSON ends strings at NUL)"
#define CONTENT       "content* keywords are annotations"
#define LOOKBEHIND    "variable-width lookbehind (PCRE2 10.42 refuses it)"

static const skip_entry SKIPS[] = {
    /* $ref to the dialect's own metaschema: the package ships no metaschemas
     * (tests/schema_suite/run_suite -m registers them and passes these). */
    {"draft7", "ref.json", "remote ref, containing refs itself", NULL, METASCHEMA},
    {"draft7", "definitions.json", "valid definition", NULL, METASCHEMA},
    {"draft7", "definitions.json", "invalid definition", NULL, METASCHEMA},
    {"draft7", "definitions.json", "validate definition against metaschema", NULL, METASCHEMA},
    {"draft2020-12", "ref.json", "remote ref, containing refs itself", NULL, METASCHEMA},
    {"draft2020-12", "defs.json", "validate definition against metaschema", NULL, METASCHEMA},

    /* contentMediaType/contentEncoding are annotations (2019-09 and 2020-12
     * say so; draft-07 makes checking them optional). */
    {"draft7", "optional/content.json", "validation of string-encoded content based on media type", NULL, CONTENT},
    {"draft7", "optional/content.json", "validation of binary string-encoding", NULL, CONTENT},
    {"draft7", "optional/content.json", "validation of binary-encoded media type documents", NULL, CONTENT},
    {"draft2020-12", "optional/content.json", "validation of string-encoded content based on media type", NULL,
     CONTENT},
    {"draft2020-12", "optional/content.json", "validation of binary string-encoding", NULL, CONTENT},
    {"draft2020-12", "optional/content.json", "validation of binary-encoded media type documents", NULL, CONTENT},

    {"draft7", "optional/format/ecmascript-regex.json", "ECMA 262 lookbehind is valid, including variable width",
     "a variable-width lookbehind (ES2018)", LOOKBEHIND},
    {"draft2020-12", "optional/format/ecmascript-regex.json", "ECMA 262 lookbehind is valid, including variable width",
     "a variable-width lookbehind (ES2018)", LOOKBEHIND},

    /* "\u0000" in the data: cJSON truncates the string there, so the tail is never seen. */
    {"draft7", "optional/format/date.json", "validation of date strings",
     "invalid: NUL character after an otherwise valid full-date", NUL_IN_STRING},
    {"draft2020-12", "optional/format/date.json", "validation of date strings",
     "invalid: NUL character after an otherwise valid full-date", NUL_IN_STRING},
    {"draft7", "optional/format/ipv4.json", "validation of IP addresses",
     "additional content after an embedded NUL byte", NUL_IN_STRING},
    {"draft2020-12", "optional/format/ipv4.json", "validation of IP addresses",
     "additional content after an embedded NUL byte", NUL_IN_STRING},
};
#define SKIP_COUNT (sizeof SKIPS / sizeof SKIPS[0])

#define MAX_REASONS 16

typedef struct {
    const char *draft;
    int total, passed, skipped, failed;
    const char *reasons[MAX_REASONS];
    int reason_counts[MAX_REASONS];
    int skip_used[SKIP_COUNT];
} tally;

static const char *suite_root(void)
{
    const char *root = getenv("MCP_SCHEMA_SUITE_DIR");
    return root && *root ? root : DEFAULT_SUITE_ROOT;
}

static int is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *data = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[8192];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            char *grown = realloc(data, cap);
            if (!grown) {
                free(data);
                fclose(f);
                return NULL;
            }
            data = grown;
        }
        memcpy(data + len, chunk, n);
        len += n;
    }
    fclose(f);
    if (data)
        data[len] = '\0';
    return data;
}

/* Index into SKIPS covering this case, or -1. */
static int find_skip(const char *draft, const char *file, const char *group, const char *test)
{
    for (size_t i = 0; i < SKIP_COUNT; i++) {
        const skip_entry *s = &SKIPS[i];
        if (strcmp(s->draft, draft) == 0 && strcmp(s->file, file) == 0 && strcmp(s->group, group) == 0 &&
            (!s->test || (test && strcmp(s->test, test) == 0)))
            return (int)i;
    }
    return -1;
}

static void count_skip(tally *t, int entry)
{
    t->skipped++;
    t->skip_used[entry] = 1;
    const char *reason = SKIPS[entry].reason;
    for (int i = 0; i < MAX_REASONS; i++) {
        if (!t->reasons[i])
            t->reasons[i] = reason;
        if (strcmp(t->reasons[i], reason) == 0) {
            t->reason_counts[i]++;
            return;
        }
    }
}

static const char *description(const cJSON *object)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(object, "description");
    return cJSON_IsString(d) ? d->valuestring : "(no description)";
}

/* draft7 data means draft-07 rules ($ref hides siblings); say so explicitly. */
static cJSON *schema_for_draft(const tally *t, const cJSON *schema)
{
    cJSON *copy = cJSON_Duplicate(schema, 1);
    if (copy && strcmp(t->draft, "draft7") == 0 && cJSON_IsObject(copy) &&
        !cJSON_GetObjectItemCaseSensitive(copy, "$schema"))
        cJSON_AddStringToObject(copy, "$schema", DRAFT07_URI);
    return copy;
}

/* remotes/ of the suite, under http://localhost:1234/ as the suite asks */
static mcp_schema_registry *remotes;

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static void register_remotes(const char *dir, const char *rel)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, by_name);
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        char path[4096], sub[1024];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        snprintf(sub, sizeof sub, "%.500s%.500s", rel, name);
        size_t len = strlen(name);
        if (name[0] != '.' && is_directory(path)) {
            char deeper[1100];
            snprintf(deeper, sizeof deeper, "%s/", sub);
            register_remotes(path, deeper);
        } else if (len > 5 && strcmp(name + len - 5, ".json") == 0) {
            char *text = read_file(path);
            cJSON *doc = text ? cJSON_Parse(text) : NULL;
            char uri[1200], err[256];
            snprintf(uri, sizeof uri, "http://localhost:1234/%s", sub);
            if (doc)
                mcp_schema_registry_add(remotes, uri, doc, err, sizeof err);
            cJSON_Delete(doc);
            free(text);
        }
        free(names[i]);
    }
    free(names);
}

/* The suite's *.json files of dir/sub (sub "" or "optional/"), appended. */
static void list_files(const char *dir, const char *sub, char **files, size_t *count)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    struct dirent **names;
    int n = scandir(path, &names, NULL, by_name);
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        size_t len = strlen(name);
        if (len > 5 && strcmp(name + len - 5, ".json") == 0 && *count < MAX_SUITE_FILES) {
            char file[512];
            snprintf(file, sizeof file, "%s%s", sub, name);
            files[(*count)++] = strdup(file);
        }
        free(names[i]);
    }
    free(names);
}

static void run_case(tally *t, const char *file, const char *group, const mcp_schema *schema, const char *compile_error,
                     const cJSON *test)
{
    const char *name = description(test);
    int skip = find_skip(t->draft, file, group, name);
    t->total++;
    if (skip >= 0) {
        count_skip(t, skip);
        return;
    }
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(test, "data");
    int expected_valid = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(test, "valid"));
    char err[512] = "";
    if (!schema) {
        t->failed++;
        printf("FAIL %s/%s | %s | %s: schema did not compile: %s\n", t->draft, file, group, name, compile_error);
        return;
    }
    int valid = mcp__schema_validate(schema, data, err, sizeof err) == 0;
    if (valid == expected_valid) {
        t->passed++;
        return;
    }
    t->failed++;
    printf("FAIL %s/%s | %s | %s: expected %s, got %s%s%s\n", t->draft, file, group, name,
           expected_valid ? "valid" : "invalid", valid ? "valid" : "invalid", valid ? "" : ": ", valid ? "" : err);
}

static void run_group(tally *t, const char *file, const cJSON *group)
{
    const char *name = description(group);
    const cJSON *tests = cJSON_GetObjectItemCaseSensitive(group, "tests");
    int whole_group = find_skip(t->draft, file, name, NULL);
    if (whole_group >= 0 && !SKIPS[whole_group].test) {
        for (const cJSON *test = tests ? tests->child : NULL; test; test = test->next) {
            t->total++;
            count_skip(t, whole_group);
        }
        return;
    }
    cJSON *schema_json = schema_for_draft(t, cJSON_GetObjectItemCaseSensitive(group, "schema"));
    char err[512] = "";
    /* format is an annotation (the spec's default, which the required
     * cases check) except in optional/, which checks format assertion */
    unsigned flags = strncmp(file, "optional/", 9) == 0 ? 0 : MCP__SCHEMA_NO_FORMAT;
    mcp_schema *schema = mcp__schema_compile_with(schema_json, remotes, NULL, flags, err, sizeof err);
    for (const cJSON *test = tests ? tests->child : NULL; test; test = test->next)
        run_case(t, file, name, schema, err, test);
    mcp__schema_free(schema);
    cJSON_Delete(schema_json);
}

static void run_file(tally *t, const char *dir, const char *file)
{
    char path[1024];
    int n = snprintf(path, sizeof path, "%s/%s", dir, file);
    assert_true(n > 0 && (size_t)n < sizeof path);
    char *text = read_file(path);
    if (!text) {
        printf("note: %s/%s not present, not run\n", t->draft, file);
        return;
    }
    cJSON *groups = cJSON_Parse(text);
    free(text);
    assert_non_null(groups);
    for (const cJSON *group = groups->child; group; group = group->next)
        run_group(t, file, group);
    cJSON_Delete(groups);
}

static void print_summary(const tally *t)
{
    printf("schema suite (%s): %d of %d cases passed (%d skipped", t->draft, t->passed, t->total, t->skipped);
    for (int i = 0; i < MAX_REASONS && t->reasons[i]; i++)
        printf("%s%s %d", i ? ", " : ": ", t->reasons[i], t->reason_counts[i]);
    printf("; %d failed)\n", t->failed);
    int unused = 0;
    for (size_t i = 0; i < SKIP_COUNT; i++)
        unused += strcmp(SKIPS[i].draft, t->draft) == 0 && !t->skip_used[i];
    if (unused)
        printf("note: %d %s skip entries matched nothing (they cover other suite versions)\n", unused, t->draft);
    fflush(stdout);
}

static void run_draft(const char *draft)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", suite_root(), draft);
    if (!is_directory(dir)) {
        printf("note: %s not installed (package json-schema-test-suite); not run\n", dir);
        skip();
    }
    tally t;
    memset(&t, 0, sizeof t);
    t.draft = draft;
    char remotes_dir[1100];
    snprintf(remotes_dir, sizeof remotes_dir, "%s/../remotes", suite_root());
    remotes = mcp_schema_registry_new();
    assert_non_null(remotes);
    register_remotes(remotes_dir, "");
    char *files[MAX_SUITE_FILES];
    size_t count = 0;
    list_files(dir, "", files, &count);
    list_files(dir, "optional/", files, &count);
    list_files(dir, "optional/format/", files, &count);
    for (size_t i = 0; i < count; i++) {
        run_file(&t, dir, files[i]);
        free(files[i]);
    }
    mcp_schema_registry_free(remotes);
    remotes = NULL;
    print_summary(&t);
    assert_true(t.passed > 0);
    assert_int_equal(t.failed, 0);
    assert_int_equal(t.passed + t.skipped, t.total);
}

static void test_draft7_suite_cases_pass(void **state)
{
    (void)state;
    run_draft("draft7");
}

static void test_draft2020_12_suite_cases_pass(void **state)
{
    (void)state;
    run_draft("draft2020-12");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_draft7_suite_cases_pass),
        cmocka_unit_test(test_draft2020_12_suite_cases_pass),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
